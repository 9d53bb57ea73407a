"""Queries of the bank admin area."""

from __future__ import annotations

from bot.store.base import StoreBase


class BankAdminQueries(StoreBase):
    """SQL for this area lives here (see bot/store/__init__.py)."""
