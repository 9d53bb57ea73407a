"""End-to-end fixtures: every test records which template and context each message came from."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.helpers import RENDERS, Renders


@pytest.fixture(autouse=True)
def renders() -> Iterator[Renders]:
    yield from RENDERS.recording()
