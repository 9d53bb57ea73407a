"""What ``pip install`` puts in site-packages: built here, offline, with the installed build
backend, from a copy of the project (as pip builds it), and read back from the wheel.

The wheel holds every module of hoidap/, bot/, handlers/ and questions/, scheduler.py, the
templates, the migrations and the sample question files; of the test machinery only what the
offline demo runs (fakes: the fake servers and the harness), nothing of tests/ or bench/. Building
prints no warning about our configuration (pip shows every warning the backend raises).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.test_import_graph import import_graph

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_PACKAGES = ("hoidap", "bot", "handlers", "questions", "fakes")

BUILD = """
import json, sys, warnings
from setuptools import build_meta
out = sys.argv[1]
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    built = getattr(build_meta, sys.argv[2])(out)
shown = [f"{w.category.__name__}: {w.message}" for w in caught]
with open(out + "/result.json", "w") as f:
    json.dump({"built": built, "warnings": shown}, f)
"""


def _build(source: Path, out: Path, hook: str) -> tuple[Path, list[str]]:
    """Run the build backend's ``hook`` (``build_wheel``, ``build_editable``) in ``source``."""
    out.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", BUILD, str(out), hook],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((out / "result.json").read_text(encoding="utf-8"))
    return out / result["built"], result["warnings"]


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project as a checkout has it, without what running and testing left behind."""
    import setuptools

    major = int(setuptools.__version__.split(".")[0])
    assert major >= 77, f"setuptools {setuptools.__version__}: ./test.sh installs the dev extra"
    copy = tmp_path_factory.mktemp("project") / "hoidap"
    left_behind = shutil.ignore_patterns(
        ".git", ".venv", "__pycache__", "*.egg-info", "build", "dist", "data", ".*_cache",
        ".hypothesis", "*.sqlite3*",
    )  # fmt: skip
    shutil.copytree(ROOT, copy, ignore=left_behind)
    return copy


def _modules(names: list[str]) -> set[str]:
    return {n.removesuffix(".py").removesuffix("/__init__").replace("/", ".") for n in names}


def test_the_wheel_ships_the_application_and_no_test_machinery(
    source: Path, tmp_path: Path
) -> None:
    wheel, warnings = _build(source, tmp_path / "wheel", "build_wheel")
    assert warnings == []
    with zipfile.ZipFile(wheel) as archive:
        names = [n for n in archive.namelist() if ".dist-info/" not in n]

    # Every module of the source tree, and nothing else.
    expected = sorted(
        str(p.relative_to(source))
        for package in SHIPPED_PACKAGES
        for p in (source / package).rglob("*.py")
    )
    assert sorted(n for n in names if n.endswith(".py")) == sorted([*expected, "scheduler.py"])
    data = {n for n in names if not n.endswith(".py")}
    for folder, pattern in [
        ("bot/templates", "*.j2"),
        ("bot/migrations", "*.sql"),
        ("questions/samples", "*.xlsx"),
        ("questions/samples", "*.csv"),
    ]:
        files = {str(p.relative_to(source)) for p in (source / folder).glob(pattern)}
        assert files and files <= data, folder
    assert len([n for n in data if n.startswith("bot/templates/")]) > 200

    # Test machinery: none of tests/ (the bot in a child process, its crash points, ...).
    assert not [n for n in names if n.split("/")[0] in ("tests", "bench", "deploy", "docs")]
    test_only = {p.name for p in (source / "tests" / "support").glob("*.py")} - {"__init__.py"}
    assert {"child.py", "crash.py"} <= test_only
    assert not [n for n in names if n.startswith("fakes/") and Path(n).name in test_only]
    # fakes holds exactly what the offline demo imports, directly or not.
    graph = import_graph()
    needed: set[str] = set()
    todo = ["hoidap.demo"]
    while todo:
        for name in graph[todo.pop()] - needed:
            needed.add(name)
            todo.append(name)
    demo_testing = {n for n in needed if n.startswith("fakes.")} | {"fakes"}
    shipped_testing = {m for m in _modules(names) if m.startswith("fakes")}
    assert shipped_testing == demo_testing


def test_an_editable_install_raises_no_warning(source: Path, tmp_path: Path) -> None:
    _wheel, warnings = _build(source, tmp_path / "editable", "build_editable")
    assert warnings == []
