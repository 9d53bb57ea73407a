"""Citations of Party and State documents in free text: pure logic, no I/O.

Everything people write (a question's «căn cứ», the drawn person's answer, the head's comment,
the leader's conclusion, a grassroots question) is read for the documents it cites, in the forms
people actually write them:

* a numbered document by its symbol, with or without its kind in front: «Quy định số 24-QĐ/TW
  ngày 30/7/2021», «Quy định 232-QĐ/TW», «QĐ số 24-QĐ/TW», «Hướng dẫn 01-HD/TW»,
  «Nghị quyết số 21-NQ/TW», «Nghị định 170/2025/NĐ-CP», «Quyết định 439/QĐ-TTg», «Luật số
  80/2025/QH15», or the symbol alone («24-QĐ/TW», «170/2025/NĐ-CP»);
* a numbered document by its kind and number only: «QĐ 24», «Quy định 24», «Nghị định 170»
  (a capitalised kind or an abbreviation; never «quy định 3 tháng»);
* a document cited by name: «Điều lệ Đảng», «Hiến pháp năm 2013», «Luật Cán bộ, công chức»,
  «Bộ luật Lao động» (the laws of :data:`LAW_NAMES`, and any «Luật X» whose name is
  capitalised).

With or without diacritics, with or without «số», with extra spaces and any dash or slash
(«24 – QĐ / TW», «24‑QĐ∕TW»). A date or year written right after the symbol («ngày 30/7/2021»,
«ngày 30 tháng 7 năm 2021», «năm 2021», «(2021)») is read with it.

Each citation has a normalised key (:attr:`Citation.key`: number and type code, or the name),
refined by the issuer and the year, and is shown by its symbol as officially written
(:attr:`Citation.symbol`: ``232-QĐ/TW``, ``170/2025/NĐ-CP``, numbers below 10 with a leading
zero) or its name (``Điều lệ Đảng``). Phone numbers, dates, «số 5», «tổ 24», «Điều 24» on their
own are not citations.

The text is read through a folded copy of the same length (lower case, no diacritics, đ → d,
every dash ``-``, every slash ``/``, every space `` ``), so one set of patterns serves every way
of writing; the symbol's letters are taken from the text itself.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

from bot.words import (
    ABBREVIATION_KINDS,
    ABBREVIATIONS,
    BARE_KINDS,
    CITATION_WORDS,
    DOCUMENT_CODES,
    DOCUMENT_ISSUERS,
    DOCUMENT_KIND_CODES,
    DOCUMENT_KINDS,
    LAW_KINDS,
    LAW_NAMES,
    STATE_KINDS,
)

__all__ = [
    "Citation",
    "find_citations",
    "fold",
    "name_key",
    "parse_symbol",
    "scan_lines",
]

MAX_CITATIONS: Final = 200  # per text: a wall of symbols is not read further

Style = Literal["party", "state", "bare", "named"]


# -- the folded copy ------------------------------------------------------------------------------


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in (*range(0x41, 0x5B), *range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        ch = chr(cp)
        base = unicodedata.normalize("NFD", ch)[0]
        if base.isascii() and base.isalpha():
            table[cp] = base.lower()
    for cp in (0x111, 0x110):  # d with stroke, small and capital
        table[cp] = "d"
    for ch in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d":
        table[ord(ch)] = "-"
    for ch in "\u2044\u2215\uff0f":
        table[ord(ch)] = "/"
    spaces = "\t\n\r\x0b\x0c\u00a0\u1680\u202f\u205f\u3000\u200b\u200c\u200d\u2060\ufeff\u00ad"
    for ch in spaces + "".join(chr(c) for c in range(0x2000, 0x200B)):
        table[ord(ch)] = " "
    for i in range(10):
        table[0xFF10 + i] = str(i)
    return table


def _fold_string() -> str:
    """The fold as a string indexed by code point (the Basic Multilingual Plane): translating
    through it is several times faster than through a dict. Beyond it nothing is folded."""
    table = _fold_table()
    return "".join(table.get(cp, chr(cp)) for cp in range(0x10000))


_FOLD: Final = _fold_string()


def fold(text: str) -> str:
    """``text`` (NFC) folded character by character: same length, same positions."""
    return text.translate(_FOLD)


def name_key(name: str) -> str:
    """The key of a document known by name: folded words without punctuation, ``name:`` first
    («Luật Cán bộ, công chức» → ``name:luat can bo cong chuc``)."""
    words = re.findall(r"[a-z0-9]+", fold(unicodedata.normalize("NFC", name)))
    return "name:" + " ".join(words)


# -- kinds, codes and issuers (the words: bot/words.py) --------------------------------------------

KINDS: Final = DOCUMENT_KINDS
CODES: Final = DOCUMENT_CODES
KIND_CODES: Final = DOCUMENT_KIND_CODES
_BARE_KINDS: Final = BARE_KINDS
_ABBREVIATIONS: Final = ABBREVIATIONS
_ISSUERS: Final = DOCUMENT_ISSUERS
_ABBR_KINDS: Final = ABBREVIATION_KINDS
_STATE_KINDS: Final = STATE_KINDS
_W: Final = CITATION_WORDS

_CODES_LONGEST: Final = sorted(CODES, key=len, reverse=True)


# -- the patterns (over the folded text) ----------------------------------------------------------

_KIND_ALT: Final = "|".join(sorted((re.escape(k) for k in KINDS), key=len, reverse=True))
_ABBR_ALT: Final = "|".join(sorted(_ABBREVIATIONS, key=len, reverse=True))
_PRE: Final = (
    rf"(?:(?<![a-z])(?P<kind>{_KIND_ALT})|(?<![a-z0-9])(?P<abbr>{_ABBR_ALT}))"
    r"(?P<joint>\s+lien\s+tich)?\.?\s*(?P<so>so\s*[:.]?\s*)?"
)
_PRE_END: Final = re.compile(rf"{_PRE}$")
# A symbol starts with its number; what stands before the number is checked apart (a pattern
# that starts with a digit is scanned far faster than one that starts with a look-behind).
_SYMBOL: Final = re.compile(
    r"(?P<n>\d{1,5})(?:"
    r"(?P<party>\s*-\s*(?P<pc>[a-z]{1,4})(?:\s*/\s*(?P<pi>[a-z]{1,12}\d{0,2}))?(?![a-z0-9/]))"
    r"|(?P<state>\s*/\s*(?:(?P<sy>(?:19|20)\d\d)\s*/\s*)?(?P<sc>[a-z]{1,8}\d{0,2})"
    r"(?:\s*-\s*(?P<si>[a-z]{1,12}\d{0,2}(?:-[a-z]{1,8})?))?(?![a-z0-9/])))"
)
_NUMBER: Final = re.compile(r"\d+")
# A number stands on its own when not glued to a word, a path, a date or a range.
_GLUED_BEFORE: Final = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_./-")
_GLUED_AFTER: Final = re.compile(r"[\w/.,-]*\d|[a-z-]")
# Words a bare number may be followed by: a date, a title, a list; a unit («3 tháng») is not.
_BARE_NEXT: Final = re.compile(
    r"\s*(?:$|[,.;:)\]\n!?…]|(?:cua|ve|ngay|nam\s+(?:19|20)\d\d|va|hoac|thi|da|neu|quy|huong"
    r"|co|cung|tai|la|khong|duoc|nay|ban|(?:19|20)\d\d)\b)"
)
# How far before a number its kind may be written («Thông tư liên tịch số: 01/…»).
_PRE_WINDOW: Final = 40
_CHARTER: Final = r"(?P<charter>dieu\s+le\s+(?:cua\s+)?dang(?:\s+cong\s+san\s+viet\s+nam)?)"
_CONSTITUTION: Final = r"(?P<const>hien\s+phap)(?:\s*(?:nam\s*)?(?P<cy>(?:19|20)\d\d))?"

_LAW_ALT: Final = "|".join(
    r"[\s,]+".join(re.escape(w) for w in name.replace(",", " ").split())
    for name in sorted(LAW_NAMES, key=len, reverse=True)
)
_LAW_BY_WORDS: Final = {" ".join(n.replace(",", " ").split()): n for n in LAW_NAMES}
_LAW: Final = (
    rf"(?P<law>(?P<code_law>bo\s+)?luat)\s+(?:(?P<known>{_LAW_ALT})(?![a-z])"
    r"|(?P<generic>[a-z]+(?:(?:\s*,\s*|\s+)[a-z]+){0,8}))"
)
_NAMED: Final = re.compile(rf"(?:{_CHARTER}|{_CONSTITUTION}|{_LAW})(?![a-z])")
# Where a named document may start: found first with a pattern of plain words (fast), then
# read with :data:`_NAMED` there.
_NAMED_ANCHOR: Final = re.compile(r"dieu\s+le|hien\s+phap|luat")
# A law's name ends before these words (folded): «Luật Cán bộ, công chức quy định…».
_NAME_STOPS: Final = frozenset(
    {
        "so",
        "nam",
        "ngay",
        "thi",
        "cua",
        "da",
        "duoc",
        "tai",
        "nay",
        "theo",
        "hien",
        "sua",
        "co",
        "khong",
        "la",
        "de",
        "khi",
        "neu",
        "do",
        "voi",
        "cho",
        "ma",
        "dieu",
        "khoan",
        "diem",
        "chuong",
        "muc",
        "va",
        "hoac",
        "cung",
        "moi",
        "sau",
        "truoc",
        "tu",
        "den",
        "trong",
        "ve",
        "nhu",
        "tren",
        "duoi",
        "can",
        "phai",
        "quy",
        "cu",
        "luat",
    }
)
# «Quy» starts a name word in «quy phạm»: the stop is «quy định» only.
_NAME_KEEP_AFTER_QUY: Final = frozenset({"pham", "che", "trinh", "hoach", "mo"})
# A date or year written after the symbol.
_DATE: Final = (
    r"(?:(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>(?:19|20)\d\d)(?!\d)"
    r"|(?P<d2>\d{1,2})\s+thang\s+(?P<m2>\d{1,2})\s*,?\s+nam\s+(?P<y2>(?:19|20)\d\d)(?!\d))"
)
_AFTER: Final = re.compile(
    r"\s*,?\s*(?:"
    rf"(?:\(\s*)?(?:ngay|ngay ban hanh)\s*{_DATE}"
    rf"|cua\s+[^,;:()\n\d]{{1,80}}?\s+ngay\s*{_DATE.replace('?P<', '?P<c')}"
    rf"|\(\s*{_DATE.replace('?P<', '?P<p')}\s*\)"
    r"|(?:nam\s+|\(\s*)(?P<yy>(?:19|20)\d\d)(?!\d)"
    r")"
)
_IN_TITLE: Final = re.compile(r"thi\s+hanh\s+$")


# -- a citation -----------------------------------------------------------------------------------


def _number(digits: str) -> str:
    """A document number as officially written: from 01 (numbers below 10 get a zero)."""
    n = int(digits)
    return f"{n:02d}" if n < 10 else str(n)


@dataclass(frozen=True)
class Citation:
    """One document cited in a text.

    ``key`` names the document without issuer and year (what the register is searched by);
    ``issuer`` and ``year`` narrow it when written. ``start``/``end``: where it stands in the
    text (NFC).
    """

    style: Style
    kind: str | None  # as written: «Quy định», «Nghị định», «Luật»…; None: not written
    number: str | None  # «232», «01»
    code: str | None  # «QĐ», «HD», «NĐ»…
    issuer: str | None  # «TW», «CP», «BTCTW», «QH15»
    year: int | None  # in the symbol (State documents), else of the date written with it
    name: str | None  # a document cited by name: «Điều lệ Đảng», «Luật Cán bộ, công chức»
    day: date | None  # the date written with it
    start: int
    end: int
    symbol_year: bool = False  # the year is part of the symbol («170/2025/NĐ-CP»)

    @property
    def symbol(self) -> str:
        """As officially written: ``232-QĐ/TW``, ``170/2025/NĐ-CP``, ``80/2025/QH15``; a
        document cited by name: its name; kind and number only: ``24-QĐ``, ``170/NĐ-CP``."""
        if self.name is not None:
            return self.name
        number = self.number or ""
        if self.style == "state" or (self.style == "bare" and self.kind in _STATE_KINDS):
            parts = [number]
            if self.year is not None and self.symbol_year:
                parts.append(str(self.year))
            tail = "-".join(p for p in (self.code, self.issuer) if p)
            if tail:
                parts.append(tail)
            return "/".join(parts)
        head = f"{number}-{self.code}" if self.code else number
        return f"{head}/{self.issuer}" if self.issuer else head

    @property
    def key(self) -> str:
        """What the register is searched by: ``232|QĐ``, ``80|`` (a law), ``name:dieu le dang``."""
        if self.name is not None:
            return name_key(self.name)
        return f"{int(self.number or 0)}|{self.code or ''}"

    @property
    def display(self) -> str:
        """As people read it in a list: «Quy định số 232-QĐ/TW», «Điều lệ Đảng»."""
        if self.name is not None or self.kind is None:
            return self.symbol
        return _W["numbered"].format(kind=self.kind, symbol=self.symbol)

    def line(self) -> str:
        """One line of ``hoidap refs scan``: the symbol, then (tab-separated) what else was
        written: the kind, the date or year."""
        fields = [self.symbol]
        if self.kind and self.name is None:
            fields.append(self.kind)
        if self.day is not None:
            fields.append(_W["day"].format(day=f"{self.day:%d/%m/%Y}"))
        elif self.year is not None and not self.symbol_year:
            fields.append(_W["year"].format(year=self.year))
        return "\t".join(fields)


# -- reading a text -------------------------------------------------------------------------------


def _date_after(folded: str, pos: int) -> tuple[date | None, int | None, int]:
    """The date (or year) written right after ``pos``: (day, year, end)."""
    m = _AFTER.match(folded, pos)
    if m is None:
        return None, None, pos
    for prefix in ("", "c", "p"):
        for suffix in ("", "2"):
            y = m.group(f"{prefix}y{suffix}")
            if y is None:
                continue
            try:
                day = date(
                    int(y), int(m.group(f"{prefix}m{suffix}")), int(m.group(f"{prefix}d{suffix}"))
                )
            except ValueError:
                return None, None, pos  # «ngày 31/2/2021»: not a date; nothing read
            return day, day.year, m.end()
    if m.group("yy"):
        return None, int(m.group("yy")), m.end()
    return None, None, pos


def _issuer(original: str, folded: str) -> str:
    key = folded.replace(" ", "")
    if key in _ISSUERS:
        return _ISSUERS[key]
    return "".join(original.split()).upper()


def _prefix(folded: str, start: int) -> re.Match[str] | None:
    """The kind (and «số») written right before ``start``, if any."""
    return _PRE_END.search(folded, max(0, start - _PRE_WINDOW), start)


def _kind_of(pre: re.Match[str] | None, text: str) -> tuple[str | None, bool]:
    """(the kind written before the number, whether it was written as people cite a document:
    capitalised, an upper-case abbreviation, or followed by «số»)."""
    if pre is None:
        return None, False
    if pre.group("kind"):
        folded = " ".join(pre.group("kind").split())
        kind = KINDS[folded]
        if pre.group("joint"):
            kind += _W["joint"]
        return kind, text[pre.start("kind")].isupper() or bool(pre.group("so"))
    abbr = pre.group("abbr")
    written = text[pre.start("abbr") : pre.end("abbr")]
    return _ABBR_KINDS.get(abbr), written.isupper()


def _symbol_citation(m: re.Match[str], text: str, folded: str) -> Citation | None:
    if not int(m.group("n")):
        return None  # no document is number 0
    pre = _prefix(folded, m.start())
    kind, cited = _kind_of(pre, text)
    if pre is not None and not cited:
        if pre.group("abbr"):
            pre = None  # «qd 24-…» in lower case: no abbreviation, the symbol stands alone
        kind = kind if pre is not None else None
    if m.group("party"):
        code = CODES.get(m.group("pc"))
        if code is None:
            return None
        issuer = None
        if m.group("pi"):
            issuer = _issuer(text[m.start("pi") : m.end("pi")], m.group("pi"))
        style: Style = "party"
        number, year = m.group("n"), None
    else:
        token, hyphen = m.group("sc"), m.group("si")
        year = int(m.group("sy")) if m.group("sy") else None
        if hyphen is None:
            # «80/2025/QH15»: the issuer alone (a law, a resolution of the National Assembly);
            # «96/2023/NĐCP»: the dash left out.
            if year is None or token in CODES or not re.fullmatch(r"[a-z]{2,8}\d{0,2}", token):
                return None
            written = text[m.start("sc") : m.end("sc")]
            split = next(
                (len(c) for c in _CODES_LONGEST if token.startswith(c) and len(token) - len(c) > 1),
                0,
            )
            if split and not re.search(r"\d", token[:split]):
                code = CODES[token[:split]]
                issuer = _issuer(written[split:], token[split:])
            else:
                code, issuer = None, _issuer(written, token)
        else:
            code = CODES.get(token)
            if code is None or (year is None and len(hyphen) < 2):
                return None
            issuer = _issuer(text[m.start("si") : m.end("si")], hyphen)
        style = "state"
        number = m.group("n")
    symbol_year = year is not None
    day, written_year, end = _date_after(folded, m.end())
    if year is None:
        year = written_year
    return Citation(
        symbol_year=symbol_year,
        style=style,
        kind=kind,
        number=_number(number),
        code=code,
        issuer=issuer,
        year=year,
        name=None,
        day=day,
        start=pre.start() if pre is not None else m.start(),
        end=end,
    )


def _bare_citation(m: re.Match[str], text: str, folded: str) -> Citation | None:
    if not int(m.group()):
        return None
    pre = _prefix(folded, m.start())
    if pre is None:
        return None
    kind, cited = _kind_of(pre, text)
    if not cited:
        return None
    if pre.group("kind") is not None:
        written = " ".join(pre.group("kind").split())
        if written not in _BARE_KINDS:
            return None
        code = KIND_CODES[written]
    else:
        code = CODES[pre.group("abbr")]
    if not _BARE_NEXT.match(folded, m.end()):
        return None
    day, year, end = _date_after(folded, m.end())
    return Citation(
        style="bare",
        kind=kind,
        number=_number(m.group()),
        code=code,
        issuer="CP" if code == CODES["nd"] else None,
        year=year,
        name=None,
        day=day,
        start=pre.start(),
        end=end,
    )


# Proper nouns that keep their capital inside a law's name («Luật Tổ chức Quốc hội»).
_PROPER: Final = frozenset(
    {
        "quoc",
        "hoi",
        "chinh",
        "phu",
        "nha",
        "nuoc",
        "nhan",
        "dan",
        "viet",
        "nam",
        "mat",
        "tran",
        "to",
        "dong",
        "cong",
        "san",
        "dang",
        "uy",
        "ban",
    }
)


def _law_name(m: re.Match[str], text: str, folded: str) -> tuple[str, int] | None:
    """The law's name (as written) and where it ends."""
    if m.group("known"):
        words = " ".join(m.group("known").replace(",", " ").split())
        return LAW_NAMES[_LAW_BY_WORDS[words]], m.end("known")
    start = m.start("generic")
    if not text[start].isupper():
        return None
    tokens = list(re.finditer(r"[a-z]+", folded[start : m.end("generic")]))
    end = start
    for i, token in enumerate(tokens):
        word = token.group()
        capital = text[start + token.start()].isupper()
        if i and capital and word not in _PROPER:
            break  # a capital mid-name starts something else
        if i and word in _NAME_STOPS and not (capital and word in _PROPER):
            nxt = tokens[i + 1].group() if i + 1 < len(tokens) else ""
            if not (word == "quy" and nxt in _NAME_KEEP_AFTER_QUY):
                break
        end = start + token.end()
    return " ".join(text[start:end].split()), end


def _named_citation(m: re.Match[str], text: str, folded: str) -> Citation | None:
    if m.group("charter"):
        if _IN_TITLE.search(folded, max(0, m.start() - 20), m.start()):
            return None  # «… về thi hành Điều lệ Đảng»: part of another document's title
        return Citation(
            "named",
            _W["charter_kind"],
            None,
            None,
            None,
            None,
            _W["charter"],
            None,
            m.start(),
            m.end(),
        )
    if m.group("const"):
        year = int(m.group("cy")) if m.group("cy") else None
        if not text[m.start("const")].isupper() and year is None:
            return None
        day, written, end = _date_after(folded, m.end())
        return Citation(
            "named",
            _W["constitution"],
            None,
            None,
            None,
            year or written,
            _W["constitution"],
            day,
            m.start(),
            max(end, m.end()),
        )
    if m.group("known") is None and not text[m.start("law")].isupper():
        return None
    found = _law_name(m, text, folded)
    if found is None:
        return None
    name, end = found
    prefix = _W["code_law"] if m.group("code_law") else _W["law"]
    day, year, after = _date_after(folded, end)
    if year is None:
        bare_year = re.match(r"\s+((?:19|20)\d\d)(?!\d)", folded[end : end + 8])
        if bare_year:
            year, after = int(bare_year.group(1)), end + bare_year.end()
    return Citation(
        "named", prefix, None, None, None, year, f"{prefix} {name}", day, m.start(), after
    )


def _cover(covered: bytearray, c: Citation) -> None:
    covered[c.start : c.end] = b"\x01" * (c.end - c.start)


def find_citations(text: str | None) -> list[Citation]:
    """Every document ``text`` cites, in the order written (a document cited twice: twice).

    The text is taken as NFC; positions refer to it.
    """
    if not text:
        return []
    text = unicodedata.normalize("NFC", text)
    folded = fold(text)
    found: list[Citation] = []
    covered = bytearray(len(text) + 1)  # 1 where a citation found so far stands
    for m in _SYMBOL.finditer(folded):
        if m.start() and folded[m.start() - 1] in _GLUED_BEFORE:
            continue
        c = _symbol_citation(m, text, folded)
        if c is not None:
            found.append(c)
            _cover(covered, c)
    for m in _NUMBER.finditer(folded):
        if (
            len(m.group()) > 5
            or covered[m.start()]
            or (m.start() and folded[m.start() - 1] in _GLUED_BEFORE)
            or _GLUED_AFTER.match(folded, m.end())
        ):
            continue
        c = _bare_citation(m, text, folded)
        if c is not None:
            found.append(c)
            _cover(covered, c)
    pos = 0
    while (anchor := _NAMED_ANCHOR.search(folded, pos)) is not None:
        start = anchor.start()
        if folded[start : start + 4] == "luat" and folded[max(0, start - 3) : start] == "bo ":
            start -= 3  # «Bộ luật»
        named = _NAMED.match(folded, start)
        glued = start and folded[start - 1].isalpha()
        c = (
            None
            if named is None or glued or covered[named.start()]
            else _named_citation(named, text, folded)
        )
        if c is not None:
            found.append(c)
            _cover(covered, c)
        pos = c.end if c is not None else anchor.end()
    found.sort(key=lambda c: c.start)
    return _laws_with_numbers(found, folded)[:MAX_CITATIONS]


_NUMBER_FOLLOWS: Final = re.compile(r"\s*,?\s*(?:so\s*[:.]?\s*)?")


def _laws_with_numbers(found: list[Citation], folded: str) -> list[Citation]:
    """«Luật Cán bộ, công chức số 80/2025/QH15»: one citation, the numbered one, of kind Luật."""
    out: list[Citation] = []
    skip: set[int] = set()
    for i, c in enumerate(found):
        if i in skip:
            continue
        nxt = found[i + 1] if i + 1 < len(found) else None
        if (
            c.style == "named"
            and c.kind in LAW_KINDS
            and nxt is not None
            and nxt.style == "state"
            and nxt.code is None
        ):
            gap = _NUMBER_FOLLOWS.match(folded, c.end)
            if gap is not None and gap.end() == nxt.start:
                out.append(dataclasses.replace(nxt, kind=c.kind, start=c.start))
                skip.add(i + 1)
                continue
        out.append(c)
    return out


def _fuller(short: Citation, other: Citation) -> bool:
    """``other`` names the same document as ``short`` with more written: the same number and
    code, and where ``short`` gives an issuer or a year, the same one («QĐ 24» and «Quy định số
    24-QĐ/TW ngày 30/7/2021»; but not «01-HD/TW ngày …/2016» and «… /2021», a new term)."""
    return (
        other is not short
        and other.key == short.key
        and (short.issuer is None or short.issuer == other.issuer)
        and (short.year is None or short.year == other.year)
        and (other.issuer, other.year) != (short.issuer, short.year)
        and (other.issuer is not None or short.issuer is None)
        and (other.year is not None or short.year is None)
    )


def scan_lines(text: str) -> list[str]:
    """``hoidap refs scan``: one line per document cited, where it is first cited. A shorter
    citation of a document the text also cites in full («QĐ 24» beside «Quy định số 24-QĐ/TW
    ngày 30/7/2021») is that document, when the text cites exactly one such."""
    found = find_citations(text)
    lines: list[str] = []
    seen: set[tuple[str, int | None]] = set()
    for c in found:
        fuller = [o for o in found if _fuller(c, o)]
        fullest = {(o.symbol, o.year): o for o in fuller if not any(_fuller(o, p) for p in fuller)}
        if len(fullest) == 1:
            (c,) = fullest.values()
        if (c.symbol, c.year) in seen:
            continue
        seen.add((c.symbol, c.year))
        lines.append(c.line())
    return lines


def parse_symbol(text: str) -> Citation | None:
    """``text`` as exactly one citation (a register entry, an admin's argument), or None: the
    symbol does not parse, or the text holds something else too."""
    text = unicodedata.normalize("NFC", " ".join(text.split()))
    found = find_citations(text)
    if len(found) != 1:
        return None
    c = found[0]
    rest = (text[: c.start] + text[c.end :]).strip(" .,;:")
    return c if not rest else None
