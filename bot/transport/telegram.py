"""Telegram transport: turns the services' plain replies into Bot API calls (PTB)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

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

from bot.core import Core
from bot.models import Buttons, OutboxItem, Reply
from bot.render import render, split_html

log = logging.getLogger("hoidap.telegram")


# Context keys whose text only the people entitled to it may read, in their private chats.
PRIVILEGED_KEYS = frozenset({"suggested_answer"})


def for_chat(chat_id: int, context: Mapping[str, Any]) -> Mapping[str, Any]:
    """The context as it may be shown in ``chat_id``: in a group (negative ids on Telegram)
    privileged text is removed, whichever service built the message (defence in depth)."""
    if chat_id > 0:
        return context

    def strip(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {
                k: None if k in PRIVILEGED_KEYS and v else strip(v) for k, v in value.items()
            }
        if isinstance(value, list | tuple):
            return [strip(v) for v in value]
        return value

    cleaned: Mapping[str, Any] = strip(context)
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

PRIVATE_COMMANDS = [
    ("cauhoi", "Câu hỏi tuần này"),
    ("trangthai", "Tình hình phiên hỏi – đáp"),
    ("lich", "Lịch của chương trình"),
    ("kiemtra", "Kiểm tra lại kết quả bốc thăm"),
    ("timkiem", "Tìm trong các câu trả lời chính thức"),
    ("lichsu", "Các phiên đã kết luận"),
    ("chon", "Chọn chương trình (khi tham gia nhiều nhóm)"),
    ("huy", "Hủy thao tác đang làm"),
    ("help", "Hướng dẫn sử dụng"),
]
GROUP_COMMANDS = [
    ("cauhoi", "Câu hỏi tuần này"),
    ("trangthai", "Tình hình phiên hỏi – đáp"),
    ("lich", "Lịch của chương trình"),
    ("traloi", "Gửi câu trả lời (người được bốc thăm)"),
    ("kiemtra", "Kiểm tra lại kết quả bốc thăm"),
    ("timkiem", "Tìm trong các câu trả lời chính thức"),
    ("lichsu", "Các phiên đã kết luận"),
    ("help", "Hướng dẫn sử dụng"),
]
ROLE_COMMANDS = {
    "head": [
        ("rutlai", "Bốc thăm lại (kèm lý do)"),
        ("bocthamngay", "Bốc thăm ngay (giao ban vừa xong)"),
        ("danhsach", "Hàng đợi câu hỏi"),
        ("xemcauhoi", "Xem một câu hỏi theo số"),
        ("nhansu", "Danh sách cán bộ"),
    ],
    "leader": [
        ("ketluan", "Kết luận câu hỏi tuần này"),
        ("sotay", "Sổ tay hỏi – đáp của năm (tệp Word)"),
        ("danhsach", "Hàng đợi câu hỏi"),
        ("xemcauhoi", "Xem một câu hỏi theo số"),
        ("nhansu", "Danh sách cán bộ"),
    ],
    "admin": [
        ("themcauhoi", "Thêm một câu hỏi"),
        ("danhsach", "Hàng đợi câu hỏi và các phiên tới"),
        ("xemcauhoi", "Xem một câu hỏi theo số"),
        ("xephang", "Đổi thứ tự câu hỏi trong hàng đợi"),
        ("ghim", "Ghim câu hỏi vào phiên của một tuần"),
        ("tamhoan", "Tạm hoãn một câu hỏi"),
        ("tieptuc", "Đưa câu tạm hoãn trở lại hàng đợi"),
        ("loai", "Loại một câu hỏi"),
        ("the", "Gắn thẻ cho câu hỏi"),
        ("xuatcauhoi", "Xuất ngân hàng câu hỏi ra tệp"),
        ("maucauhoi", "Tệp mẫu để nạp câu hỏi"),
        ("nhansu", "Danh sách cán bộ"),
        ("moi", "Tạo liên kết mời"),
        ("vaitro", "Đặt vai trò"),
        ("vangmat", "Ghi nghỉ phép / công tác"),
        ("nghiviec", "Ngừng tham gia"),
        ("datlich", "Xem / đổi lịch"),
        ("dangngay", "Gửi câu hỏi ngay"),
        ("bocthamngay", "Bốc thăm ngay (giao ban vừa xong)"),
        ("nghituan", "Nghỉ tuần này"),
        ("ketluan", "Kết luận thay lãnh đạo"),
        ("sotay", "Sổ tay hỏi – đáp của năm (tệp Word)"),
        ("hoicho", "Câu hỏi của cơ sở chờ duyệt"),
        ("coso", "Danh sách cơ sở gửi câu hỏi"),
    ],
    # Grassroots askers are not members: they only send questions and follow them.
    "asker": [
        ("hoi", "Gửi câu hỏi từ thực tiễn cơ sở"),
        ("cuatoi", "Các câu hỏi tôi đã gửi"),
    ],
}


def commands_for(roles: Sequence[str]) -> list[BotCommand]:
    asker_only = set(roles) == {"asker"}
    seen: dict[str, str] = {} if asker_only else dict(PRIVATE_COMMANDS[:-2])
    for role in ("head", "leader", "admin", "asker"):
        if role in roles:
            for name, desc in ROLE_COMMANDS[role]:
                seen.setdefault(name, desc)
    seen.update(PRIVATE_COMMANDS[-2:])
    return [BotCommand(name, desc) for name, desc in seen.items()]


async def set_command_menus(bot: Bot, core: Core) -> None:
    await bot.set_my_commands(
        [BotCommand(n, d) for n, d in PRIVATE_COMMANDS], scope=BotCommandScopeAllPrivateChats()
    )
    await bot.set_my_commands(
        [BotCommand(n, d) for n, d in GROUP_COMMANDS], scope=BotCommandScopeAllGroupChats()
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
        await refresh_commands(bot, tg_user_id, roles)


async def refresh_commands(bot: Bot, tg_user_id: int, roles: set[str] | frozenset[str]) -> None:
    try:
        await bot.set_my_commands(
            commands_for(sorted(roles)), scope=BotCommandScopeChat(tg_user_id)
        )
    except (BadRequest, Forbidden) as exc:  # the person never opened a chat with the bot
        log.info("command menu for %s not set: %s", tg_user_id, exc.message)
