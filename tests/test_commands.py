"""The table of commands is the single source: handlers, names, menus and /help come from it."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import handlers
from bot.transport.telegram import COMMON_ROLES, commands_for, menu
from bot.words import MENU
from handlers.commands import COMMANDS, Command, Where, callables, help_sections

# Handlers the dispatcher (handlers/dispatch.py) routes to for everything that is not a command.
NOT_COMMANDS = {
    "handlers.messages.private_text",
    "handlers.messages.private_media",
    "handlers.messages.group_reply",
    "handlers.messages.button",
    "handlers.messages.unsupported",
    "handlers.messages.unknown_choice",
    "handlers.messages.doubt",
    "handlers.people.group_moved",
    "handlers.people.bot_added",
}


def handler_functions() -> dict[int, str]:
    """Every module-level ``(t)`` callable (a :class:`~handlers.common.Turn`) in the handlers
    package, by identity (the shared helpers of ``handlers.common`` are not handlers)."""
    found: dict[int, str] = {}
    helpers = {id(v) for v in vars(importlib.import_module("handlers.common")).values()}
    names = [m.name for m in pkgutil.iter_modules(handlers.__path__)]
    modules = [handlers] + [importlib.import_module(f"handlers.{name}") for name in names]
    for module in modules:
        for attr, value in vars(module).items():
            if not callable(value) or isinstance(value, type) or id(value) in helpers:
                continue
            if getattr(value, "__module__", "").split(".")[0] != "handlers":
                continue
            try:
                params = list(inspect.signature(value).parameters)
            except (TypeError, ValueError):
                continue
            if params == ["t"]:
                found.setdefault(id(value), f"{module.__name__}.{attr}")
    return found


def test_every_command_handler_is_in_the_table() -> None:
    functions = handler_functions()
    in_table = {id(row.handler) for row in COMMANDS}
    assert in_table <= set(functions), "a row's handler is not a handler of the package"
    missing = {name for key, name in functions.items() if key not in in_table} - NOT_COMMANDS
    assert not missing, f"handlers reachable only outside the table: {sorted(missing)}"
    assert len(functions) == len(in_table) + len(NOT_COMMANDS)


def test_names_and_aliases_are_unique_and_valid_for_telegram() -> None:
    names = [name for row in COMMANDS for name in row.names]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z0-9_]{1,32}", name) for name in names)
    assert set(callables(COMMANDS)) == set(names)
    assert {row.name for row in COMMANDS} >= set(MENU)  # no description for a missing command
    for row in COMMANDS:
        assert set(row.roles) <= {"everyone", "staff", "asker", "head", "leader", "admin"}
    bad = Command("Hoi", lambda t: None, ("everyone",))  # type: ignore[arg-type,return-value]
    for table in ((bad,), (COMMANDS[0], COMMANDS[0])):
        try:
            callables(table)
        except ValueError:
            continue
        raise AssertionError(f"{table} accepted")


def test_nghiviec_is_an_alias_of_ngungthamgia_and_not_in_menus() -> None:
    (row,) = [r for r in COMMANDS if r.name == "ngungthamgia"]
    assert row.aliases == ("nghiviec",) and row.menu == "Ngừng tham gia chương trình"
    names = {c.command for c in commands_for(COMMANDS, {"admin"})}
    assert "ngungthamgia" in names and "nghiviec" not in names


# The menus as they were before the table (main, up to "One catalogue of words"), written out.
MAIN_PRIVATE = [
    ("cauhoi", "Câu hỏi tuần này"),
    ("trangthai", "Tình hình phiên hỏi – đáp"),
    ("lich", "Lịch của chương trình"),
    ("kiemtra", "Kiểm tra lại kết quả bốc thăm"),
    ("timkiem", "Tìm trong các câu trả lời chính thức"),
    ("lichsu", "Các phiên đã kết luận"),
    ("chon", "Chọn chương trình (khi tham gia nhiều nhóm)"),
    ("hoso", "Hồ sơ hỏi – đáp của tôi trong năm"),  # added with the record (issue 9)
    ("thongke", "Số liệu của chương trình và xu hướng"),  # added with the record (issue 9)
    ("huy", "Hủy thao tác đang làm"),
    ("help", "Hướng dẫn sử dụng"),
]
MAIN_GROUP = [
    ("cauhoi", "Câu hỏi tuần này"),
    ("trangthai", "Tình hình phiên hỏi – đáp"),
    ("lich", "Lịch của chương trình"),
    ("traloi", "Gửi câu trả lời (người được bốc thăm)"),
    ("kiemtra", "Kiểm tra lại kết quả bốc thăm"),
    ("timkiem", "Tìm trong các câu trả lời chính thức"),
    ("lichsu", "Các phiên đã kết luận"),
    ("thongke", "Số liệu của chương trình và xu hướng"),  # added with the record (issue 9)
    ("help", "Hướng dẫn sử dụng"),
]
MAIN_ROLES = {
    "head": [
        ("rutlai", "Bốc thăm lại (kèm lý do)"),
        ("bocthamngay", "Bốc thăm ngay (giao ban vừa xong)"),
        ("danhsach", "Hàng đợi câu hỏi"),
        ("xemcauhoi", "Xem một câu hỏi theo số"),
        ("nhansu", "Danh sách cán bộ"),
    ],
    "leader": [
        ("ketluan", "Kết luận câu hỏi tuần này"),
        ("sotay", "Sổ tay hỏi – đáp của năm (tệp Word)"),
        ("danhsach", "Hàng đợi câu hỏi"),
        ("xemcauhoi", "Xem một câu hỏi theo số"),
        ("nhansu", "Danh sách cán bộ"),
    ],
    "admin": [
        ("themcauhoi", "Thêm một câu hỏi"),
        ("danhsach", "Hàng đợi câu hỏi và các phiên tới"),
        ("xemcauhoi", "Xem một câu hỏi theo số"),
        ("xephang", "Đổi thứ tự câu hỏi trong hàng đợi"),
        ("ghim", "Ghim câu hỏi vào phiên của một tuần"),
        ("tamhoan", "Tạm hoãn một câu hỏi"),
        ("tieptuc", "Đưa câu tạm hoãn trở lại hàng đợi"),
        ("loai", "Loại một câu hỏi"),
        ("the", "Gắn thẻ cho câu hỏi"),
        ("xuatcauhoi", "Xuất ngân hàng câu hỏi ra tệp"),
        ("maucauhoi", "Tệp mẫu để nạp câu hỏi"),
        ("nhansu", "Danh sách cán bộ"),
        ("moi", "Tạo liên kết mời"),
        ("vaitro", "Đặt vai trò"),
        ("vangmat", "Ghi nghỉ phép / công tác"),
        ("nghiviec", "Ngừng tham gia"),
        ("datlich", "Xem / đổi lịch"),
        ("dangngay", "Gửi câu hỏi ngay"),
        ("bocthamngay", "Bốc thăm ngay (giao ban vừa xong)"),
        ("nghituan", "Nghỉ tuần này"),
        ("ketluan", "Kết luận thay lãnh đạo"),
        ("sotay", "Sổ tay hỏi – đáp của năm (tệp Word)"),
        ("hoicho", "Câu hỏi của cơ sở chờ duyệt"),
        ("coso", "Danh sách cơ sở gửi câu hỏi"),
    ],
    "asker": [
        ("hoi", "Gửi câu hỏi từ thực tiễn cơ sở"),
        ("cuatoi", "Các câu hỏi tôi đã gửi"),
    ],
}
# What changed on purpose: the rename, and one description per command (a menu showed two
# wordings for the queue and the conclusion depending on the role).
RENAMED = {"nghiviec": "ngungthamgia"}
DESCRIBED = {
    "nghiviec": "Ngừng tham gia chương trình",
    "danhsach": "Hàng đợi câu hỏi và các phiên tới",
    "ketluan": "Kết luận câu hỏi tuần này",
}


# Commands added since, each after the command named.
REGISTER = ("cancu", "Sổ văn bản căn cứ (tình trạng hiệu lực)")
ADDED = {
    "datlich": [("vanban", "Thể thức văn bản (cơ quan ban hành, người ký)")],
    "sotay": [
        ("baocao", "Báo cáo (Word, Excel) và phiếu tổng hợp cán bộ"),
        ("ketluanbosung", "Kết luận bổ sung cho một câu trả lời chính thức"),
    ],
    "maucauhoi": [REGISTER],
}


def now(entries: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out = []
    for n, d in entries:
        out.append((RENAMED.get(n, n), DESCRIBED.get(n, d)))
        out.extend(ADDED.get(n, []))
    return out


def pairs(commands: list[object]) -> list[tuple[str, str]]:
    return [(c.command, c.description) for c in commands]  # type: ignore[attr-defined]


def test_private_and_group_menus_are_as_on_main() -> None:
    assert pairs(menu(COMMANDS, "private", COMMON_ROLES)) == MAIN_PRIVATE
    assert pairs(menu(COMMANDS, "group", COMMON_ROLES)) == MAIN_GROUP


def test_each_roles_menu_is_as_on_main() -> None:
    everyone, tail = MAIN_PRIVATE[:-2], MAIN_PRIVATE[-2:]
    # The admin's and the asker's menus, in main's order.
    assert pairs(commands_for(COMMANDS, {"admin"})) == now(everyone + MAIN_ROLES["admin"] + tail)
    assert pairs(commands_for(COMMANDS, {"asker"})) == now(MAIN_ROLES["asker"] + tail)
    assert pairs(commands_for(COMMANDS, {"asker", "staff"})) == now(
        everyone + MAIN_ROLES["asker"] + tail
    )
    assert pairs(commands_for(COMMANDS, set())) == MAIN_PRIVATE
    # The head's and the leader's: the same commands and words, in the table's order (one order
    # for all menus: the admin's).
    for role in ("head", "leader"):
        got = pairs(commands_for(COMMANDS, {role}))
        assert got[: len(everyone)] == everyone and got[-2:] == tail
        # /baocao is the head's too (after /sotay, which the head's menu does not have); the
        # register of documents is offered to heads and leaders too.
        extra = [*(ADDED["sotay"][:1] if role == "head" else []), REGISTER]
        assert sorted(got[len(everyone) : -2]) == sorted(now(MAIN_ROLES[role]) + extra)
    # Several roles: each command once, everything of each role.
    both = [n for n, _ in pairs(commands_for(COMMANDS, {"head", "leader", "admin", "asker"}))]
    assert len(both) == len(set(both))
    expected = {RENAMED.get(n, n) for entries in MAIN_ROLES.values() for n, _ in entries}
    added = {n for extra in ADDED.values() for n, _ in extra}
    assert set(both) == expected | added | {n for n, _ in MAIN_PRIVATE}


def test_help_lists_the_table_for_the_roles_and_the_chat() -> None:
    def names(roles: set[str], chat: str) -> dict[str, list[str]]:
        return {s["role"]: [c["name"] for c in s["commands"]] for s in help_sections(roles, chat)}

    stranger = names(set(), "private")
    assert list(stranger) == ["everyone", "asker"]
    assert stranger["asker"] == ["hoi", "cuatoi"]
    assert "cauhoi" in stranger["everyone"] and "help" in stranger["everyone"]
    head_admin = names({"head", "admin"}, "private")
    assert list(head_admin) == ["everyone", "head", "admin"]
    assert "danhsach" in head_admin["head"] and "danhsach" not in head_admin["admin"]
    assert {"lienket", "gioihanhoi", "ngungthamgia"} <= set(head_admin["admin"])
    listed = [n for section in head_admin.values() for n in section]
    assert len(listed) == len(set(listed))
    assert "start" not in listed and "boqua" not in listed  # no description: not in /help
    # In a group, commands that only work in private are left out.
    group = names({"admin"}, "group")
    private_rows = {row.name for row in COMMANDS if row.where is Where.PRIVATE}
    assert not private_rows & {n for section in group.values() for n in section}
    assert "nhansu" in group["admin"] and "danhsach" not in group["admin"]
