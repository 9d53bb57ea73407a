"""Plain records the services work with (no Telegram types here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any, Literal

Role = Literal["staff", "head", "leader", "admin"]
ROLES: tuple[Role, ...] = ("staff", "head", "leader", "admin")
Verdict = Literal["correct", "partial", "wrong"]
VERDICTS: tuple[Verdict, ...] = ("correct", "partial", "wrong")


class SessionState(StrEnum):
    """States of a weekly session (see DESIGN.md §3), with the values stored in the database.

    A StrEnum: a member equals its stored string (``SessionState.GRADED == "graded"``), so
    rows read back and comparisons with plain strings keep working.
    """

    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    DRAWN = "drawn"
    ANSWERED = "answered"
    GRADED = "graded"
    UNANSWERED = "unanswered"
    CONCLUDED = "concluded"
    SKIPPED = "skipped"


OPEN_STATES = (
    SessionState.SCHEDULED,
    SessionState.PUBLISHED,
    SessionState.DRAWN,
    SessionState.ANSWERED,
    SessionState.GRADED,
    SessionState.UNANSWERED,
)
GRADABLE_STATES = (SessionState.ANSWERED, SessionState.GRADED)
CONCLUDABLE_STATES = (SessionState.ANSWERED, SessionState.GRADED, SessionState.UNANSWERED)


@dataclass(frozen=True)
class SettingProblem:
    """One reason a program's schedule cannot be used (see ``bot.schedule.schedule_problems``)."""

    code: str
    setting: str  # the setting to change to fix it; admins are shown its /datlich key
    detail: dict[str, str | int] = field(default_factory=dict)


@dataclass(frozen=True)
class Program:
    id: int
    chat_id: int
    title: str
    tz: str
    weekday: int
    publish_lead_days: int
    publish_time: time
    draw_time: time
    answer_minutes: int
    reminder_minutes: int
    holiday_policy: Literal["move", "skip"]
    auto_draw: bool
    no_repeat: bool
    round_no: int
    active: bool
    # Stored settings that cannot be used (old database, restore, edit by hand). The fields above
    # then hold safe defaults so views work, but nothing is scheduled until an admin fixes them.
    problems: tuple[SettingProblem, ...] = ()


@dataclass(frozen=True)
class Person:
    id: int
    tg_user_id: int
    username: str | None
    tg_name: str
    full_name: str | None
    title: str | None
    is_superadmin: bool
    current_program_id: int | None

    @property
    def display_name(self) -> str:
        return self.full_name or self.tg_name or (f"@{self.username}" if self.username else "?")


@dataclass(frozen=True)
class Member:
    program_id: int
    person: Person
    status: Literal["pending", "active", "inactive", "rejected"]
    roles: frozenset[str]
    away_kind: str | None
    away_from: date | None
    away_until: date | None


@dataclass(frozen=True)
class Question:
    id: int
    program_id: int
    text: str
    topic: str
    source_unit: str | None
    legal_refs: str | None
    suggested_answer: str | None
    status: str
    position: int


@dataclass(frozen=True)
class Session:
    id: int
    program_id: int
    week: str
    nominal_date: date
    session_date: date | None
    holiday: str | None
    state: SessionState
    question_id: int | None
    publish_at: datetime | None
    draw_at: datetime | None
    reminder_at: datetime | None
    deadline_at: datetime | None
    seed: str  # the seed of the first draw, committed when the question is published
    commitment: str
    round_no: int | None
    drawn_person_id: int | None
    draw_attempt: int
    reminded: bool
    missed_reported: bool
    answer_kind: str | None
    answer_text: str | None
    answer_file_id: str | None
    answer_file_name: str | None
    answer_chat_id: int | None
    answer_message_id: int | None
    answered_at: datetime | None
    conclusion: str | None
    concluded_by: int | None
    concluded_at: datetime | None
    skip_reason: str | None
    # The seed of the next redraw, committed (announced) with the result of the current draw.
    next_seed: str | None = None
    next_commitment: str | None = None


@dataclass(frozen=True)
class Grade:
    id: int
    session_id: int
    verdict: Verdict
    comment: str | None
    head_id: int
    created_at: datetime


@dataclass(frozen=True)
class Draw:
    id: int
    session_id: int
    attempt: int
    pool: tuple[int, ...]
    chosen_id: int
    new_round: bool
    reason: str | None
    actor_id: int | None
    created_at: datetime
    seed: str  # the seed this draw used, revealed with its result
    commitment: str  # SHA-256 of the seed, announced before the draw


@dataclass(frozen=True)
class Action:
    token: str
    kind: str
    program_id: int | None
    session_id: int | None
    target: str | None
    expires_at: datetime
    single_use: bool
    used_at: datetime | None


@dataclass(frozen=True)
class Dialog:
    person_id: int
    kind: str
    program_id: int | None
    session_id: int | None
    data: dict[str, Any]


AnswerKind = Literal["text", "voice", "document"]


@dataclass(frozen=True)
class Answer:
    """An answer as it arrived: text, a voice note or a document, and where it was sent."""

    kind: AnswerKind
    text: str | None
    chat_id: int
    message_id: int
    in_group: bool
    file_id: str | None = None
    file_name: str | None = None


@dataclass(frozen=True)
class LateAnswer:
    """What the drawn person sent after the deadline, and what became of it."""

    id: int
    session_id: int
    person_id: int
    kind: str
    text: str | None
    file_id: str | None
    file_name: str | None
    chat_id: int
    message_id: int
    in_group: bool
    received_at: datetime
    status: str  # waiting | accepted | left | kept
    decided_by: int | None
    decided_at: datetime | None


@dataclass(frozen=True)
class Button:
    """An inline button: ``token`` names a server-side action (see ``actions``), ``kind`` its
    kind (who may use it: ``bot/services/delivery.py``); or a URL."""

    text: str
    token: str | None = None
    url: str | None = None
    kind: str | None = None


Buttons = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class Reply:
    """What a service wants said: a template, its context and buttons, as plain data.

    ``chat_id`` None means "answer in the chat the request came from".
    """

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    buttons: Buttons = ()
    chat_id: int | None = None
    alert: bool = False  # for a button press: a pop-up the presser must dismiss (refusals)
    toast: bool = False  # for a button press: a brief notice instead of a private message
    edit: bool = False  # for a button press: replace the message the button is on (paging)


@dataclass(frozen=True)
class Message:
    """A message a state change owes (written to the outbox with it)."""

    chat_id: int
    template: str
    context: dict[str, Any]
    buttons: Buttons = ()
    expires_at: datetime | None = None  # when it no longer makes sense (a reminder)
    media_kind: str | None = None  # "copy": the message ``media_ref`` ("chat:message") copied
    media_ref: str | None = None


@dataclass(frozen=True)
class OutboxItem:
    id: int
    chat_id: int
    template: str
    context: dict[str, Any]
    buttons: Buttons
    media_kind: str | None
    media_ref: str | None
    attempts: int
    created_at: datetime | None = None
    expires_at: datetime | None = None  # when it no longer makes sense (None: default lifetime)
    program_id: int | None = None  # whose admins are told if it is dropped
    parts_sent: int = 0  # parts of a long message already delivered


@dataclass(frozen=True)
class ArchiveEntry:
    """One concluded session as archived: the official answer with everything around it."""

    id: int
    program_id: int
    session_id: int
    session_date: date
    topic: str
    question: str
    source_unit: str | None
    answer_kind: str | None
    answer_text: str | None
    answer_file_name: str | None
    answerer_name: str | None
    answerer_title: str | None
    verdict: str | None
    head_name: str | None
    comment: str | None
    regrades: int
    conclusion: str
    leader_name: str | None
    legal_refs: str | None
    concluded_at: datetime
    # The current version of the official answer: 0 the conclusion above, n its nth
    # supplementary conclusion (``current``), which then is the official answer.
    version: int = 0
    current: Supplement | None = None

    @property
    def official(self) -> str:
        """The official answer as it stands: the latest supplementary conclusion, or the
        conclusion."""
        return self.current.text if self.current is not None else self.conclusion

    @property
    def official_refs(self) -> str | None:
        """The «căn cứ» of the official answer as it stands."""
        return self.current.legal_refs if self.current is not None else self.legal_refs


@dataclass(frozen=True)
class Supplement:
    """A supplementary conclusion (kết luận bổ sung): a new version of an official answer; the
    earlier versions stay in the archive."""

    id: int
    archive_id: int
    version: int
    text: str
    legal_refs: str | None
    leader_id: int | None
    leader_name: str | None
    created_at: datetime


@dataclass(frozen=True)
class RegisterEntry:
    """A document of the register (``documents``): what it is, and whether it still holds."""

    id: int
    doc_key: str
    name_key: str | None
    issuer: str
    year: int
    symbol: str
    kind: str
    title: str
    issued_on: date
    issued_by: str
    status: str  # in_force | replaced | amended | repealed (bot.refs.STATUSES)
    successor_id: int | None
    status_from: date | None
    source: str
    updated_at: datetime


@dataclass(frozen=True)
class Asker:
    """A grassroots asker (cơ sở) of one program: not a member, never drawn."""

    program_id: int
    person: Person
    unit: str
    status: Literal["pending", "active", "inactive", "rejected"]
    created_at: datetime


SubmissionStatus = Literal["pending", "accepted", "merged", "declined"]


@dataclass(frozen=True)
class Submission:
    """A question a grassroots asker sent, and what became of it."""

    id: int
    program_id: int
    person_id: int
    unit: str
    text: str
    status: SubmissionStatus
    question_id: int | None
    reason: str | None
    created_at: datetime
    decided_by: int | None
    decided_at: datetime | None
    answered_at: datetime | None


@dataclass(frozen=True)
class BankQuestion:
    """A question with what the bank keeps beside it: tags, a pinned week, structured references.

    ``refs`` are (document, article) pairs read from the free-text ``question.legal_refs``;
    ``article`` None means the whole document.
    """

    question: Question
    tags: tuple[str, ...]
    pinned_week: str | None
    refs: tuple[tuple[str, str | None], ...]


@dataclass(frozen=True)
class FileReply:
    """A file to send (a bank export, the empty template, the handbook, the calendar) and the
    message that goes with it; a ``photo`` (a chart) is shown in the chat as a picture."""

    filename: str
    data: bytes
    caption: Reply
    kind: Literal["document", "photo"] = "document"
