"""Cleaning typed text: control characters, direction overrides, spacing, emoji sequences."""

from __future__ import annotations

import unicodedata

import pytest

from bot.text import (
    clean_line,
    clean_lines,
    fold,
    fold_word,
    has_control_chars,
    shorten,
    vi_name_key,
)
from questions.importer import normalize_for_match

FAMILY = "👨\u200d👩\u200d👧 gia đình"  # an emoji sequence joined by zero-width joiners


@pytest.mark.parametrize(
    ("raw", "line", "lines"),
    [
        ("  Kết   nạp\tđảng viên ", "Kết nạp đảng viên", "Kết nạp đảng viên"),
        ("a\x00b\x07c\x1b[31m", "abc[31m", "abc[31m"),
        ("trái\u202ephải", "tráiphải", "tráiphải"),
        ("dòng 1\r\n\r\n\r\ndòng 2\n", "dòng 1 dòng 2", "dòng 1\n\ndòng 2"),
        ("Cu\u0300ng", "Cùng", "Cùng"),  # combining accent composed (NFC)
        # A format character between a letter and its accent: dropped, then composed.
        ("Cu\u200b\u0300ng", "Cùng", "Cùng"),
        # Every bidirectional control and mark, zero-width and other format characters.
        (
            "a\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061cb",
            "ab",
            "ab",
        ),
        ("x\u200b\u200c\u2060\ufeff\u00ad\u180e\U000e0041y", "xy", "xy"),
        ("ô\u3164 \u115f trống", "ô trống", "ô trống"),  # fillers that look like nothing
        ("không\u00a0ngắt\u2003cách\u3000rộng", "không ngắt cách rộng", "không ngắt cách rộng"),
        # Every kind of line break; lines of spaces count as blank; blank runs shortened.
        ("a\rb\x0bc\x0cd\x85e\u2028f\u2029g", "a b c d e f g", "a\nb\nc\nd\ne\nf\ng"),
        ("một\n   \n\t\n\n\n\nhai", "một hai", "một\n\nhai"),
        ("lẻ \ud800 và \uffff", "lẻ và", "lẻ và"),  # lone surrogates, noncharacters
        ("bảo ❤\ufe0f nhé", "bảo ❤\ufe0f nhé", "bảo ❤\ufe0f nhé"),  # variation selector kept
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
    assert clean_line("x" * 50) == "x" * 50
    assert (
        has_control_chars("a\x07") and has_control_chars("a\ud800") and has_control_chars("\uffff")
    )
    # Invisible characters are not refused: they are dropped by the cleaning.
    assert not has_control_chars("a\u202eb\u200b\u2066")
    assert not has_control_chars("dòng\r\nmới\tvà 👍🏽\x0b\x0c\x85")


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Đồng chí", "dong chi"),  # đ and Đ
        ("ĐẢNG VIÊN", "dang vien"),  # case
        ("Nghỉ Phép", "nghi phep"),
        ("Trưởng phòng", "truong phong"),  # ư, ơ
        ("Ấp Ủy Ỹ Ạ À", "ap uy y a a"),  # every tone
        ("ăâêôơư", "aaeoou"),  # vowel marks
        ("\u202equản trị", "\u202equan tri"),  # a hidden override stays: no keyword
        ("a-b, c?", "a-b, c?"),  # punctuation and spaces stay
    ],
)
def test_fold(typed: str, folded: str) -> None:
    assert fold(typed) == folded
    # Composed (NFC) and decomposed (NFD, some keyboards and Windows-1258 files) fold alike.
    assert fold(unicodedata.normalize("NFD", typed)) == folded
    assert fold(unicodedata.normalize("NFC", typed)) == folded


def test_look_alike_forms_fold_only_when_asked() -> None:
    assert fold("ＤＵＹＥＴ ²") == "ｄｕｙｅｔ ²"
    assert fold("ＤＵＹＥＴ ²", compatible=True) == "duyet 2"


def test_fold_word_and_the_duplicate_key_are_built_on_fold() -> None:
    assert fold_word(" Nghỉ  phép\t") == "nghiphep"
    assert fold_word("Công tác") == "congtac"
    assert normalize_for_match("Đảng viên  dự-bị?") == "dang vien du bi"
    assert normalize_for_match(unicodedata.normalize("NFD", "Đảng viên")) == "dang vien"
    assert normalize_for_match("Ｑuyết định số ２") == "quyet dinh so 2"
    assert normalize_for_match("chi\u200bbộ \u200d\u202eđảng") == "chibo dang"


def test_shorten_cuts_at_a_word() -> None:
    assert shorten(None, 10) == ""
    assert shorten("Kết nạp đảng viên mới", 15) == "Kết nạp đảng…"


def _sorted(names: list[str]) -> list[str]:
    return sorted(names, key=vi_name_key)


def test_people_sort_by_given_name_then_middle_names_then_surname() -> None:
    names = ["Lê Ư", "Âu Văn Bảo", "Trần Ánh", "Nguyễn Văn An", "Đỗ Thị An"]
    assert _sorted(names) == ["Đỗ Thị An", "Nguyễn Văn An", "Trần Ánh", "Âu Văn Bảo", "Lê Ư"]
    # The same given and middle names: the surname decides (Đ after D).
    assert _sorted(["Đỗ Văn Hùng", "Dương Văn Hùng", "Bùi Văn Hùng"]) == [
        "Bùi Văn Hùng",
        "Dương Văn Hùng",
        "Đỗ Văn Hùng",
    ]
    # Middle names word by word, before the surname.
    assert _sorted(["Anh Thị Ngọc Lan", "Bế Thị Lan", "Cao Ngọc Lan"]) == [
        "Cao Ngọc Lan",
        "Bế Thị Lan",
        "Anh Thị Ngọc Lan",
    ]


def test_the_vietnamese_alphabet_orders_the_letters() -> None:
    # a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y
    assert _sorted(["Ơn", "Ôn", "On", "Ân", "Ăn", "Anh", "An"]) == [
        "An",
        "Anh",
        "Ăn",
        "Ân",
        "On",
        "Ôn",
        "Ơn",
    ]
    assert _sorted(["Ư", "Uy", "Yên", "Xuân", "Vũ"]) == ["Uy", "Ư", "Vũ", "Xuân", "Yên"]
    assert _sorted(["Đức", "Duy", "Giang", "Em", "Ê"]) == ["Duy", "Đức", "Em", "Ê", "Giang"]


def test_tones_count_only_when_the_letters_are_equal() -> None:
    # unmarked, huyền, hỏi, ngã, sắc, nặng
    assert _sorted(["Bạo", "Báo", "Bão", "Bảo", "Bào", "Bao"]) == [
        "Bao",
        "Bào",
        "Bảo",
        "Bão",
        "Báo",
        "Bạo",
    ]
    assert _sorted(["Bạch", "Ba"]) == ["Ba", "Bạch"]  # letters first: "ba" is shorter


def test_case_spaces_and_decomposed_input_make_no_difference() -> None:
    name = "Nguyễn Thị Ánh Tuyết"
    same = [
        name.upper(),
        name.lower(),
        f"  {name.replace(' ', '   ')} ",
        unicodedata.normalize("NFD", name),
    ]
    assert all(vi_name_key(n) == vi_name_key(name) for n in same)
    assert vi_name_key("") < vi_name_key("An")
    assert vi_name_key("@nguyenvan") != vi_name_key("?")  # usernames and unnamed people sort too
