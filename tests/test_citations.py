"""The citation parser (``bot/citations.py``): the corpus of spellings and near-misses, keys,
symbols, and what the register and the admins' arguments read through it."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.citations import Citation, find_citations, name_key, parse_symbol, scan_lines
from tests.citations_corpus import NEAR_MISSES, SPELLINGS


def test_the_corpus_is_large_enough() -> None:
    assert len(SPELLINGS) >= 100
    assert len(NEAR_MISSES) >= 40


@pytest.mark.parametrize(("text", "lines"), SPELLINGS, ids=[t[:40] for t, _ in SPELLINGS])
def test_every_spelling_is_read_as_its_symbol(text: str, lines: list[str]) -> None:
    assert scan_lines(text) == lines


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_cite_nothing(text: str) -> None:
    assert find_citations(text) == []
    assert scan_lines(text) == []


def test_keys_name_the_document_without_issuer_and_year() -> None:
    (qd,) = find_citations("Quy định số 24-QĐ/TW ngày 30/7/2021")
    assert (qd.key, qd.issuer, qd.year, qd.day) == ("24|QĐ", "TW", 2021, date(2021, 7, 30))
    assert qd.display == "Quy định số 24-QĐ/TW"
    (short,) = find_citations("QĐ 24")
    assert (short.key, short.issuer, short.year) == ("24|QĐ", None, None)
    (decree,) = find_citations("Nghị định 170/2025/NĐ-CP")
    assert (decree.key, decree.issuer, decree.year) == ("170|NĐ", "CP", 2025)
    (law,) = find_citations("Luật số 80/2025/QH15")
    assert (law.key, law.issuer, law.year, law.code) == ("80|", "QH15", 2025, None)
    (named,) = find_citations("Luật Cán bộ công chức")
    assert named.key == name_key("Luật Cán bộ, công chức") == "name:luat can bo cong chuc"
    (charter,) = find_citations("Dieu le Dang")
    assert charter.key == "name:dieu le dang" and charter.symbol == "Điều lệ Đảng"
    # «01» and «1» are the same document; the symbol is written from 01.
    assert find_citations("Hướng dẫn 1-HD/TW")[0].key == find_citations("01-HD/TW")[0].key


def test_a_short_citation_beside_the_full_one_is_that_document() -> None:
    text = "Theo QĐ 24, tức Quy dinh so 24 - QĐ/TW ngay 30/7/2021; xem lại Quy định 24-QĐ/TW."
    assert scan_lines(text) == ["24-QĐ/TW\tQuy định\tngày 30/07/2021"]
    # Two terms' documents with the same number: a bare «HD 01» could be either, so it stays.
    text = "Hướng dẫn 01-HD/TW ngày 5/1/2016, Hướng dẫn 01-HD/TW ngày 28/9/2021 và HD 01."
    assert [line.split("\t")[0] for line in scan_lines(text)] == ["01-HD/TW", "01-HD/TW", "01-HD"]
    # Another issuer is another document; on its own a bare citation keeps what it says.
    assert scan_lines("QĐ 24 và 24-QĐ/TU.") == ["24-QĐ/TU"]
    assert scan_lines("QĐ 24 và 24-QĐ/TU, 24-QĐ/TW.") == ["24-QĐ", "24-QĐ/TU", "24-QĐ/TW"]
    assert scan_lines("Theo QĐ 24.") == ["24-QĐ"]


def test_positions_refer_to_the_text() -> None:
    text = "Theo Quy định số 24-QĐ/TW ngày 30/7/2021 và Điều lệ Đảng thì được."
    found = find_citations(text)
    assert [text[c.start : c.end] for c in found] == [
        "Quy định số 24-QĐ/TW ngày 30/7/2021",
        "Điều lệ Đảng",
    ]


def test_a_date_that_does_not_exist_is_not_read() -> None:
    (c,) = find_citations("Quy định số 24-QĐ/TW ngày 31/2/2021")
    assert c.day is None and c.year is None


def test_the_charter_in_another_documents_title_is_not_cited() -> None:
    found = find_citations("Hướng dẫn số 01-HD/TW về một số vấn đề cụ thể thi hành Điều lệ Đảng")
    assert [c.symbol for c in found] == ["01-HD/TW"]


@pytest.mark.parametrize(
    ("text", "symbol"),
    [
        ("232-QĐ/TW", "232-QĐ/TW"),
        ("Quy định số 232-QĐ/TW ngày 20/01/2025", "232-QĐ/TW"),
        ("  170/2025/nđ-cp ", "170/2025/NĐ-CP"),
        ("Điều lệ Đảng", "Điều lệ Đảng"),
        ("Luật Cán bộ, công chức", "Luật Cán bộ, công chức"),
    ],
)
def test_parse_symbol_reads_one_document(text: str, symbol: str) -> None:
    c = parse_symbol(text)
    assert isinstance(c, Citation) and c.symbol == symbol


@pytest.mark.parametrize(
    "text",
    ["", "abc", "24", "QĐ", "24-QĐ/TW và 01-HD/TW", "24-QĐ/TW xin chào", "tổ 24", "0-HD/TW"],
)
def test_parse_symbol_refuses_anything_else(text: str) -> None:
    assert parse_symbol(text) is None


def test_huge_and_odd_text_is_read_without_fault() -> None:
    odd = "\u202e\u200b\x00\ud800\U0001f600 Quy định\u2028số 24-QĐ/TW \ufeff" * 2000
    found = find_citations(odd)
    assert found and len(found) <= 200
    assert find_citations("9" * 100_000) == []
    assert find_citations("-" * 50_000 + "/" * 50_000) == []


@given(st.text(max_size=300))
def test_any_text_gives_citations_inside_it(text: str) -> None:
    for c in find_citations(text):
        assert 0 <= c.start < c.end
        assert c.symbol and "\n" not in c.line()
