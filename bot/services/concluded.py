"""What else happens when the leader concludes a session, inside the same transaction."""

from __future__ import annotations

from bot.core import Core
from bot.models import Program, Session
from bot.services import archive, grassroots


async def on_concluded(core: Core, program: Program, session: Session) -> None:
    """Archive the official answer and tell the grassroots asker, atomically with the state."""
    await archive.index_session(core, program, session)
    await grassroots.deliver_conclusion(core, program, session)
