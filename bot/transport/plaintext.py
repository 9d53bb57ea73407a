"""The bot's Telegram HTML as plain text for a messenger without formatting (Zalo).

The templates render Telegram HTML (``<b>``, ``<i>``, ``<u>``, ``<s>``, ``<code>``, ``<pre>``,
``<blockquote>``, ``<a href>``, ``<tg-spoiler>`` and entities). :func:`to_plain` keeps the
words and the layout a phone reader needs:

* bold, italic, underline, strike-through, spoilers, code: just their text;
* a quote: each of its lines starts with ``QUOTE_MARK`` (on lines of its own);
* a link: «text (url)», or only the url when the text is the url itself;
* entities unescaped, no tag left, at most one blank line in a row, stripped.

:func:`split_plain` cuts a long text into parts a message can hold.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

QUOTE_MARK = "│ "
PLAIN_LIMIT = 2000  # Zalo's sendMessage: 1–2000 characters


class _Plain(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._links: list[tuple[str, int]] = []  # (href, where the link's text starts)
        self._quotes: list[int] = []  # where each open quote's text starts
        self._after_quote = False  # text right after a quote goes on a line of its own

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = next((v for k, v in attrs if k == "href" and v), "")
            self._links.append((href, len(self.out)))
        elif tag == "blockquote":
            self._quotes.append(len(self.out))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._links:
            href, start = self._links.pop()
            text = "".join(self.out[start:])
            if href and text.strip() != href:
                self.out.append(f" ({href})" if text.strip() else href)
        elif tag == "blockquote" and self._quotes:
            start = self._quotes.pop()
            self._quote(start)

    def handle_data(self, data: str) -> None:
        if self._after_quote and data:
            self._after_quote = False
            if not data.startswith("\n"):
                data = "\n" + data
        self.out.append(data)

    def _quote(self, start: int) -> None:
        body = "".join(self.out[start:]).strip("\n")
        del self.out[start:]
        lines = [(QUOTE_MARK + line).rstrip() for line in body.split("\n")]
        before = "".join(self.out)
        lead = "" if not before or before.endswith("\n") else "\n"
        self.out.append(lead + "\n".join(lines))
        self._after_quote = True

    def text(self) -> str:
        self.close()
        while self._quotes:  # an unclosed quote still reads as a quote
            self._quote(self._quotes.pop())
        return "".join(self.out)


def to_plain(html: str) -> str:
    """Telegram HTML (as the templates render it) to plain text that reads well on a phone."""
    parser = _Plain()
    parser.feed(html)
    text = parser.text()
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def split_plain(text: str, limit: int = PLAIN_LIMIT) -> list[str]:
    """Cut ``text`` into parts of at most ``limit`` characters, never an empty one.

    A part ends at the last paragraph boundary (blank line) that fits, else the last line end,
    else the last space; a word longer than ``limit`` is cut where the limit falls. Whitespace
    at a cut is dropped, so the parts hold the text's words in order.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    rest = text.strip()
    parts: list[str] = []
    while len(rest) > limit:
        for sep in ("\n\n", "\n", " "):
            cut = rest.rfind(sep, 0, limit + 1)
            if cut > 0 and rest[:cut].strip():
                head, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
                break
        else:
            head, rest = rest[:limit], rest[limit:].lstrip()
        parts.append(head)
    if rest:
        parts.append(rest)
    return parts
