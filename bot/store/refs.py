"""Queries of the documents answers rest on: the register, the citations linked to it, the
supplementary conclusions of official answers, the reviews told once.

A citation is linked to the register entry its key, issuer and year name (:func:`bot.refs.pick`,
written here as one subquery): when it is stored, and again for every key whose entries change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import aiosqlite

from bot.models import RegisterEntry, Supplement
from bot.refs import Candidate, Cited, display
from bot.store.backfill import CITATION_INSERT, LINK, citation_values
from bot.store.base import StoreBase, _d, _iso

_CHUNK = 500

# A document no longer in force on a day (parameter: the day).
STALE = "d.status IN ('replaced', 'repealed') AND (d.status_from IS NULL OR d.status_from <= ?)"
_DOC_COLS = (
    "id, doc_key, name_key, issuer, year, symbol, kind, title, issued_on, issued_by, status, "
    "successor_id, status_from, source, updated_at"
)


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start : start + _CHUNK])


class RefQueries(StoreBase):
    # -- the register ------------------------------------------------------------------------

    @staticmethod
    def _entry(r: aiosqlite.Row) -> RegisterEntry:
        return RegisterEntry(
            id=r["id"],
            doc_key=r["doc_key"],
            name_key=r["name_key"],
            issuer=r["issuer"],
            year=r["year"],
            symbol=r["symbol"],
            kind=r["kind"],
            title=r["title"],
            issued_on=date.fromisoformat(r["issued_on"]),
            issued_by=r["issued_by"],
            status=r["status"],
            successor_id=r["successor_id"],
            status_from=_d(r["status_from"]),
            source=r["source"],
            updated_at=datetime.fromisoformat(r["updated_at"]),
        )

    async def register(self) -> list[RegisterEntry]:
        """Every entry, oldest document first."""
        rows = await self._all(f"SELECT {_DOC_COLS} FROM documents ORDER BY issued_on, symbol, id")
        return [self._entry(r) for r in rows]

    async def register_entry(self, entry_id: int) -> RegisterEntry | None:
        r = await self._one(f"SELECT {_DOC_COLS} FROM documents WHERE id = ?", (entry_id,))
        return self._entry(r) if r else None

    async def register_entries(self, ids: Sequence[int]) -> dict[int, RegisterEntry]:
        found: dict[int, RegisterEntry] = {}
        for chunk in _chunks(list(dict.fromkeys(ids))):
            marks = ",".join("?" * len(chunk))
            rows = await self._all(
                f"SELECT {_DOC_COLS} FROM documents WHERE id IN ({marks})", chunk
            )
            found.update((r["id"], self._entry(r)) for r in rows)
        return found

    async def register_candidates(self, key: str) -> list[Candidate]:
        """The entries of a citation key (or a law's name key)."""
        rows = await self._all(
            "SELECT id, issuer, year FROM documents WHERE doc_key = ? "
            "UNION SELECT id, issuer, year FROM documents WHERE name_key = ?",
            (key, key),
        )
        return [Candidate(r["id"], r["issuer"], r["year"]) for r in rows]

    async def successors(self) -> dict[int, int]:
        """Every entry that names a successor → that successor."""
        rows = await self._all(
            "SELECT id, successor_id FROM documents INDEXED BY documents_by_successor "
            "WHERE successor_id IS NOT NULL"
        )
        return {r["id"]: r["successor_id"] for r in rows}

    async def predecessors(self, entry_id: int) -> list[int]:
        rows = await self._all(
            "SELECT id FROM documents WHERE successor_id = ? ORDER BY id", (entry_id,)
        )
        return [r["id"] for r in rows]

    async def add_register_entry(
        self, e: RegisterEntry, actor_id: int | None, now: datetime
    ) -> int:
        return await self._exec(
            "INSERT INTO documents (doc_key, name_key, issuer, year, symbol, kind, title, "
            "issued_on, issued_by, status, successor_id, status_from, source, updated_by, "
            "updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                e.doc_key,
                e.name_key,
                e.issuer,
                e.year,
                e.symbol,
                e.kind,
                e.title,
                e.issued_on.isoformat(),
                e.issued_by,
                e.status,
                e.successor_id,
                _iso(e.status_from),
                e.source,
                actor_id,
                _iso(now),
            ),
        )

    async def update_register_entry(
        self, e: RegisterEntry, actor_id: int | None, now: datetime
    ) -> None:
        """Store ``e`` over the entry of its id (what it is and its status)."""
        await self._exec(
            "UPDATE documents SET name_key = ?, symbol = ?, kind = ?, title = ?, issued_on = ?, "
            "issued_by = ?, status = ?, successor_id = ?, status_from = ?, source = ?, "
            "updated_by = ?, updated_at = ? WHERE id = ?",
            (
                e.name_key,
                e.symbol,
                e.kind,
                e.title,
                e.issued_on.isoformat(),
                e.issued_by,
                e.status,
                e.successor_id,
                _iso(e.status_from),
                e.source,
                actor_id,
                _iso(now),
                e.id,
            ),
        )

    # -- citations ---------------------------------------------------------------------------

    async def add_citations(
        self,
        program_id: int,
        source: str,
        source_id: int,
        rows: Sequence[Cited],
        cited_on: date,
        *,
        version: int = 0,
        session_id: int | None = None,
    ) -> None:
        """Store what a text cites, each citation linked to its register entry (one statement)."""
        if not rows:
            return
        values = citation_values(
            program_id, source, source_id, list(rows), cited_on, version, session_id
        )
        self._count_statement(CITATION_INSERT, values[0])
        self.version += 1
        await self.conn.executemany(CITATION_INSERT, values)

    async def drop_citations(self, source: str, source_id: int, version: int = 0) -> None:
        await self._exec(
            "DELETE FROM citations WHERE source = ? AND source_id = ? AND version = ?",
            (source, source_id, version),
        )

    async def relink(self, keys: Iterable[str]) -> None:
        """Link again the citations of ``keys`` (after entries of those keys changed)."""
        sql = (
            "UPDATE citations SET document_id = "
            + LINK.format(key="citations.doc_key", issuer="citations.issuer", year="citations.year")
            + " WHERE doc_key = ?"
        )
        params = [(k,) for k in dict.fromkeys(keys)]
        if not params:
            return
        self._count_statement(sql, params[0])
        self.version += 1
        await self.conn.executemany(sql, params)

    async def cited_documents(
        self, source: str, source_ids: Sequence[int], version: int | None = 0
    ) -> dict[int, list[tuple[str, str | None, int | None]]]:
        """For each text: (symbol, kind, register entry) of what it cites, in order."""
        found: dict[int, list[tuple[str, str | None, int | None]]] = {}
        for chunk in _chunks(list(source_ids)):
            marks = ",".join("?" * len(chunk))
            rows = await self._all(
                "SELECT source_id, symbol, kind, document_id FROM citations "
                f"WHERE source = ? AND source_id IN ({marks}) AND version = ? "
                "ORDER BY source_id, seq",
                (source, *chunk, version),
            )
            for r in rows:
                found.setdefault(r["source_id"], []).append(
                    (r["symbol"], r["kind"], r["document_id"])
                )
        return found

    async def question_refs(
        self, question_ids: Sequence[int]
    ) -> dict[int, tuple[tuple[str, str | None], ...]]:
        """The «căn cứ» read from each question: (document as people read it, article)."""
        found: dict[int, list[tuple[str, str | None]]] = {}
        for chunk in _chunks(list(question_ids)):
            marks = ",".join("?" * len(chunk))
            rows = await self._all(
                "SELECT source_id, doc_key, symbol, kind, article FROM citations "
                f"WHERE source = 'question' AND source_id IN ({marks}) AND version = 0 "
                "AND field = 'refs' ORDER BY source_id, seq",
                chunk,
            )
            for r in rows:
                document = display(r["doc_key"], r["symbol"], r["kind"])
                found.setdefault(r["source_id"], []).append((document, r["article"]))
        return {qid: tuple(refs) for qid, refs in found.items()}

    # -- what rests on a document ------------------------------------------------------------

    async def official_dependents(self, document_id: int) -> list[dict[str, Any]]:
        """The official answers whose current version cites ``document_id``."""
        rows = await self._all(
            "SELECT a.id, a.program_id, a.session_date, a.topic, a.question FROM citations c "
            "JOIN archive a ON a.id = c.source_id AND a.version = c.version "
            "WHERE c.document_id = ? AND c.source = 'official' "
            "GROUP BY a.id ORDER BY a.program_id, a.session_date, a.id",
            (document_id,),
        )
        return [dict(r) for r in rows]

    async def question_dependents(self, document_id: int) -> list[dict[str, Any]]:
        """The questions still to be asked (queued or held) that cite ``document_id``."""
        rows = await self._all(
            "SELECT q.id, q.program_id, q.text, q.status FROM citations c "
            "JOIN questions q ON q.id = c.source_id "
            "WHERE c.document_id = ? AND c.source = 'question' "
            "AND q.status IN ('queued', 'held') GROUP BY q.id ORDER BY q.program_id, q.id",
            (document_id,),
        )
        return [dict(r) for r in rows]

    async def stale_in(
        self, source: str, source_ids: Sequence[int], day: date, *, official: bool = False
    ) -> dict[int, list[dict[str, Any]]]:
        """For each text of ``source_ids``: the documents it cites that no longer hold on
        ``day``, with their status and successor. ``official``: the current version of each
        official answer (``source_ids`` are archive ids)."""
        found: dict[int, list[dict[str, Any]]] = {}
        columns = (
            "SELECT DISTINCT c.source_id AS sid, d.id, d.symbol, d.kind, d.status, "
            "d.status_from, d.successor_id, s.symbol AS successor_symbol, "
            "s.kind AS successor_kind "
        )
        documents = (
            "JOIN documents d ON d.id = c.document_id "
            "LEFT JOIN documents s ON s.id = d.successor_id "
        )
        for chunk in _chunks(list(source_ids)):
            marks = ",".join("?" * len(chunk))
            if official:
                sql = (
                    f"{columns}FROM archive a JOIN citations c ON c.source = 'official' "
                    f"AND c.source_id = a.id AND c.version = a.version {documents}"
                    f"WHERE a.id IN ({marks}) AND {STALE} ORDER BY c.source_id, d.id"
                )
                params: tuple[Any, ...] = (*chunk, day.isoformat())
            else:
                sql = (
                    f"{columns}FROM citations c {documents}WHERE c.source = ? "
                    f"AND c.source_id IN ({marks}) AND c.version = 0 AND {STALE} "
                    "ORDER BY c.source_id, d.id"
                )
                params = (source, *chunk, day.isoformat())
            for r in await self._all(sql, params):
                found.setdefault(r["sid"], []).append(dict(r))
        return found

    async def count_to_review(self, program_id: int, day: date) -> int:
        """Official answers of the program whose current version rests on a document no
        longer in force on ``day``."""
        return await self._count(
            "SELECT count(DISTINCT a.id) FROM documents d "
            "JOIN citations c ON c.document_id = d.id AND c.source = 'official' "
            "JOIN archive a ON a.id = c.source_id AND a.version = c.version "
            f"WHERE {STALE} AND a.program_id = ?",
            (day.isoformat(), program_id),
        )

    async def cited_in_period(
        self, program_id: int, start: date, end: date
    ) -> list[tuple[int, str, str, str | None, int | None]]:
        """(session, key, symbol, kind, register entry) for every document cited by the
        sessions held ``start`` ≤ day < ``end``: their answers, comments, official answers and
        the «căn cứ» of their questions."""
        own = await self._all(
            "SELECT session_id, doc_key, symbol, kind, document_id FROM citations "
            "WHERE program_id = ? AND cited_on >= ? AND cited_on < ? "
            "AND session_id IS NOT NULL",
            (program_id, start.isoformat(), end.isoformat()),
        )
        asked = await self._all(
            "SELECT s.id AS session_id, c.doc_key, c.symbol, c.kind, c.document_id "
            "FROM sessions s JOIN citations c ON c.source = 'question' "
            "AND c.source_id = s.question_id AND c.version = 0 "
            "WHERE s.program_id = ? AND s.state = 'concluded' "
            "AND s.session_date >= ? AND s.session_date < ?",
            (program_id, start.isoformat(), end.isoformat()),
        )
        return [
            (r["session_id"], r["doc_key"], r["symbol"], r["kind"], r["document_id"])
            for r in [*own, *asked]
        ]

    # -- supplementary conclusions ----------------------------------------------------------

    @staticmethod
    def _supplement(r: aiosqlite.Row) -> Supplement:
        return Supplement(
            id=r["id"],
            archive_id=r["archive_id"],
            version=r["version"],
            text=r["text"],
            legal_refs=r["legal_refs"],
            leader_id=r["leader_id"],
            leader_name=r["leader_name"],
            created_at=datetime.fromisoformat(r["created_at"]),
        )

    async def supplements(self, archive_id: int) -> list[Supplement]:
        rows = await self._all(
            "SELECT * FROM supplements WHERE archive_id = ? ORDER BY version", (archive_id,)
        )
        return [self._supplement(r) for r in rows]

    async def add_supplement(
        self,
        archive_id: int,
        expect_version: int,
        text: str,
        legal_refs: str | None,
        leader_id: int | None,
        leader_name: str | None,
        search: tuple[str, str],
        now: datetime,
    ) -> int | None:
        """Version ``expect_version + 1`` of an official answer, if it is still at
        ``expect_version`` (compare-and-set); its search copies become ``search``
        (conclusion, references). None when another version came first."""
        changed = await self._changed(
            "UPDATE archive SET version = version + 1, n_conclusion = ?, n_refs = ? "
            "WHERE id = ? AND version = ?",
            (*search, archive_id, expect_version),
        )
        if not changed:
            return None
        await self._exec(
            "INSERT INTO supplements (archive_id, version, text, legal_refs, leader_id, "
            "leader_name, created_at) VALUES (?,?,?,?,?,?,?)",
            (archive_id, expect_version + 1, text, legal_refs, leader_id, leader_name, _iso(now)),
        )
        return expect_version + 1

    # -- reviews told ------------------------------------------------------------------------

    async def tell_once(
        self, document_id: int, change: str, program_id: int, now: datetime
    ) -> bool:
        """Whether this change of the document is told to the program now (False: it was)."""
        return (
            await self._changed(
                "INSERT OR IGNORE INTO document_reviews (document_id, change, program_id, "
                "told_at) VALUES (?,?,?,?)",
                (document_id, change, program_id, _iso(now)),
            )
            == 1
        )
