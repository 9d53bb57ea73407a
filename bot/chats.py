"""Where a chat id leads: a Telegram chat, a person's Zalo chat, or a program without a group.

Every message the bot owes is addressed to one integer chat id (the outbox, the people table),
so the other transports get ranges Telegram never uses: Telegram user ids stay below 2**52 and
its group ids above -2**52.

- A Zalo account that wrote to the bot is reached at ``ZALO_CHAT_BASE + zalo_users.id``; a
  person who is only on Zalo has that id as ``people.tg_user_id`` too.
- A program without a Telegram group (``hoidap program create``) is addressed as
  ``NO_GROUP_BASE - n``; what is owed to its "group" goes to its members on Zalo only.
- Another channel takes a range of its own between these (see ``TELEGRAM_LIMIT``); each
  channel's ``owns(chat_id)`` says which addresses are its.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ZALO_CHAT_BASE = 1 << 60
NO_GROUP_BASE = -(1 << 60)
# Telegram's ids stay within 52 bits either way (users and groups); what lies between that and
# the ranges above is free for another channel (tests/test_port.py takes 2**56 on).
TELEGRAM_LIMIT = 1 << 52


def zalo_chat_id(zalo_user_row_id: int) -> int:
    return ZALO_CHAT_BASE + zalo_user_row_id


def is_zalo_chat(chat_id: int) -> bool:
    return chat_id >= ZALO_CHAT_BASE


def is_no_group(chat_id: int) -> bool:
    """A program's chat id when it has no Telegram group."""
    return chat_id <= NO_GROUP_BASE


def is_group(chat_id: int) -> bool:
    """A program's group: a Telegram group, or the no-group of a Zalo-only program."""
    return chat_id < 0


def on_telegram(chat_id: int) -> bool:
    return -TELEGRAM_LIMIT < chat_id < TELEGRAM_LIMIT


# The context key that marks a Zalo copy of what a program's group was sent.
GROUP_COPY = "zalo_group_copy"

# Context keys whose text only the people entitled to it may read, in their private chats.
PRIVILEGED_KEYS = frozenset({"suggested_answer"})


def without_privileged(context: Mapping[str, Any]) -> Mapping[str, Any]:
    """The context with every privileged text removed, at any depth (what a group may see)."""

    def strip(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {k: None if k in PRIVILEGED_KEYS and v else strip(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [strip(v) for v in value]
        return value

    cleaned: Mapping[str, Any] = strip(context)
    return cleaned
