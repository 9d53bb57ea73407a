"""Jinja2 rendering of every user-facing message (Telegram HTML, Vietnamese)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from bot.words import OUTCOME_LABELS, PRESS_WORDS, WEEK_LABEL, WEEKDAYS

# Telegram rejects a message longer than 4096 characters (counted in UTF-16 code units).
TELEGRAM_LIMIT = 4096


def _capitalize(text: str, capital: bool) -> str:
    return text[:1].upper() + text[1:] if capital else text


def weekday_vi(value: date | int, capital: bool = False) -> str:
    """«thứ Hai» … «chủ nhật»; «Thứ Hai» with ``capital`` (a line or sentence starts with it)."""
    idx = value if isinstance(value, int) else value.weekday()
    return _capitalize(WEEKDAYS[idx], capital)


def fmt_date(value: date | str | None, capital: bool = False) -> str:
    """«thứ Hai, 07/12/2026»; in a template ``date_vi(capital=True)`` where it starts a line."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return f"{weekday_vi(value, capital)}, {value:%d/%m/%Y}"


def fmt_day(value: date | str | None) -> str:
    """«20/01/2025»: the date of a document (no weekday)."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return f"{value:%d/%m/%Y}"


def fmt_datetime(value: datetime | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return f"{value:%H:%M} {fmt_date(value.date())}"


def fmt_week(value: str) -> str:
    """An ISO week («2026-W50») as users read it: «tuần 50/2026»."""
    m = re.fullmatch(r"(\d{4})-W(\d{2})", value)
    if m is None:
        raise ValueError(f"not an ISO week: {value!r}")
    return WEEK_LABEL.format(week=int(m.group(2)), year=m.group(1))


def fmt_hex(value: str, keep: int = 12) -> str:
    """A long hex value shortened for a group post: the first ``keep`` digits and «…»."""
    return value if len(value) <= keep else value[:keep] + "…"


def fmt_number(value: int) -> str:
    """A whole number as written in Vietnamese: dots between thousands from 10.000 up."""
    return f"{value:,}".replace(",", ".") if abs(value) >= 10_000 else str(value)


def fmt_time(value: datetime | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return f"{value:%H:%M}"


@pass_context
def press(context: Context, label: str, capital: bool = False) -> str:
    """How a reader picks ``label`` where they read it: a button on Telegram, a number on Zalo."""
    said = PRESS_WORDS.get(str(context.get("channel")), PRESS_WORDS["telegram"])
    return _capitalize(said.format(label=label), capital)


@pass_context
def notice(context: Context, owed: Mapping[str, Any]) -> Markup:
    """A message of its own inside another (a notice in an admin digest), rendered for the same
    channel: ``owed`` is its ``{"template", "context"}``."""
    inner = {**owed["context"], "channel": context.get("channel")}
    return Markup(render(str(owed["template"]), inner))


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("bot", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,  # templates ship with the package; no file check on every render
    )
    env.filters["date_vi"] = fmt_date
    env.filters["day_vi"] = fmt_day
    env.filters["datetime_vi"] = fmt_datetime
    env.filters["time_vi"] = fmt_time
    env.filters["number_vi"] = fmt_number
    env.filters["weekday_vi"] = weekday_vi
    env.filters["week_vi"] = fmt_week
    env.filters["short_hex"] = fmt_hex
    # The one set of names of what became of a turn (bot/words.py).
    env.globals["outcome_labels"] = OUTCOME_LABELS
    # The channel a message is rendered for («zalo» where a channel passes its own name):
    # templates say what fits it (a button or a number, a reply in the group or a private
    # message, a file or a link).
    env.globals["channel"] = "telegram"
    env.globals["press"] = press
    env.globals["notice"] = notice
    return env


# Called with (template, context, text) after every render; tests use it to see which template
# and context produced a message. Empty in production, where it costs one truth test.
RenderObserver = Callable[[str, Mapping[str, Any], str], None]
_observers: list[RenderObserver] = []


def observe(observer: RenderObserver) -> Callable[[], None]:
    """Register ``observer`` for every later render; returns the function that unregisters it."""
    _observers.append(observer)

    def stop() -> None:
        if observer in _observers:
            _observers.remove(observer)

    return stop


def render(template: str, context: Mapping[str, Any] | None = None) -> str:
    """Render ``template`` (name without the ``.j2`` suffix) to Telegram HTML."""
    ctx = context or {}
    text = environment().get_template(f"{template}.j2").render(**ctx)
    # Templates are laid out for readability; collapse runs of blank lines they leave behind.
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    if _observers:
        for observer in tuple(_observers):
            observer(template, ctx, text)
    return text


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


_TOKEN = re.compile(r"(<[^>]*>|&[#a-zA-Z0-9]+;)")
_TAG = re.compile(r"<(/?)([a-zA-Z-]+)[^>]*>")


def split_html(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split Telegram HTML into chunks of at most ``limit`` UTF-16 units.

    Chunks break at paragraph, then line, then word boundaries; a tag or entity is never cut,
    and tags still open at a break are closed and reopened in the next chunk.
    """
    if utf16_len(text) <= limit:
        return [text]
    # Tokens: tags and entities are atomic; text is split into words keeping whitespace.
    atoms: list[str] = []
    for part in _TOKEN.split(text):
        if not part:
            continue
        if _TOKEN.fullmatch(part):
            atoms.append(part)
        else:
            atoms.extend(p for p in re.split(r"(\s+)", part) if p)

    chunks: list[str] = []
    current: list[str] = []
    open_tags: list[tuple[str, str]] = []  # (name, full opening tag)
    reserve = 64  # room for closing tags appended at a break

    def current_len() -> int:
        return sum(utf16_len(a) for a in current)

    def flush() -> None:
        closing = "".join(f"</{name}>" for name, _ in reversed(open_tags))
        body = "".join(current).rstrip()
        if body:
            chunks.append(body + closing)
        current.clear()
        current.extend(tag for _, tag in open_tags)

    size = 0
    for atom in atoms:
        alen = utf16_len(atom)
        if size + alen > limit - reserve and size > 0:
            # Prefer to break at the last paragraph or line break seen in this chunk.
            flush()
            size = current_len()
            if atom.isspace():
                continue
        while alen > limit - reserve - size:
            # A single word longer than a whole message: cut it by characters.
            room = limit - reserve - size
            head, atom = _cut_utf16(atom, room)
            current.append(head)
            flush()
            size = current_len()
            alen = utf16_len(atom)
        current.append(atom)
        size += alen
        m = _TAG.fullmatch(atom)
        if m:
            name = m.group(2).lower()
            if m.group(1):
                for i in range(len(open_tags) - 1, -1, -1):
                    if open_tags[i][0] == name:
                        del open_tags[i]
                        break
            else:
                open_tags.append((name, atom))
    open_tags.clear()
    flush()
    return [c for c in chunks if c.strip()]


def _cut_utf16(word: str, room: int) -> tuple[str, str]:
    n = 0
    for i, ch in enumerate(word):
        n += 2 if ord(ch) > 0xFFFF else 1
        if n > room:
            return word[:i], word[i:]
    return word, ""


def plain(text: str) -> str:
    """Telegram HTML to plain text (for transcripts and logs)."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))
