"""What tests read back: sent messages, calls, commands; waiting for the bot to act."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from fakes.fakebotapi.entities import JSON
from fakes.fakebotapi.models import (
    RecordedRequest,
    SentMessage,
)
from fakes.fakebotapi.params import _scope_key
from fakes.fakebotapi.world import World


class Observation(World):
    # ---------------------------------------------------------------- observation

    def mark(self) -> int:
        return len(self.sent)

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        return [message for message in self.sent if message.chat_id == chat_id]

    def calls(self, method: str) -> list[RecordedRequest]:
        return [request for request in self.requests if request.method == method]

    def commands_for(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        return list(self.commands.get(_scope_key(scope, language_code), []))

    @staticmethod
    def scope_key(scope: JSON | None = None, language_code: str = "") -> str:
        """Key of ``commands``: canonical scope JSON, plus ``|lang`` when a language is set."""
        return _scope_key(scope, language_code)

    def describe_sent(self, last: int = 30) -> str:
        lines = []
        start = max(0, len(self.sent) - last)
        for index, message in enumerate(self.sent[start:], start):
            text = message.plain_text.replace("\n", " / ")
            if len(text) > 100:
                text = text[:97] + "..."
            flags = " (deleted)" if message.deleted else ""
            buttons = (
                f" buttons={[label for label, _ in message.buttons()]}" if message.buttons() else ""
            )
            lines.append(
                f"  #{index} chat={message.chat_id} id={message.message_id} {message.kind}"
                f"{flags}: {text!r}{buttons}"
            )
        failures = [request for request in self.requests if request.status != 200][-10:]
        if failures:
            lines.append("  failed requests:")
            lines.extend(
                f"    {request.method} -> {request.status} {request.error or ''}"
                for request in failures
            )
        return "\n".join(lines) if lines else "  (nothing sent)"

    # ---------------------------------------------------------------- waiting helpers

    async def _wait_change(self, seconds: float) -> None:
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.add(waiter)
        try:
            await asyncio.wait_for(waiter, seconds)
        except TimeoutError:
            pass
        finally:
            self._waiters.discard(waiter)

    async def _until(self, predicate: Callable[[], bool], seconds: float) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            await self._wait_change(remaining)
        return True

    async def wait_for(
        self,
        predicate: Callable[[SentMessage], bool],
        timeout: float = 10.0,  # noqa: ASYNC109
        *,
        after: int = 0,
    ) -> SentMessage:
        """First sent message (index >= ``after``) matching ``predicate``, as soon as it exists.

        Re-evaluated on every server event, so predicates over edited text work too.
        """
        found: list[SentMessage] = []

        def check() -> bool:
            for message in self.sent[after:]:
                if predicate(message):
                    found.append(message)
                    return True
            return False

        if await self._until(check, timeout):
            return found[0]
        raise TimeoutError(
            f"no sent message (index >= {after}) matched within {timeout}s; sent so far:\n"
            + self.describe_sent()
        )

    async def wait_for_callback_answer(
        self,
        callback_query_id: str,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> JSON:
        if await self._until(lambda: callback_query_id in self.callback_answers, timeout):
            return self.callback_answers[callback_query_id]
        raise TimeoutError(
            f"callback query {callback_query_id} was not answered within {timeout}s; "
            f"answered: {sorted(self.callback_answers)}"
        )

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> None:
        """Wait until ``predicate()`` holds; re-checked after every request and injection."""
        if not await self._until(predicate, timeout):
            raise TimeoutError(
                f"condition not met within {timeout}s; sent so far:\n" + self.describe_sent()
            )

    async def wait_updates_consumed(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the bot confirmed (via a later getUpdates offset) every queued update."""
        if not await self._until(lambda: not self._pending, timeout):
            ids = [update["update_id"] for update in self._pending]
            raise TimeoutError(f"updates not confirmed within {timeout}s: {ids}")
