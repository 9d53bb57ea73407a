"""Telegram HTML (``parse_mode="HTML"``) as Telegram reads it: text and entities."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any, Final

JSON = dict[str, Any]


class EntityParseError(ValueError):
    """Raised for text Telegram would reject with "can't parse entities"."""


_HTML_TAG_TYPES: Final = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES: Final = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8})|(lt|gt|amp|quot));")
_TEXT_RUN = re.compile(r"[^&<]+")


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit Telegram counts in."""
    return len(text.encode("utf-16-le")) // 2


def _decode_entity(match: re.Match[str]) -> str | None:
    decimal, hexadecimal, named = match.groups()
    if named is not None:
        return _NAMED_ENTITIES[named]
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


def _unescape_attribute(value: str) -> str:
    def replace(match: re.Match[str]) -> str:
        decoded = _decode_entity(match)
        return match.group(0) if decoded is None else decoded

    return _ENTITY_RE.sub(replace, value)


@dataclass
class _OpenTag:
    name: str
    start: int  # UTF-16 offset in the output text
    attrs: dict[str, str]
    language: str | None = None


def _close_tag(tag: _OpenTag, end: int, stack: list[_OpenTag], entities: list[JSON]) -> None:
    css_class = tag.attrs.get("class", "")
    if (
        tag.name == "code"
        and stack
        and stack[-1].name == "pre"
        and css_class.startswith("language-")
    ):
        stack[-1].language = css_class.removeprefix("language-")
        return
    length = end - tag.start
    if length <= 0:
        return
    entity: JSON = {"type": _HTML_TAG_TYPES[tag.name], "offset": tag.start, "length": length}
    if tag.name == "a":
        href = tag.attrs.get("href", "")
        if not href:
            return
        entity["url"] = href
    elif tag.name == "pre" and tag.language:
        entity["language"] = tag.language
    elif tag.name == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    elif tag.name == "tg-emoji":
        entity["custom_emoji_id"] = tag.attrs.get("emoji-id", "")
    entities.append(entity)


def parse_html(text: str) -> tuple[str, list[JSON]]:
    """Parse Telegram-flavoured HTML into plain text plus message entities.

    Mirrors the checks of Telegram's own parser closely enough for tests: unknown tags,
    unbalanced or mismatched tags and malformed attributes raise :class:`EntityParseError`
    with Telegram's wording; unknown ``&...;`` sequences are kept literally, like Telegram does.
    """
    out: list[str] = []
    pos = 0
    stack: list[_OpenTag] = []
    entities: list[JSON] = []
    i, n = 0, len(text)

    def byte_offset(index: int) -> int:
        return len(text[:index].encode("utf-8"))

    def emit(chunk: str) -> None:
        nonlocal pos
        out.append(chunk)
        pos += utf16_len(chunk)

    while i < n:
        ch = text[i]
        if ch == "&":
            match = _ENTITY_RE.match(text, i)
            decoded = _decode_entity(match) if match else None
            if match is not None and decoded is not None:
                emit(decoded)
                i = match.end()
            else:
                emit("&")
                i += 1
            continue
        if ch != "<":
            run = _TEXT_RUN.match(text, i)
            assert run is not None
            emit(run.group(0))
            i = run.end()
            continue

        begin = i
        if i + 1 < n and text[i + 1] == "/":
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {byte_offset(begin)}")
            j = i + 2
            while j < n and not text[j].isspace() and text[j] != ">":
                j += 1
            name = text[i + 2 : j].lower()
            while j < n and text[j].isspace():
                j += 1
            if j >= n or text[j] != ">":
                raise EntityParseError(f"Unclosed end tag at byte offset {byte_offset(begin)}")
            tag = stack[-1]
            if name != tag.name:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {byte_offset(begin)}, "
                    f'expected "</{tag.name}>", found "</{name}>"'
                )
            stack.pop()
            _close_tag(tag, pos, stack, entities)
            i = j + 1
            continue

        j = i + 1
        while j < n and not text[j].isspace() and text[j] != ">":
            j += 1
        if j >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
        name = text[i + 1 : j].lower()
        if name not in _HTML_TAG_TYPES:
            raise EntityParseError(
                f'Unsupported start tag "{name}" at byte offset {byte_offset(begin)}'
            )
        attrs: dict[str, str] = {}
        while True:
            while j < n and text[j].isspace():
                j += 1
            if j >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            if text[j] == ">":
                break
            attr_begin = j
            while j < n and not text[j].isspace() and text[j] not in "=>":
                j += 1
            attr = text[attr_begin:j].lower()
            if not attr:
                raise EntityParseError(
                    f'Empty attribute name in the tag "{name}" at byte offset '
                    f"{byte_offset(attr_begin)}"
                )
            while j < n and text[j].isspace():
                j += 1
            if j >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            if text[j] != "=":
                if name == "blockquote" and attr == "expandable":
                    attrs[attr] = ""
                    continue
                raise EntityParseError(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{name}" at byte offset {byte_offset(begin)}'
                )
            j += 1
            while j < n and text[j].isspace():
                j += 1
            if j >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            quote = text[j]
            if quote in "\"'":
                end = text.find(quote, j + 1)
                if end == -1:
                    raise EntityParseError(
                        f"Unclosed start tag at byte offset {byte_offset(begin)}"
                    )
                attrs[attr] = _unescape_attribute(text[j + 1 : end])
                j = end + 1
            else:
                value_begin = j
                while j < n and (text[j].isalnum() or text[j] in ".-_"):
                    j += 1
                attrs[attr] = text[value_begin:j]
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(begin)}'
            )
        stack.append(_OpenTag(name=name, start=pos, attrs=attrs))
        i = j + 1

    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _trim(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Strip surrounding whitespace like Telegram does, keeping entity offsets right."""
    left = text.lstrip()
    lead = utf16_len(text[: len(text) - len(left)])
    core = left.rstrip()
    total = utf16_len(core)
    if lead == 0 and total == utf16_len(text):
        return text, entities
    trimmed: list[JSON] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            trimmed.append({**entity, "offset": start, "length": end - start})
    return core, trimmed


def html_to_plain(text: str) -> str:
    """Visible text of a Telegram HTML message (lenient: never raises)."""
    try:
        plain, _ = parse_html(text)
    except EntityParseError:
        plain = html.unescape(re.sub(r"<[^>]*>", "", text))
    return plain.strip()
