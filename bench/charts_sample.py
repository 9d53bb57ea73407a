"""The sample charts of the README, drawn by the bot's own chart code from a fixed, fictional year.

Run from the repository root::

    python -m bench.charts_sample           # docs/chart-verdicts.png, docs/chart-participation.png
    python -m bench.charts_sample OUT_DIR   # the same two files in another folder

The year (2026, a program of 30 staff, a session every Monday) is made up with a seeded random
generator, so the same command draws the same pictures: Tết and 2/9 skipped, a session moved
for a holiday now and then, a few unanswered, the last weeks not graded yet. The records go
through the same counting (:func:`bot.records.verdicts_per_month`), titles (the templates
``chart_*_title``) and drawing (:mod:`bot.documents.charts`) as ``/thongke``.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.documents import charts
from bot.models import SessionState
from bot.periods import year_period
from bot.records import Participation, SessionRecord
from bot.services.records import chart_title

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
YEAR = 2026
STAFF = 30
ROUND = 2
SKIPPED = {date(2026, 2, 16), date(2026, 2, 23), date(2026, 8, 31)}  # Tết, 2/9
NOT_GRADED_FROM = date(2026, 12, 7)


def sample_records(seed: int = 2026) -> list[SessionRecord]:
    rnd = random.Random(seed)
    records: list[SessionRecord] = []
    day = date(YEAR, 1, 5)
    sid = 0
    while day.year == YEAR:
        sid += 1
        iso = day.isocalendar()
        skipped = day in SKIPPED
        held = day + timedelta(days=1) if rnd.random() < 0.05 else day
        at = datetime(held.year, held.month, held.day, 2, tzinfo=UTC)
        deadline = at + timedelta(hours=2)
        answered = not skipped and rnd.random() > 0.08
        late = answered and rnd.random() < 0.1
        verdict = None
        if answered and day < NOT_GRADED_FROM:
            verdict = rnd.choices(["correct", "partial", "wrong"], [6, 3, 1])[0]
        state = SessionState.SKIPPED
        if not skipped:
            state = SessionState.CONCLUDED if day < NOT_GRADED_FROM else SessionState.ANSWERED
            state = state if answered else SessionState.UNANSWERED
        records.append(
            SessionRecord(
                id=sid,
                week=f"{iso.year}-W{iso.week:02d}",
                nominal_date=day,
                session_date=None if skipped else held,
                holiday=None,
                state=state,
                skip_reason="holiday" if skipped else None,
                round_no=None if skipped else ROUND,
                drawn_person_id=None if skipped else rnd.randint(1, STAFF),
                draw_attempt=0,
                question=None,
                topic=None,
                answer_kind="text" if answered else None,
                answered_at=(deadline + timedelta(hours=1) if late else at) if answered else None,
                deadline_at=deadline,
                verdict=verdict,
                comment=None,
                grades=1 if verdict else 0,
                concluded_at=None,
            )
        )
        day += timedelta(days=7)
    return records


def sample_participation() -> Participation:
    people = tuple((n, f"Cán bộ {n}") for n in range(1, STAFF + 1))
    return Participation(ROUND, people[:19], people[19:])


def draw(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    period = year_period(YEAR)
    p = sample_participation()
    verdicts = out_dir / "chart-verdicts.png"
    verdicts.write_bytes(
        charts.verdicts_by_month(
            sample_records(),
            period,
            chart_title("chart_verdicts_title", {"period": period.context()}),
        )
    )
    participation = out_dir / "chart-participation.png"
    participation.write_bytes(
        charts.participation(p, chart_title("chart_participation_title", {"round_no": p.round_no}))
    )
    return [verdicts, participation]


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    for path in draw(Path(args[0]) if args else DOCS):
        print(f"{path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
