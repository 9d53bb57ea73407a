"""Templates: escaping, Vietnamese dates, splitting at Telegram's limit, whitespace rules."""

from __future__ import annotations

import re
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.render import TELEGRAM_LIMIT, plain, render, split_html, utf16_len
from fakes.fakebotapi import parse_html
from tests.wording import english, for_experts


def test_values_are_escaped() -> None:
    text = render("answer_received", {"program": {"title": '<b>Nhóm</b> & "A"'}})
    assert "&lt;b&gt;Nhóm&lt;/b&gt; &amp;" in text
    parse_html(text)  # Telegram would accept it


def test_missing_context_fails_loudly() -> None:
    from jinja2 import UndefinedError

    with pytest.raises(UndefinedError):
        render("answer_received", {})


def test_no_line_ends_with_an_inline_block_tag() -> None:
    """With trim_blocks, ``text{% endif %}`` at a line end would eat the line break."""
    for entry in resources.files("bot").joinpath("templates").iterdir():
        for n, line in enumerate(entry.read_text(encoding="utf-8").splitlines(), 1):
            s = line.rstrip()
            if s.endswith("%}") and not s.endswith(("+%}", "-%}", "endmacro %}")):
                assert not re.sub(r"\{%.*?%\}", "", s).strip(), f"{entry.name}:{n}: {s}"


def test_split_keeps_tags_balanced_and_under_the_limit() -> None:
    body = "<b>Đậm</b> " + "<blockquote>" + ("Nội dung 🇻🇳 dài &amp; đủ. " * 600) + "</blockquote>"
    parts = split_html(body)
    assert len(parts) > 1
    for part in parts:
        assert utf16_len(part) <= TELEGRAM_LIMIT
        parse_html(part)
    assert plain("".join(parts)).replace(" ", "") == plain(body).replace(" ", "")


def test_one_enormous_word_is_cut() -> None:
    parts = split_html("x" * 9000)
    assert all(len(p) <= TELEGRAM_LIMIT for p in parts) and "".join(parts) == "x" * 9000


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["chữ ", "🇻🇳", "&amp;", "<b>đậm</b> ", "\n", "<i>nghiêng ", "</i>", "a" * 50]
        ),
        max_size=400,
    )
)
def test_split_property(tokens: list[str]) -> None:
    opened = sum(t.count("<i>") for t in tokens) - sum(t.count("</i>") for t in tokens)
    text = "".join(tokens) + "</i>" * max(opened, 0)
    if opened < 0:
        return
    try:
        parse_html(text)
    except ValueError:
        return
    for part in split_html(text, limit=300):
        assert utf16_len(part) <= 300
        parse_html(part)


# -- what people read: Vietnamese words, programmers' notation only inside <code> ---------------

# The expert view of the draw rule (/kiemtra in private) and the admins' usage lines, where «#12»
# is a question's number as /danhsach shows it, keep their notation.
NOTATION_ALLOWED = {"verify_private", "bank_usage"}


def _template_text(source: str) -> str:
    """A template's own words: no Jinja comment, statement or expression, no ``<code>``."""
    source = re.sub(r"\{#.*?#\}", " ", source, flags=re.DOTALL)
    source = re.sub(r"\{%.*?%\}|\{\{.*?\}\}", " ", source, flags=re.DOTALL)
    return source


def test_templates_speak_no_english_and_keep_notation_for_experts() -> None:
    found = {}
    for entry in resources.files("bot").joinpath("templates").iterdir():
        name = entry.name.removesuffix(".j2")
        text = _template_text(entry.read_text(encoding="utf-8"))
        words = english(text) if name in NOTATION_ALLOWED else for_experts(text)
        if words:
            found[name] = words
    assert found == {}


DRAW = {
    "program": {"id": 1, "title": "Giao ban"},
    "session": {"deadline_at": "2026-12-07T10:00:00+07:00"},
    "person": {"id": 4, "name": "Lê Văn Chi", "title": "Chuyên viên"},
    "pool": [{"id": 4, "name": "Lê Văn Chi"}, {"id": 9, "name": "Đỗ Thị Hà"}],
    "pool_size": 2,
    "seed": "ab" * 32,
    "commitment": "cd" * 32,
    "announced": True,
    "next_commitment": "ef" * 32,
    "attempt": 1,
    "no_repeat": True,
    "new_round": False,
    "round_no": 3,
    "away": 1,
    "had_turn": 2,
    "excused": 1,
    "redraw": True,
    "reason": "đồng chí vắng họp",
    "previous": {"id": 3, "name": "Trần Văn Bình"},
}


def test_the_draw_post_says_why_people_were_not_in_the_lot() -> None:
    text = render("draw_group", DRAW)
    parse_html(text)
    said = plain(text)
    assert for_experts(text) == [], said
    assert "Lý do bốc lại: đồng chí vắng họp (thay đồng chí Trần Văn Bình)" in said
    assert "Bốc thăm trong số 2 đồng chí: Lê Văn Chi, Đỗ Thị Hà." in said
    assert "• 1 đồng chí nghỉ phép hoặc đi công tác" in said
    assert "• 1 đồng chí đã được bốc trước đó trong phiên này" in said
    assert "• 2 đồng chí đã được bốc thăm trong vòng 3" in said
    assert "mã kiểm tra của nó là cdcdcdcdcdcd…, trùng với mã đã công bố cùng kết quả" in said
    assert "ab" * 6 not in said  # the seed itself is for /kiemtra in private
    # A new round, and a redraw of a session begun before redraws were committed to.
    old = render("draw_group", {**DRAW, "new_round": True, "had_turn": 0, "announced": False})
    assert for_experts(old) == []
    assert "bắt đầu vòng mới (vòng 3)" in plain(old)
    assert "không có mã kiểm tra công bố trước" in plain(old) and "cdcdcdcdcdcd" not in old
    # Without «no repeats» there are no rounds to speak of.
    free = plain(render("draw_group", {**DRAW, "no_repeat": False, "new_round": True}))
    assert "vòng mới" not in free


CHECK = {
    "attempt": 0,
    "seed": "ab" * 32,
    "commitment": "cd" * 32,
    "commitment_ok": True,
    "pool": "4,9",
    "pool_size": 2,
    "people": [{"id": 4, "name": "Lê Văn Chi"}, {"id": 9, "name": "Đỗ Thị Hà"}],
    "chosen": {"id": 4, "name": "Lê Văn Chi"},
    "recomputed": {"id": 4, "name": "Lê Văn Chi"},
    "ok": True,
}


def test_kiemtra_in_a_group_says_a_mismatch_in_words() -> None:
    bad = {
        **CHECK,
        "attempt": 1,
        "commitment_ok": False,
        "ok": False,
        "recomputed": {"id": 9, "name": "Đỗ Thị Hà"},
    }
    ctx = {"session": {"session_date": "2026-12-07"}, "checks": [CHECK, bad]}
    text = render("verify_group", {**ctx, "next_commitment": None})
    parse_html(text)
    said = plain(text)
    assert for_experts(text) == [] and "abababab" not in said and "cdcdcdcd" not in said
    assert "Lần bốc đầu: ✅ khớp với mã kiểm tra đã công bố cùng câu hỏi" in said
    assert "Lần bốc lại thứ 1: ❌ KHÔNG khớp với mã kiểm tra đã công bố cùng kết quả" in said
    assert "❌ Tính lại ra đồng chí Đỗ Thị Hà, KHÔNG phải người đã công bố." in said
    full = plain(render("verify_private", {**ctx, "next_commitment": "ef" * 32}))
    assert english(full) == []
    assert "❌ Mã băm SHA-256 của mã bí mật KHÔNG khớp với cam kết." in full
    assert "❌ tính lại ra số hiệu 9 (Đỗ Thị Hà)." in full
    assert "ef" * 32 in full
