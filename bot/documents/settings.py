"""A program's settings for documents in the Party's format (``/vanban``).

Stored per program as key/value rows (table ``document_settings``, migration 0007); a key that
was never set takes its default, derived from the group title where it can be.

The number of a document is not a setting: the văn thư gives it when the document is issued
(Hướng dẫn 36-HD/VPTW, 1.3.1: the number is the order in which the văn thư registers it). A
program sets only the issuing body's part of the symbol («BTCTU» in «Số 12-BC/BTCTU»); a
report is printed with its own kind («BC») and a number left blank unless one is given for that
report (``/baocao … so 12``, ``hoidap report --number 12``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Final

from bot.core import Refused
from bot.text import fold, fold_word
from bot.words import PARTY_WORDS

MAX_BODY_LINES: Final = 3
MAX_RECIPIENT_LINES: Final = 12
LINE_CHARS: Final = 60  # an issuing body line, the place, the capacity
NAME_CHARS: Final = 60
SYMBOL_CHARS: Final = 20
MAX_DOCUMENT_NUMBER: Final = 99_999  # a number the văn thư gives (per kind, per term)
NUMBER_LINE_CHARS: Final = 60  # what may be typed for the symbol: «Số 05-BC/BTCTU» too
RECIPIENT_CHARS: Final = 120

# «Tỉnh ủy Đồng Nai», «Thành ủy Hà Nội», «Huyện ủy …», «Đảng ủy …» in a group title, matched on
# the title folded letter by letter (same length, so the match slices the title as written).
_COMMITTEE = re.compile(r"\b(tinh|thanh|huyen|quan|thi|dang)\s+(uy)\s+([^\-–,;:()\n]+)")


def _fold_letters(text: str) -> str:
    return "".join((fold(ch) or ch)[:1] for ch in text)


@dataclass(frozen=True)
class DocumentSettings:
    """What a document of the program says about who issues and signs it."""

    body: tuple[str, ...] = (PARTY_WORDS["default_body"], "*")  # top left, upper case
    place: str = ""  # «Đồng Nai»: starts the place-and-date line
    symbol: str = ""  # the issuing body's part of a symbol: «BTCTU» in «Số 12-BC/BTCTU»
    capacity: str = PARTY_WORDS["default_capacity"]  # «TRƯỞNG BAN» or «PHÓ TRƯỞNG BAN»
    deputy: bool = False  # signs on behalf: «K/T TRƯỞNG BAN» above the capacity
    signer: str = ""  # the signer's name; blank: room to write it
    recipients: tuple[str, ...] = tuple(PARTY_WORDS["default_recipients"].splitlines())
    points: bool = False  # the points scheme of the year-end sheets (bot.documents.report)

    @property
    def capacity_lines(self) -> tuple[str, ...]:
        """The capacity block above the signature: «K/T TRƯỞNG BAN» / «PHÓ TRƯỞNG BAN»."""
        if self.deputy:
            head = PARTY_WORDS["default_capacity"]
            return (PARTY_WORDS["signer_deputy_prefix"] + head, self.capacity)
        return (self.capacity,)


def defaults_for(title: str) -> DocumentSettings:
    """Defaults from the group title: «Ban Tổ chức Tỉnh ủy Đồng Nai» → «TỈNH ỦY ĐỒNG NAI» /
    «BAN TỔ CHỨC» / «*», place «Đồng Nai», symbol «BTCTU»; otherwise «BAN TỔ CHỨC» / «*», no
    place and the symbol «BTC»."""
    title = unicodedata.normalize("NFC", title or "")
    found = _COMMITTEE.search(_fold_letters(title))
    if not found:
        return DocumentSettings(symbol=symbol_of(DocumentSettings().body))
    place = " ".join(title[found.start(3) : found.end(3)].split())[:LINE_CHARS]
    committee = " ".join(title[found.start() : found.end()].split()).upper()[:LINE_CHARS]
    if found.group(1) == "dang":  # «Đảng ủy Khối …»: no place name in the title
        place = ""
    body = (committee, PARTY_WORDS["default_body"], "*")
    return DocumentSettings(body=body, place=place, symbol=symbol_of(body))


def _initials(line: str) -> str:
    """«TỈNH ỦY» → «TU»: the first letters without their tone and vowel marks (Đ stays Đ)."""
    letters = (unicodedata.normalize("NFD", word)[0] for word in line.split())
    return "".join(ch for ch in letters if ch.isalpha()).upper()


def document_number(number: int | None) -> str | None:
    """A number as written in a symbol: from 01 on (36-HD/VPTW 1.3.1: «ghi liên tục từ số
    01»); None stays None (the blank the văn thư fills in)."""
    return None if number is None else f"{number:02d}"


def symbol_of(body: tuple[str, ...]) -> str:
    """The usual symbol of the issuing body of ``body``: the initials of the body («BAN TỔ
    CHỨC» → «BTC») followed by those of the committee it belongs to when that is a «… ỦY» of a
    place («TỈNH ỦY ĐỒNG NAI» → «TU»): «BTCTU». Only a default: ``/vanban kyhieu`` sets it."""
    named = [line for line in body if line.strip() != "*"]
    if not named:
        return ""
    symbol = _initials(named[-1])
    if len(named) > 1:
        above = _COMMITTEE.match(_fold_letters(named[-2]).lower())
        if above is not None and above.group(1) != "dang":
            symbol += _initials(named[-2])[:2]
    return symbol[:SYMBOL_CHARS]


# -- reading and setting ------------------------------------------------------------------------

# /vanban keys as typed (folded) → the stored key.
KEYS: Final = {
    "coquan": "body",
    "noi": "place",
    "diadanh": "place",
    "kyhieu": "symbol",
    "so": "symbol",  # the name of old: «Số …-BC/BTCTU» as typed gives its symbol «BTCTU»
    "chucvu": "capacity",
    "kythay": "deputy",
    "nguoiky": "signer",
    "noinhan": "recipients",
    "diem": "points",  # the points scheme of the year-end sheets (off by default)
}
STORED_KEYS: Final = frozenset(KEYS.values())

# Settings that are on or off («bat» / «tat»).
SWITCHES: Final = frozenset({"deputy", "points"})

# Lines that may be left blank («-» clears them).
OPTIONAL: Final = frozenset({"place", "symbol", "signer"})

_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


def _line(value: str, limit: int, key: str, upper: bool = False) -> str:
    value = unicodedata.normalize("NFC", value)
    if _CONTROL.search(value) or "\n" in value:
        raise Refused("documents_bad_value", key=key, reason="control", limit=limit)
    value = " ".join(value.split())
    if len(value) > limit:
        raise Refused("documents_bad_value", key=key, reason="long", limit=limit)
    if upper and value != value.upper():
        raise Refused("documents_bad_value", key=key, reason="upper", limit=limit)
    return value


def _lines(value: str, count: int, limit: int, key: str, upper: bool = False) -> tuple[str, ...]:
    """Lines separated by «/» or «|» (or line breaks), each checked as one line."""
    value = unicodedata.normalize("NFC", value)
    if _CONTROL.search(value):
        raise Refused("documents_bad_value", key=key, reason="control", limit=limit)
    # Recipients may hold «/» themselves («Ban Tổ chức Tỉnh ủy (b/c)»): only «|» separates them.
    separators = r"[|\n]" if key == "recipients" else r"[|/\n]"
    parts = [p for p in re.split(separators, value) if p.strip()]
    if not parts:
        raise Refused("documents_bad_value", key=key, reason="empty", limit=limit)
    if len(parts) > count:
        raise Refused("documents_bad_value", key=key, reason="lines", limit=count)
    return tuple(_line(p, limit, key, upper) for p in parts)


_SYMBOL = re.compile(r"[^\W\d_][\w-]*")


def _symbol(raw: str) -> str:
    """«BTCTU»; from a whole number-and-symbol line («Số 05-BC/BTCTU», as the setting was
    typed before) only the part after the last «/»: a number is never a setting."""
    value = _line(raw, NUMBER_LINE_CHARS, "symbol")
    value = value.rsplit("/", 1)[-1].strip()
    if not _SYMBOL.fullmatch(value) or value != value.upper():
        raise Refused("documents_bad_value", key="symbol", reason="symbol", limit=SYMBOL_CHARS)
    if len(value) > SYMBOL_CHARS:
        raise Refused("documents_bad_value", key="symbol", reason="long", limit=SYMBOL_CHARS)
    return value


def _switch(value: str, key: str) -> bool:
    v = fold_word(value)
    if v in ("bat", "on", "co", "1"):
        return True
    if v in ("tat", "off", "khong", "0"):
        return False
    raise Refused("documents_bad_value", key=key, reason="switch", limit=0)


def parse_setting(args: list[str]) -> tuple[str, str]:
    """``/vanban <khóa> <giá trị…>`` → (stored key, stored value as text); checked."""
    if len(args) < 2:
        raise Refused("documents_usage")
    key = KEYS.get(fold_word(args[0]))
    if key is None:
        raise Refused("documents_usage")
    raw = " ".join(args[1:])
    value = parse_value(key, raw)
    return key, value


def parse_value(key: str, raw: str) -> str:
    """A stored value for ``key`` from what an admin typed; «-» clears an optional line."""
    if key == "body":
        return "\n".join(_lines(raw, MAX_BODY_LINES, LINE_CHARS, key, upper=True))
    if key == "recipients":
        return "\n".join(_lines(raw, MAX_RECIPIENT_LINES, RECIPIENT_CHARS, key))
    if key in SWITCHES:
        return "1" if _switch(raw, key) else "0"
    if key in OPTIONAL and raw.strip() == "-":
        return ""
    if key == "place":
        return _line(raw, LINE_CHARS, key)
    if key == "symbol":
        return _symbol(raw)
    if key == "capacity":
        return _line(raw, LINE_CHARS, key, upper=True)
    if key == "signer":
        return _line(raw, NAME_CHARS, key)
    raise Refused("documents_usage")


def from_stored(title: str, stored: dict[str, str]) -> DocumentSettings:
    """The settings of a program: its stored values over the defaults of its title. A stored
    value that does not pass today's checks (edited by hand) is ignored: the default applies."""
    settings = defaults_for(title)
    values: dict[str, object] = {}
    for key, raw in stored.items():
        if key not in STORED_KEYS:
            continue
        try:
            value = parse_value(key, raw) if key not in OPTIONAL or raw else ""
        except Refused:
            continue
        if key in ("body", "recipients"):
            values[key] = tuple(value.split("\n"))
        elif key in SWITCHES:
            values[key] = value == "1"
        else:
            values[key] = value
    settings = replace(settings, **values)  # type: ignore[arg-type]
    if not settings.symbol:  # never set (or cleared): the usual one of the issuing body
        settings = replace(settings, symbol=symbol_of(settings.body))
    return settings
