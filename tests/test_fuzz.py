"""Fuzzing what people can put into a request: button data, command arguments, typed text.

Whatever arrives, the services answer with a reply or a polite :class:`Refused`, never another
exception, and a refused press changes nothing but the audit trail.
"""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.actions import ActionKind, Applicant, Payload, SessionRef, Verdict, mint
from bot.args import FIRST_YEAR, LAST_YEAR, parse_date
from bot.clock import ManualClock
from bot.config import Settings
from bot.core import Core, Refused
from bot.db import connect
from bot.models import Person
from bot.services import cycle, interact, timetable
from bot.store import Store
from bot.text import clean_line, clean_lines, has_control_chars
from tests.conftest import vn

# Who may press what (core.require in the services these kinds lead to).
ALLOWED = {
    "grade": {"head"},
    "in_person": {"head", "admin"},
    "conclude": {"leader", "admin"},
    "approve": {"admin"},
    "reject": {"admin"},
}
PEOPLE = {
    # name: {program: roles}
    "admin1": {1: {"admin"}},
    "head1": {1: {"head", "staff"}},
    "leader1": {1: {"leader"}},
    "staff1": {1: {"staff"}},
    "admin2": {2: {"admin"}},
    "head2": {2: {"head"}},
    "staff12": {1: {"staff"}, 2: {"staff"}},
    "outsider": {},
}


@dataclass
class World:
    loop: asyncio.AbstractEventLoop
    core: Core
    people: dict[str, Person]
    tokens: list[tuple[str, int, str]]  # (kind, program, token)

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)


async def _build(path: Path) -> tuple[Core, dict[str, Person], list[tuple[str, int, str]]]:
    now = vn(2026, 12, 7, 9, 30)
    core = Core(
        store=Store(await connect(path)),
        clock=ManualClock(now),
        settings=Settings(token="1:x", db_path=path),
    )
    store = core.store
    people: dict[str, Person] = {}
    async with store.transaction():
        for n, name in enumerate(PEOPLE, start=1):
            people[name] = await store.upsert_person(100 + n, None, name, False, now)
        for chat, owner in ((-1001, "admin1"), (-1002, "admin2")):
            await store.create_program(
                chat, f"Nhóm {chat}", "Asia/Ho_Chi_Minh", people[owner].id, now
            )
        for name, memberships in PEOPLE.items():
            for program_id, roles in memberships.items():
                await store.upsert_member(program_id, people[name].id, "active", now)
                await store.set_roles(program_id, people[name].id, roles)
        newcomer = await store.upsert_person(999, None, "Người mới", False, now)
        tokens: list[tuple[str, int, str]] = []
        for program_id in (1, 2):
            await store.upsert_member(program_id, newcomer.id, "pending", now)
            program = await store.program(program_id)
            assert program is not None
            session = await cycle.ensure_session(core, program)
            assert session is not None
            await store.update_session(
                session.id,
                session.state,
                state="answered",
                drawn_person_id=people["staff12"].id,
                answer_kind="text",
                answer_text="Câu trả lời.",
            )
            payloads: dict[ActionKind, Payload] = {
                ActionKind.GRADE: Verdict(session.id, "correct"),
                ActionKind.IN_PERSON: SessionRef(session.id),
                ActionKind.CONCLUDE: SessionRef(session.id),
                ActionKind.APPROVE: Applicant(newcomer.id, "staff"),
                ActionKind.REJECT: Applicant(newcomer.id),
            }
            for kind, payload in payloads.items():
                button = await mint(core, kind, kind.value, program_id, payload)
                assert button.token is not None
                tokens.append((kind, program_id, button.token))
    return core, people, tokens


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    loop = asyncio.new_event_loop()
    path = tmp_path_factory.mktemp("fuzz") / "hoidap.sqlite3"
    core, people, tokens = loop.run_until_complete(_build(path))
    try:
        yield World(loop, core, people, tokens)
    finally:
        loop.run_until_complete(core.store.close())
        loop.close()


async def _snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    tables = [
        r["name"]
        for r in await store._all(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {
        t: sorted((tuple(r) for r in await store._all(f'SELECT * FROM "{t}"')), key=repr)
        for t in tables
    }


def _press(world: World, person: Person, data: str) -> tuple[Exception | None, list[Any]]:
    """Press ``data`` as ``person``; returns what was raised and the events it added."""
    store = world.core.store
    before = world.run(_snapshot(store))
    raised: Exception | None = None
    try:
        world.run(interact.press(world.core, person, data))
    except Exception as exc:  # inspected by the caller
        raised = exc
    after = world.run(_snapshot(store))
    old_events = before.pop("events")
    added = [row for row in after.pop("events") if row not in old_events]
    assert after == before, f"a press of {data!r} changed the database"
    return raised, added


def _mutations(token: str) -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(0, len(token) - 1).flatmap(
            lambda i: st.characters().map(lambda c: token[:i] + c + token[i + 1 :])
        ),
        st.integers(0, len(token) - 1).map(lambda i: token[:i] + token[i + 1 :]),
        st.text(max_size=5).map(lambda extra: token + extra if extra else token + "="),
    )


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_arbitrary_callback_data_is_refused_and_changes_nothing(world: World, data: Any) -> None:
    real = [t for _, _, t in world.tokens]
    forged = data.draw(
        st.one_of(
            st.text(max_size=80),
            st.text(
                alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
                min_size=16,
                max_size=16,
            ),
            st.sampled_from(real).flatmap(_mutations),
            st.binary(max_size=64).map(lambda b: b.decode("latin-1")),
            st.integers(65, 5000).map(lambda n: "A" * n),
        ),
        label="data",
    )
    if forged in real:
        return  # a mutation gave back the token itself
    person = world.people[data.draw(st.sampled_from(sorted(world.people)), label="person")]
    raised, events = _press(world, person, forged)
    assert isinstance(raised, Refused), (forged, raised)
    assert raised.reply.template == "button_invalid"
    assert events == []


def _unauthorized(world: World) -> list[tuple[str, int, str]]:
    found = []
    for kind, program_id, token in world.tokens:
        for name, memberships in PEOPLE.items():
            if not memberships.get(program_id, set()) & ALLOWED[kind]:
                found.append((name, program_id, token))
    return found


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_real_buttons_pressed_without_the_role_are_refused_and_logged(
    world: World, data: Any
) -> None:
    name, program_id, token = data.draw(st.sampled_from(_unauthorized(world)))
    person = world.people[name]
    raised, events = _press(world, person, token)
    assert isinstance(raised, Refused) and raised.reply.template == "refused_role", raised
    assert len(events) == 1
    event = dict(
        zip(("id", "program_id", "session_id", "kind", "actor_id"), events[0], strict=False)
    )
    assert event["kind"] == "refused" and event["actor_id"] == person.id
    assert event["program_id"] == program_id


def test_every_privileged_token_has_someone_refused_and_someone_allowed(world: World) -> None:
    """The fuzz above is not vacuous: each token is refused to some and allowed to others."""
    refused = {token for _, _, token in _unauthorized(world)}
    assert refused == {t for _, _, t in world.tokens}
    for kind, program_id, _ in world.tokens:
        assert any(m.get(program_id, set()) & ALLOWED[kind] for m in PEOPLE.values()), kind


# -- command arguments and typed text ------------------------------------------------------------

ARG = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["thu", "gui", "boc", "han", "nhac", "le", "tudong", "vong", "2", "6", "09:00", "bat"]
    ),
    st.text(alphabet="0123456789:hH./-", max_size=8),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(ARG, max_size=5))
def test_schedule_arguments_parse_or_are_refused(args: list[str]) -> None:
    try:
        fields = timetable.parse_change(args)
    except Refused as refused:
        assert refused.reply.template.startswith(("schedule_", "arg_bad_"))
    else:
        assert fields and set(fields) <= {
            "weekday",
            "publish_lead_days",
            "publish_time",
            "draw_time",
            "answer_minutes",
            "reminder_minutes",
            "holiday_policy",
            "auto_draw",
            "no_repeat",
        }


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=20), st.text(alphabet="0123456789/.-", max_size=12)))
def test_typed_dates_parse_or_are_refused(text: str) -> None:
    try:
        parsed = parse_date(text, date(2026, 12, 1))
    except Refused as refused:
        assert refused.reply.template == "arg_bad_date"
    else:
        assert FIRST_YEAR <= parsed.year <= LAST_YEAR


@settings(max_examples=300, deadline=None)
@given(st.text(), st.integers(1, 200))
def test_cleaned_text_has_no_control_characters_and_keeps_its_limit(text: str, limit: int) -> None:
    cleaned = clean_line(text, limit)
    assert len(cleaned) <= limit
    assert not [c for c in cleaned if unicodedata.category(c) == "Cc"]
    assert not has_control_chars(cleaned)
    assert cleaned == cleaned.strip() and "  " not in cleaned and "\n" not in cleaned
    lines = clean_lines(text)
    assert not has_control_chars(lines) and "\n\n\n" not in lines
