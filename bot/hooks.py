"""Named points in production code where test support may hook in; inert by default.

Production calls :func:`fire` at a few moments (``after_commit`` in ``StoreBase.transaction``,
``after_send`` in ``OutboxWorker``); nothing happens unless a hook was armed for that point.
The crash tests arm them (tests/support/crash.py, imported by the child process that runs the
bot, tests/support/child.py); production code never imports test support.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, Literal

Point = Literal["after_commit", "after_send"]
POINTS: Final[tuple[Point, ...]] = ("after_commit", "after_send")

_armed: dict[Point, Callable[[], None]] = {}


def arm(point: Point, hook: Callable[[], None]) -> None:
    """Call ``hook`` each time production reaches ``point``."""
    if point not in POINTS:
        raise ValueError(f"unknown hook point {point!r}")
    _armed[point] = hook


def disarm(point: Point) -> None:
    _armed.pop(point, None)


def fire(point: Point) -> None:
    """Production reached ``point``: run its hook, if one is armed (one dict lookup if not)."""
    hook = _armed.get(point)
    if hook is not None:
        hook()
