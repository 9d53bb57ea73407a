"""The documents people's texts cite: recorded where the texts are written, read back as marks.

Every text the program keeps is read for citations when it is stored, inside the transaction
that stores it (:func:`record`): a question and its «căn cứ», the drawn person's answer, the
head's comment, the official answer (the conclusion and its «căn cứ», and each supplementary
conclusion), a grassroots question. The citations are linked to the register of documents
(``bot/services/register.py``), so what rests on a document is a query, and the texts that
cite a document no longer in force can be marked wherever they are shown (:func:`stale_marks`).

A mark is a fact — «Quy định số 24-QĐ/TW đã được thay thế bởi Quy định số 232-QĐ/TW từ
20/01/2025» — never a verdict on the text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

from bot.core import Core
from bot.models import Program
from bot.refs import Cited, cited, display

Source = Literal["question", "answer", "comment", "official", "submission"]


async def record(
    core: Core,
    program_id: int,
    source: Source,
    source_id: int,
    cited_on: date,
    *,
    text: str | None = None,
    refs: str | None = None,
    version: int = 0,
    session_id: int | None = None,
) -> list[Cited]:
    """Store what ``text`` and ``refs`` (a «căn cứ») cite, in the caller's transaction; the
    rows stored (none: nothing cited)."""
    rows = cited(text, refs)
    await core.store.add_citations(
        program_id, source, source_id, rows, cited_on, version=version, session_id=session_id
    )
    return rows


def session_day(program: Program, core: Core, day: date | None) -> date:
    """The day a session's texts count on: its day, or today where the program is."""
    return day if day is not None else core.today(program)


def mark_ctx(row: dict[str, Any]) -> dict[str, Any]:
    """One document no longer in force, as templates say it (``_refs.j2``)."""
    successor = None
    if row.get("successor_symbol"):
        successor = display("", row["successor_symbol"], row.get("successor_kind"))
    start = row.get("status_from")
    return {
        "document": display("", row["symbol"], row["kind"]),
        "symbol": row["symbol"],
        "status": row["status"],
        "successor": successor,
        "from": start if isinstance(start, str) or start is None else start.isoformat(),
    }


async def stale_marks(
    core: Core, source: Source, ids: Sequence[int], day: date
) -> dict[int, list[dict[str, Any]]]:
    """For each text of ``ids``: the documents it cites that no longer hold on ``day`` (for
    ``official``: the current version of each official answer, ``ids`` being archive ids)."""
    if not ids:
        return {}
    found = await core.store.stale_in(source, ids, day, official=source == "official")
    return {sid: [mark_ctx(r) for r in rows] for sid, rows in found.items()}
