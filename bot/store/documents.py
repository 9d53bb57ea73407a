"""Queries of a program's document settings (table ``document_settings``)."""

from __future__ import annotations

from bot.store.base import StoreBase


class DocumentQueries(StoreBase):
    async def document_settings(self, program_id: int) -> dict[str, str]:
        """The keys an admin set for the program's documents, as stored."""
        rows = await self._all(
            "SELECT key, value FROM document_settings WHERE program_id = ?", (program_id,)
        )
        return {str(r[0]): str(r[1]) for r in rows}

    async def set_document_setting(self, program_id: int, key: str, value: str) -> None:
        await self._exec(
            "INSERT INTO document_settings (program_id, key, value) VALUES (?, ?, ?)"
            " ON CONFLICT (program_id, key) DO UPDATE SET value = excluded.value",
            (program_id, key, value),
        )
