"""Cleaning of text people type, before it is stored or shown."""

from __future__ import annotations

import unicodedata

# Bidirectional embedding/override/isolate controls can make displayed text lie about its order.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _unwanted(ch: str) -> bool:
    # Control characters other than line breaks and tabs, and bidirectional overrides. Other
    # format characters stay: emoji sequences need the zero-width joiner and variation selectors.
    return (unicodedata.category(ch) == "Cc" and ch not in "\n\t") or ch in BIDI_CONTROLS


def has_control_chars(text: str) -> bool:
    return any(_unwanted(ch) for ch in text.replace("\r", ""))


def clean_line(value: str, limit: int) -> str:
    """One line: NFC, no control characters, single spaces, at most ``limit`` characters."""
    value = unicodedata.normalize("NFC", value)
    value = "".join(ch for ch in value if not _unwanted(ch))
    return " ".join(value.split())[:limit].rstrip()


def clean_lines(value: str) -> str:
    """Several lines: NFC, no control characters, single spaces inside lines, no blank-line runs."""
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    value = "".join(ch for ch in value if not _unwanted(ch))
    out: list[str] = []
    for line in value.split("\n"):
        line = " ".join(line.split())
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()
