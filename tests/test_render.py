"""Templates: escaping, Vietnamese dates, splitting at Telegram's limit, whitespace rules."""

from __future__ import annotations

import re
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.render import TELEGRAM_LIMIT, plain, render, split_html, utf16_len
from bot.testing.fakebotapi import parse_html


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
