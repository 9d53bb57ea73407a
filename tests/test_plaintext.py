"""Telegram HTML as plain text for Zalo, and cutting plain text into messages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jinja2 import ChainableUndefined, Environment, PackageLoader, pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from bot.render import environment
from bot.transport.plaintext import QUOTE_MARK, split_plain, to_plain

TEMPLATES = sorted(
    p.stem for p in (Path(__file__).parent.parent / "bot" / "templates").glob("*.j2")
)
# Telegram's HTML tags (user text such as «<số hiệu>» in a usage line is not one).
_TAG = re.compile(
    r"</?(b|strong|i|em|u|ins|s|strike|del|code|pre|blockquote|a|tg-spoiler|span)(\s[^>]*)?>"
)


def test_inline_marks_keep_only_their_text() -> None:
    html = "<b>Câu hỏi</b> <i>nghiêng</i> <u>gạch</u> <s>bỏ</s> <tg-spoiler>ẩn</tg-spoiler>"
    assert to_plain(html) == "Câu hỏi nghiêng gạch bỏ ẩn"


def test_entities_are_unescaped() -> None:
    assert to_plain("a &amp; b &lt;c&gt; &quot;d&quot; &#39;e&#39;") == "a & b <c> \"d\" 'e'"


def test_quote_lines_are_marked_on_lines_of_their_own() -> None:
    html = "<b>Câu hỏi</b>:\n<blockquote>dòng một\n\ndòng hai</blockquote>\nHết."
    assert to_plain(html) == (
        f"Câu hỏi:\n{QUOTE_MARK}dòng một\n{QUOTE_MARK.rstrip()}\n{QUOTE_MARK}dòng hai\nHết."
    )
    # A quote glued to text still starts a line of its own.
    assert to_plain("Trả lời:<blockquote expandable>x</blockquote>") == f"Trả lời:\n{QUOTE_MARK}x"


def test_links_show_their_address_unless_it_is_the_text() -> None:
    assert to_plain('<a href="https://a.vn/x?y=1&amp;z=2">Tệp</a>') == (
        "Tệp (https://a.vn/x?y=1&z=2)"
    )
    assert to_plain('<a href="https://a.vn">https://a.vn</a>') == "https://a.vn"


def test_code_and_pre_are_kept_as_is() -> None:
    assert to_plain("<code>/traloi  nội dung</code>") == "/traloi  nội dung"
    assert to_plain("<pre>a\n  b</pre>") == "a\n  b"


def test_blank_lines_collapse_and_text_is_stripped() -> None:
    assert to_plain("\n\n<b>a</b>   \n\n\n\n b \n\n") == "a\n\n b"


class _Sample(ChainableUndefined):
    """Any missing value: a sample text with characters that need escaping; iterates once."""

    def __str__(self) -> str:
        return "Mẫu & <giá trị> “x”"

    def __html__(self) -> str:  # autoescaped like any value a template is given
        return str(escape(str(self)))

    def __iter__(self) -> Iterator[Any]:
        yield _Sample()

    def __call__(self, *args: Any, **kwargs: Any) -> _Sample:
        return _Sample()

    def __bool__(self) -> bool:
        return True

    def __len__(self) -> int:
        return 1

    def __int__(self) -> int:
        return 1

    def __lt__(self, other: Any) -> bool:
        return False

    __gt__ = __le__ = __ge__ = __lt__


def _sample_env() -> Environment:
    """The bot's template settings with sample values (a separate environment: the bot's
    own, its filters and its template cache stay untouched)."""
    base = environment()
    env = Environment(
        loader=PackageLoader("bot", "templates"),
        autoescape=True,
        undefined=_Sample,
        trim_blocks=base.trim_blocks,
        lstrip_blocks=base.lstrip_blocks,
        keep_trailing_newline=False,
    )
    for name in base.filters:
        if name not in env.filters:
            env.filters[name] = lambda value, *a, **k: "thứ Hai, 07/12/2026"
    env.globals.update(base.globals)  # the channel, how to press, the names of outcomes

    @pass_context
    def notice(context: Context, owed: Any) -> Markup:
        """A notice inside a digest: a real notice template, driven by the same samples."""
        inner = env.get_template("queue_low.j2")
        return Markup(inner.render(channel=context.get("channel")))

    env.globals["notice"] = notice
    return env


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_reads_as_plain_text(template: str) -> None:
    env = _sample_env()
    try:
        html = env.get_template(f"{template}.j2").render()
    except Exception as exc:  # a template the sample values cannot drive
        pytest.skip(f"sample context not enough: {type(exc).__name__}")
    text = to_plain(html)
    assert not _TAG.search(text)
    if "Mẫu &amp; &lt;giá trị&gt;" in html:  # a value: back as the person wrote it
        assert "Mẫu & <giá trị> “x”" in text
    assert "&amp;" not in text and "&lt;" not in text
    assert "\n\n\n" not in text


def test_most_templates_are_driven_by_the_sample_values() -> None:
    env = _sample_env()
    rendered = 0
    for template in TEMPLATES:
        try:
            env.get_template(f"{template}.j2").render()
        except Exception:
            continue
        rendered += 1
    assert rendered >= 0.9 * len(TEMPLATES)


# ---------------------------------------------------------------- split_plain


def test_short_text_is_one_part() -> None:
    assert split_plain("  xin chào  ") == ["xin chào"]
    assert split_plain("   ") == []


def test_cuts_at_paragraphs_first() -> None:
    text = "a" * 900 + "\n\n" + "b " * 400 + "\n" + "c" * 500
    parts = split_plain(text, 2000)
    assert parts == [text] if len(text) <= 2000 else parts
    long = "a" * 1500 + "\n\n" + "b" * 300 + "\nc" + " d" * 200
    parts = split_plain(long, 2000)
    assert parts[0] == "a" * 1500
    assert all(len(p) <= 2000 for p in parts)


def test_cuts_at_lines_then_spaces_then_hard() -> None:
    assert split_plain("aaaa\nbbbb cccc", 10) == ["aaaa", "bbbb cccc"]
    assert split_plain("aaaa bbbb cccc", 10) == ["aaaa bbbb", "cccc"]
    assert split_plain("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


_words = st.text(alphabet="aăbcđêơ", min_size=1, max_size=12)
_seps = st.sampled_from([" ", "  ", "\n", "\n\n", "\n\n\n", " \n "])


@given(st.lists(st.tuples(_words, _seps), max_size=80), st.integers(min_value=1, max_value=60))
def test_split_property(tokens: list[tuple[str, str]], limit: int) -> None:
    text = "".join(w + s for w, s in tokens)
    parts = split_plain(text, limit)
    assert all(1 <= len(p) <= limit for p in parts)
    assert all(p == p.strip() for p in parts)
    # No character of a word is lost or moved.
    assert "".join("".join(p.split()) for p in parts) == "".join(text.split())
    if all(len(w) <= limit for w, _ in tokens):
        # Words are never cut when each fits: the parts give back the words in order.
        assert [w for p in parts for w in p.split()] == text.split()
