"""Work off the event loop: a child process for the charts (bot.offload.in_child)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot import offload
from bot.documents import charts
from bot.offload import ChildFailed, in_child
from bot.periods import year_period
from bot.records import Participation
from tests.support import stuck

ROOT = Path(__file__).resolve().parents[1]


async def test_a_function_runs_in_another_process_and_returns_its_result() -> None:
    assert await in_child(os.getpid) != os.getpid()
    assert await in_child(divmod, 17, 5) == (3, 2)
    # What the child prints does not spoil the result.
    assert await in_child(print, "noise") is None


async def test_the_child_does_not_see_the_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:secret")
    monkeypatch.setenv("ZALO_BOT_TOKEN", "zalo-secret")
    monkeypatch.setenv("HOIDAP_ZALO_WEBHOOK_SECRET", "webhook-secret")
    monkeypatch.setenv("HOIDAP_TZ", "Asia/Ho_Chi_Minh")
    assert await in_child(os.getenv, "HOIDAP_TZ") == "Asia/Ho_Chi_Minh"
    assert await in_child(os.getenv, "TELEGRAM_BOT_TOKEN") is None
    assert await in_child(os.getenv, "ZALO_BOT_TOKEN") is None
    assert await in_child(os.getenv, "HOIDAP_ZALO_WEBHOOK_SECRET") is None


async def test_a_failure_in_the_child_is_an_error_here() -> None:
    with pytest.raises(ChildFailed, match="ZeroDivisionError"):
        await in_child(divmod, 1, 0)


class Started:
    """The child processes :func:`in_child` starts, as they start."""

    def __init__(self) -> None:
        self.children: list[asyncio.subprocess.Process] = []
        self.one = asyncio.Event()


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> Started:
    seen = Started()
    start = asyncio.create_subprocess_exec

    async def watched(*args: Any, **kwargs: Any) -> asyncio.subprocess.Process:
        child = await start(*args, **kwargs)
        seen.children.append(child)
        seen.one.set()
        return child

    monkeypatch.setattr(asyncio, "create_subprocess_exec", watched)
    return seen


async def test_a_child_that_hangs_is_killed_and_its_place_freed(
    monkeypatch: pytest.MonkeyPatch, started: Started
) -> None:
    monkeypatch.setattr(offload, "CHILD_TIMEOUT", 0.5)
    async with asyncio.timeout(60):  # without a bound of its own, in_child would wait for ever
        # Both places taken by children that sleep for an hour.
        hung = await asyncio.gather(
            in_child(stuck.forever, "a"), in_child(stuck.forever, "b"), return_exceptions=True
        )
        assert [type(e) for e in hung] == [ChildFailed, ChildFailed], hung
        assert "forever: no result after 0.5 s; killed" in str(hung[0])
        # Killed and reaped (a return code is known only once the process was waited for).
        assert [child.returncode for child in started.children] == [-signal.SIGKILL] * 2
        monkeypatch.setattr(offload, "CHILD_TIMEOUT", 60.0)
        assert await in_child(divmod, 17, 5) == (3, 2)  # a third call gets a place


async def test_a_cancelled_call_kills_its_child(started: Started) -> None:
    call = asyncio.create_task(in_child(stuck.forever))
    await started.one.wait()
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    assert started.children[0].returncode == -signal.SIGKILL


async def test_charts_drawn_in_a_child_are_the_same_bytes_as_here() -> None:
    p = Participation(1, ((1, "A"),), ((2, "B"), (3, "C")))
    drawn = await asyncio.gather(
        in_child(charts.participation, p, "Lượt"),
        in_child(charts.verdicts_by_month, [], year_period(2026), "Năm"),
    )
    assert drawn == [
        charts.participation(p, "Lượt"),
        charts.verdicts_by_month([], year_period(2026), "Năm"),
    ]


PROBE = """
import asyncio, sys
from bot.offload import in_child
from bot.documents import charts
from bot.records import Participation
png = asyncio.run(in_child(charts.participation, Participation(1, (), ()), "T"))
assert png.startswith(b"\\x89PNG")
print(sorted(m for m in ("matplotlib", "numpy") if m in sys.modules))
"""


def test_the_bot_process_never_loads_matplotlib_for_a_chart() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
