"""What a migration derives with the program's own rules, beyond its SQL (``bot/db.py`` runs it
inside the migration's transaction, right after the migration's file).

``refs`` (the register of documents): the citations of everything written before it — the
questions and their «căn cứ», the drawn people's answers, the heads' comments, the official
answers, the grassroots questions — read with :func:`bot.refs.cited` and stored unlinked (the
register starts empty; entries added later link them).

This module runs on the bare connection while the database is migrated: it imports nothing of
the store (which would import ``bot.db`` back).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any

import aiosqlite

from bot.refs import Cited, cited

# The entry a citation names: the only one its key (or a law's name), issuer and year fit.
LINK = (
    "(SELECT CASE WHEN count(DISTINCT d.id) = 1 THEN min(d.id) END FROM documents d "
    "WHERE d.id IN (SELECT k.id FROM documents k WHERE k.doc_key = {key} "
    "UNION SELECT n.id FROM documents n WHERE n.name_key = {key}) "
    "AND ({issuer} IS NULL OR d.issuer = {issuer}) AND ({year} IS NULL OR d.year = {year}))"
)
CITATION_INSERT = (
    "INSERT INTO citations (program_id, source, source_id, version, field, seq, session_id, "
    "cited_on, doc_key, issuer, year, symbol, kind, article, document_id) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
    + LINK.format(key="?9", issuer="?10", year="?11")
    + ")"
)


def citation_values(
    program_id: int,
    source: str,
    source_id: int,
    rows: list[Cited],
    cited_on: date,
    version: int = 0,
    session_id: int | None = None,
) -> list[tuple[Any, ...]]:
    """The parameters of :data:`CITATION_INSERT` for the rows of one text."""
    return [
        (
            program_id,
            source,
            source_id,
            version,
            r.field,
            seq,
            session_id,
            cited_on.isoformat(),
            r.doc_key,
            r.issuer,
            r.year,
            r.symbol,
            r.kind,
            r.article,
        )
        for seq, r in enumerate(rows, 1)
    ]


def _day(value: str | None) -> date:
    if not value:
        return date(1970, 1, 1)
    return datetime.fromisoformat(value).date() if "T" in value else date.fromisoformat(value)


async def backfill_citations(conn: aiosqlite.Connection) -> None:
    """Read the citations of every text written before the register existed."""
    values: list[tuple[Any, ...]] = []
    for r in await conn.execute_fetchall(
        "SELECT id, program_id, text, legal_refs, created_at FROM questions"
    ):
        rows = cited(r[2], r[3])
        values += citation_values(r[1], "question", r[0], rows, _day(r[4]))
    for r in await conn.execute_fetchall(
        "SELECT id, program_id, answer_text, session_date, nominal_date FROM sessions "
        "WHERE answer_text IS NOT NULL"
    ):
        day = _day(r[3] or r[4])
        values += citation_values(r[1], "answer", r[0], cited(r[2]), day, session_id=r[0])
    for r in await conn.execute_fetchall(
        "SELECT g.id, g.comment, s.id, s.program_id, s.session_date, s.nominal_date "
        "FROM grades g JOIN sessions s ON s.id = g.session_id WHERE g.comment IS NOT NULL"
    ):
        day = _day(r[4] or r[5])
        values += citation_values(r[3], "comment", r[0], cited(r[1]), day, session_id=r[2])
    for r in await conn.execute_fetchall(
        "SELECT id, program_id, session_id, session_date, conclusion, legal_refs FROM archive"
    ):
        rows = cited(r[4], r[5])
        values += citation_values(r[1], "official", r[0], rows, _day(r[3]), session_id=r[2])
    for r in await conn.execute_fetchall(
        "SELECT id, program_id, text, created_at FROM submissions"
    ):
        values += citation_values(r[1], "submission", r[0], cited(r[2]), _day(r[3]))
    if values:
        await conn.executemany(CITATION_INSERT, values)


# Migrations whose rows are derived in Python, by the name of their file (0012_refs.sql → refs),
# so that renumbering a migration keeps its step.
DATA_STEPS: dict[str, Callable[[aiosqlite.Connection], Awaitable[None]]] = {
    "refs": backfill_citations,
}
