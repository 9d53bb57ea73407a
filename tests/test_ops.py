"""Operating the bot: status, backup and restore, webhook mode, state-change logs, deployment."""

from __future__ import annotations

import asyncio
import configparser
import json
import logging
import re
import socket
import sqlite3
import tomllib
from contextlib import closing
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from telegram import Update

from bot.config import ConfigError
from bot.db import latest_version, schema_problems
from bot.render import plain, render
from bot.services.ops import RestoreRefused, restore_database, status_data
from fakes.harness import Harness, User
from hoidap.app import build_application, redact_in_logs, start_core, stop_core, webhook_options
from hoidap.cli import main
from tests.conftest import GROUP, GROUP_TITLE, HEAD, LEADER, STAFF, vn
from tests.e2e.helpers import setup_program, texts
from tests.test_db_upgrade import build, fill_version_1

ROOT = Path(__file__).resolve().parents[1]


async def drawn_user(h: Harness) -> User:
    session = (await h.core.store.open_sessions(1))[0]
    person = await h.core.store.person(session.drawn_person_id or 0)
    assert person is not None
    return next(u for u in STAFF if u.id == person.tg_user_id)


def use_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, db: Path) -> None:
    """The CLI as an operator runs it: settings from the environment, no stray .env."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOIDAP_DB", str(db))
    for name in ("TELEGRAM_BOT_TOKEN", "HOIDAP_TZ", "HOIDAP_ADMINS"):
        monkeypatch.delenv(name, raising=False)


def kept_copies(db: Path) -> list[Path]:
    return sorted(db.parent.glob(f"{db.name}.before-restore-*"))


# -- hoidap status -------------------------------------------------------------------------------


async def test_status_shows_the_session_next_steps_queue_and_recent_problems(
    harness: Harness,
) -> None:
    h = harness
    await setup_program(h)
    # Problems of the week: the head blocked the bot (his copy of the question is not
    # delivered), and a staff member tries an admin's command.
    h.server.block_bot(HEAD.id, emit_update=False)
    await h.at(vn(2026, 12, 4, 8, 0))  # published
    queued = await h.core.store.count_queued(1)
    out = await h.send(STAFF[0], "/nghituan", chat_id=GROUP)
    assert "không có quyền" in texts(out)

    data = await status_data(h.core)
    (program,) = data["programs"]
    assert program["session"]["week"] == "2026-W50"
    assert program["session"]["state"] == "published"
    assert [s["step"] for s in program["steps"]] == ["draw", "remind", "deadline"]
    assert program["steps"][0]["at"] == vn(2026, 12, 7, 9, 0).isoformat()
    assert not any(s["due"] for s in program["steps"])
    assert program["queued"] == queued and len(program["next_questions"]) == min(3, queued)
    assert program["problem_count"] == 1
    assert program["problems"][0]["kind"] == "refused"
    assert "skip" in program["problems"][0]["detail"]
    (failure,) = data["outbox_failures"]
    assert failure["template"] == "publish_private" and failure["chat_id"] == HEAD.id
    assert "Forbidden" in failure["error"]

    text = plain(render("ops_status", data))
    assert f"Chương trình #1: {h.server._chats[GROUP]['title']}" in text
    assert "Phiên tuần 50/2026 (thứ Hai, 07/12/2026): đã gửi câu hỏi, chờ bốc thăm." in text
    assert "• Bốc thăm: 09:00 thứ Hai, 07/12/2026" in text
    assert "• Nhắc người được bốc thăm: 09:45 thứ Hai, 07/12/2026" in text
    assert "• Hạn trả lời: 10:00 thứ Hai, 07/12/2026" in text
    assert f"Hàng đợi: còn {queued} câu hỏi." in text
    assert "Sự cố 7 ngày qua: 1." in text and "bị từ chối" in text
    assert "Tin nhắn không gửi được (đã bỏ):" in text
    assert f"tới {HEAD.id} (mẫu publish_private): Forbidden" in text

    # After the draw the steps ahead change, and the drawn person is named.
    await h.at(vn(2026, 12, 7, 9, 0))
    data = await status_data(h.core)
    (program,) = data["programs"]
    assert program["session"]["state"] == "drawn" and program["drawn"] is not None
    assert [s["step"] for s in program["steps"]] == ["remind", "deadline"]
    assert "Người được bốc thăm:" in plain(render("ops_status", data))


async def test_status_command_reads_the_database_while_the_bot_runs(
    harness: Harness,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    h = harness
    await setup_program(h)
    await h.at(vn(2026, 12, 4, 8, 0))
    use_database(monkeypatch, tmp_path, h.db_path)
    before = h.db_path.read_bytes()
    assert await asyncio.to_thread(main, ["status"]) == 0
    out = capsys.readouterr().out
    assert "TÌNH HÌNH BOT HỎI – ĐÁP" in out
    assert "Phiên tuần 50/2026" in out and "đã gửi câu hỏi, chờ bốc thăm" in out
    assert "Hàng đợi: còn" in out and "Không có tin nhắn nào bị bỏ." in out
    assert "<b>" not in out and "&amp;" not in out  # plain text, not Telegram HTML
    assert h.db_path.read_bytes() == before  # a report never writes


def test_status_of_an_empty_database_and_of_a_missing_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "data" / "hoidap.sqlite3"
    use_database(monkeypatch, tmp_path, db)
    assert main(["status"]) == 2
    assert "không thấy cơ sở dữ liệu" in capsys.readouterr().err
    assert main(["db", "migrate"]) == 0
    capsys.readouterr()
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert "Chưa có chương trình nào" in out and "Đang chờ gửi: 0 tin." in out


# -- backup and restore --------------------------------------------------------------------------


async def test_a_backup_taken_mid_cycle_restores_and_the_cycle_completes(
    harness: Harness,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    h = harness
    await setup_program(h)
    await h.at(vn(2026, 12, 4, 8, 0))
    session_id = (await h.core.store.open_sessions(1))[0].id
    backup = tmp_path / "sao_luu.sqlite3"
    use_database(monkeypatch, tmp_path, h.db_path)
    assert await asyncio.to_thread(main, ["backup", str(backup)]) == 0  # online, bot running

    # The week goes on to its conclusion after the backup.
    await h.at(vn(2026, 12, 7, 9, 0))
    drawn = await drawn_user(h)
    await h.send(drawn, "Câu trả lời trước khi khôi phục.")
    post = h.last_to(GROUP, lambda m: "Câu trả lời của đồng chí" in m.plain_text)
    await h.press(HEAD, post, "Đúng")
    await h.send(LEADER, "/ketluan Kết luận trước khi khôi phục.", chat_id=GROUP)
    assert (await h.core.store.session(session_id)).state == "concluded"  # type: ignore[union-attr]

    # A running bot holds the database: the restore refuses and changes nothing.
    live = h.db_path.read_bytes()
    assert await asyncio.to_thread(main, ["restore", str(backup)]) == 2
    assert "đang được một bot hoidap khác dùng" in capsys.readouterr().err
    assert h.db_path.read_bytes() == live
    assert not kept_copies(h.db_path)

    await h.stop()
    h.clock.set(vn(2026, 12, 7, 9, 20))
    assert await asyncio.to_thread(main, ["restore", str(backup)]) == 0
    out = capsys.readouterr().out
    assert f"Đã khôi phục cơ sở dữ liệu {h.db_path}" in out and "1 chương trình" in out
    (kept,) = kept_copies(h.db_path)
    assert f"được giữ lại tại {kept}" in out
    old = sqlite3.connect(kept)
    assert old.execute("SELECT state FROM sessions WHERE id = ?", (session_id,)).fetchone() == (
        "concluded",
    )
    old.close()

    # The restored bot is back at "published": it catches up the draw and the week completes.
    await h.start()
    await h.settle()
    session = await h.core.store.session(session_id)
    assert session is not None and session.state == "drawn"
    assert len(await h.core.store.draws(session_id)) == 1
    drawn = await drawn_user(h)
    out = await h.send(drawn, "Câu trả lời sau khi khôi phục.")
    assert "Đã nhận câu trả lời" in texts(out)
    post = h.last_to(GROUP, lambda m: "sau khi khôi phục" in m.plain_text)
    answer, _ = await h.press(HEAD, post, "Đúng một phần")
    assert "Đã ghi nhận" in answer["text"]
    await h.send(LEADER, "/ketluan Kết luận sau khi khôi phục.", chat_id=GROUP)
    final = await h.core.store.session(session_id)
    assert final is not None and final.state == "concluded"
    assert final.conclusion == "Kết luận sau khi khôi phục."
    assert [g.verdict for g in await h.core.store.grades(session_id)] == ["partial"]


def _database(path: Path, *, version: int | None = None) -> Path:
    """A hoidap database as the release with schema ``version`` left it (default: the latest),
    holding one program and a week of data; ``version`` above the latest: only the label."""
    build(path, min(version or latest_version(), latest_version()))
    fill_version_1(path)
    if version is not None and version > latest_version():
        with closing(sqlite3.connect(path)) as conn:
            conn.execute(f"PRAGMA user_version = {version}")
    return path


def _foreign(path: Path) -> Path:
    """A SQLite database of some other program."""
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE filler (x TEXT)")
        conn.executemany("INSERT INTO filler VALUES (?)", [("dữ liệu " * 40,)] * 400)
        conn.commit()
    return path


def _text_file(path: Path) -> Path:
    path.write_bytes("Đây là văn bản, không phải cơ sở dữ liệu.\n".encode() * 100)
    return path


def _corrupt(path: Path) -> Path:
    data = bytearray(_database(path).read_bytes())
    data[4096 * 3 : 4096 * 3 + 600] = b"\xa5" * 600  # a b-tree page overwritten
    path.write_bytes(bytes(data))
    return path


BAD_BACKUPS: dict[str, Any] = {
    "not_found": lambda d: d / "khong_co.sqlite3",
    "not_sqlite": lambda d: _text_file(d / "van_ban.sqlite3"),
    "corrupt": lambda d: _corrupt(d / "hong.sqlite3"),
    "schema": lambda d: _foreign(d / "khac.sqlite3"),
    "too_new": lambda d: _database(d / "moi.sqlite3", version=latest_version() + 1),
}


@pytest.mark.parametrize("code", sorted(BAD_BACKUPS))
def test_restore_refuses_a_bad_backup_and_changes_nothing(tmp_path: Path, code: str) -> None:
    target = _database(tmp_path / "hoidap.sqlite3")
    before = target.read_bytes()
    backup = BAD_BACKUPS[code](tmp_path)
    with pytest.raises(RestoreRefused) as refused:
        restore_database(backup, target, vn(2026, 12, 1, 10, 0))
    assert refused.value.code == code
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if "hoidap" in p.name) == ["hoidap.sqlite3"]
    message = plain(render("ops_restore", {"ok": False, "code": code, **refused.value.detail}))
    assert "Không có gì bị thay đổi." in message and "{{" not in message


def _with_triggers(path: Path) -> Path:
    """A real backup someone added triggers to: each would run inside the bot."""
    _database(path)
    with closing(sqlite3.connect(path)) as conn:
        conn.executescript(
            """
            CREATE TRIGGER make_admin AFTER INSERT ON people BEGIN
                UPDATE people SET is_superadmin = 1 WHERE id = NEW.id;
            END;
            CREATE TRIGGER leak_seed AFTER UPDATE OF state ON sessions BEGIN
                UPDATE programs SET title = NEW.seed WHERE id = NEW.program_id;
            END;
            """
        )
    return path


def _bad_version(path: Path) -> Path:
    _database(path)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA user_version = -1")
    return path


def _only_programs(path: Path) -> Path:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE programs (x)")
        conn.execute("INSERT INTO programs VALUES ('Giao ban')")
        conn.execute(f"PRAGMA user_version = {latest_version()}")
        conn.commit()
    return path


@pytest.mark.parametrize(
    ("make", "line"),
    [
        (_with_triggers, "có trigger «make_admin» không thuộc cơ sở dữ liệu của hoidap"),
        (_bad_version, "phiên bản dữ liệu -1 không hợp lệ"),
        (_only_programs, "bảng programs thiếu cột id, chat_id, title"),
    ],
    ids=["triggers", "version-1", "programs-x"],
)
def test_restore_accepts_only_the_schema_of_hoidap(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    make: Any,
    line: str,
) -> None:
    live = _database(tmp_path / "hoidap.sqlite3")
    before = live.read_bytes()
    backup = make(tmp_path / "sao_luu.sqlite3")
    use_database(monkeypatch, tmp_path, live)
    assert main(["restore", str(backup)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and line in err, err
    assert f"Tệp sao lưu {backup} không phải cơ sở dữ liệu của hoidap" in err
    assert "Không có gì bị thay đổi." in err
    assert live.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if "hoidap" in p.name) == ["hoidap.sqlite3"]


@pytest.mark.parametrize("version", [1, latest_version()], ids=["oldest", "latest"])
def test_restore_accepts_a_backup_of_an_older_and_of_the_latest_version(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    version: int,
) -> None:
    """A backup made by `hoidap backup` of a bot that ran an older release restores, and the
    bot upgrades it (to the very schema of a new installation) when it opens it."""
    old = _database(tmp_path / "cu.sqlite3", version=version)
    with closing(sqlite3.connect(old)) as conn:
        conn.execute("ANALYZE")  # planner statistics (PRAGMA optimize) are allowed
    use_database(monkeypatch, tmp_path, old)
    backup = tmp_path / "sao_luu.sqlite3"
    assert main(["backup", str(backup)]) == 0
    live = tmp_path / "data" / "hoidap.sqlite3"
    use_database(monkeypatch, tmp_path, live)
    assert main(["restore", str(backup)]) == 0
    out = capsys.readouterr().out
    assert f"phiên bản dữ liệu {version}" in out and "1 chương trình" in out
    assert main(["db", "migrate"]) == 0  # opens, upgrades and checks it
    with closing(sqlite3.connect(live)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (latest_version(),)
        assert schema_problems(conn) == []
        assert conn.execute("SELECT title FROM programs").fetchone() == (GROUP_TITLE,)


def test_restore_refuses_the_live_file_itself_and_keeps_each_replaced_database(
    tmp_path: Path,
) -> None:
    target = _database(tmp_path / "hoidap.sqlite3")
    with pytest.raises(RestoreRefused) as refused:
        restore_database(target, target, vn(2026, 12, 1, 10, 0))
    assert refused.value.code == "same_file"
    backup = _database(tmp_path / "sao_luu.sqlite3", version=1)
    first = restore_database(backup, target, vn(2026, 12, 1, 10, 0))
    second = restore_database(backup, target, vn(2026, 12, 1, 10, 0))
    assert first.safety_copy is not None and second.safety_copy is not None
    assert first.safety_copy != second.safety_copy  # the same second: a second name
    assert first.safety_copy.name == "hoidap.sqlite3.before-restore-20261201-100000"
    assert first.version == 1 and first.latest == latest_version()
    conn = sqlite3.connect(target)
    assert conn.execute("PRAGMA user_version").fetchone() == (1,)
    conn.close()
    assert not list(tmp_path.glob("*.restoring*"))


def test_restore_into_a_new_place_and_over_a_damaged_database(tmp_path: Path) -> None:
    backup = _database(tmp_path / "sao_luu.sqlite3")
    fresh = tmp_path / "moi" / "hoidap.sqlite3"
    result = restore_database(backup, fresh, vn(2026, 12, 1, 10, 0))
    assert result.safety_copy is None and result.programs == 1
    damaged = _corrupt(tmp_path / "hong.sqlite3")
    damaged_bytes = damaged.read_bytes()
    result = restore_database(backup, damaged, vn(2026, 12, 1, 10, 0))
    assert result.safety_copy is not None
    assert result.safety_copy.read_bytes() == damaged_bytes  # kept byte for byte
    conn = sqlite3.connect(damaged)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()


# -- webhook mode --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_webhook_handles_updates_with_the_secret_only(harness: Harness) -> None:
    h = harness
    await h.stop()  # the same bot, now served by its webhook instead of long polling
    server = h.server
    app = build_application(h.settings, clock=h.clock, rate_limit=False, run_scheduler=False)
    await app.initialize()
    await start_core(app)
    await app.start()
    port, secret = _free_port(), "bi-mat_webhook-123"
    url = f"http://127.0.0.1:{port}/hoidap"
    assert app.updater is not None
    await app.updater.start_webhook(
        listen="127.0.0.1",
        port=port,
        url_path="hoidap",
        webhook_url=url,
        secret_token=secret,
        allowed_updates=Update.ALL_TYPES,
    )
    try:
        (call,) = server.calls("setWebhook")
        assert call.params["url"] == url and call.params["secret_token"] == secret
        server.user(STAFF[0].id, STAFF[0].first_name, STAFF[0].last_name)

        def update(update_id: int, text: str) -> dict[str, Any]:
            return {
                "update_id": update_id,
                "message": {
                    "message_id": update_id,
                    "date": 1_764_000_000,
                    "chat": {"id": STAFF[0].id, "type": "private", "first_name": "An"},
                    "from": {"id": STAFF[0].id, "is_bot": False, "first_name": "An"},
                    "text": text,
                    "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
                },
            }

        mark = server.mark()
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "sai-ma"}):
                async with http.post(url, json=update(901, "/help"), headers=headers) as r:
                    assert r.status == 403
            async with http.post(
                url,
                json=update(902, "/help"),
                headers={"X-Telegram-Bot-Api-Secret-Token": secret},
            ) as r:
                assert r.status == 200
        await asyncio.wait_for(app.update_queue.join(), 10)
        reply = await server.wait_for(lambda m: m.chat_id == STAFF[0].id, after=mark)
        assert reply.plain_text.startswith("📖 Hướng dẫn")
        assert len(server.sent[mark:]) == 1
        core = app.bot_data["deps"].core
        async with core.store.transaction():  # read-only updates are written seen with a change
            pass
        seen = await core.store._all("SELECT update_id FROM seen_updates")
        assert [r["update_id"] for r in seen if r["update_id"] > 900] == [902]
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        await stop_core(app)
        await h.start()  # the fixture closes what it started


def test_webhook_options() -> None:
    options = webhook_options("https://bot.example.org/hoidap/", port=8443)
    assert options.url_path == "hoidap" and options.listen == "0.0.0.0"
    assert re.fullmatch(r"[A-Za-z0-9_-]{40,}", options.secret_token)
    assert webhook_options("https://bot.example.org/x").secret_token != options.secret_token
    assert options.secret_token not in repr(options)
    assert webhook_options("https://b.example.org", secret_token="abc_DEF-1" * 2).url_path == ""
    for bad in (
        {"url": "http://bot.example.org/hoidap"},
        {"url": "https://bot.example.org/hoidap?x=1"},
        {"url": "bot.example.org"},
        {"url": "https://bot.example.org", "port": 0},
        {"url": "https://bot.example.org", "secret_token": "có dấu"},
        {"url": "https://bot.example.org", "secret_token": "x" * 257},
        {"url": "https://bot.example.org", "secret_token": ""},
        {"url": "https://bot.example.org", "secret_token": "ngan-qua_15kytu"},
    ):
        with pytest.raises(ConfigError) as info:
            webhook_options(**bad)
        assert "\n" not in str(info.value)


def test_run_webhook_with_a_bad_url_stops_with_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    use_database(monkeypatch, tmp_path, tmp_path / "hoidap.sqlite3")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:AAAA-bbbb_cccc")
    assert main(["run", "--webhook", "http://bot.example.org/hoidap"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("hoidap: --webhook") and err.count("\n") == 1
    assert not (tmp_path / "hoidap.sqlite3").exists()  # nothing was started


# -- logs ----------------------------------------------------------------------------------------

STATE_LINE = re.compile(
    r"^state program=(?P<program>\d+) week=(?P<week>\S+) step=(?P<step>\S+) "
    r"actor=(?P<actor>lịch tự động|.+? \(#(?P<actor_id>\d+)\))(?: (?P<extra>.*))?$"
)


async def test_each_state_change_is_one_readable_line(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness
    caplog.set_level(logging.INFO, logger="hoidap")
    ids = await setup_program(h)
    await h.at(vn(2026, 12, 4, 8, 0))
    await h.at(vn(2026, 12, 7, 9, 0))
    drawn = await drawn_user(h)
    await h.send(drawn, "Câu trả lời của tuần.")
    post = h.last_to(GROUP, lambda m: "Câu trả lời của đồng chí" in m.plain_text)
    await h.press(HEAD, post, "Đúng")
    await h.send(LEADER, "/ketluan Kết luận của tuần.", chat_id=GROUP)

    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("state ")]
    parsed = [STATE_LINE.match(line) for line in lines]
    assert all(parsed), [line for line, m in zip(lines, parsed, strict=True) if not m]
    week = [m for m in parsed if m and m["week"] == "2026-W50"]
    assert [m["step"] for m in week] == [
        "planned",
        "published",
        "drawn",
        "answered",
        "graded",
        "concluded",
    ]
    by_step = {m["step"]: m for m in week}
    drawn_id = (await h.core.store.person_by_tg(drawn.id)).id  # type: ignore[union-attr]
    assert by_step["published"]["actor"] == by_step["drawn"]["actor"] == "lịch tự động"
    assert by_step["answered"]["actor_id"] == str(drawn_id)
    assert by_step["graded"]["actor_id"] == str(ids["head"])
    assert by_step["graded"]["extra"] == "verdict=correct"
    assert by_step["concluded"]["actor_id"] == str(ids["leader"])
    assert all(m["program"] == "1" for m in week)
    # Roster steps carry no week; every approval is its own line.
    approvals = [m for m in parsed if m and m["step"] == "member_approved"]
    assert len(approvals) == 5 and all(m["week"] == "-" for m in approvals)


def test_secrets_are_scrubbed_from_every_log_record(caplog: pytest.LogCaptureFixture) -> None:
    secret = "987654:SCRUB-me_please"
    redact_in_logs(secret, "<token>")
    logger = logging.getLogger("httpx.test")
    caplog.set_level(logging.DEBUG)
    logger.debug("POST http://h/bot%s/getMe", secret)
    logger.info(f"direct {secret}")
    try:
        raise RuntimeError(f"failed calling /bot{secret}/sendMessage")
    except RuntimeError:
        logger.exception("call failed")
    text = caplog.text
    assert secret not in text and text.count("<token>") == 3
    assert all(secret not in r.getMessage() for r in caplog.records)


# -- deployment files ----------------------------------------------------------------------------


def test_systemd_unit_runs_as_a_dedicated_hardened_user() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(ROOT / "deploy" / "hoidap.service", encoding="utf-8")
    service = unit["Service"]
    assert service["User"] == "hoidap" and service["Group"] == "hoidap"
    assert service["WorkingDirectory"] == "/opt/hoidap"
    assert service["EnvironmentFile"] == "/opt/hoidap/.env"
    assert service["ExecStart"] == "/opt/hoidap/.venv/bin/hoidap run"
    assert service["Restart"] == "on-failure"
    assert service["NoNewPrivileges"] == "yes" and service["ProtectSystem"] == "strict"
    data_dir = service["ReadWritePaths"]
    assert service["Environment"] == f"HOIDAP_DB={data_dir}/hoidap.sqlite3"
    assert service["StateDirectory"] == Path(data_dir).name
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def test_dockerfile_runs_as_non_root_with_a_data_volume() -> None:
    lines = [
        line.strip()
        for line in (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert lines[0] == "FROM python:3.11-slim"
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert 'VOLUME ["/data"]' in lines and "ENV HOIDAP_DB=/data/hoidap.sqlite3" in lines
    copied = " ".join(line for line in lines if line.startswith("COPY "))
    assert ".env" not in copied and "data" not in copied.replace("/data", "")
    assert json.loads(lines[-1].removeprefix("CMD ")) == ["run"]
    # Every package the wheel ships is copied into the image (pip install . builds from them).
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    found = project["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = {name for name in found if "." not in name}
    assert {"hoidap", "bot", "fakes"} <= packages
    assert all(f"COPY {p} ./{p}" in lines for p in packages), packages
