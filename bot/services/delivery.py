"""Who gets a copy of what the bot owes: the delivery policy, decided here, once.

Services say what is owed to whom (:class:`~bot.models.Message`: a person's address, or a
program's group); :func:`owe` writes it to the outbox (in the caller's transaction) together with
the copies the channels need:

- **A group's post** reaches each active member who is on Zalo privately (the Zalo bot cannot be
  in a group), marked as the group's, without privileged text (the suggested answer), and with
  only the choices that reader may use (a grade for a head, a conclusion for a leader …) — but
  **one message per event per person**: a member who gets a message of their own in the same
  step (the question in private, the head's grading prompt, the drawn person's notice) gets no
  copy of the group's post as well.
- **A message to a person on Telegram** reaches the Zalo accounts linked to them too (both, if
  they use both).

- **Admin notices that wait for one chat together** (every program's «the queue is running
  low» to a bot-wide admin on a Friday) reach it as one digest message
  (``bot/templates/admin_digest.j2``): each notice's own words, in the order they were owed.
  The outbox combines them (:func:`digest`) when they are in hand at the same time.

The channels then only deliver: ``bot/transport/*`` never decides who reads what.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.actions import REGISTRY, ActionKind
from bot.chats import GROUP_COPY, is_group, is_zalo_chat, without_privileged
from bot.core import Core
from bot.models import Buttons, Message, OutboxItem

# The notices an admin gets about a program's running (a week skipped, a step missed while the
# bot was down, the queue low or empty, a schedule that cannot work, messages dropped): several
# waiting for one chat at once are one digest message (at most DIGEST_MAX notices each).
NOTICES = frozenset(
    {
        "queue_low",
        "no_question_admin",
        "missed_admin",
        "week_skipped_admin",
        "settings_invalid_admin",
        "outbox_dropped_admin",
    }
)
DIGEST_MAX = 10


async def owe(core: Core, messages: Sequence[Message]) -> None:
    """Owe ``messages`` and their copies (inside the caller's transaction)."""
    if messages:
        await core.store.enqueue_many(await with_copies(core, messages), core.now())


async def owe_one(
    core: Core,
    chat_id: int,
    template: str,
    context: dict[str, Any],
    buttons: Buttons = (),
    expires_at: datetime | None = None,
) -> None:
    """Owe one message (and its copies)."""
    await owe(core, [Message(chat_id, template, context, buttons, expires_at=expires_at)])


def _program_id(m: Message) -> int | None:
    program = m.context.get("program")
    program_id = program.get("id") if isinstance(program, dict) else None
    return program_id if isinstance(program_id, int) else None


async def with_copies(core: Core, messages: Sequence[Message]) -> list[Message]:
    """``messages`` and the copies the delivery policy gives them (see the module)."""
    store = core.store
    if not await store.any_zalo():
        return list(messages)
    # Who gets something of their own in this step: their address (Telegram id, or Zalo chat).
    privately = {m.chat_id for m in messages if not is_group(m.chat_id)}
    copies: list[Message] = []
    for m in messages:
        if is_zalo_chat(m.chat_id):
            continue
        if is_group(m.chat_id):
            program_id = _program_id(m)
            if program_id is None:
                program = await store.program_by_chat(m.chat_id)
                program_id = program.id if program is not None else None
            if program_id is None:
                continue
            context = {**without_privileged(m.context), GROUP_COPY: True}
            for reader in await store.zalo_members(program_id):
                if reader.address in privately or reader.chat in privately:
                    continue  # one message per event per person
                buttons = usable(m.buttons, reader.roles)
                copies.append(replace(m, chat_id=reader.chat, context=context, buttons=buttons))
        else:
            for chat in await store.zalo_chats_of(m.chat_id):
                copies.append(replace(m, chat_id=chat))
    return [*messages, *copies]


def usable(buttons: Buttons, roles: frozenset[str]) -> Buttons:
    """The buttons a reader with ``roles`` may press (the press is checked again anyway): the
    others are not offered in their copy."""
    rows = []
    for row in buttons:
        kept = tuple(b for b in row if b.kind is None or _offered(b.kind, roles))
        if kept:
            rows.append(kept)
    return tuple(rows)


def _offered(kind: str, roles: frozenset[str]) -> bool:
    try:
        spec = REGISTRY.spec(ActionKind(kind))
    except (ValueError, LookupError):
        return False
    return not spec.offered_to or bool(roles & set(spec.offered_to))


def digestible(item: OutboxItem) -> bool:
    """An admin notice that may go in a digest with others (plain text, not begun)."""
    return (
        item.template in NOTICES
        and not item.buttons
        and item.media_kind is None
        and item.parts_sent == 0
    )


def digest(items: Sequence[OutboxItem]) -> OutboxItem:
    """Several notices owed to one chat as one message: each notice's own template and context,
    in order (rendered per channel by ``admin_digest``)."""
    head = items[0]
    notices = [{"template": i.template, "context": i.context} for i in items]
    return replace(
        head,
        template="admin_digest",
        context={"notices": notices},
        buttons=(),
        expires_at=None,
        parts_sent=0,
    )
