"""Queries of the archive area."""

from __future__ import annotations

from bot.store.base import StoreBase


class ArchiveQueries(StoreBase):
    """SQL for this area lives here (see bot/store/__init__.py)."""
