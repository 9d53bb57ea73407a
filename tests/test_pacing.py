"""The overall pace of the bot's messages: at most 30 in any window, on an even grid."""

from __future__ import annotations

from pathlib import Path

from bot.config import Settings
from bot.transport.pacing import SlidingWindow
from hoidap.app import build_application


def test_the_grid_catches_up_but_never_breaks_the_window() -> None:
    w = SlidingWindow(limit=3, window=1.0)
    starts = []
    asked = 0.0
    for _ in range(9):
        planned = w.earliest(asked)
        at = planned + (0.2 if len(starts) == 1 else 0.0)  # the second one wakes up late
        w.started(planned, at)
        starts.append(at)
    # Evenly spaced (1/3 s) from the start; the late one does not shift the grid...
    assert abs(starts[2] - 2 / 3) < 1e-9
    # ...but no window of 1 s ever holds more than 3 starts.
    assert all(starts[i + 3] - starts[i] >= 1.0 - 1e-9 for i in range(len(starts) - 3))


def test_after_a_pause_the_next_message_goes_at_once() -> None:
    w = SlidingWindow(limit=30, window=1.03)
    for i in range(30):
        w.started(w.earliest(i * 0.01), i * 0.01)
    assert w.earliest(100.0) == 100.0


def test_the_bot_paces_with_the_sliding_window(tmp_path: Path) -> None:
    app = build_application(Settings(token="1:x", db_path=tmp_path / "db.sqlite3"))
    limiter = app.bot.rate_limiter
    assert isinstance(getattr(limiter, "_base_limiter", None), SlidingWindow)
