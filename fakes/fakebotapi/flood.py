"""Flood control: per-chat and global windows, answered with 429 and ``retry_after``."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable

from fakes.fakebotapi.models import FloodLimits


class _FloodGate:
    def __init__(self, limits: FloodLimits, clock: Callable[[], float]) -> None:
        self.limits = limits
        self._clock = clock
        self._global: deque[float] = deque()
        self._chats: dict[int, deque[float]] = {}

    def _windows(self, chat_id: int) -> list[tuple[deque[float], int, float]]:
        limits = self.limits
        windows: list[tuple[deque[float], int, float]] = []
        if limits.per_second_global > 0:
            windows.append((self._global, limits.per_second_global, 1.0))
        chat = self._chats.setdefault(chat_id, deque())
        if chat_id < 0:
            if limits.per_group_per_minute > 0:
                windows.append((chat, limits.per_group_per_minute, 60.0))
        elif limits.per_chat_per_second > 0 and limits.per_chat_burst > 0:
            span = limits.per_chat_burst / limits.per_chat_per_second
            windows.append((chat, limits.per_chat_burst, span))
        return windows

    def retry_after(self, chat_id: int) -> int | None:
        """Seconds to wait if a message to ``chat_id`` now would exceed a limit."""
        now = self._clock()
        wait = 0.0
        for window, limit, span in self._windows(chat_id):
            while window and window[0] <= now - span:
                window.popleft()
            if len(window) >= limit:
                wait = max(wait, window[len(window) - limit] + span - now)
        if wait <= 0:
            return None
        return max(1, math.ceil(wait))

    def record(self, chat_id: int) -> None:
        now = self._clock()
        self._global.append(now)
        self._chats.setdefault(chat_id, deque()).append(now)
