"""Cleaning of text, typed in chat or read from a file, before it is stored or shown.

One set of rules for every path (chat messages, dialogs, question files):

- *Refused* characters (:func:`refused_char`): C0/C1 control characters other than tab and line
  breaks, DEL, lone surrogates and Unicode noncharacters. Question files are refused per row for
  them; chat paths that refuse say so, the others drop them (:func:`clean_line`).
- *Invisible* characters, dropped silently: format characters (category Cf: bidirectional
  embeddings, overrides, isolates and marks, zero-width spaces, soft hyphens, byte order marks,
  tag characters…) except the zero-width joiner that emoji sequences need, and the blank "filler"
  letters that look like nothing. Variation selectors stay (emoji presentation).
- Line breaks of every kind (``\\r\\n``, ``\\r``, vertical tab, form feed, NEL, U+2028, U+2029)
  become ``\\n``; other whitespace (tabs, non-breaking and other Unicode spaces) folds to single
  spaces; decomposed text (NFD, as some keyboards and Windows-1258 files give it) is composed
  (NFC).
"""

from __future__ import annotations

import re
import unicodedata
from itertools import chain
from typing import Final

ZERO_WIDTH_JOINER: Final = "\u200d"
LINE_BREAKS: Final = "\r\x0b\x0c\x85\u2028\u2029"
# Letters that render as nothing (Hangul fillers, Khmer inherent vowels, the combining grapheme
# joiner): Unicode lists them as default-ignorable.
_BLANK_LETTERS: Final = "\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0"

_NONCHARACTERS: Final = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
_REFUSED: Final = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff" + _NONCHARACTERS + "]"
)


def _translation() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    # Format characters exist only in the first two planes and in plane 14 (tags).
    for cp in chain(range(0x20000), range(0xE0000, 0xE1000)):
        ch = chr(cp)
        category = unicodedata.category(ch)
        if (category == "Cf" and ch != ZERO_WIDTH_JOINER) or category in ("Cc", "Cs"):
            table[cp] = None
    for ch in _BLANK_LETTERS:
        table[ord(ch)] = None
    for plane in range(17):
        table[plane * 0x10000 + 0xFFFE] = table[plane * 0x10000 + 0xFFFF] = None
    for cp in range(0xFDD0, 0xFDF0):
        table[cp] = None
    table[ord("\t")] = " "
    table[ord("\n")] = "\n"
    for ch in LINE_BREAKS:
        table[ord(ch)] = "\n"
    return table


_TRANSLATION: Final = _translation()


def refused_char(text: str) -> str | None:
    """The first character of ``text`` that is never accepted (a control character…), or None."""
    found = _REFUSED.search(text)
    return found.group() if found else None


def has_control_chars(text: str) -> bool:
    return refused_char(text) is not None


def strip_invisible(value: str) -> str:
    """Invisible characters and control characters dropped, line breaks as ``\\n``, tabs as spaces.

    No composition (NFC) or folding of spaces: the common first step of the cleaners below and of
    the duplicate key (``questions.importer.normalize_for_match``).
    """
    return value.replace("\r\n", "\n").translate(_TRANSLATION)


def clean_line(value: str, limit: int | None = None) -> str:
    """One line: the rules above, line breaks as spaces, at most ``limit`` characters."""
    value = unicodedata.normalize("NFC", strip_invisible(value))
    value = " ".join(value.split())
    return value if limit is None else value[:limit].rstrip()


def clean_lines(value: str) -> str:
    """Several lines: the rules above, single spaces inside lines, at most one blank line."""
    value = unicodedata.normalize("NFC", strip_invisible(value))
    out: list[str] = []
    for line in value.split("\n"):
        line = " ".join(line.split())
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def shorten(text: str | None, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary, with an ellipsis when cut."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.–-") + "…"


def fold(text: str, compatible: bool = False) -> str:
    """Lowercase without diacritics: the one key for words typed with or without marks.

    Case folded, decomposed (NFD, so NFC and NFD input fold alike), tone and vowel marks
    (category Mn) dropped, ``đ``/``Đ`` as ``d``. Spaces, punctuation and invisible characters
    stay: «Trưởng  Phòng» folds to «truong  phong», and a keyword hiding a direction override
    is not that keyword. ``compatible`` also folds
    look-alike forms (NFKD: full-width letters, superscripts, ligatures; ``²`` → ``2``), as the
    duplicate key of questions does; typed arguments keep them, so «²:00» is no time.
    """
    decomposed = unicodedata.normalize("NFKD" if compatible else "NFD", text.casefold())
    kept = (ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return "".join("d" if ch == "đ" else ch for ch in kept)


def fold_word(text: str) -> str:
    """:func:`fold` without any whitespace, for keywords typed as one word («nghỉ phép»)."""
    return "".join(fold(text).split())


# -- the order of people's names ---------------------------------------------------------------

# The Vietnamese alphabet, with the Latin letters it lacks (f, j, w, z) where Latin puts them.
_ALPHABET: Final = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_RANK: Final = {ch: rank for rank, ch in enumerate(_ALPHABET)}
# Tones, compared after the letters, in the order of Vietnamese dictionaries (Hoàng Phê):
# unmarked (ngang), huyền, hỏi, ngã, sắc, nặng.
_TONE_RANK: Final = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}

WordKey = tuple[tuple[int, ...], tuple[int, ...]]


def _word_key(word: str) -> WordKey:
    """One word: its letters in the Vietnamese alphabet (ă, â, đ, ê, ô, ơ, ư are letters of
    their own), then its tone; other characters after every letter, by code point."""
    decomposed = unicodedata.normalize("NFD", word.casefold())
    tones = tuple(_TONE_RANK[ch] for ch in decomposed if ch in _TONE_RANK)
    letters = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_RANK))
    ranks = tuple(_LETTER_RANK.get(ch, len(_ALPHABET) + ord(ch)) for ch in letters)
    return ranks, tones or (0,)


def vi_name_key(name: str) -> tuple[WordKey, tuple[WordKey, ...], WordKey]:
    """Sort key for a person's name as Vietnamese offices sort lists of people.

    By the given name (the last word), then the middle names in order, then the surname (the
    first word); each word in the Vietnamese alphabet (a ă â b c d đ e ê g h i k l m n o ô ơ p q
    r s t u ư v x y), its tone compared only when the letters are equal (unmarked, huyền, hỏi,
    ngã, sắc, nặng); case, NFC/NFD and extra spaces make no difference. «Đỗ Thị An» < «Nguyễn
    Văn An» < «Trần Ánh» < «Âu Văn Bảo» < «Lê Ư».
    """
    words = [_word_key(w) for w in clean_line(name).split()]
    if not words:
        return ((), ()), (), ((), ())
    if len(words) == 1:
        return words[0], (), ((), ())
    return words[-1], tuple(words[1:-1]), words[0]


def normalize_for_match(text: str) -> str:
    """A key for spotting the same question written differently.

    Lowercase, without diacritics (đ counts as d), without invisible characters (bidirectional
    marks, zero-width spaces…), punctuation treated as spaces, runs of spaces collapsed:
    "Đảng viên dự bị?" and "dang vien  du-bi" give the same key.
    """
    folded = fold(strip_invisible(text), compatible=True)
    # The zero-width joiner is the one format character (Cf) strip_invisible leaves.
    categories = ((ch, unicodedata.category(ch)) for ch in folded)
    out = [" " if cat.startswith("P") else ch for ch, cat in categories if cat != "Cf"]
    return " ".join("".join(out).split())
