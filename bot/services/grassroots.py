"""Questions submitted by the grassroots (cơ sở) and the loop back to them."""

from __future__ import annotations

from bot.core import Core
from bot.models import Program, Session


async def deliver_conclusion(core: Core, program: Program, session: Session) -> None:
    """Queue the official answer for whoever asked this question (inside the conclusion's
    transaction, with the session as it is after the conclusion)."""
