"""A program's settings for documents in the Party's format (``/vanban``).

Stored per program as key/value rows (table ``document_settings``, migration 0007); a key that
was never set takes its default, derived from the group title where it can be.
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
NUMBER_CHARS: Final = 40
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
    number: str = ""  # «Số …-BC/BTCTU»; blank: the line is left empty to fill by hand
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
    «BAN TỔ CHỨC» / «*», place «Đồng Nai»; otherwise «BAN TỔ CHỨC» / «*» and no place."""
    title = unicodedata.normalize("NFC", title or "")
    found = _COMMITTEE.search(_fold_letters(title))
    if not found:
        return DocumentSettings()
    place = " ".join(title[found.start(3) : found.end(3)].split())[:LINE_CHARS]
    committee = " ".join(title[found.start() : found.end()].split()).upper()[:LINE_CHARS]
    if found.group(1) == "dang":  # «Đảng ủy Khối …»: no place name in the title
        place = ""
    return DocumentSettings(body=(committee, PARTY_WORDS["default_body"], "*"), place=place)


# -- reading and setting ------------------------------------------------------------------------

# /vanban keys as typed (folded) → the stored key.
KEYS: Final = {
    "coquan": "body",
    "noi": "place",
    "diadanh": "place",
    "so": "number",
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
OPTIONAL: Final = frozenset({"place", "number", "signer"})

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
    if key == "number":
        return _line(raw, NUMBER_CHARS, key)
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
    return replace(settings, **values)  # type: ignore[arg-type]
