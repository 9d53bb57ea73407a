"""Numbered choices: a reply's buttons for a transport without buttons (Zalo).

:func:`numbered` turns the buttons of a :class:`~bot.models.Reply` into numbered lines after its
text («1. Đúng», «2. Đúng một phần» …; the lines are the template ``choices``) and remembers, for
that person and chat, which token each number stands for. :func:`press_number` takes the number the
person typed and presses that token through the one press path (:func:`bot.actions.press`), so a
number is checked exactly as the button would be: expiry, single use, program, role.

What the numbers stand for is kept in memory only: bounded, and forgotten a day after the buttons
would have expired. After a restart a number gets the refusal ``choice_unknown`` (send the command
again). The caller imports the areas (``bot.services.interact``) so every kind is registered.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.actions import REGISTRY, Outcome, press
from bot.core import Core, Refused
from bot.models import Buttons, Person, Reply
from bot.render import render

# How many conversations keep their numbers; the least recently offered are forgotten first.
MAX_CONVERSATIONS = 10_000
MAX_NUMBER_DIGITS = 3
NUMBER = re.compile(rf"\s*([0-9]{{1,{MAX_NUMBER_DIGITS}}})\s*\.?\s*")

Key = tuple[int | None, int]  # (person id, or None for a group post anyone may answer; chat id)


@dataclass(frozen=True)
class _Offer:
    tokens: dict[int, str]
    expires_at: datetime


# Numbers outlive their buttons a little, so a late number is refused as the button would be
# («nút đã hết hạn»), not as an unknown number.
GRACE = timedelta(days=1)


def longest_ttl() -> timedelta:
    """How long numbers are kept: the longest a registered kind's button lives, and a day."""
    return max((spec.ttl for spec in REGISTRY.specs.values()), default=timedelta(days=14)) + GRACE


class Choices:
    """Number → token for each (person, chat): the latest choices offered there."""

    def __init__(self, limit: int = MAX_CONVERSATIONS, ttl: timedelta | None = None) -> None:
        self._offers: OrderedDict[Key, _Offer] = OrderedDict()
        self._limit = limit
        self._ttl = ttl

    def __len__(self) -> int:
        return len(self._offers)

    def remember(
        self, person_id: int | None, chat_id: int, tokens: dict[int, str], now: datetime
    ) -> None:
        """Replace what the numbers mean in that chat for that person (an empty offer forgets)."""
        key = (person_id, chat_id)
        self._offers.pop(key, None)
        if not tokens:
            return
        self._offers[key] = _Offer(dict(tokens), now + (self._ttl or longest_ttl()))
        while len(self._offers) > self._limit:
            self._offers.popitem(last=False)

    def token(self, person_id: int, chat_id: int, number: int, now: datetime) -> str | None:
        """The token ``number`` stands for: the person's own choices first, then the chat's."""
        for key in ((person_id, chat_id), (None, chat_id)):
            offer = self._offers.get(key)
            if offer is None:
                continue
            if offer.expires_at < now:
                del self._offers[key]
                continue
            if number in offer.tokens:
                return offer.tokens[number]
        return None


def numbered(
    reply: Reply, choices: Choices, person_id: int | None, chat_id: int, now: datetime
) -> str:
    """The reply's text with its buttons as numbered lines (URL buttons as a line with the link);
    the numbers are remembered for ``person_id`` (None: anyone in a group) in ``chat_id``."""
    text = render(reply.template, reply.context)
    lines = offer(reply.buttons, choices, person_id, chat_id, now)
    return f"{text}\n\n{lines}" if lines else text


def offer(
    buttons: Buttons, choices: Choices, person_id: int | None, chat_id: int, now: datetime
) -> str:
    """The buttons as numbered lines (empty without buttons). New numbers replace what that
    person's numbers meant in that chat; a message without numbers leaves them as they were
    (a reminder arriving between the choices and the reply must not void them)."""
    items: list[dict[str, Any]] = []
    tokens: dict[int, str] = {}
    for row in buttons:
        for button in row:
            if button.token is not None:
                number = len(tokens) + 1
                tokens[number] = button.token
                items.append({"number": number, "label": button.text, "url": None})
            elif button.url is not None:
                items.append({"number": None, "label": button.text, "url": button.url})
    if tokens:
        choices.remember(person_id, chat_id, tokens, now)
    if not items:
        return ""
    return render("choices", {"items": items, "numbered": bool(tokens)})


def typed_number(text: str) -> int | None:
    """The number of a choice as typed («2», « 2. »), or None when the text is something else."""
    found = NUMBER.fullmatch(text)
    return int(found.group(1)) if found else None


async def press_number(
    core: Core, choices: Choices, person: Person, chat_id: int, text: str
) -> Outcome | None:
    """Press the choice the person typed the number of; None when the text is not a number."""
    number = typed_number(text)
    if number is None:
        return None
    token = choices.token(person.id, chat_id, number, core.now())
    if token is None:
        raise Refused("choice_unknown", number=number)
    return await press(core, person, token)
