"""What a report of the program holds: plain data the file builders read.

:class:`ReportData` is assembled by :func:`bot.services.records.report_data` from the query
layer (``bot/store/records.py``) and the counting rules of :mod:`bot.records`; nothing here
counts sessions itself. The builders (:mod:`bot.documents.report_xlsx`,
:mod:`bot.documents.report_docx`) only lay it out. The data never holds the suggested answer
nor the answer text: a session carries its question, topic, dates, the drawn person's name,
the outcome, the latest verdict, the head's comment and the conclusion date.

The points scheme of the year-end sheets (off by default; ``/vanban diem bat``): a correct
answer 2, partly correct 1, not correct 0, a turn not answered −1; an open or ungraded turn 0.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from bot.periods import Period
from bot.records import (
    ANSWERED,
    GRADED_OR_NOT,
    OUTCOMES,
    CitedDocuments,
    Figures,
    Participation,
)
from bot.words import OUTCOME_LABELS

# The points of a turn by its latest verdict; a turn without verdict and without answer: -1.
POINTS: Final = {"correct": 2, "partial": 1, "wrong": 0}
UNANSWERED_POINTS: Final = -1


@dataclass(frozen=True)
class ReportSession:
    """One session of the period as the report shows it."""

    id: int
    day: date  # the day it counts on (held, else nominal)
    nominal_date: date
    week: str
    status: str  # held | moved | skipped | planned
    skip_kind: str | None  # holiday | no_question | admin
    skip_reason: str | None  # the holiday's name or the reason an admin gave
    question: str
    topic: str
    person_id: int | None
    person: str | None  # the drawn person's name
    outcome: str | None  # bot.records.OUTCOMES
    verdict: str | None  # the latest grade: correct | partial | wrong
    comment: str | None  # the head's latest comment
    concluded_on: date | None  # in the program's time zone


@dataclass(frozen=True)
class PersonRow:
    """A staff member's year in the period: the facts of the year-end review."""

    person_id: int
    name: str
    title: str
    turns: tuple[ReportSession, ...]
    redrawn: tuple[tuple[date, str | None], ...]  # drawn, then redrawn away: day, reason
    outcomes: dict[str, int]
    verdicts: dict[str, int]  # bot.records.GRADED_OR_NOT, over the turns with an answer

    @property
    def drawn(self) -> int:
        return len(self.turns)

    @property
    def points(self) -> int:
        """The points of the scheme (shown only when an admin turned it on)."""
        return sum(turn_points(t) for t in self.turns)


def outcome_label(s: ReportSession) -> str:
    """How the turn was answered, by its one name (bot/words.py OUTCOME_LABELS)."""
    return OUTCOME_LABELS[s.outcome] if s.outcome else ""


def verdict_label(s: ReportSession) -> str:
    """The turn's verdict; «Chưa đánh giá» for an answer not graded yet; nothing without an
    answer (its outcome says «Không trả lời»)."""
    if s.verdict:
        return OUTCOME_LABELS[s.verdict]
    return OUTCOME_LABELS["ungraded"] if s.outcome in ANSWERED else ""


# The columns of counts, in order: how the turns were answered, then the verdicts of the answers.
OUTCOME_COLUMNS: Final = OUTCOMES
VERDICT_COLUMNS: Final = GRADED_OR_NOT


def turn_points(turn: ReportSession) -> int:
    if turn.verdict in POINTS:
        return POINTS[turn.verdict]
    return UNANSWERED_POINTS if turn.outcome == "unanswered" else 0


@dataclass(frozen=True)
class ReportData:
    program_id: int
    program_title: str
    period: Period
    today: date  # the report's date (the program's today)
    figures: Figures
    previous: Figures
    participation: Participation
    sessions: tuple[ReportSession, ...]
    people: tuple[PersonRow, ...]
    # The documents cited most in the period and the official answers to review (none: not
    # read, as in a report built from other data).
    cited: CitedDocuments | None = None

    @property
    def topics(self) -> tuple[tuple[str, int], ...]:
        return self.figures.topics


def period_label(period: Period) -> str:
    """«năm 2026», «quý IV/2026», «tháng 12/2026», «từ 01/03/2026 đến 31/05/2026»."""
    from bot.render import environment

    module: Any = environment().get_template("_period.j2").make_module()
    return html.unescape(str(module.period_label(period.context()))).strip()


def period_words(data: ReportData) -> tuple[str, str]:
    """The period of the report and the one before, as the documents name them."""
    return period_label(data.period), period_label(data.previous.period)


def period_slug(period: Period) -> str:
    """The period in a file name: ``2026``, ``2026_q4``, ``2026_t12``, ``20260301_20260531``."""
    if period.kind == "year":
        return str(period.year)
    if period.kind == "quarter":
        return f"{period.year}_q{period.number}"
    if period.kind == "month":
        return f"{period.year}_t{period.number:02d}"
    return f"{period.start:%Y%m%d}_{period.end:%Y%m%d}"
