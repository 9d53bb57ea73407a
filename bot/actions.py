"""The registry of actions: what a button (or a numbered choice) does, and the one press path.

An action is a stored row (``actions``: token, kind, program, session, target, expiry, single use)
that a button's callback data names by an opaque token. Each kind is an :class:`ActionKind`;
its payload is one of a few typed shapes mapped onto the ``session_id`` and ``target`` columns.
Each area (cycle, roster, archive, bank, bank_admin, grassroots) declares its kinds with
:func:`register`: the payload shape, the function a press calls, and what the press path checks
before calling it.

:func:`mint` is the only way a service makes a button; :func:`press` is the only way a press is
carried out: token shape, lookup, expiry, single use, program, role — then the registered function.
This module imports no service (they import it) and no transport.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Any, ClassVar, Generic, Protocol, Self, TypeVar

from bot.core import Core, Refused
from bot.models import Action, Button, Person, Program, Reply


class ActionKind(StrEnum):
    """Every kind of button. The values are the strings stored in ``actions.kind``."""

    # cycle
    GRADE = "grade"
    IN_PERSON = "in_person"
    CONCLUDE = "conclude"
    REDRAW_LEFT = "redraw_left"
    # answers
    LATE_ACCEPT = "late_accept"
    LATE_LEAVE = "late_leave"
    # roster
    APPROVE = "approve"
    REJECT = "reject"
    JOIN = "join"
    CHOOSE_PROGRAM = "choose_program"
    TITLE = "title"
    # bank (adding a question)
    TOPIC = "topic"
    # archive
    ARCHIVE_VIEW = "archive_view"
    SEARCH_PAGE = "search_page"
    HISTORY_PAGE = "history_page"
    # supplements (the button under a full record)
    SUPPLEMENT = "supplement"
    # bank_admin (a question's detail view)
    BANK_TOP = "bank_top"
    BANK_HOLD = "bank_hold"
    BANK_RELEASE = "bank_release"
    BANK_RETIRE = "bank_retire"
    BANK_RETIRE_ASK = "bank_retire_ask"
    BANK_VIEW = "bank_view"
    # grassroots
    GR_SEND = "gr_send"
    GR_CANCEL = "gr_cancel"
    GR_PICK = "gr_pick"
    GR_ASKER_OK = "gr_asker_ok"
    GR_ASKER_NO = "gr_asker_no"
    GR_ACCEPT = "gr_accept"
    GR_EDIT = "gr_edit"
    GR_MERGE = "gr_merge"
    GR_DECLINE = "gr_decline"
    GR_REVIEW = "gr_review"
    GR_KEEP = "gr_keep"
    GR_TOPIC = "gr_topic"


# -- payloads: a few typed shapes over the columns session_id and target --------------------------


class BadPayload(ValueError):
    """The stored columns do not make the kind's payload (a damaged or foreign row)."""


class Payload(Protocol):
    def columns(self) -> tuple[int | None, str | None]:
        """(session_id, target) as stored."""
        ...

    @classmethod
    def parse(cls, session_id: int | None, target: str | None) -> Self: ...


def _ref(text: str | None) -> int:
    if text is None or not re.fullmatch(r"[0-9]{1,12}", text):
        raise BadPayload(text)
    return int(text)


@dataclass(frozen=True)
class Nothing:
    """Nothing beyond the action's program (choosing or joining a program)."""

    def columns(self) -> tuple[int | None, str | None]:
        return None, None

    @classmethod
    def parse(cls, session_id: int | None, target: str | None) -> Self:
        return cls()


@dataclass(frozen=True)
class SessionRef:
    """One session of the program."""

    session_id: int

    def columns(self) -> tuple[int | None, str | None]:
        return self.session_id, None

    @classmethod
    def parse(cls, session_id: int | None, target: str | None) -> Self:
        if session_id is None:
            raise BadPayload("no session")
        return cls(session_id)


@dataclass(frozen=True)
class SessionPerson:
    """One session of the program and one person in it (the drawn person a button is about)."""

    session_id: int
    person_id: int

    def columns(self) -> tuple[int | None, str | None]:
        return self.session_id, str(self.person_id)

    @classmethod
    def parse(cls, session_id: int | None, target: str | None) -> Self:
        if session_id is None:
            raise BadPayload("no session")
        return cls(session_id, _ref(target))


@dataclass(frozen=True)
class Verdict:
    """A verdict on one session's answer."""

    session_id: int
    verdict: str

    def columns(self) -> tuple[int | None, str | None]:
        return self.session_id, self.verdict

    @classmethod
    def parse(cls, session_id: int | None, target: str | None) -> Self:
        if session_id is None or not target:
            raise BadPayload("no session or verdict")
        return cls(session_id, target)


@dataclass(frozen=True)
class Ref:
    """A numbered thing of the program: a person, a submission, a question, an archive entry."""

    id: int

    def columns(self) -> tuple[int | None, str | None]:
        return None, str(self.id)

    @classmethod
    def parse(cls, session_id: int | None, target: str | None) -> Self:
        return cls(_ref(target))


@dataclass(frozen=True)
class Applicant:
    """A person asking to join, and the role they asked for (none when refusing)."""

    person_id: int
    role: str | None = None

    def columns(self) -> tuple[int | None, str | None]:
        return None, f"{self.person_id}:{self.role}" if self.role else str(self.person_id)

    @classmethod
    def parse(cls, session_id: int | None, target: str | None) -> Self:
        person, _, role = (target or "").partition(":")
        return cls(_ref(person), role or None)


@dataclass(frozen=True)
class Text:
    """A short string chosen when the button was made (a title, a topic, a page, a nonce)."""

    value: str

    def columns(self) -> tuple[int | None, str | None]:
        return None, self.value

    @classmethod
    def parse(cls, session_id: int | None, target: str | None) -> Self:
        return cls(target or "")


P = TypeVar("P", bound=Payload)


# -- the registry ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What a press gives back: the reply, and for an in-place view the view as it is now.

    With a ``view`` the reply is a brief notice (a toast) and the message the button is on is
    replaced by the view (the bank's question detail); a transport without buttons sends both.
    """

    reply: Reply
    view: Reply | None = None


@dataclass(frozen=True)
class Press(Generic[P]):
    """One press that passed the checks, as the registered function receives it."""

    core: Core
    person: Person
    program: Program
    payload: P
    action: Action


Run = Callable[[Press[Any]], Awaitable[Reply | Outcome]]


@dataclass(frozen=True)
class Spec:
    """How one kind is made and carried out."""

    kind: ActionKind
    payload: type[Payload]
    run: Run
    ttl: timedelta = timedelta(days=14)
    # Refused once used. The function takes the token itself (store.use_action) inside the
    # transaction of the change it makes, so it is used atomically with that change or not at all.
    single_use: bool = False
    roles: tuple[str, ...] = ()  # checked before the function (none: the function checks)
    # The lookup and the function in one transaction: for the hottest press (a grade), whose
    # whole cost is then one BEGIN and a handful of statements.
    atomic: bool = False
    # Who a button of this kind is offered to in a copy of a group's post (none: anyone); the
    # press is checked by role anyway (bot/services/delivery.py).
    offered_to: tuple[str, ...] = ()


@dataclass
class Registry:
    specs: dict[ActionKind, Spec] = field(default_factory=dict)
    DEFAULT_TTL: ClassVar[timedelta] = timedelta(days=14)

    def add(self, spec: Spec) -> None:
        if spec.kind in self.specs:
            raise ValueError(f"action kind {spec.kind} registered twice")
        self.specs[spec.kind] = spec

    def spec(self, kind: ActionKind) -> Spec:
        try:
            return self.specs[kind]
        except KeyError:
            raise LookupError(f"action kind {kind} is not registered") from None


REGISTRY = Registry()


def register(
    kind: ActionKind,
    payload: type[P],
    run: Callable[[Press[P]], Awaitable[Reply | Outcome]],
    *,
    ttl: timedelta = Registry.DEFAULT_TTL,
    single_use: bool = False,
    roles: tuple[str, ...] = (),
    atomic: bool = False,
    offered_to: tuple[str, ...] = (),
) -> None:
    """Declare what a press of ``kind`` does (called once per kind, by the area that owns it)."""
    REGISTRY.add(Spec(kind, payload, run, ttl, single_use, roles, atomic, offered_to or roles))


# -- making a button ------------------------------------------------------------------------------


async def mint(
    core: Core, kind: ActionKind, label: str, program_id: int, payload: Payload = Nothing()
) -> Button:
    """A button that does ``kind`` with ``payload`` in the program.

    Expiry and single use come from the kind's registration.
    """
    (button,) = await mint_many(core, kind, program_id, [(label, payload)])
    return button


async def mint_many(
    core: Core, kind: ActionKind, program_id: int, choices: Sequence[tuple[str, Payload]]
) -> list[Button]:
    """One button of ``kind`` per (label, payload), their actions stored in one statement: the
    one way buttons are made (one per verdict, or one per recipient of a message)."""
    if not isinstance(kind, ActionKind):
        raise TypeError(f"{kind!r} is not an ActionKind")
    spec = REGISTRY.spec(kind)
    for _label, payload in choices:
        if not isinstance(payload, spec.payload):
            raise TypeError(f"{kind} takes {spec.payload.__name__}, not {type(payload).__name__}")
    now = core.now()
    tokens = [secrets.token_urlsafe(12) for _ in choices]
    await core.store.add_actions(
        [
            (token, kind.value, program_id, *payload.columns(), now + spec.ttl, spec.single_use)
            for token, (_label, payload) in zip(tokens, choices, strict=True)
        ],
        now,
    )
    return [
        Button(text=label, token=token, kind=kind.value)
        for token, (label, _payload) in zip(tokens, choices, strict=True)
    ]


# -- the press path -------------------------------------------------------------------------------

# Tokens are URL-safe base64 (and, on buttons made before the registry, a "bank." prefix).
TOKEN = re.compile(r"[A-Za-z0-9_\-.]{1,64}")


async def press(core: Core, person: Person, token: str) -> Outcome:
    """Carry out the action a pressed token names, after every check, in this order:
    token shape, lookup, expiry, single use, program, role; then the kind's function.

    The checks run in a transaction (one lookup statement); an ``atomic`` kind's function runs
    in that same transaction, any other kind's after it."""
    if not TOKEN.fullmatch(token):
        raise Refused("button_invalid")
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(core.store.transaction())
        spec, press_ = await _checked(core, person, token)
        if not spec.atomic:
            await stack.aclose()  # commits the checks (reads only, and the update seen)
        result = await spec.run(press_)
    return result if isinstance(result, Outcome) else Outcome(result)


async def _checked(core: Core, person: Person, token: str) -> tuple[Spec, Press[Any]]:
    store = core.store
    action = await store.action(token)
    if action is None:
        raise Refused("button_invalid")
    try:
        spec = REGISTRY.spec(ActionKind(action.kind))
    except (ValueError, LookupError):
        raise Refused("button_invalid") from None
    if action.expires_at < core.now():
        raise Refused("button_expired")
    if action.single_use and action.used_at is not None:
        raise Refused("button_used")
    program = await store.program(action.program_id) if action.program_id else None
    if program is None:
        raise Refused("button_invalid")
    if spec.roles:
        await core.require(person, program, *spec.roles, action=action.kind)
    try:
        payload = spec.payload.parse(action.session_id, action.target)
    except BadPayload:
        raise Refused("button_invalid") from None
    return spec, Press(core, person, program, payload, action)
