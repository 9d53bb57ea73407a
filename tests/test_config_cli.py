"""Settings, the command line, and keeping the token out of logs."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from hoidap.app import TokenFilter

ROOT = Path(__file__).resolve().parents[1]


def test_defaults_and_parsing() -> None:
    s = load_settings({"HOIDAP_ADMINS": "12, 34;56", "HOIDAP_TELEGRAM_API_URL": "http://x:1"})
    assert s.admins == {12, 34, 56}
    assert s.api_url == "http://x:1/bot" and s.file_url == "http://x:1/file/bot"
    assert s.tz == "Asia/Ho_Chi_Minh" and s.token is None


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"TELEGRAM_BOT_TOKEN": "not a token"}, "TELEGRAM_BOT_TOKEN"),
        ({"HOIDAP_ADMINS": "12,abc"}, "HOIDAP_ADMINS"),
        ({"HOIDAP_TZ": "Mars/Olympus"}, "HOIDAP_TZ"),
        ({"HOIDAP_GRACE_MINUTES": "-5"}, "HOIDAP_GRACE_MINUTES"),
        ({"HOIDAP_TELEGRAM_API_URL": "ftp://x"}, "HOIDAP_TELEGRAM_API_URL"),
    ],
)
def test_bad_settings_are_one_clear_line(env: dict[str, str], needle: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(env)
    assert needle in str(info.value) and "\n" not in str(info.value)


def test_token_repr_hidden() -> None:
    s = load_settings({"TELEGRAM_BOT_TOKEN": "123456:SECRET-token_value"})
    assert "SECRET" not in repr(s)


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hoidap", *args],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **env},
        cwd=cwd,
        timeout=60,
    )


def test_cli_config_error_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    result = run_cli("db", "migrate", env={"HOIDAP_TZ": "Nowhere/City"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stderr.strip().count("\n") == 0
    assert "HOIDAP_TZ" in result.stderr


def test_cli_corrupt_database_is_refused_untouched(tmp_path: Path) -> None:
    db = tmp_path / "hoidap.sqlite3"
    db.write_bytes(b"this is not sqlite" * 100)
    result = run_cli("db", "migrate", env={"HOIDAP_DB": str(db)}, cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert db.read_bytes() == b"this is not sqlite" * 100


def test_cli_import_template_and_verify(tmp_path: Path) -> None:
    env = {"HOIDAP_DB": str(tmp_path / "db.sqlite3")}
    assert run_cli("db", "migrate", env=env, cwd=tmp_path).returncode == 0
    result = run_cli(
        "questions",
        "import",
        str(ROOT / "questions/samples/cau_hoi_mau.xlsx"),
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 2 and "/lienket" in result.stderr  # no program yet
    result = run_cli("questions", "template", str(tmp_path / "mau.xlsx"), env=env, cwd=tmp_path)
    assert result.returncode == 0 and (tmp_path / "mau.xlsx").stat().st_size > 0
    seed = "ab" * 32
    result = run_cli("verify", "--seed", seed, "--pool", "3,5,9", env=env, cwd=tmp_path)
    from bot.draw import draw

    assert f"số hiệu {draw(seed, [3, 5, 9])}" in result.stdout
    result = run_cli("--help", env=env, cwd=tmp_path)
    assert "hoidap run" in result.stdout and "hoidap demo" in result.stdout


def test_cli_backup_copies_a_consistent_database(tmp_path: Path) -> None:
    env = {"HOIDAP_DB": str(tmp_path / "db.sqlite3")}
    assert run_cli("db", "migrate", env=env, cwd=tmp_path).returncode == 0
    result = run_cli("backup", str(tmp_path / "copy.sqlite3"), env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    import sqlite3

    conn = sqlite3.connect(tmp_path / "copy.sqlite3")
    assert conn.execute("PRAGMA user_version").fetchone()[0] >= 1
    conn.close()
    again = run_cli("backup", str(tmp_path / "copy.sqlite3"), env=env, cwd=tmp_path)
    assert again.returncode == 2  # never overwrites


def test_token_filter_redacts() -> None:
    record = logging.LogRecord(
        "httpx",
        logging.INFO,
        __file__,
        1,
        "POST https://api/bot%s/getMe",
        ("123:SECRETTOKEN",),
        None,
    )
    assert TokenFilter("123:SECRETTOKEN").filter(record)
    assert "SECRETTOKEN" not in record.getMessage()
