"""One step of the weekly cycle: the compare-and-set of a session, the writes that go with it,
the event row, the messages owed and one readable log line, in that order and in the caller's
transaction. Every change of a session's state goes through ``step`` (tests/test_steps.py).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from bot.core import Core
from bot.models import Message, Person, Program, Session, SessionState
from bot.services.delivery import owe

log = logging.getLogger("hoidap.cycle")


def state_change(
    program: Program, session: Session | None, step: str, actor: Person | None, **extra: Any
) -> None:
    """One readable log line per state change: program, week, step, actor."""
    who = f"{actor.display_name} (#{actor.id})" if actor else "lịch tự động"
    details = " ".join(f"{k}={v}" for k, v in extra.items())
    log.info(
        "state program=%s week=%s step=%s actor=%s %s",
        program.id,
        session.week if session else "-",
        step,
        who,
        details,
    )


async def step(
    core: Core,
    program: Program,
    session: Session | None,
    name: str,
    actor: Person | None,
    *,
    expect: SessionState | None = None,
    fields: dict[str, Any] | None = None,
    event: str | None = None,
    detail: str | None = None,
    then: Callable[[], Awaitable[None]] | None = None,
    messages: Sequence[Message] | Callable[[], Awaitable[Sequence[Message]]] = (),
    **log_extra: Any,
) -> bool:
    """One step of the cycle, inside the caller's transaction, in this order: the
    compare-and-set of the session (``fields`` set only while its state is still ``expect``),
    ``then`` (the step's writes to other tables: the draw row, the question used), the event
    row, the messages owed (one statement) and the state log line. ``messages`` may be a
    coroutine function, called once the compare-and-set held (messages with buttons mint their
    actions only then; a message built from the session as it is after the step reads it then).

    Returns False, having written nothing, when the compare-and-set found the session moved
    on. Without ``fields`` the caller made the compare-and-set itself (or the step changes no
    session: a planned week, a comment).

    Every change of a session's state goes through here (tests/test_steps.py checks it).
    """
    store, now = core.store, core.now()
    if fields is not None:
        assert session is not None
        if not await store.update_session(session.id, expect, **fields):
            return False
    if then is not None:
        await then()
    if event is not None:
        await store.log_event(
            event,
            now,
            program_id=program.id,
            session_id=session.id if session else None,
            actor_id=actor.id if actor else None,
            detail=detail,
        )
    owed = messages if isinstance(messages, Sequence) else await messages()
    await owe(core, owed)
    state_change(program, session, name, actor, **log_extra)
    return True
