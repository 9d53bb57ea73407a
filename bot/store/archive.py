"""Queries of the archive area: the archived official answers and their full-text index."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

import aiosqlite

from bot.models import ArchiveEntry, Supplement
from bot.store.base import StoreBase, _iso

# The searchable columns of `archive_fts` and their bm25 weights: a word found in the question
# counts most, then the topic, the conclusion, the references and the source unit, and least the
# staff answer and the head's comment. The last indexed column, n_program, holds one token naming
# the program (weight 0): filtering on it inside the index keeps a search from reading the rows
# of every match.
SEARCH_COLUMNS = ("n_topic", "n_question", "n_conclusion", "n_refs", "n_discussion")
BM25_WEIGHTS = (3.0, 4.0, 2.0, 1.5, 0.5, 0.0)

_COLS = (
    "a.id, a.program_id, a.session_id, a.session_date, a.topic, a.question, a.source_unit, "
    "a.answer_kind, a.answer_text, a.answer_file_name, a.answerer_name, a.answerer_title, "
    "a.verdict, a.head_name, a.comment, a.regrades, a.conclusion, a.leader_name, a.legal_refs, "
    "a.concluded_at, a.version, s.id AS sup_id, s.text AS sup_text, s.legal_refs AS sup_refs, "
    "s.leader_id AS sup_leader_id, s.leader_name AS sup_leader_name, "
    "s.created_at AS sup_created_at"
)
# The current supplementary conclusion of each entry (none while version is 0).
_CURRENT = "LEFT JOIN supplements s ON s.archive_id = a.id AND s.version = a.version"
_BM25 = "bm25(archive_fts, {})".format(", ".join(str(w) for w in BM25_WEIGHTS))


class ArchiveQueries(StoreBase):
    @staticmethod
    def _archive(r: aiosqlite.Row) -> ArchiveEntry:
        return ArchiveEntry(
            id=r["id"],
            program_id=r["program_id"],
            session_id=r["session_id"],
            session_date=date.fromisoformat(r["session_date"]),
            topic=r["topic"],
            question=r["question"],
            source_unit=r["source_unit"],
            answer_kind=r["answer_kind"],
            answer_text=r["answer_text"],
            answer_file_name=r["answer_file_name"],
            answerer_name=r["answerer_name"],
            answerer_title=r["answerer_title"],
            verdict=r["verdict"],
            head_name=r["head_name"],
            comment=r["comment"],
            regrades=r["regrades"],
            conclusion=r["conclusion"],
            leader_name=r["leader_name"],
            legal_refs=r["legal_refs"],
            concluded_at=datetime.fromisoformat(r["concluded_at"]),
            version=r["version"],
            current=Supplement(
                id=r["sup_id"],
                archive_id=r["id"],
                version=r["version"],
                text=r["sup_text"],
                legal_refs=r["sup_refs"],
                leader_id=r["sup_leader_id"],
                leader_name=r["sup_leader_name"],
                created_at=datetime.fromisoformat(r["sup_created_at"]),
            )
            if r["sup_id"] is not None
            else None,
        )

    async def save_archive(self, entry: ArchiveEntry, search: Mapping[str, str]) -> int:
        """Insert or replace the archive row of ``entry.session_id`` (the index follows by
        triggers). ``search`` holds the normalized copies keyed by the ``SEARCH_COLUMNS``."""
        await self._exec(
            "INSERT INTO archive (program_id, session_id, session_date, topic, question, "
            "source_unit, answer_kind, answer_text, answer_file_name, answerer_name, "
            "answerer_title, verdict, head_name, comment, regrades, conclusion, leader_name, "
            "legal_refs, concluded_at, n_topic, n_question, n_conclusion, n_refs, n_discussion) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT (session_id) DO UPDATE SET session_date = excluded.session_date, "
            "topic = excluded.topic, question = excluded.question, "
            "source_unit = excluded.source_unit, answer_kind = excluded.answer_kind, "
            "answer_text = excluded.answer_text, answer_file_name = excluded.answer_file_name, "
            "answerer_name = excluded.answerer_name, answerer_title = excluded.answerer_title, "
            "verdict = excluded.verdict, head_name = excluded.head_name, "
            "comment = excluded.comment, regrades = excluded.regrades, "
            "conclusion = excluded.conclusion, leader_name = excluded.leader_name, "
            "legal_refs = excluded.legal_refs, concluded_at = excluded.concluded_at, "
            "n_topic = excluded.n_topic, n_question = excluded.n_question, "
            "n_conclusion = excluded.n_conclusion, n_refs = excluded.n_refs, "
            "n_discussion = excluded.n_discussion",
            (
                entry.program_id,
                entry.session_id,
                entry.session_date.isoformat(),
                entry.topic,
                entry.question,
                entry.source_unit,
                entry.answer_kind,
                entry.answer_text,
                entry.answer_file_name,
                entry.answerer_name,
                entry.answerer_title,
                entry.verdict,
                entry.head_name,
                entry.comment,
                entry.regrades,
                entry.conclusion,
                entry.leader_name,
                entry.legal_refs,
                _iso(entry.concluded_at),
                *(search.get(c, "") for c in SEARCH_COLUMNS),
            ),
        )
        return await self._count("SELECT id FROM archive WHERE session_id = ?", (entry.session_id,))

    async def archive_entry(self, entry_id: int) -> ArchiveEntry | None:
        r = await self._one(f"SELECT {_COLS} FROM archive a {_CURRENT} WHERE a.id = ?", (entry_id,))
        return self._archive(r) if r else None

    async def archive_by_session(self, session_id: int) -> ArchiveEntry | None:
        r = await self._one(
            f"SELECT {_COLS} FROM archive a {_CURRENT} WHERE a.session_id = ?", (session_id,)
        )
        return self._archive(r) if r else None

    @staticmethod
    def _in_program(program_id: int, match: str) -> str:
        """``match`` (words of the searchable columns) restricted to one program's entries."""
        return f'n_program : "p{int(program_id)}" AND {{{" ".join(SEARCH_COLUMNS)}}} : ({match})'

    async def search_archive(
        self, program_id: int, match: str, limit: int, offset: int = 0
    ) -> list[ArchiveEntry]:
        """Entries of ``program_id`` matching the FTS5 expression ``match``, best first (ties:
        the latest archived first). Only the rows of the page are read from ``archive``."""
        rows = await self._all(
            f"SELECT {_COLS} FROM (SELECT rowid AS rid, {_BM25} AS score FROM archive_fts "
            "WHERE archive_fts MATCH ? ORDER BY score, rowid DESC LIMIT ? OFFSET ?) m "
            f"CROSS JOIN archive a ON a.id = m.rid {_CURRENT} ORDER BY m.score, a.id DESC",
            (self._in_program(program_id, match), limit, offset),
        )
        return [self._archive(r) for r in rows]

    async def count_archive_matches(self, program_id: int, match: str) -> int:
        return await self._count(
            "SELECT count(*) FROM archive_fts WHERE archive_fts MATCH ?",
            (self._in_program(program_id, match),),
        )

    async def archive_page(
        self, program_id: int, limit: int, offset: int = 0
    ) -> list[ArchiveEntry]:
        """Entries of ``program_id``, newest session first."""
        rows = await self._all(
            f"SELECT {_COLS} FROM archive a {_CURRENT} WHERE a.program_id = ? "
            "ORDER BY a.session_date DESC, a.id DESC LIMIT ? OFFSET ?",
            (program_id, limit, offset),
        )
        return [self._archive(r) for r in rows]

    async def count_archive(self, program_id: int) -> int:
        return await self._count("SELECT count(*) FROM archive WHERE program_id = ?", (program_id,))

    async def archive_between(self, program_id: int, start: date, end: date) -> list[ArchiveEntry]:
        """Entries of sessions held on ``start`` ≤ day < ``end``, oldest first."""
        rows = await self._all(
            f"SELECT {_COLS} FROM archive a {_CURRENT} WHERE a.program_id = ? "
            "AND a.session_date >= ? AND a.session_date < ? ORDER BY a.session_date, a.id",
            (program_id, start.isoformat(), end.isoformat()),
        )
        return [self._archive(r) for r in rows]

    async def concluded_not_archived(self, program_id: int) -> list[int]:
        """Concluded sessions without an archive row (concluded before the archive existed)."""
        rows = await self._all(
            "SELECT s.id FROM sessions s WHERE s.program_id = ? AND s.state = 'concluded' "
            "AND NOT EXISTS (SELECT 1 FROM archive a WHERE a.session_id = s.id) ORDER BY s.id",
            (program_id,),
        )
        return [int(r["id"]) for r in rows]
