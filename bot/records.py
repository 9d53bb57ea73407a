"""The record of a program: what the store reads and the figures computed from it.

Pure data and pure functions. The store (``bot/store/records.py``) reads the sessions of a
period (:class:`SessionRecord`), the draws that were redrawn away (:class:`Redraw`) and the
grassroots submissions (:class:`SubmissionRecord`); :func:`person_record` and
:func:`program_figures` count them. The rules, in one place:

- A session belongs to the period of the day it was held (``session_date``): a session moved
  for a holiday counts in the week it was held; a skipped session (no date) by its nominal date.
- Held: a draw took place (drawn, answered, graded, unanswered, concluded). Moved: held on another
  day than its nominal date. Skipped: why — ``holiday``, ``no_question`` (nothing to ask) or the
  reason an admin gave (``admin``).
- Up to date (:func:`as_of`): the record is read as the week stands at the moment it is asked
  for. A session whose answer window closed without an answer counts as unanswered at once, even
  before the scheduler has closed it.
- Outcome of a draw: ``in_person`` (the head recorded an answer given at the meeting), ``late``
  (a late answer the head accepted: it arrived after the deadline), ``in_time``, ``unanswered``
  (the window closed without an answer, and no late answer was accepted), ``waiting`` (the
  window is still open).
- Verdicts: the latest grade of a session only (a regrade counts once), over the turns that have
  an answer (in time, late or in person); ``ungraded`` is an answer still waiting for its grade.
  A turn without an answer has no verdict: it is ``unanswered`` (or ``waiting``), never
  «chưa đánh giá». The names of all of these are ``bot.words.OUTCOME_LABELS``, the same in every
  view and document.
- Redraws are counted apart: a person drawn then redrawn away did not have that turn.
- On-time rate: answered in time out of the draws with a known outcome (not ``waiting``).
- Per month (:func:`verdicts_per_month`, the chart of ``/thongke``): the held sessions of each
  month of the period by the month they were held in, each by its latest verdict; one without a
  verdict is ``unanswered`` when the window closed without an answer, ``ungraded`` when its
  answer waits for a grade; a turn still ``waiting`` is not drawn.
- Nothing here carries the suggested answer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Literal

from bot.models import Grade, SessionState
from bot.periods import Period

Outcome = Literal["in_time", "late", "in_person", "unanswered", "waiting"]
OUTCOMES: tuple[Outcome, ...] = ("in_time", "late", "in_person", "unanswered", "waiting")
ANSWERED: frozenset[str] = frozenset({"in_time", "late", "in_person"})
VERDICTS = ("correct", "partial", "wrong")
# The verdicts of the turns with an answer: the latest grade, or none yet.
GRADED_OR_NOT = (*VERDICTS, "ungraded")
# The stacks of the verdicts chart, bottom to top.
MONTH_VERDICTS = (*VERDICTS, "ungraded", "unanswered")
HELD_STATES = frozenset(
    {
        SessionState.DRAWN,
        SessionState.ANSWERED,
        SessionState.GRADED,
        SessionState.UNANSWERED,
        SessionState.CONCLUDED,
    }
)
SKIP_REASONS = ("holiday", "no_question", "admin")


@dataclass(frozen=True)
class SessionRecord:
    """One session as the record reads it (no suggested answer, no answer text)."""

    id: int
    week: str
    nominal_date: date
    session_date: date | None
    holiday: str | None
    state: SessionState
    skip_reason: str | None
    round_no: int | None
    drawn_person_id: int | None
    draw_attempt: int
    question: str | None
    topic: str | None
    answer_kind: str | None
    answered_at: datetime | None
    deadline_at: datetime | None
    verdict: str | None  # the latest grade
    comment: str | None  # the latest comment of the head whose grade stands
    grades: int  # how many times it was graded (1 + regrades)
    concluded_at: datetime | None
    late_kept: int = 0  # messages sent after the deadline and kept, not taken as the answer

    @property
    def day(self) -> date:
        """The day the session counts on: when it was held, else its nominal date."""
        return self.session_date or self.nominal_date

    @property
    def held(self) -> bool:
        return self.state in HELD_STATES and self.drawn_person_id is not None

    @property
    def moved(self) -> bool:
        moved = self.session_date is not None and self.session_date != self.nominal_date
        return self.held and moved

    @property
    def skip_kind(self) -> str | None:
        if self.state != SessionState.SKIPPED:
            return None
        if self.skip_reason in ("holiday", "no_question"):
            return self.skip_reason
        return "admin"

    @property
    def outcome(self) -> Outcome | None:
        """How the drawn person answered (None: nobody was drawn)."""
        if not self.held:
            return None
        if self.answer_kind == "in_person":
            return "in_person"
        if self.answered_at is not None:
            late = self.deadline_at is not None and self.answered_at > self.deadline_at
            return "late" if late else "in_time"
        if self.state in (SessionState.UNANSWERED, SessionState.CONCLUDED):
            return "unanswered"
        return "waiting"


@dataclass(frozen=True)
class Redraw:
    """A draw whose person was redrawn away (an earlier attempt of the session)."""

    session_id: int
    day: date
    person_id: int
    attempt: int
    reason: str | None


@dataclass(frozen=True)
class SubmissionRecord:
    created_at: datetime
    status: str
    answered_at: datetime | None


@dataclass(frozen=True)
class PersonRecord:
    """A person's record in a period: each turn, and the counts."""

    person_id: int
    period: Period
    turns: tuple[SessionRecord, ...]
    redrawn: tuple[Redraw, ...]
    outcomes: dict[str, int]
    verdicts: dict[str, int]  # GRADED_OR_NOT, over the turns with an answer

    @property
    def drawn(self) -> int:
        return len(self.turns)


@dataclass(frozen=True)
class Participation:
    """The current round: who has had a turn, who not yet (names in roster order, no ranking)."""

    round_no: int
    had_turn: tuple[tuple[int, str], ...]
    not_yet: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class Figures:
    period: Period
    held: int
    moved: int
    skipped: dict[str, int]  # by SKIP_REASONS
    skip_notes: tuple[str, ...]  # the reasons admins gave
    planned: int  # not held yet (scheduled or published)
    redraws: int
    outcomes: dict[str, int]
    verdicts: dict[str, int]  # GRADED_OR_NOT, over the turns with an answer
    regraded: int  # sessions graded more than once
    on_time_rate: int | None  # percent, None when nothing is known yet
    topics: tuple[tuple[str, int], ...]  # most asked first, then by name
    grassroots_received: int
    grassroots_answered: int


def _outcomes(records: Iterable[SessionRecord]) -> dict[str, int]:
    counts = Counter(r.outcome for r in records if r.outcome is not None)
    return {o: counts.get(o, 0) for o in OUTCOMES}


def _verdicts(records: Iterable[SessionRecord]) -> dict[str, int]:
    """The verdicts of the turns with an answer (keys :data:`GRADED_OR_NOT`)."""
    counts = Counter(r.verdict or "ungraded" for r in records if r.outcome in ANSWERED)
    return {v: counts.get(v, 0) for v in GRADED_OR_NOT}


def standing_comment(grades: Sequence[Grade]) -> str | None:
    """The comment shown with a session's verdict: the latest comment of the head whose grade
    stands (another head's comment stays with that head's own, earlier grade)."""
    if not grades:
        return None
    head = grades[-1].head_id
    return next((g.comment for g in reversed(grades) if g.comment and g.head_id == head), None)


def as_of(records: Iterable[SessionRecord], now: datetime) -> list[SessionRecord]:
    """``records`` as the week stands at ``now``: a drawn session whose deadline has passed
    without an answer is unanswered (the scheduler's close may not have run yet)."""
    return [
        replace(r, state=SessionState.UNANSWERED)
        if r.state == SessionState.DRAWN
        and r.answered_at is None
        and r.deadline_at is not None
        and now > r.deadline_at
        else r
        for r in records
    ]


def on_time_rate(outcomes: dict[str, int]) -> int | None:
    known = sum(n for o, n in outcomes.items() if o != "waiting")
    return round(100 * outcomes["in_time"] / known) if known else None


def in_period(records: Iterable[SessionRecord], period: Period) -> list[SessionRecord]:
    return [r for r in records if period.contains(r.day)]


def person_record(
    person_id: int,
    period: Period,
    records: Sequence[SessionRecord],
    redraws: Sequence[Redraw],
) -> PersonRecord:
    turns = tuple(
        r for r in in_period(records, period) if r.held and r.drawn_person_id == person_id
    )
    away = tuple(d for d in redraws if d.person_id == person_id and period.contains(d.day))
    return PersonRecord(
        person_id=person_id,
        period=period,
        turns=turns,
        redrawn=away,
        outcomes=_outcomes(turns),
        verdicts=_verdicts(turns),
    )


def program_figures(
    period: Period,
    records: Sequence[SessionRecord],
    redraws: Sequence[Redraw],
    submissions: Sequence[SubmissionRecord],
    tz_day: Callable[[datetime], date],
) -> Figures:
    """The figures of ``period``; ``tz_day`` turns a stored time into the program's date."""
    mine = in_period(records, period)
    held = [r for r in mine if r.held]
    skipped = Counter(r.skip_kind for r in mine if r.skip_kind is not None)
    outcomes = _outcomes(held)
    topics = Counter(r.topic for r in held if r.topic)
    received = [s for s in submissions if period.contains(tz_day(s.created_at))]
    return Figures(
        period=period,
        held=len(held),
        moved=sum(1 for r in held if r.moved),
        skipped={k: skipped.get(k, 0) for k in SKIP_REASONS},
        skip_notes=tuple(r.skip_reason or "" for r in mine if r.skip_kind == "admin"),
        planned=sum(1 for r in mine if r.state in (SessionState.SCHEDULED, SessionState.PUBLISHED)),
        redraws=sum(1 for d in redraws if period.contains(d.day)),
        outcomes=outcomes,
        verdicts=_verdicts(held),
        regraded=sum(1 for r in held if r.grades > 1),
        on_time_rate=on_time_rate(outcomes),
        topics=tuple(sorted(topics.items(), key=lambda kv: (-kv[1], kv[0]))),
        grassroots_received=len(received),
        grassroots_answered=sum(
            1 for s in received if s.status in ("accepted", "merged") and s.answered_at
        ),
    )


@dataclass(frozen=True)
class MonthVerdicts:
    """The held sessions of one month of a period, by verdict (keys: :data:`MONTH_VERDICTS`)."""

    year: int
    month: int
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def months(period: Period) -> list[tuple[int, int]]:
    """The (year, month) of every month the period touches, in order."""
    out: list[tuple[int, int]] = []
    year, month = period.start.year, period.start.month
    while (year, month) <= (period.end.year, period.end.month):
        out.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _month_verdict(r: SessionRecord) -> str | None:
    if r.verdict is not None:
        return r.verdict
    if r.outcome == "unanswered":
        return "unanswered"
    return "ungraded" if r.outcome in ANSWERED else None  # waiting: not drawn yet


def verdicts_per_month(
    records: Iterable[SessionRecord], period: Period
) -> tuple[MonthVerdicts, ...]:
    """Each month of ``period`` (empty months too) with its held sessions by verdict."""
    counts: dict[tuple[int, int], Counter[str]] = {m: Counter() for m in months(period)}
    for r in in_period(records, period):
        stack = _month_verdict(r) if r.held else None
        if stack is not None:
            counts[(r.day.year, r.day.month)][stack] += 1
    return tuple(
        MonthVerdicts(y, m, {v: c.get(v, 0) for v in MONTH_VERDICTS})
        for (y, m), c in counts.items()
    )


# -- the documents cited ---------------------------------------------------------------------------

MOST_CITED = 5  # documents /thongke and the report name


@dataclass(frozen=True)
class CitedDocuments:
    """The documents the sessions of a period cited most (each counted once per session), and
    how many official answers rest on documents no longer in force today («cần rà soát»)."""

    top: tuple[tuple[str, int], ...]  # (document as people read it, sessions citing it)
    to_review: int


def most_cited(
    rows: Iterable[tuple[int, Hashable, str]], limit: int = MOST_CITED
) -> tuple[tuple[str, int], ...]:
    """(label, sessions) of the documents cited by the most sessions: ``rows`` are
    (session, document key, label); ties in the order of the labels."""
    sessions: dict[Hashable, set[int]] = {}
    labels: dict[Hashable, str] = {}
    for session_id, key, label in rows:
        sessions.setdefault(key, set()).add(session_id)
        labels.setdefault(key, label)
    ranked = sorted(sessions, key=lambda k: (-len(sessions[k]), labels[k]))
    return tuple((labels[k], len(sessions[k])) for k in ranked[:limit])
