"""The documents answers rest on: pure rules, no I/O.

* what a text cites, as the rows ``citations`` stores (:func:`cited`): the citations of
  :mod:`bot.citations`, a question's «căn cứ» with its articles (:mod:`questions.legal`), each
  document once per text;
* which register entry a citation names (:func:`pick`): the one entry of its key that its issuer
  and year (when written) fit; none when several do;
* what a status change of an entry may be (:func:`status_problem`): a replacement names another
  known entry, is not dated before either document, and never loops (A by B by A);
* whether a document still holds on a day (:func:`stale_on`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

from bot.citations import Citation, find_citations
from bot.words import CITATION_WORDS
from questions.legal import parse_legal_refs

Status = Literal["in_force", "replaced", "amended", "repealed"]
STATUSES: Final[tuple[Status, ...]] = ("in_force", "replaced", "amended", "repealed")
# A document in these statuses is no longer the basis of an answer (from its status date on).
NOT_IN_FORCE: Final = frozenset({"replaced", "repealed"})
WITH_SUCCESSOR: Final = frozenset({"replaced", "amended"})
MAX_CHAIN: Final = 1000  # successors followed at most (a loop is refused before it is stored)


@dataclass(frozen=True)
class Cited:
    """One row of ``citations`` before it is stored: what the text cites and where."""

    doc_key: str
    issuer: str | None
    year: int | None
    symbol: str
    kind: str | None
    article: str | None = None
    field: Literal["text", "refs"] = "text"

    @property
    def identity(self) -> tuple[str, str | None, int | None]:
        return (self.doc_key, self.issuer, self.year)


def _row(c: Citation, article: str | None = None, field: Literal["text", "refs"] = "text") -> Cited:
    return Cited(c.key, c.issuer, c.year, c.symbol, c.kind, article, field)


def cited(text: str | None = None, refs: str | None = None) -> list[Cited]:
    """The documents ``refs`` (a «căn cứ»: per article) and ``text`` cite, in that order, each
    document once (a document of the «căn cứ» is not repeated from the text)."""
    rows: list[Cited] = []
    seen: set[tuple[str, str | None, int | None, str | None]] = set()
    for ref in parse_legal_refs(refs):
        if ref.citation is None:
            continue
        row = _row(ref.citation, ref.article, "refs")
        if (*row.identity, row.article) not in seen:
            seen.add((*row.identity, row.article))
            rows.append(row)
    in_refs = {r.identity for r in rows}
    for c in find_citations(text):
        row = _row(c)
        if row.identity not in in_refs and (*row.identity, None) not in seen:
            seen.add((*row.identity, None))
            rows.append(row)
    return rows


# -- the register ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A register entry as a citation is matched against it."""

    id: int
    issuer: str
    year: int


def pick(candidates: Iterable[Candidate], issuer: str | None, year: int | None) -> int | None:
    """The entry a citation names: the only candidate its issuer and year (if written) fit."""
    fit = [
        c.id
        for c in candidates
        if (issuer is None or c.issuer == issuer) and (year is None or c.year == year)
    ]
    return fit[0] if len(set(fit)) == 1 else None


def stale_on(status: str, status_from: date | None, day: date) -> bool:
    """Whether a document of ``status`` (since ``status_from``) no longer holds on ``day``."""
    return status in NOT_IN_FORCE and (status_from is None or status_from <= day)


@dataclass(frozen=True)
class Dated:
    """What the rules of a status change read of an entry."""

    id: int
    issued_on: date
    successor_id: int | None = None


Problem = Literal[
    "needs_successor",
    "no_successor",
    "self",
    "loop",
    "before_document",
    "successor_older",
    "before_successor",
]


def status_problem(
    doc: Dated,
    status: Status,
    successor: Dated | None,
    start: date | None,
    successor_of: Callable[[int], int | None],
) -> Problem | None:
    """Why ``doc`` cannot take ``status`` (by ``successor``, from ``start``), or None.

    ``successor_of`` gives an entry's successor as the register holds it now: following it from
    ``successor`` must never lead back to ``doc`` (A replaced by B replaced by A)."""
    if status in WITH_SUCCESSOR and successor is None:
        return "needs_successor"
    if status not in WITH_SUCCESSOR and successor is not None:
        return "no_successor"
    if successor is not None and successor.id == doc.id:
        return "self"
    if successor is not None and successor.issued_on < doc.issued_on:
        return "successor_older"
    if start is not None and start < doc.issued_on:
        return "before_document"
    if successor is None:
        return None
    if start is not None and start < successor.issued_on:
        return "before_successor"
    seen = {doc.id}
    step: int | None = successor.id
    for _ in range(MAX_CHAIN):
        if step is None:
            return None
        if step in seen:
            return "loop"
        seen.add(step)
        step = successor_of(step)
    return "loop"


def chain(first: int, successor_of: Callable[[int], int | None]) -> list[int]:
    """``first`` and the successors after it, in order (stops at a repeat)."""
    out = [first]
    step = successor_of(first)
    while step is not None and step not in out and len(out) < MAX_CHAIN:
        out.append(step)
        step = successor_of(step)
    return out


def change_key(status: str, successor_id: int | None, start: date | None) -> str:
    """The change told to the programs once (``document_reviews.change``)."""
    when = start.isoformat() if start else ""
    return f"{status}:{successor_id}:{when}" if successor_id else f"{status}:{when}"


def display(doc_key: str, symbol: str, kind: str | None) -> str:
    """A stored citation as people read it in a list: «Quy định số 24-QĐ/TW», «Điều lệ Đảng»
    (as :attr:`bot.citations.Citation.display`)."""
    if doc_key.startswith("name:") or not kind:
        return symbol
    return CITATION_WORDS["numbered"].format(kind=kind, symbol=symbol)


def distinct_documents(ids: Sequence[int | None]) -> list[int]:
    """The register entries among ``ids``, each once, in order."""
    out: list[int] = []
    for i in ids:
        if i is not None and i not in out:
            out.append(i)
    return out
