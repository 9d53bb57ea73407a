"""Every change of a session goes through ``bot.services.step.step``: the compare-and-set,
the step's other writes, its event, the messages it owes (one statement) and its log line.

Read with ``ast`` from ``bot/services/*.py``:

- ``update_session`` (the compare-and-set of a session) is called only by ``step()``;
- the modules of the weekly cycle write no event, outbox row or state line by hand: their steps
  hand them to ``step()`` (a hook of the cycle returns the messages it owes instead of writing
  them).

Allowed elsewhere (``ALLOWED``): nothing yet. A grade press makes its compare-and-set with the
store's one-statement ``grade_step`` and then calls ``step()`` without ``fields``; steps of a
program rather than a session (roster, bank, grassroots moderation, the schedule's settings)
keep their own event and log line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.models import Message, SessionState
from bot.services.context import program_ctx, session_ctx
from bot.services.step import step
from fakes.harness import Harness
from tests.conftest import ADMIN, GROUP
from tests.e2e.helpers import bind

SERVICES = Path(__file__).resolve().parent.parent / "bot" / "services"
# The modules whose every write of an event, a message or a state line is a step of the cycle.
CYCLE_MODULES = ("cycle.py", "concluded.py", "answers.py")
BY_HAND = frozenset({"log_event", "enqueue", "enqueue_many", "state_change"})
# (module, function, call) that may stay; each with its reason in the module docstring.
ALLOWED: frozenset[tuple[str, str, str]] = frozenset()


def _calls(path: Path) -> list[tuple[str, str, int]]:
    """(enclosing top-level function, called name, line) of every call in ``path``."""
    found: list[tuple[str, str, int]] = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for top in tree.body:
        owner = top.name if isinstance(top, ast.FunctionDef | ast.AsyncFunctionDef) else "<module>"
        for node in ast.walk(top):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = (
                func.attr
                if isinstance(func, ast.Attribute)
                else func.id
                if isinstance(func, ast.Name)
                else ""
            )
            found.append((owner, name, node.lineno))
    return sorted(found, key=lambda call: call[2])


def _session_writes(path: Path) -> list[str]:
    return [
        f"{path.name}:{line} {owner}() calls {name}"
        for owner, name, line in _calls(path)
        if name == "update_session"
        and (path.name, owner) != ("step.py", "step")
        and (path.name, owner, name) not in ALLOWED
    ]


def _by_hand(path: Path) -> list[str]:
    return [
        f"{path.name}:{line} {owner}() calls {name}"
        for owner, name, line in _calls(path)
        if name in BY_HAND and (path.name, owner, name) not in ALLOWED
    ]


def test_only_step_changes_a_session() -> None:
    offending = [w for path in sorted(SERVICES.glob("*.py")) for w in _session_writes(path)]
    assert offending == [], "change sessions through step.step():\n" + "\n".join(offending)


def test_the_cycle_writes_nothing_by_hand() -> None:
    offending = [w for name in CYCLE_MODULES for w in _by_hand(SERVICES / name)]
    assert offending == [], "hand these to step.step():\n" + "\n".join(offending)


def test_the_checks_see_a_step_written_by_hand(tmp_path: Path) -> None:
    """The two checks above find what they look for (a step as services used to write it)."""
    module = tmp_path / "cycle.py"
    module.write_text(
        "async def _publish(core, s):\n"
        "    if await core.store.update_session(s.id, 'scheduled', state='published'):\n"
        "        await core.store.log_event('published', core.now())\n"
        "        await core.store.enqueue(1, 'publish_group', {}, core.now())\n"
        "        state_change(None, s, 'published', None)\n",
        encoding="utf-8",
    )
    assert [w.split(" ", 1)[1] for w in _session_writes(module)] == [
        "_publish() calls update_session"
    ]
    assert [w.split(" calls ")[1] for w in _by_hand(module)] == [
        "log_event",
        "enqueue",
        "state_change",
    ]


@pytest.mark.parametrize("holds", [True, False])
async def test_step_writes_in_order_or_nothing(harness: Harness, holds: bool) -> None:
    """The compare-and-set first; only when it held: ``then``, the event, the messages."""
    h = harness
    await bind(h)
    await h.tick()
    store, core = h.core.store, h.core
    program = await store.program(1)
    assert program is not None
    (s,) = await store.open_sessions(1)
    assert s.state == SessionState.SCHEDULED
    done: list[str] = []
    events_before = len(await store.events(1, "test_step"))
    outbox_before = await store.count_outbox(pending_only=False)

    async def then() -> None:
        assert len(await store.events(1, "test_step")) == events_before  # before the event
        done.append("then")

    async def messages() -> list[Message]:
        done.append("messages")
        ctx = {"program": program_ctx(program), "session": session_ctx(s, program), "reason": "x"}
        return [Message(GROUP, "week_skipped", ctx), Message(ADMIN.id, "week_skipped", ctx)]

    async with store.transaction():
        result = await step(
            core,
            program,
            s,
            "test",
            None,
            expect=SessionState.SCHEDULED if holds else SessionState.DRAWN,
            fields={"missed_reported": 1},
            then=then,
            event="test_step",
            messages=messages,
        )
    assert result is holds
    after = await store.session(s.id)
    assert after is not None and after.missed_reported == (1 if holds else 0)
    assert done == (["then", "messages"] if holds else [])
    assert len(await store.events(1, "test_step")) == events_before + (1 if holds else 0)
    written = await store.count_outbox(pending_only=False) - outbox_before
    assert written == (2 if holds else 0)
