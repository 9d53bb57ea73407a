"""Queries of the grassroots area."""

from __future__ import annotations

from bot.store.base import StoreBase


class GrassrootsQueries(StoreBase):
    """SQL for this area lives here (see bot/store/__init__.py)."""
