"""All handler registration in one commented place."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChatMemberHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.db import DatabaseLost
from bot.models import Reply
from bot.render import render
from handlers import commands, messages, ops, people
from handlers.common import Context, deps, say

log = logging.getLogger("hoidap.handlers")


async def admit(update: Update, context: Context) -> None:
    """Group -1, before any handler: edits and floods dropped (handlers/ops.py), then replays."""
    await ops.gate(update, context)
    await drop_replays(update, context)


async def drop_replays(update: Update, context: Context) -> None:
    """An update handled before (same update_id) changes nothing the second time."""
    core = deps(context).core
    fresh = await core.store.mark_update_seen(update.update_id, core.now())  # one statement
    if not fresh:
        log.info("update %s replayed: ignored", update.update_id)
        raise ApplicationHandlerStop


async def bot_added(update: Update, context: Context) -> None:
    change = update.my_chat_member
    if change is None or change.chat.type == "private":
        return
    if change.new_chat_member.status in ("member", "administrator"):
        await context.bot.send_message(change.chat.id, render("added_to_group"))


async def on_error(update: object, context: Context) -> None:
    """Log with the stack trace; tell the user politely that something went wrong."""
    lost = isinstance(context.error, DatabaseLost)
    if not lost:
        log.error("error while handling an update", exc_info=context.error)
    # (A lost database file was logged in one line when found; the bot is stopping.)
    if isinstance(update, Update):
        try:
            await say(update, Reply("internal_error", alert=True))
        except Exception:  # the error reply itself may fail when Telegram is unreachable
            log.warning("could not tell the user about the error")
    if lost:
        raise ApplicationHandlerStop  # the handlers after this one would fail the same way


def register(app: Application) -> None:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    # Before anything touches the database: edits ignored and floods throttled, then replays.
    app.add_handler(TypeHandler(Update, admit), group=-1)

    # Every command, through one handler that looks it up in the table (handlers/commands.py).
    commands.register(app)

    # Buttons: one press path (bot/actions.py) checks the stored action and the presser's role.
    app.add_handler(CallbackQueryHandler(messages.button))

    # Free text and files.
    app.add_handler(
        MessageHandler(private & filters.TEXT & ~filters.COMMAND, messages.private_text)
    )
    app.add_handler(
        MessageHandler(private & (filters.Document.ALL | filters.VOICE), messages.private_media)
    )
    app.add_handler(
        MessageHandler(
            groups
            & filters.REPLY
            & (filters.TEXT | filters.Document.ALL | filters.VOICE)
            & ~filters.COMMAND,
            messages.group_reply,
        )
    )
    app.add_handler(ChatMemberHandler(bot_added, ChatMemberHandler.MY_CHAT_MEMBER))
    # A group upgraded to a supergroup: its program follows the new chat id.
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, people.group_migrated))

    app.add_error_handler(on_error)
