"""The state of the fake server: the simulated world, what was recorded, the polling queue."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable

from aiohttp import web

from fakes.fakebotapi.entities import JSON
from fakes.fakebotapi.flood import _FloodGate
from fakes.fakebotapi.models import (
    FaultPlan,
    FloodLimits,
    RecordedRequest,
    SentMessage,
    _FailRule,
    _StoredFile,
)
from fakes.fakebotapi.params import _Handler


class ServerState:
    """Every attribute of the server; the layers above add behaviour (world → observation →
    routes → methods → :class:`~fakes.fakebotapi.FakeBotAPI`)."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        bot_id: int = 123456,
        bot_username: str = "hoidap_test_bot",
        flood: FloodLimits | None = None,
        faults: FaultPlan | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token = token
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_user: JSON = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Hoidap Test Bot",
            "username": bot_username,
        }
        self._clock = clock
        self._flood = _FloodGate(flood, clock) if flood is not None else None
        self._faults = faults
        self._fault_rng = random.Random(faults.seed if faults else 0)
        self._outage: str | None = None
        self._rules: list[_FailRule] = []
        self._migrated: dict[int, int] = {}  # old group id -> supergroup id

        # Observation
        self.sent: list[SentMessage] = []
        self.requests: list[RecordedRequest] = []
        self.callback_answers: dict[str, JSON] = {}
        self.commands: dict[str, list[JSON]] = {}
        self.chat_actions: list[tuple[int, str]] = []
        self.injected_updates: list[JSON] = []
        self.flood_429_count = 0
        self.faults_injected = 0
        self.webhook_url = ""

        # World
        self._users: dict[int, JSON] = {}
        self._chats: dict[int, JSON] = {}
        self._blocked: set[int] = set()
        self._members: dict[int, dict[int, str]] = {}
        self._bot_status: dict[int, str] = {}
        self._history: dict[int, dict[int, JSON]] = {}
        self._next_message_id: dict[int, int] = {}
        self._sent_index: dict[tuple[int, int], SentMessage] = {}
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._file_counter = 0
        self._callback_counter = 0
        self._open_callbacks: set[str] = set()

        # Updates and long polling
        self._pending: list[JSON] = []
        self._next_update_id = 1
        self._allowed_updates: frozenset[str] | None = None
        self._poll_generation = 0

        # Waiting and lifecycle
        self._waiters: set[asyncio.Future[None]] = set()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

        self._dispatch: dict[str, tuple[str, _Handler]] = {
            name.lower(): (name, handler) for name, handler in self._handlers().items()
        }

    def _handlers(self) -> dict[str, _Handler]:
        """The Bot API methods served, by name (defined by the server class)."""
        raise NotImplementedError

    def _notify(self) -> None:
        waiters, self._waiters = self._waiters, set()
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)
