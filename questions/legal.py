"""The structured form of a question's legal references («Căn cứ»): document and article.

The free text stays the reference of record; this module only reads from it what is written in a
recognisable form, so nothing is ever made up:

* a document is a citation as :mod:`bot.citations` reads it in any text (the one parser of
  citations): the Party Charter («Điều lệ Đảng»), a numbered document («Quy định số 24-QĐ/TW»,
  «Hướng dẫn 01-HD/TW», «Nghị định 170/2025/NĐ-CP», «QĐ 24»), a law by its name;
* an article is «Điều N», optionally preceded by «Khoản N» and «Điểm x», or a «Khoản N» /
  «Điểm x» / «Mục N» on its own.

References are separated by semicolons or line breaks. Within one reference an article belongs to
the document written after it («Khoản 2 Điều 5 Quy định số 24-QĐ/TW»), or, when none follows, to
the one before it («Quy định số 24-QĐ/TW, Điều 5»). The Charter named inside a numbered
document's title («Quy định số 24-QĐ/TW … về thi hành Điều lệ Đảng») is not a reference of its own.
Articles that belong to no document are left in the free text only.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Final

from bot.citations import Citation, find_citations

__all__ = ["LegalRef", "parse_legal_refs"]

MAX_REFS: Final = 30


@dataclass(frozen=True)
class LegalRef:
    document: str  # «Điều lệ Đảng», «Quy định số 24-QĐ/TW»
    article: str | None = None  # «Điều 5», «Khoản 2 Điều 5», «Điểm 3.1»; None: the whole document
    # The citation the document was read from (its key, issuer and year link it to the register).
    citation: Citation | None = field(default=None, compare=False, repr=False)


# One level of an article: its word and one number (or a list: «khoản 1, 2», «điểm a và b»).
_ID: Final = r"(?:\d+(?:\.\d+)*|[a-zđ])\b"
_IDS: Final = rf"{_ID}(?:(?:\s*,\s*|\s+và\s+){_ID})*"
_ARTICLE: Final = re.compile(
    rf"(?P<point>\b(?:điểm|mục)\s+{_IDS})?[\s,]*"
    rf"(?P<clause>\bkhoản\s+{_IDS})?[\s,]*"
    rf"(?P<article>\bđiều\s+\d+\b)?",
    re.IGNORECASE,
)
_SEPARATORS: Final = re.compile(r"[;\n]")


def _tidy(parts: list[str]) -> str:
    """«khoản  1 ,2» «ĐIỀU 5» → «Khoản 1, 2 Điều 5»: as written, in the usual letter case."""
    words = re.sub(r"\s*,\s*", ", ", " ".join(" ".join(parts).split())).lower()
    words = re.sub(r"\bđiều\b", "Điều", words)
    return words[:1].upper() + words[1:]


def _articles(text: str) -> list[tuple[int, str]]:
    """(position, article) for every article expression in ``text``."""
    found: list[tuple[int, str]] = []
    for m in _ARTICLE.finditer(text):
        parts = [m.group(g) for g in ("point", "clause", "article") if m.group(g)]
        if parts:
            found.append((m.start(), _tidy(parts)))
    return found


def _one(reference: str) -> list[LegalRef]:
    articles = _articles(reference)
    documents = [(c.start, c) for c in find_citations(reference)]
    if not documents:
        return []
    cited: list[list[str]] = [[] for _ in documents]
    for position, article in articles:
        after = [i for i, (start, _) in enumerate(documents) if start > position]
        cited[after[0] if after else len(documents) - 1].append(article)
    refs: list[LegalRef] = []
    for (_, c), names in zip(documents, cited, strict=True):
        refs.extend(
            [LegalRef(c.display, a, c) for a in names] if names else [LegalRef(c.display, None, c)]
        )
    return refs


def parse_legal_refs(text: str | None) -> list[LegalRef]:
    """The references written in ``text`` in a recognisable form, in order, without repeats."""
    if not text:
        return []
    text = unicodedata.normalize("NFC", text)
    out: list[LegalRef] = []
    for reference in _SEPARATORS.split(text):
        for ref in _one(reference):
            if ref not in out:
                out.append(ref)
    return out[:MAX_REFS]
