"""The hook points production code offers to test support (bot/hooks.py)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import hooks
from bot.db import connect
from bot.store import Store

ROOT = Path(__file__).resolve().parents[1]

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def calls() -> Iterator[list[str]]:
    seen: list[str] = []
    hooks.arm("after_commit", lambda: seen.append("commit"))
    try:
        yield seen
    finally:
        hooks.disarm("after_commit")


async def test_an_armed_hook_runs_after_each_commit_and_not_after_a_rollback(
    calls: list[str],
) -> None:
    store = Store(await connect(":memory:"))
    try:
        async with store.transaction():
            await store.log_event("test", NOW)
        assert calls == ["commit"]
        with pytest.raises(RuntimeError):
            async with store.transaction():
                raise RuntimeError("rolled back")
        assert calls == ["commit"]
    finally:
        await store.close()


def test_unarmed_points_do_nothing_and_unknown_points_are_refused() -> None:
    hooks.fire("after_send")
    with pytest.raises(ValueError):
        hooks.arm("after_lunch", lambda: None)  # type: ignore[arg-type]


def test_crash_support_arms_the_hooks_only_when_asked() -> None:
    code = "import tests.support.crash, bot.hooks as h; print(sorted(h._armed))"
    env_on = {"HOIDAP_CRASH_AT": "after_send:3", "PATH": ""}
    armed = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env_on,
        cwd=ROOT,
        check=True,
    )
    assert armed.stdout.strip() == "['after_send']"
    idle = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PATH": ""},
        cwd=ROOT,
        check=True,
    )
    assert idle.stdout.strip() == "[]"
