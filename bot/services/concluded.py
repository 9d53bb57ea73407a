"""What else happens when the leader concludes a session, inside the same transaction."""

from __future__ import annotations

from bot.core import Core
from bot.models import Message, Program, Session
from bot.services import archive, grassroots


async def on_concluded(core: Core, program: Program, session: Session) -> list[Message]:
    """Archive the official answer; returns the messages owed to the grassroots askers, which
    the conclusion's step writes with its own, atomically with the state."""
    await archive.index_session(core, program, session)
    return await grassroots.deliver_conclusion(core, program, session)
