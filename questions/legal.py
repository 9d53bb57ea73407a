"""The structured form of a question's legal references («Căn cứ»): document and article.

The free text stays the reference of record; this module only reads from it what is written in a
recognisable form, so nothing is ever made up:

* a document is the Party Charter («Điều lệ Đảng») or a numbered document: its kind (Quy định,
  Hướng dẫn, Nghị quyết, …) followed by a number with a dash or slash, such as «24-QĐ/TW» or
  «01-HD/TW» (the word «số» is optional);
* an article is «Điều N», optionally preceded by «Khoản N» and «Điểm x», or a «Khoản N» /
  «Điểm x» / «Mục N» on its own.

References are separated by semicolons or line breaks. Within one reference an article belongs to
the document written after it («Khoản 2 Điều 5 Quy định số 24-QĐ/TW»), or, when none follows, to
the one before it («Quy định số 24-QĐ/TW, Điều 5»). The Charter named inside a numbered
document's title («Quy định số 24-QĐ/TW … về thi hành Điều lệ Đảng») is not a reference of its own.
Articles that belong to no document, and documents named in any other way, are left in the free
text only.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

__all__ = ["LegalRef", "parse_legal_refs"]

MAX_REFS: Final = 30


@dataclass(frozen=True)
class LegalRef:
    document: str  # «Điều lệ Đảng», «Quy định số 24-QĐ/TW»
    article: str | None = None  # «Điều 5», «Khoản 2 Điều 5», «Điểm 3.1»; None: the whole document


_KINDS: Final = (
    "Quy định",
    "Hướng dẫn",
    "Nghị quyết",
    "Quyết định",
    "Kết luận",
    "Chỉ thị",
    "Thông tri",
    "Quy chế",
    "Nghị định",
    "Thông tư",
    "Công văn",
    "Luật",
)
_KIND_BY_KEY: Final = {k.casefold(): k for k in _KINDS}
_KIND_PATTERN: Final = "|".join(re.escape(k) for k in sorted(_KINDS, key=len, reverse=True))

# A document number: starts with a digit and holds a dash or a slash («24-QĐ/TW», «22/2023/NĐ-CP»).
_NUMBER: Final = r"\d+[\w.]*(?:[-/][\w.]+)+"
_DOCUMENT: Final = re.compile(
    rf"(?P<charter>\bđiều\s+lệ\s+đảng\b)"
    rf"|(?P<kind>\b(?:{_KIND_PATTERN}))\s+(?:số\s+)?(?P<number>{_NUMBER})",
    re.IGNORECASE,
)
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


def _document(match: re.Match[str]) -> str:
    if match.group("charter"):
        return "Điều lệ Đảng"
    kind = _KIND_BY_KEY[" ".join(match.group("kind").split()).casefold()]
    return f"{kind} số {match.group('number').rstrip('.').upper()}"


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
    documents: list[tuple[int, str]] = []
    title_from: int | None = None  # where the title of the last numbered document may start
    for m in _DOCUMENT.finditer(reference):
        if m.group("charter") and title_from is not None:
            between = reference[title_from : m.start()]
            if "," not in between and not any(title_from <= a < m.start() for a, _ in articles):
                # Part of that document's title: «Quy định số 24-QĐ/TW về thi hành Điều lệ Đảng».
                continue
        title_from = None if m.group("charter") else m.end()
        documents.append((m.start(), _document(m)))
    if not documents:
        return []
    cited: list[list[str]] = [[] for _ in documents]
    for position, article in articles:
        after = [i for i, (start, _) in enumerate(documents) if start > position]
        cited[after[0] if after else len(documents) - 1].append(article)
    refs: list[LegalRef] = []
    for (_, name), names in zip(documents, cited, strict=True):
        refs.extend([LegalRef(name, a) for a in names] if names else [LegalRef(name)])
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
