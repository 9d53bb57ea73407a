"""A third channel needs no change to the services: an in-memory channel, written here against
the transport port alone (``bot/transport/port.py``), joins the running bot, and a person on it
joins a program, chooses by pressing, is approved from Telegram and gets the week's question —
through the same dispatcher, handlers, services and outbox as Telegram and Zalo.

The recipe (README «Cấu trúc»): take an address range of your own (``bot/chats.py``), implement
:class:`~bot.transport.port.Channel` (say a reply, show a view, a file, that you are busy, fetch
a file, deliver what is owed), turn what arrives into :class:`~bot.transport.port.Event` s for the
dispatcher, and add the channel to the composition root's list of channels.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from bot.chats import TELEGRAM_LIMIT, ZALO_CHAT_BASE, on_telegram
from bot.models import FileReply, OutboxItem, Reply
from bot.render import plain, render
from bot.transport.port import Busy, Channel, Chat, Event, PartSent, Sender
from bot.words import BUTTONS
from fakes.harness import Harness
from tests.conftest import ADMIN, vn
from tests.e2e.helpers import SAMPLES, bind, sent

BASE = 1 << 56  # the memory channel's addresses: between Telegram's and Zalo's ranges


@dataclass
class Said:
    chat: int
    text: str
    buttons: list[tuple[str, str]]


@dataclass
class MemoryChannel:
    """Everything said is kept in a list; a press is an event with the button's token."""

    name: str = "memory"
    pictures: bool = False
    said: list[Said] = field(default_factory=list)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def owns(self, chat_id: int) -> bool:
        return BASE <= chat_id < ZALO_CHAT_BASE

    def _say(self, chat: int, reply: Reply) -> None:
        text = plain(render(reply.template, {**reply.context, "channel": self.name}))
        buttons = [(b.text, b.token or "") for row in reply.buttons for b in row]
        self.said.append(Said(chat, text, buttons))

    async def reply(self, event: Event, reply: Reply) -> None:
        self._say(event.chat.id, reply)

    async def view(self, event: Event, notice: Reply, view: Reply) -> None:
        self._say(event.chat.id, notice)
        self._say(event.chat.id, view)

    async def file(self, event: Event, file: FileReply) -> None:
        self.said.append(Said(event.chat.id, f"[{file.filename}]", []))

    async def busy(self, event: Event, what: Busy) -> None:
        return None

    async def download(self, event: Event) -> bytes:
        return b""

    async def send(self, item: OutboxItem, part_sent: PartSent | None = None) -> int | None:
        self._say(item.chat_id, Reply(item.template, item.context, item.buttons))
        return None

    def event(self, person: int, text: str | None = None, press: str | None = None) -> Event:
        """What arrives, as an event: «/lệnh …» is a command, anything else text."""
        n = next(self.ids)
        command, args = None, ""
        if text and text.startswith("/"):
            command, _, args = text[1:].partition(" ")
        return Event(
            self.name,
            -(10**12) - n,  # below zero, where Telegram's update ids never are
            Chat(person, "private"),
            Sender(person, "Người dùng thử"),
            vn(2026, 12, 1, 10, 0),
            text=text,
            command=command,
            args=tuple(args.split()),
            args_text=args,
            press=press,
            press_id=f"memory-{n}" if press else None,
            length=len(text or ""),
        )


def test_the_range_is_no_other_channels() -> None:
    assert TELEGRAM_LIMIT < BASE < ZALO_CHAT_BASE
    assert not on_telegram(BASE)


async def test_a_third_channel_joins_without_any_change_to_the_services(
    harness: Harness,
) -> None:
    h = harness
    memory = MemoryChannel()
    channel: Channel = memory  # it is a channel of the port, as typed
    assert h.app is not None
    h.app.bot_data["channels"].append(channel)  # the composition root's list of channels
    await bind(h)
    await h.upload(ADMIN, "cau_hoi_mau.xlsx", (SAMPLES / "cau_hoi_mau.xlsx").read_bytes())
    me = BASE + 1

    async def say(text: str | None = None, press: str | None = None) -> Said:
        before = len(memory.said)
        await h.dispatcher.handle(memory.event(me, text, press), memory)
        await h.settle()
        assert len(memory.said) > before, "nothing said"
        return memory.said[-1]

    assert "họ và tên" in (await say("/start")).text.lower()
    titles = await say("Lê Văn Thử")
    title = dict(titles.buttons)["Chuyên viên"]
    await say(press=title)
    # The admin approves on Telegram; the answer reaches the person on their channel.
    request = h.last_to(ADMIN.id, lambda m: "Lê Văn Thử" in m.plain_text)
    await h.press(ADMIN, request, BUTTONS["approve"])
    assert any("duyệt" in s.text for s in memory.said if s.chat == me)
    # The week's question comes to them like to everyone (the outbox, the delivery policy).
    await h.at(vn(2026, 12, 4, 8, 0))
    session = (await h.core.store.open_sessions(1))[0]
    question = await h.core.store.question(session.question_id or 0)
    assert question is not None
    assert any(question.text[:50] in s.text for s in memory.said if s.chat == me)
    # A command and its answer, through the same dispatcher.
    assert "lịch" in (await say("/lich")).text.lower()
    sent(h.server.sent, "publish_group")  # the Telegram group got its post meanwhile
