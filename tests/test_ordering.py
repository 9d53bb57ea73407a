"""Different people's updates run concurrently; one person's updates never overtake each other."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update, User

from bot.transport.ordering import PerSenderUpdateProcessor


def update(update_id: int, user_id: int) -> Update:
    user = User(user_id, "U", False)
    message = Message(update_id, None, Chat(user_id, "private"), from_user=user, text="x")  # type: ignore[arg-type]
    return Update(update_id, message=message)


async def test_same_sender_in_order_others_concurrently() -> None:
    processor = PerSenderUpdateProcessor(16)
    log: list[str] = []
    release_first = asyncio.Event()

    async def handle(name: str, wait: asyncio.Event | None = None) -> None:
        log.append(f"start {name}")
        if wait is not None:
            await wait.wait()
        log.append(f"end {name}")

    first = asyncio.create_task(
        processor.process_update(update(1, 10), handle("a1", release_first))
    )
    second = asyncio.create_task(processor.process_update(update(2, 10), handle("a2")))
    other = asyncio.create_task(processor.process_update(update(3, 20), handle("b1")))
    await other  # another person is not held up by the first person's slow update
    assert log == ["start a1", "start b1", "end b1"]
    release_first.set()
    await asyncio.gather(first, second)
    assert log[3:] == ["end a1", "start a2", "end a2"]
    assert processor._locks == {}  # nothing kept for people with nothing queued
