"""Heavy libraries are imported when first used, not when the bot starts.

openpyxl and PyYAML (question files), python-docx (the handbook), matplotlib (the charts) cost
start-up time and resident memory for features used once a week; a fresh interpreter that
imports ``hoidap.app`` and builds the application must not have loaded them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("openpyxl", "yaml", "docx", "lxml", "matplotlib")

PROBE = """
import json, sys
from hoidap.app import build_application
from bot.config import Settings
build_application(Settings(token="1:x", db_path=sys.argv[1]), run_scheduler=False)
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in sys.argv[2].split(","))))
"""


def loaded_after(code: str, *args: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    loaded: list[str] = json.loads(out.stdout.strip().splitlines()[-1])
    return loaded


def test_building_the_bot_loads_no_heavy_library(tmp_path: Path) -> None:
    assert loaded_after(PROBE, str(tmp_path / "db.sqlite3"), ",".join(HEAVY)) == []


def test_the_probe_sees_a_heavy_library_once_used(tmp_path: Path) -> None:
    used = PROBE.replace("print(", "import questions.importer\nprint(", 1)
    assert "openpyxl" in loaded_after(used, str(tmp_path / "db.sqlite3"), ",".join(HEAVY))
