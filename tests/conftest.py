from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from fakes.harness import Harness, User

if TYPE_CHECKING:
    from bench.sample_year import SampleYear
    from tests.e2e.helpers import Renders

VN = ZoneInfo("Asia/Ho_Chi_Minh")
GROUP = -1001234
GROUP_TITLE = "Giao ban Ban Tổ chức (thử nghiệm)"

ADMIN = User(1001, "Quản", "Trị Viên", "quantri")
HEAD = User(2001, "Lê", "Trưởng Phòng")
LEADER = User(3001, "Phạm", "Lãnh Đạo")
STAFF = [
    User(4001, "An", "Nguyễn"),
    User(4002, "Bình", "Trần"),
    User(4003, "Chi", "Lê"),
]
OUTSIDER = User(9001, "Người", "Ngoài")


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN)  # type: ignore[misc]


@pytest.fixture
def clock() -> ManualClock:
    # Tuesday before the session of Monday 7/12/2026 (publish Fri 4/12 08:00, draw Mon 09:00).
    return ManualClock(vn(2026, 12, 1, 10, 0))


@pytest.fixture
async def harness(tmp_path: Path, clock: ManualClock) -> AsyncIterator[Harness]:
    h = Harness(tmp_path, clock, admins=(ADMIN.id,))
    h.server.group(GROUP, GROUP_TITLE)
    for u in [ADMIN, HEAD, LEADER, *STAFF, OUTSIDER]:
        h.server.user(u.id, u.first_name, u.last_name, u.username)
    await h.start()
    try:
        yield h
    finally:
        await h.close()


@pytest.fixture(autouse=True)
def renders() -> Iterator[Renders]:
    """Which template and context each message of the test came from (tests/e2e/helpers.py)."""
    from tests.e2e.helpers import RENDERS  # here: helpers import this module's users

    yield from RENDERS.recording()


@pytest.fixture(scope="session")
def sample_year(tmp_path_factory: pytest.TempPathFactory) -> SampleYear:
    """The fictional half-year of bench/sample_year.py, lived through the services once per
    session (a few seconds); tests read it and never change what it records."""
    import asyncio

    from bench.sample_year import build

    return asyncio.run(build(tmp_path_factory.mktemp("sample") / "sample.sqlite3"))
