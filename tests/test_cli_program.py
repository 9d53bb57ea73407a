"""``hoidap program create``: a program without a Telegram group, for people on Zalo."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.chats import NO_GROUP_BASE, ZALO_CHAT_BASE
from tests.test_config_cli import run_cli


def _run(tmp_path: Path, *args: str):  # type: ignore[no-untyped-def]
    return run_cli(
        "program", "create", *args, env={"HOIDAP_DB": str(tmp_path / "db.sqlite3")}, cwd=tmp_path
    )


def test_a_program_on_zalo_with_its_admins(tmp_path: Path) -> None:
    result = _run(tmp_path, "Ban Tổ chức Huyện ủy", "--admin", "zalo:abc-123", "--admin", "4242")
    assert result.returncode == 0, result.stderr
    assert "không có nhóm Telegram" in result.stdout and "zalo:abc-123, 4242" in result.stdout
    second = _run(tmp_path, "Ban Dân vận")
    assert second.returncode == 0 and "HOIDAP_ADMINS" in second.stdout
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        programs = db.execute("SELECT id, chat_id, title FROM programs ORDER BY id").fetchall()
        assert [p[2] for p in programs] == ["Ban Tổ chức Huyện ủy", "Ban Dân vận"]
        assert programs[0][1] <= NO_GROUP_BASE and programs[1][1] < programs[0][1]
        admins = db.execute(
            "SELECT p.tg_user_id FROM member_roles r JOIN people p ON p.id = r.person_id "
            "WHERE r.program_id = ? AND r.role = 'admin' ORDER BY p.tg_user_id",
            (programs[0][0],),
        ).fetchall()
        assert admins[0][0] == 4242 and admins[1][0] >= ZALO_CHAT_BASE
        assert db.execute("SELECT zalo_id FROM zalo_users").fetchall() == [("abc-123",)]


def test_bad_arguments_are_refused_in_one_line(tmp_path: Path) -> None:
    blank = _run(tmp_path, "   ")
    assert blank.returncode == 2 and blank.stderr.startswith("hoidap: Tên chương trình")
    bad = _run(tmp_path, "Ban", "--admin", "zalo:có dấu cách")
    assert bad.returncode == 2 and "không phải mã người dùng hợp lệ" in bad.stderr
    assert "Traceback" not in bad.stderr + blank.stderr
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM programs").fetchone() == (0,)
