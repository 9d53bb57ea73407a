"""The archive of official answers."""

from __future__ import annotations

from bot.core import Core
from bot.models import Program, Session


async def index_session(core: Core, program: Program, session: Session) -> None:
    """Add a concluded session to the searchable archive (called inside the conclusion's
    transaction, with the session as it is after the conclusion)."""
