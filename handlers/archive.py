"""Handlers of this area; `register` is called from handlers/__init__.py."""

from __future__ import annotations

from telegram.ext import Application


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add this area's handlers (commands before the generic message handlers)."""
