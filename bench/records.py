"""The yearly figures of a program with 500 staff over 10 years of weekly sessions.

Run from the repository root: ``python -m bench.records``. The database is filled with plain
SQL (the shape the bot writes: sessions with their draws, grades, a redraw now and then, a
holiday move, an admin skip, grassroots submissions); then the figures of one year (with the
previous year for the trend), the participation of the round and one person's record are read
through the store, as ``/thongke`` and ``/hoso`` do, and timed.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot import db
from bot.clock import ManualClock
from bot.config import Settings
from bot.core import Core
from bot.periods import year_period
from bot.services import records
from bot.store import Store

STAFF = 500
YEARS = 10
FIRST_YEAR = 2017
NOW = datetime(2026, 12, 20, 3, 0, tzinfo=UTC)


def _fill(path: Path) -> None:
    import sqlite3

    rnd = random.Random(9)
    conn = sqlite3.connect(path)
    now = NOW.isoformat()
    conn.execute(
        "INSERT INTO programs (id, chat_id, title, created_at) VALUES (1, -100, 'Giao ban', ?)",
        (now,),
    )
    for pid in range(1, STAFF + 2):
        conn.execute(
            "INSERT INTO people (id, tg_user_id, tg_name, created_at) VALUES (?,?,?,?)",
            (pid, 10_000 + pid, f"Cán bộ {pid}", now),
        )
        conn.execute(
            "INSERT INTO members (program_id, person_id, status, joined_at) "
            "VALUES (1, ?, 'active', ?)",
            (pid, now),
        )
        role = "head" if pid == STAFF + 1 else "staff"
        conn.execute("INSERT INTO member_roles VALUES (1, ?, ?)", (pid, role))
    day = date(FIRST_YEAR, 1, 2)
    while day.weekday() != 0:
        day += timedelta(days=1)
    sid = 0
    while day.year < FIRST_YEAR + YEARS:
        sid += 1
        iso = day.isocalendar()
        week = f"{iso.year}-W{iso.week:02d}"
        conn.execute(
            "INSERT INTO questions (id, program_id, text, topic, suggested_answer, status, "
            "position, created_at) VALUES (?, 1, ?, ?, 'gợi ý', 'used', ?, ?)",
            (sid, f"Câu hỏi {sid}", f"Chủ đề {sid % 7}", sid, now),
        )
        kind = rnd.random()
        held = day + timedelta(days=1) if kind < 0.04 else day
        if kind > 0.97:
            conn.execute(
                "INSERT INTO sessions (id, program_id, week, nominal_date, state, seed, "
                "commitment, skip_reason, created_at) VALUES (?, 1, ?, ?, 'skipped', 's', 'c', "
                "?, ?)",
                (sid, week, day.isoformat(), rnd.choice(["holiday", "Họp"]), now),
            )
        else:
            person = rnd.randint(1, STAFF)
            draw_at = datetime(held.year, held.month, held.day, 2, 0, tzinfo=UTC)
            deadline = draw_at + timedelta(hours=1)
            answered = draw_at + timedelta(minutes=rnd.choice([20, 50, 80]))
            attempt = 1 if rnd.random() < 0.05 else 0
            conn.execute(
                "INSERT INTO sessions (id, program_id, week, nominal_date, session_date, "
                "holiday, state, question_id, draw_at, deadline_at, seed, commitment, round_no, "
                "drawn_person_id, draw_attempt, answer_kind, answered_at, conclusion, "
                "concluded_at, created_at) VALUES (?, 1, ?, ?, ?, ?, 'concluded', ?, ?, ?, 's', "
                "'c', 1, ?, ?, 'text', ?, 'Kết luận', ?, ?)",
                (
                    sid,
                    week,
                    day.isoformat(),
                    held.isoformat(),
                    "Lễ" if held != day else None,
                    sid,
                    draw_at.isoformat(),
                    deadline.isoformat(),
                    person,
                    attempt,
                    answered.isoformat(),
                    (draw_at + timedelta(hours=3)).isoformat(),
                    now,
                ),
            )
            for a in range(attempt + 1):
                chosen = person if a == attempt else rnd.randint(1, STAFF)
                conn.execute(
                    "INSERT INTO draws (session_id, attempt, pool, chosen_id, created_at) "
                    "VALUES (?, ?, '1,2,3', ?, ?)",
                    (sid, a, chosen, now),
                )
            for _ in range(rnd.choice([1, 1, 1, 2])):
                conn.execute(
                    "INSERT INTO grades (session_id, verdict, comment, head_id, created_at) "
                    "VALUES (?, ?, 'Nhận xét', ?, ?)",
                    (sid, rnd.choice(["correct", "partial", "wrong"]), STAFF + 1, now),
                )
        for _ in range(rnd.randint(0, 3)):
            conn.execute(
                "INSERT INTO submissions (program_id, person_id, unit, text, created_at) "
                "VALUES (1, 1, 'Chi bộ', 'Hỏi', ?)",
                (datetime(day.year, day.month, day.day, 1, tzinfo=UTC).isoformat(),),
            )
        day += timedelta(days=7)
    conn.commit()
    conn.close()


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "records.sqlite3"
        store = Store(await db.connect(path))
        await store.close()
        _fill(path)
        store = Store(await db.connect(path))
        core = Core(store=store, clock=ManualClock(NOW), settings=Settings(db_path=path))
        program = await store.program(1)
        assert program is not None
        period = year_period(2026)
        timings: list[float] = []
        for _ in range(20):
            started = time.perf_counter()
            now, _before = await records.figures(core, program, period)
            await records.participation(core, program)
            await records.record(core, program, 7, period)
            timings.append((time.perf_counter() - started) * 1000)
        await store.close()
    print(
        f"{STAFF} staff x {YEARS} years of weekly sessions: the figures of {period.year} "
        f"(and {period.year - 1}), the round's participation and one record: median "
        f"{statistics.median(timings):.1f} ms, max {max(timings):.1f} ms "
        f"({now.held} sessions held in {period.year})",
        file=sys.stdout,
    )


if __name__ == "__main__":
    asyncio.run(main())
