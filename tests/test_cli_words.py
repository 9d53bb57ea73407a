"""The ``hoidap`` command speaks Vietnamese, argparse's own messages included."""

from __future__ import annotations

import argparse
import re
import subprocess
from pathlib import Path

import pytest

from bot.words import ARGPARSE_WORDS
from hoidap.cli import _parser, main
from tests.test_config_cli import run_cli

# What argparse says in English when left alone (Python 3.11).
ENGLISH = re.compile(
    r"usage|error|argument|required|invalid|choice|choose from|show this help|positional"
    r"|options|unrecognized|expected|help message|FILE|PROGRAM|YEAR|POOL|SEED",
)


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, env={"HOIDAP_DB": str(tmp_path / "db.sqlite3")}, cwd=tmp_path)


def test_a_bad_command_is_refused_in_vietnamese(tmp_path: Path) -> None:
    result = _run(tmp_path, "chay")
    assert result.returncode == 2 and not result.stdout
    assert result.stderr == (
        "hoidap: LỆNH: không có lựa chọn 'chay' (chọn một trong: 'run', 'demo', 'questions',"
        " 'db', 'backup', 'restore', 'status', 'verify', 'handbook', 'refs', 'program',"
        " 'report') (xem: hoidap -h)\n"
    )


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["questions", "import"], "hoidap questions import: còn thiếu: TỆP"),
        (["questions"], "hoidap questions: còn thiếu: VIỆC"),
        (["verify", "--seed", "ab"], "hoidap verify: còn thiếu: --pool"),
        (["run", "--port"], "hoidap run: --port: cần một giá trị ngay sau tùy chọn"),
        (["status", "--bogus"], "hoidap: không hiểu phần này của lệnh: --bogus"),
    ],
)
def test_a_missing_or_extra_argument_is_named_in_vietnamese(
    tmp_path: Path, args: list[str], said: str
) -> None:
    result = _run(tmp_path, *args)
    assert result.returncode == 2 and not result.stdout
    assert result.stderr.startswith(said), result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert not ENGLISH.search(result.stderr), result.stderr


@pytest.mark.parametrize(
    "args", [["--help"], ["-h"], ["handbook", "-h"], ["report", "-h"], ["questions", "-h"]]
)
def test_help_is_vietnamese(tmp_path: Path, args: list[str]) -> None:
    result = _run(tmp_path, *args)
    assert result.returncode == 0 and not result.stderr
    out = result.stdout
    assert out.startswith("cách dùng: hoidap")
    assert "tùy chọn:" in out and "-h, --help  " in out and "in hướng dẫn này rồi thoát" in out
    assert not ENGLISH.search(out.replace("--program", "").replace("--year", "")), out


def test_handbook_help_names_every_value_in_vietnamese(tmp_path: Path) -> None:
    out = _run(tmp_path, "handbook", "-h").stdout
    assert "cách dùng: hoidap handbook [-h] [--year NĂM] [--program SỐ] TỆP" in out
    assert "tham số:\n  TỆP" in out


def test_argparse_is_left_as_it_was(capsys: pytest.CaptureFixture[str]) -> None:
    gettext = vars(argparse)["_"]
    assert main(["nope"]) == 2
    assert "không có lựa chọn" in capsys.readouterr().err
    assert vars(argparse)["_"] is gettext
    assert argparse.ArgumentParser(prog="x").format_usage() == "usage: x [-h]\n"
    assert "cách dùng" in _parser().format_usage()


def test_every_translated_message_is_one_argparse_has() -> None:
    source = Path(argparse.__file__).read_text(encoding="utf-8")
    for message in ARGPARSE_WORDS:
        assert repr(message)[1:-1] in source or message.replace("'", "\\'") in source, message
