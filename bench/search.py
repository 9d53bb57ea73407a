"""Search time of the archive of official answers on 10,000 archived sessions.

Run from the repository root::

    python -m bench.search             # 10,000 entries, 30 runs of each query
    python -m bench.search --entries 2000 --runs 10

The bench builds its own archive in a temporary SQLite file through the real store
(``Store.create_session`` + ``Store.save_archive`` with the same search copies that
``bot.services.archive.index_session`` writes), from the sample question bank recombined so that
texts vary. Then, for a set of realistic queries typed with and without diacritics, it measures:

* **service**: ``bot.services.archive.search`` as ``/timkiem`` calls it — access check, catch-up
  check, match count, first page ranked by bm25, and the six button tokens written in one
  transaction (everything except Telegram);
* **query**: the two FTS5 statements alone (count + first page).

Progress goes to stderr, the Markdown report to stdout. Target: under 50 ms per query.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.clock import ManualClock
from bot.config import Settings
from bot.core import Core
from bot.db import connect
from bot.models import ArchiveEntry, Person, Program
from bot.services import archive
from bot.store import Store

SAMPLES = Path(__file__).resolve().parents[1] / "questions" / "samples" / "cau_hoi_mau.csv"
TARGET_MS = 50.0
NOW = datetime(2026, 12, 21, 3, 0, tzinfo=UTC)

# Pairs: as typed with diacritics, and the same without (people type both in chat).
QUERIES: list[tuple[str, str]] = [
    ("kết nạp đảng viên", "ket nap dang vien"),
    ("đảng viên dự bị", "dang vien du bi"),
    ("chuyển sinh hoạt đảng", "chuyen sinh hoat dang"),
    ("bồi dưỡng nhận thức về Đảng", "boi duong nhan thuc ve dang"),
    ("giới thiệu người vào Đảng", "gioi thieu nguoi vao dang"),
    ("tuổi đời", "tuoi doi"),
    ("bí thư chi bộ", "bi thu chi bo"),
    ("Quy định 24-QĐ/TW", "quy dinh 24 qd tw"),
    ("giấy chứng nhận quá thời hạn", "giay chung nhan qua thoi han"),
    ("kết nạp lại", "ket nap la"),  # the last word still being typed: a prefix
    ("doanh nghiệp tư nhân", "doanh nghiep tu nhan"),
    ("bảo hiểm xã hội", "bao hiem xa hoi"),  # nothing matches every word
]


@dataclass(frozen=True)
class Sample:
    question: str
    topic: str
    unit: str
    refs: str
    answer: str


def load_samples() -> list[Sample]:
    with SAMPLES.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    return [
        Sample(
            question=r[0],
            topic=r[1] or "Chung",
            unit=r[2],
            refs=r[3],
            answer=r[4].removeprefix("Gợi ý tham khảo:").strip(),
        )
        for r in rows[1:]
    ]


def sentences(text: str) -> list[str]:
    out, buf = [], []
    for word in text.split():
        buf.append(word)
        if word.endswith((".", "?", "!")):
            out.append(" ".join(buf))
            buf = []
    if buf:
        out.append(" ".join(buf))
    return out


def make_entry(rng: random.Random, samples: list[Sample], program_id: int, i: int) -> ArchiveEntry:
    base = samples[i % len(samples)]
    other = rng.choice(samples)
    question = base.question
    if rng.random() < 0.4:  # a follow-up sentence from another question
        question += " " + rng.choice(sentences(other.question))
    conclusion_parts = sentences(base.answer)
    rng.shuffle(conclusion_parts)
    unit = base.unit.replace("Thôn 3", f"Thôn {rng.randint(1, 12)}")
    return ArchiveEntry(
        id=0,
        program_id=program_id,
        session_id=0,
        session_date=date(2007, 1, 1) + timedelta(days=(i * 7) // 10),
        topic=base.topic,
        question=question,
        source_unit=unit or None,
        answer_kind="text",
        answer_text=" ".join(sentences(other.answer)[:2]),
        answer_file_name=None,
        answerer_name=rng.choice(["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Chi", "Phạm Thu Hà"]),
        answerer_title="Chuyên viên",
        verdict=rng.choice(["correct", "partial", "wrong"]),
        head_name="Lê Thị Hằng",
        comment=rng.choice([None, "Cần nêu rõ căn cứ.", "Trả lời đầy đủ."]),
        regrades=0,
        conclusion=" ".join(conclusion_parts),
        leader_name="Phạm Quang Minh",
        legal_refs=base.refs or None,
        concluded_at=NOW,
    )


async def fill(core: Core, entries: int) -> tuple[Program, Person]:
    store, rng, samples = core.store, random.Random(20261221), load_samples()
    async with store.transaction():
        program_id = await store.create_program(
            -100, "Giao ban (đo hiệu năng)", core.settings.tz, 0, NOW
        )
        person = await store.upsert_person(7001, None, "Cán bộ đo", False, NOW)
        await store.upsert_member(program_id, person.id, "active", NOW)
    batch = 500
    for start in range(0, entries, batch):
        async with store.transaction():
            for i in range(start, min(entries, start + batch)):
                e = make_entry(rng, samples, program_id, i)
                sid = await store.create_session(
                    program_id, f"B{i}", e.session_date, e.session_date, None, "concluded",
                    None, None, None, None, "00", "00", None, NOW,
                )  # fmt: skip
                assert sid is not None
                stored = ArchiveEntry(**{**e.__dict__, "session_id": sid})
                await store.save_archive(stored, archive.search_copies(stored))
        print(f"  {min(entries, start + batch)}/{entries}", file=sys.stderr, end="\r")
    print(file=sys.stderr)
    program = await store.program(program_id)
    assert program is not None
    return program, person


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def measure(entries: int, runs: int) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"
        store = Store(await connect(path))
        core = Core(store=store, clock=ManualClock(NOW), settings=Settings(db_path=path))
        try:
            print(f"filling {entries} archive entries ...", file=sys.stderr)
            t0 = time.perf_counter()
            program, person = await fill(core, entries)
            fill_s = time.perf_counter() - t0
            size_mb = path.stat().st_size / 1e6
            timings: dict[tuple[str, bool], list[float]] = {}
            matches: dict[bool, list[int]] = {True: [], False: []}
            for with_marks, without in QUERIES:
                for text, marked in ((with_marks, True), (without, False)):
                    match = archive.fts_query(text)
                    assert match is not None
                    count = await store.count_archive_matches(program.id, match)
                    matches[marked].append(count)
                    await archive.search(core, person, program, text)  # warm-up
                    for _ in range(runs):
                        t = time.perf_counter()
                        reply = await archive.search(core, person, program, text)
                        timings.setdefault(("service", marked), []).append(
                            (time.perf_counter() - t) * 1000
                        )
                        assert reply.template in ("search_results", "search_none")
                        t = time.perf_counter()
                        await store.count_archive_matches(program.id, match)
                        await store.search_archive(program.id, match, archive.PAGE_SIZE)
                        timings.setdefault(("query", marked), []).append(
                            (time.perf_counter() - t) * 1000
                        )
        finally:
            await store.close()
    lines = [
        f"### Archive search ({entries:,} entries)".replace(",", " "),
        "",
        f"`python -m bench.search --entries {entries} --runs {runs}` — "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"{platform.machine()}; archive filled in {fill_s:.1f} s, database {size_mb:.1f} MB. "
        f"{len(QUERIES)} queries, each typed with and without diacritics, {runs} runs each.",
        "",
        "| measured | queries typed | runs | matches (median / max) | p50 | p95 | max |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for what in ("service", "query"):
        for marked in (True, False):
            values = timings[(what, marked)]
            found = matches[marked]
            lines.append(
                f"| {what} | {'with' if marked else 'without'} diacritics | {len(values)} "
                f"| {statistics.median(found):.0f} / {max(found)} "
                f"| {pct(values, 0.5):.2f} ms | {pct(values, 0.95):.2f} ms "
                f"| {max(values):.2f} ms |"
            )
    worst = max(pct(timings[("service", m)], 0.95) for m in (True, False))
    verdict = "meets" if worst < TARGET_MS else "MISSES"
    lines += [
        "",
        f"p95 of the whole service call {worst:.2f} ms: {verdict} the {TARGET_MS:.0f} ms target.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)
    print(asyncio.run(measure(args.entries, args.runs)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
