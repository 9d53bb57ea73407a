"""Telegram transport: turns the services' plain replies into Bot API calls (PTB)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from telegram.error import BadRequest, Forbidden

from bot.chats import on_telegram, without_privileged
from bot.core import Core
from bot.models import Buttons, OutboxItem, Reply
from bot.render import render, split_html

log = logging.getLogger("hoidap.telegram")


def for_chat(chat_id: int, context: Mapping[str, Any]) -> Mapping[str, Any]:
    """The context as it may be shown in ``chat_id``: in a group (negative ids on Telegram)
    privileged text is removed, whichever service built the message (defence in depth)."""
    if chat_id > 0:
        return context
    cleaned = without_privileged(context)
    if cleaned != context:
        log.error("privileged text kept out of group %s", chat_id)
    return cleaned


def markup(buttons: Buttons) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b.text, url=b.url)
                if b.url
                else InlineKeyboardButton(b.text, callback_data=b.token)
                for b in row
            ]
            for row in buttons
        ]
    )


PartSent = Callable[[int], Awaitable[None]]


async def send_html(
    bot: Bot,
    chat_id: int,
    text: str,
    buttons: Buttons = (),
    reply_to: int | None = None,
    *,
    first_part: int = 0,
    part_sent: PartSent | None = None,
) -> Message:
    """Send possibly long HTML, split at Telegram's limit; buttons go on the last part.

    ``first_part`` skips parts delivered by an earlier attempt; ``part_sent(n)`` is awaited
    after each part but the last with the number of parts delivered so far, so that a retry
    after a failure in the middle never sends a part twice.
    """
    parts = split_html(text)
    message: Message | None = None
    start = min(first_part, len(parts) - 1)
    for i in range(start, len(parts)):
        last = i == len(parts) - 1
        message = await bot.send_message(
            chat_id,
            parts[i],
            reply_markup=markup(buttons) if last else None,
            reply_to_message_id=reply_to if i == 0 else None,
        )
        if not last and part_sent is not None:
            await part_sent(i + 1)
    assert message is not None
    return message


async def send_outbox_item(
    bot: Bot, item: OutboxItem, part_sent: PartSent | None = None
) -> int | None:
    if item.media_kind == "copy" and item.media_ref:
        from_chat, _, message_id = item.media_ref.partition(":")
        copied = await bot.copy_message(item.chat_id, int(from_chat), int(message_id))
        return copied.message_id
    text = render(item.template, for_chat(item.chat_id, item.context))
    message = await send_html(
        bot, item.chat_id, text, item.buttons, first_part=item.parts_sent, part_sent=part_sent
    )
    return message.message_id


async def reply_to(message: Message, reply: Reply) -> None:
    """Answer a user's message in its chat (or in ``reply.chat_id``)."""
    chat_id = reply.chat_id if reply.chat_id is not None else message.chat_id
    text = render(reply.template, for_chat(chat_id, reply.context))
    await send_html(message.get_bot(), chat_id, text, reply.buttons)


# -- command menus, per scope and role -----------------------------------------------------------

# The menus come from the table of commands (``handlers/commands.py``), passed in by the
# composition root: a row is in a menu when it has a description, is meant for menus, is offered
# in that kind of chat and is for one of the roles the menu is for.


class MenuRow(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def roles(self) -> tuple[str, ...]: ...
    @property
    def in_menus(self) -> bool: ...
    @property
    def menu(self) -> str | None: ...
    def offered_in(self, chat_type: str) -> bool: ...


# Everybody's menus (private chats, groups): what anybody and the members use.
COMMON_ROLES = frozenset({"everyone", "staff"})


def menu(table: Sequence[MenuRow], chat_type: str, roles: Iterable[str]) -> list[BotCommand]:
    """The rows for ``roles`` offered in ``chat_type``, in the table's order."""
    wanted = set(roles)
    return [
        BotCommand(row.name, row.menu)
        for row in table
        if row.in_menus
        and row.menu
        and row.offered_in(chat_type)
        and wanted.intersection(row.roles)
    ]


def commands_for(table: Sequence[MenuRow], roles: Iterable[str]) -> list[BotCommand]:
    """One person's private menu: everyone's commands and their roles' commands. A grassroots
    asker who is not a member gets only the askers' commands and everyone's."""
    held = set(roles)
    common = {"everyone"} if held == {"asker"} else COMMON_ROLES
    return menu(table, "private", held | common)


async def set_command_menus(bot: Bot, core: Core, table: Sequence[MenuRow]) -> None:
    await bot.set_my_commands(
        menu(table, "private", COMMON_ROLES), scope=BotCommandScopeAllPrivateChats()
    )
    await bot.set_my_commands(
        menu(table, "group", COMMON_ROLES), scope=BotCommandScopeAllGroupChats()
    )
    people: dict[int, set[str]] = {}
    for program in await core.store.programs():
        for role in ("head", "leader", "admin"):
            for m in await core.store.members_with_role(program.id, role):
                people.setdefault(m.person.tg_user_id, set()).add(role)
    for admin in await core.store.superadmins():
        people.setdefault(admin.tg_user_id, set()).add("admin")
    for tg_user_id, member in await core.store.asker_menu_people():
        people.setdefault(tg_user_id, set()).update({"asker", "staff"} if member else {"asker"})
    for tg_user_id, roles in people.items():
        if on_telegram(tg_user_id):  # people on Zalo only have no Telegram menu
            await refresh_commands(bot, tg_user_id, roles, table)


async def refresh_commands(
    bot: Bot, tg_user_id: int, roles: set[str] | frozenset[str], table: Sequence[MenuRow]
) -> None:
    try:
        await bot.set_my_commands(commands_for(table, roles), scope=BotCommandScopeChat(tg_user_id))
    except (BadRequest, Forbidden) as exc:  # the person never opened a chat with the bot
        log.info("command menu for %s not set: %s", tg_user_id, exc.message)
