"""The documents answers rest on: recognising citations, marking a document replaced, the
back-fill at the upgrade.

Run from the repository root::

    python -m bench.refs               # the Markdown report on stdout (progress on stderr)
    python -m bench.refs --json        # the result as JSON (for ``bench.run``, part (k))

Three measurements, each against its target (issue «Answers that stay right»):

* **recognising** the citations of a 4,000-character answer (``bot.citations.find_citations``):
  a realistic answer citing a handful of documents, and a worst case citing one every 30
  characters; median and p95 of 2,000 runs. Target: under 1 ms.
* **marking a document replaced** on an archive of 10 years × 52 sessions with 3 citations each
  (every answer citing the document): the dependents found (official answers and questions
  still to be asked), and the whole change as an admin makes it (``bot.services.register.apply``:
  the check, the relinking, the dependents, the review told); median of 20 runs. Target: every
  dependent found in under 100 ms.
* **the back-fill** at the upgrade: a database of the release before the register with 500
  official answers (and their questions, answers and comments) opened by the bot, which reads
  every citation (``bot/store/backfill.py``). Target: within seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.citations import find_citations
from bot.clock import ManualClock
from bot.config import Settings
from bot.core import Core
from bot.db import _statements, connect, migrations
from bot.models import ArchiveEntry
from bot.refs import cited
from bot.services import register
from bot.store import Store

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
PARSE_RUNS = 2000
MARK_RUNS = 20
PARSE_TARGET_MS = 1.0
DEPENDENTS_TARGET_MS = 100.0
BACKFILL_TARGET_S = 5.0

ANSWER_HEAD = (
    "Theo Điều lệ Đảng và Quy định số 294-QĐ/TW ngày 26/5/2025 về thi hành Điều lệ Đảng, "
    "quần chúng phải có giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng còn giá trị khi chi "
    "bộ xét đề nghị kết nạp. "
)
ANSWER_BODY = (
    "Chi bộ cần kiểm tra hồ sơ, lý lịch, ý kiến nhận xét của đoàn thể và chi ủy nơi cư trú; "
    "người giới thiệu phải là đảng viên chính thức, cùng công tác ít nhất mười hai tháng, giúp "
    "đỡ quần chúng trong thời gian phấn đấu; biên bản họp chi bộ ghi rõ số đảng viên có mặt và "
    "kết quả biểu quyết. "
)
ANSWER_TAIL = (
    "Về chế độ đối với công chức, thực hiện theo Luật Cán bộ, công chức số 80/2025/QH15 và "
    "Nghị định 170/2025/NĐ-CP; trường hợp trước đây áp dụng Quy định 24-QĐ/TW thì nay thực hiện "
    "theo quy định hiện hành."
)
DENSE_UNIT = "Theo Quy định số 24-QĐ/TW ngày 30/7/2021, Nghị định 170/2025/NĐ-CP và Điều lệ Đảng. "


def realistic_answer() -> str:
    body = ANSWER_BODY * ((4000 - len(ANSWER_HEAD) - len(ANSWER_TAIL)) // len(ANSWER_BODY))
    text = ANSWER_HEAD + body + ANSWER_TAIL
    return (text + ANSWER_BODY)[:4000]


def dense_answer() -> str:
    return (DENSE_UNIT * (4000 // len(DENSE_UNIT) + 1))[:4000]


def _timed(fn: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class RefsResult:
    """What ``bench.run`` part (k) reports: the figures against their targets, and the
    Markdown of the three measurements."""

    parse_ms: float  # a realistic 4,000-character answer, median
    parse_worst_ms: float  # a citation every few characters, median
    dependents: int
    dependents_ms: float  # median
    dependents_p95_ms: float
    backfill_answers: int
    backfill_s: float
    body: str

    @classmethod
    def from_json(cls, data: dict[str, object]) -> RefsResult:
        return cls(**data)  # type: ignore[arg-type]


def parsing() -> tuple[list[str], float, float]:
    """The table rows and verdict of recognising; the realistic and worst medians (ms)."""
    lines = []
    medians: list[float] = []
    spacing = 0
    for label, text in (("realistic answer", realistic_answer()), ("worst case", dense_answer())):
        found = len(find_citations(text))
        _timed(lambda t=text: find_citations(t), 100)  # type: ignore[misc]  (warm-up)
        times = _timed(lambda t=text: find_citations(t), PARSE_RUNS)  # type: ignore[misc]
        medians.append(statistics.median(times))
        spacing = len(text) // max(found, 1)
        lines.append(
            f"| {label} | {len(text)} | {found} | {medians[-1]:.3f} ms "
            f"| {_p(times, 0.95):.3f} ms | {max(times):.3f} ms |"
        )
    realistic, worst = medians
    lines += [
        "",
        f"A realistic answer in {realistic:.3f} ms (median): "
        f"{'meets' if realistic < PARSE_TARGET_MS else 'misses'} the {PARSE_TARGET_MS:.0f} ms "
        f"target. The worst case (a citation every {spacing} characters; no answer reads like "
        f"this) takes {worst:.3f} ms: "
        f"{'within' if worst < PARSE_TARGET_MS else 'over'} the target.",
    ]
    return lines, realistic, worst


# -- marking a document replaced on 10 years of answers ------------------------------------------


async def _archive(core: Core, years: int, weekly: int, per_answer: int) -> tuple[int, int]:
    """A program with ``years`` × 52 concluded sessions, each official answer citing
    ``per_answer`` documents (24-QĐ/TW among them); the register holding 24-QĐ/TW and 232-QĐ/TW.
    Returns (sessions, citations)."""
    store = core.store
    conclusion = (
        "Thực hiện theo Quy định số 24-QĐ/TW ngày 30/7/2021, Điều lệ Đảng và Nghị định "
        "170/2025/NĐ-CP."
    )
    rows = cited(conclusion)[:per_answer]
    async with store.transaction():
        pid = await store.create_program(-100, "Giao ban", "Asia/Ho_Chi_Minh", 0, NOW)
        first = date(2026 - years, 1, 5)
        count = 0
        for week in range(years * weekly):
            day = first + timedelta(weeks=week)
            iso = day.isocalendar()
            sid = await store.create_session(
                pid,
                f"{iso.year}-W{iso.week:02d}",
                day,
                day,
                None,
                "concluded",
                None,
                None,
                None,
                None,
                "s",
                "c",
                None,
                NOW,
            )
            assert sid is not None
            qid = await store.add_question(
                pid, f"Câu hỏi tuần {week}", "Đảng viên", None, None, None, None, NOW
            )
            entry = ArchiveEntry(
                id=0,
                program_id=pid,
                session_id=sid,
                session_date=day,
                topic="Đảng viên",
                question=f"Câu hỏi tuần {week}",
                source_unit=None,
                answer_kind=None,
                answer_text=None,
                answer_file_name=None,
                answerer_name=None,
                answerer_title=None,
                verdict=None,
                head_name=None,
                comment=None,
                regrades=0,
                conclusion=conclusion,
                leader_name=None,
                legal_refs=None,
                concluded_at=NOW,
            )
            aid = await store.save_archive(entry, {})
            await store.add_citations(pid, "official", aid, rows, day, session_id=sid)
            await store.add_citations(pid, "question", qid, rows, day)
            count += 1
    await store.conn.execute("ANALYZE")
    for symbol, issued in (("24-QĐ/TW", date(2021, 7, 30)), ("232-QĐ/TW", date(2025, 1, 20))):
        (c,) = find_citations(symbol)
        await register.apply(
            core,
            None,
            [
                register.Wanted(
                    citation=c,
                    status="in_force",
                    source="nguồn thử",
                    kind="Quy định",
                    title="Quy định thi hành Điều lệ Đảng",
                    issued_on=issued,
                    issued_by="Ban Chấp hành Trung ương",
                    symbol_text=symbol,
                )
            ],
        )
    return count, count * len(rows) * 2


async def marking(years: int = 10) -> tuple[list[str], int, list[float]]:
    """The lines of marking a document replaced; the dependents and the times (ms) they were
    found in."""
    with tempfile.TemporaryDirectory(prefix="hoidap-bench-refs-") as tmp:
        path = Path(tmp) / "refs.sqlite3"
        store = Store(await connect(path))
        core = Core(store=store, clock=ManualClock(NOW), settings=Settings(db_path=path))
        try:
            sessions, citations = await _archive(core, years, 52, 3)
            (old,) = find_citations("24-QĐ/TW")
            entry = await register.find(core, old)
            assert entry is not None
            found_ms, apply_ms = [], []
            dependents = 0
            for run in range(MARK_RUNS):
                t0 = time.perf_counter()
                answers = await store.official_dependents(entry.id)
                questions = await store.question_dependents(entry.id)
                found_ms.append((time.perf_counter() - t0) * 1000)
                dependents = len(answers) + len(questions)
                # The whole change, alternating so that each run really changes the status.
                status = "replaced" if run % 2 == 0 else "in_force"
                want = register.Wanted(
                    citation=old,
                    status=status,
                    source="nguồn thử",
                    successor="232-QĐ/TW" if status == "replaced" else None,
                    status_from=date(2025, 1, 20) if status == "replaced" else None,
                    symbol_text="24-QĐ/TW",
                )
                core.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
                t0 = time.perf_counter()
                await register.apply(core, None, [want])
                apply_ms.append((time.perf_counter() - t0) * 1000)
        finally:
            await store.close()
    lines = [
        f"An archive of {years} years × 52 sessions ({sessions} official answers and as many "
        f"questions), {citations} citations; 24-QĐ/TW cited by every one.",
        "",
        "| measured | dependents | median | p95 | max |",
        "|---|---:|---:|---:|---:|",
        f"| dependents found (official answers + questions) | {dependents} "
        f"| {statistics.median(found_ms):.1f} ms | {_p(found_ms, 0.95):.1f} ms "
        f"| {max(found_ms):.1f} ms |",
        f"| the whole change (check, relink, dependents, review told) | {dependents} "
        f"| {statistics.median(apply_ms):.1f} ms | {_p(apply_ms, 0.95):.1f} ms "
        f"| {max(apply_ms):.1f} ms |",
        "",
        f"Dependents found in {statistics.median(found_ms):.1f} ms (median): "
        f"{'meets' if _p(found_ms, 0.95) < DEPENDENTS_TARGET_MS else 'misses'} the "
        f"{DEPENDENTS_TARGET_MS:.0f} ms target.",
    ]
    return lines, dependents, found_ms


# -- the back-fill at the upgrade -----------------------------------------------------------------


def _release_before(path: Path, answers: int) -> None:
    previous = next(n for n, name, _ in migrations() if name == "refs") - 1
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        for number, _name, sql in migrations()[:previous]:
            conn.execute("BEGIN")
            for statement in _statements(sql):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        conn.execute("BEGIN")
        conn.execute(
            "INSERT INTO programs (id, chat_id, title, created_at) VALUES (1, -100, 'P', ?)",
            (NOW.isoformat(),),
        )
        conn.execute(
            "INSERT INTO people (id, tg_user_id, tg_name, created_at) VALUES (1, 1, 'A', ?)",
            (NOW.isoformat(),),
        )
        refs = "Điều lệ Đảng; Quy định số 24-QĐ/TW ngày 30/7/2021 về thi hành Điều lệ Đảng"
        for i in range(1, answers + 1):
            day = date(2016, 1, 4) + timedelta(weeks=i)
            iso = day.isocalendar()
            conn.execute(
                "INSERT INTO questions (id, program_id, text, topic, legal_refs, status, position, "
                "created_at) VALUES (?, 1, ?, 'Đảng viên', ?, 'used', ?, ?)",
                (i, f"Câu hỏi số {i}: chi bộ xét kết nạp thế nào?", refs, i, NOW.isoformat()),
            )
            conn.execute(
                "INSERT INTO sessions (id, program_id, week, nominal_date, session_date, state, "
                "question_id, seed, commitment, drawn_person_id, answer_kind, answer_text, "
                "conclusion, created_at) VALUES (?, 1, ?, ?, ?, 'concluded', ?, 's', 'c', 1, "
                "'text', ?, ?, ?)",
                (
                    i,
                    f"{iso.year}-W{iso.week:02d}",
                    day.isoformat(),
                    day.isoformat(),
                    i,
                    realistic_answer()[:1500],
                    ANSWER_HEAD + ANSWER_TAIL,
                    NOW.isoformat(),
                ),
            )
            conn.execute(
                "INSERT INTO grades (session_id, verdict, comment, head_id, created_at) "
                "VALUES (?, 'correct', 'Cần dẫn Hướng dẫn 01-HD/TW.', 1, ?)",
                (i, NOW.isoformat()),
            )
            conn.execute(
                "INSERT INTO archive (program_id, session_id, session_date, topic, question, "
                "conclusion, legal_refs, concluded_at) VALUES (1, ?, ?, 'Đảng viên', ?, ?, ?, ?)",
                (
                    i,
                    day.isoformat(),
                    f"Câu hỏi số {i}",
                    ANSWER_HEAD + ANSWER_TAIL,
                    refs,
                    NOW.isoformat(),
                ),
            )
        conn.execute("COMMIT")


async def backfill(answers: int = 500) -> tuple[list[str], float]:
    with tempfile.TemporaryDirectory(prefix="hoidap-bench-backfill-") as tmp:
        path = Path(tmp) / "before.sqlite3"
        _release_before(path, answers)
        t0 = time.perf_counter()
        conn = await connect(path)
        seconds = time.perf_counter() - t0
        rows = list(await conn.execute_fetchall("SELECT count(*) FROM citations"))
        await conn.close()
    verdict = "meets" if seconds < BACKFILL_TARGET_S else "misses"
    lines = [
        f"A database of the release before the register with {answers} official answers, "
        f"{answers} questions, answers and comments: opened (upgraded) in **{seconds:.2f} s**, "
        f"{rows[0][0]} citations read and stored: {verdict} the target (within seconds).",
    ]
    return lines, seconds


BACKFILL_ANSWERS = 500


async def measure() -> RefsResult:
    print("refs: recognising", file=sys.stderr)
    parse, realistic, worst = parsing()
    print("refs: marking a document replaced", file=sys.stderr)
    mark, dependents, found_ms = await marking()
    print("refs: the back-fill at the upgrade", file=sys.stderr)
    fill, seconds = await backfill(BACKFILL_ANSWERS)
    body = "\n".join(
        [
            f"`python -m bench.refs` — Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, {platform.machine()}.",
            "",
            "### Recognising the citations of an answer",
            "",
            f"`bot.citations.find_citations`, {PARSE_RUNS} runs each (target < "
            f"{PARSE_TARGET_MS:.0f} ms).",
            "",
            "| text | characters | citations | median | p95 | max |",
            "|---|---:|---:|---:|---:|---:|",
            *parse,
            "",
            "### Marking a document replaced",
            "",
            *mark,
            "",
            "### The back-fill at the upgrade",
            "",
            *fill,
        ]
    )
    return RefsResult(
        parse_ms=realistic,
        parse_worst_ms=worst,
        dependents=dependents,
        dependents_ms=statistics.median(found_ms),
        dependents_p95_ms=_p(found_ms, 0.95),
        backfill_answers=BACKFILL_ANSWERS,
        backfill_s=seconds,
        body=body,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.refs", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    result = asyncio.run(measure())
    print(json.dumps(asdict(result)) if args.json else result.body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
