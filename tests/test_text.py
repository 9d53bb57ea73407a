"""Cleaning typed text: control characters, direction overrides, spacing, emoji sequences."""

from __future__ import annotations

import pytest

from bot.text import clean_line, clean_lines, has_control_chars

FAMILY = "👨\u200d👩\u200d👧 gia đình"  # an emoji sequence joined by zero-width joiners


@pytest.mark.parametrize(
    ("raw", "line", "lines"),
    [
        ("  Kết   nạp\tđảng viên ", "Kết nạp đảng viên", "Kết nạp đảng viên"),
        ("a\x00b\x07c\x1b[31m", "abc[31m", "abc[31m"),
        ("trái\u202ephải", "tráiphải", "tráiphải"),
        ("dòng 1\r\n\r\n\r\ndòng 2\n", "dòng 1 dòng 2", "dòng 1\n\ndòng 2"),
        ("Cu\u0300ng", "Cùng", "Cùng"),  # combining accent composed (NFC)
        (
            "👨\u200d👩\u200d👧 gia đình",
            "👨\u200d👩\u200d👧 gia đình",
            "👨\u200d👩\u200d👧 gia đình",
        ),
    ],
)
def test_cleaning(raw: str, line: str, lines: str) -> None:
    assert clean_line(raw, 100) == line
    assert clean_lines(raw) == lines


def test_limit_and_detection() -> None:
    assert clean_line("x" * 50, 10) == "x" * 10
    assert has_control_chars("a\x07") and has_control_chars("a\u202eb")
    assert not has_control_chars("dòng\r\nmới\tvà 👍🏽")
