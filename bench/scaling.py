"""(f) Per-update SQL time on a large database (20 programs x 1,000 staff) against a small one.

Two hoidap databases are prepared like part (a) (a bound group, 200 members, the question of
the week published). The large one then gets 19 more programs with 1,000 active staff each
and every program four years of concluded weeks (200 sessions, each with its draw and two
grades), written straight into SQLite. The same ``/trangthai`` is then sent by the same
members to each bot in turn, one update at a time, and the time the bot spends awaiting
aiosqlite is summed per update (statements and the round trips to aiosqlite's thread).
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bench.common import member_users, percentile, progress
from bench.roundtrip import HoidapBot, ping_pong
from fakes.fakebotapi import FakeBotAPI

PROGRAMS = 20
STAFF_PER_PROGRAM = 1000
WEEKS = 200


@dataclass
class ScalingResult:
    small_ms: list[float]  # per run: SQL milliseconds per update
    large_ms: list[float]
    people: int
    members: int
    sessions: int
    grades: int

    @property
    def ratio(self) -> float:
        return percentile(self.large_ms, 0.5) / percentile(self.small_ms, 0.5)


def grow(path: Path) -> tuple[int, int, int, int]:
    """Fill the database at ``path`` to 20 programs x 1,000 staff with four years of history."""
    now = "2026-12-01T03:00:00+00:00"
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        first = int(conn.execute("SELECT COALESCE(MAX(id), 0) FROM programs").fetchone()[0])
        for p in range(first + 1, PROGRAMS + 1):
            conn.execute(
                "INSERT INTO programs (id, chat_id, title, created_at) VALUES (?,?,?,?)",
                (p, -1_000_000_000 - p, f"Chương trình {p}", now),
            )
            base = 5_000_000 + p * 10_000
            conn.executemany(
                "INSERT INTO people (tg_user_id, tg_name, full_name, title, created_at) "
                "VALUES (?,?,?,?,?)",
                [
                    (base + i, f"Cán bộ {i}", f"Nguyễn Văn {p}-{i}", "Chuyên viên", now)
                    for i in range(STAFF_PER_PROGRAM)
                ],
            )
            conn.execute(
                "INSERT INTO members (program_id, person_id, status, joined_at) "
                "SELECT ?, id, 'active', ? FROM people WHERE tg_user_id BETWEEN ? AND ?",
                (p, now, base, base + STAFF_PER_PROGRAM - 1),
            )
            conn.execute(
                "INSERT INTO member_roles (program_id, person_id, role) "
                "SELECT ?, id, 'staff' FROM people WHERE tg_user_id BETWEEN ? AND ?",
                (p, base, base + STAFF_PER_PROGRAM - 1),
            )
        people = [int(r[0]) for r in conn.execute("SELECT id FROM people")]
        monday = date(2022, 12, 5)
        for p in range(1, PROGRAMS + 1):
            for w in range(WEEKS):
                day = monday - timedelta(weeks=w + 1)
                iso = day.isocalendar()
                chosen = people[(p * 7 + w) % len(people)]
                cur = conn.execute(
                    "INSERT INTO sessions (program_id, week, nominal_date, session_date, state, "
                    "seed, commitment, drawn_person_id, draw_attempt, created_at, conclusion) "
                    "VALUES (?,?,?,?, 'concluded', 's', 'c', ?, 1, ?, 'Kết luận')",
                    (
                        p,
                        f"{iso.year}-W{iso.week:02d}",
                        day.isoformat(),
                        day.isoformat(),
                        chosen,
                        now,
                    ),
                )
                sid = cur.lastrowid
                conn.execute(
                    "INSERT INTO draws (session_id, attempt, pool, chosen_id, created_at) "
                    "VALUES (?, 1, ?, ?, ?)",
                    (sid, str(chosen), chosen, now),
                )
                conn.executemany(
                    "INSERT INTO grades (session_id, verdict, head_id, created_at) "
                    "VALUES (?,?,?,?)",
                    [(sid, "partial", chosen, now), (sid, "correct", chosen, now)],
                )
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
        counts = [
            int(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0])
            for t in ("people", "members", "sessions", "grades")
        ]
    finally:
        conn.close()
    return counts[0], counts[1], counts[2], counts[3]


async def sql_scaling(updates: int, runs: int, members: int = 200) -> ScalingResult:
    progress(
        f"(f) SQL time per update: {PROGRAMS} programs x {STAFF_PER_PROGRAM} staff against one "
        f"program; {runs} runs x {updates} updates"
    )
    users = member_users(members)
    async with FakeBotAPI(clock=time.perf_counter) as server:
        for user in users:
            server.user(user.id, user.first_name, user.last_name)
        with tempfile.TemporaryDirectory(prefix="hoidap-bench-") as tmp:
            small = HoidapBot(server, Path(tmp) / "small", "/trangthai", "small", users)
            large = HoidapBot(server, Path(tmp) / "large", "/trangthai", "large", users)
            for b in (small, large):
                b.harness.workdir.mkdir(parents=True, exist_ok=True)
                await b.prepare()
            t0 = time.perf_counter()
            sizes = grow(large.harness.db_path)
            progress(f"(f) large database filled in {time.perf_counter() - t0:.1f} s: {sizes}")
            result = ScalingResult([], [], *sizes)
            offset = 0
            for run in range(1, runs + 1):
                for b, into in ((small, result.small_ms), (large, result.large_ms)):
                    await b.start()
                    try:
                        await ping_pong(server, b, users, 20, offset)  # warm-up
                        into.append(await b.sql_time(users, updates, offset + 20))
                    finally:
                        await b.stop()
                    progress(f"(f) run {run}/{runs} {b.name}: {into[-1]:.3f} ms SQL per update")
                offset += updates + 20
    return result
