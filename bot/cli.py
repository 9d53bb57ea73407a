"""The ``hoidap`` command (also ``python -m bot``)."""

from __future__ import annotations

import argparse
import asyncio
import functools
import re
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from bot.config import ConfigError, Settings, load_settings
from bot.db import DatabaseError

MAX_ATTEMPT = 10_000  # redraws within one session, for ``verify --attempt``
PROGRAM_HELP = "số của chương trình (khi có nhiều nhóm)"

if TYPE_CHECKING:
    from bot.args import NumberKind
    from bot.models import FileReply, Program
    from bot.store import Store

DESCRIPTION = """\
hoidap – bot điều hành chương trình «Cơ sở hỏi, cán bộ tổ chức trả lời» trên Telegram.

Chạy bot:            hoidap run        (không có TELEGRAM_BOT_TOKEN thì chạy bản trình diễn)
Bản trình diễn:      hoidap demo       (ngoại tuyến, không cần token)
Nạp câu hỏi:         hoidap questions import cau_hoi.xlsx [--program SO]
Tệp mẫu câu hỏi:     hoidap questions template mau.xlsx
Xuất ngân hàng:      hoidap questions export ngan_hang.xlsx [--program SO]  (.xlsx, .csv, .yaml)
Nâng cấp CSDL:       hoidap db migrate
Sao lưu CSDL:        hoidap backup ban_sao.sqlite3
Khôi phục CSDL:      hoidap restore ban_sao.sqlite3   (dừng bot trước; CSDL cũ được giữ lại)
Tình hình vận hành:  hoidap status
Chạy bằng webhook:   hoidap run --webhook https://bot.example.org/hoidap [--port 8443]
Kiểm tra bốc thăm:   hoidap verify --seed HEX --pool 3,5,9 [--attempt 0]
Sổ tay hỏi – đáp:    hoidap handbook --year 2026 so_tay_2026.docx [--program SO]
"""


class _Parser(argparse.ArgumentParser):
    """Mistakes on the command line: one line on stderr and exit status 2, no usage dump."""

    def error(self, message: str) -> NoReturn:
        message = re.sub(r"^argument ([^:]+): ", r"\1: ", message)
        self.exit(2, f"{self.prog}: {message} (xem: {self.prog} -h)\n")


def _number(lo: int, hi: int, what: NumberKind) -> Callable[[str], int]:
    """An option's whole number, read like every number typed in chat (``bot.args.parse_int``);
    a refusal becomes argparse's error, in the chat's words."""

    def parse(text: str) -> int:
        from bot.args import parse_int

        return _understood(lambda: parse_int(text, lo, hi, what=what))

    return parse


def _pool(text: str) -> list[int]:
    """``--pool 3,5,9``: people's numbers, as in ``/nhansu``."""
    from bot.args import parse_id

    parts = [part for part in re.split(r"[,;\s]+", text) if part]
    if not parts:
        raise argparse.ArgumentTypeError("cần ít nhất một số hiệu, ví dụ --pool 3,5,9")
    return [_understood(functools.partial(parse_id, part, what="person")) for part in parts]


def _understood(read: Callable[[], int]) -> int:
    from bot.core import Refused
    from bot.render import plain, render

    try:
        return read()
    except Refused as refused:
        reply = refused.reply
        raise argparse.ArgumentTypeError(plain(render(reply.template, reply.context))) from None


def _parser() -> argparse.ArgumentParser:
    from bot.args import FIRST_YEAR, LAST_YEAR, MAX_ID

    program_number = _number(1, MAX_ID, "program")
    p = _Parser(
        prog="hoidap", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = p.add_subparsers(dest="command", metavar="LỆNH")
    run = sub.add_parser("run", help="chạy bot (long polling); không có token thì chạy trình diễn")
    run.add_argument(
        "--demo-if-no-token", action="store_true", default=True, help=argparse.SUPPRESS
    )
    run.add_argument(
        "--webhook", metavar="URL", help="nhận cập nhật qua webhook tại địa chỉ https này"
    )
    run.add_argument("--listen", default="0.0.0.0", help="địa chỉ lắng nghe (mặc định 0.0.0.0)")
    run.add_argument(
        "--port",
        type=_number(1, 65535, "port"),
        default=8443,
        help="cổng lắng nghe (mặc định 8443)",
    )
    run.add_argument(
        "--secret-token", help="mã bí mật Telegram gửi kèm mỗi cập nhật (mặc định: tạo ngẫu nhiên)"
    )
    demo = sub.add_parser("demo", help="bản trình diễn ngoại tuyến: một tuần rút gọn vài giây")
    demo.add_argument("--quiet", action="store_true", help="chỉ in bản tóm tắt cuối")
    q = sub.add_parser("questions", help="ngân hàng câu hỏi")
    qsub = q.add_subparsers(dest="qcommand", metavar="VIỆC")
    qi = qsub.add_parser(
        "import", help="nạp câu hỏi từ tệp .xlsx / .csv / .yaml (tất cả hoặc không)"
    )
    qi.add_argument("file", type=Path)
    qi.add_argument("--program", type=program_number, help=PROGRAM_HELP)
    qt = qsub.add_parser("template", help="tạo tệp Excel mẫu có giải thích các cột")
    qt.add_argument("file", type=Path)
    qe = qsub.add_parser(
        "export", help="xuất ngân hàng câu hỏi (trừ câu đã loại) ra tệp .xlsx / .csv / .yaml"
    )
    qe.add_argument("file", type=Path)
    qe.add_argument("--program", type=program_number, help=PROGRAM_HELP)
    db = sub.add_parser("db", help="cơ sở dữ liệu")
    dbsub = db.add_subparsers(dest="dbcommand", metavar="VIỆC")
    dbsub.add_parser("migrate", help="tạo mới hoặc nâng cấp cơ sở dữ liệu")
    b = sub.add_parser(
        "backup", help="sao lưu trực tuyến cơ sở dữ liệu (chạy được khi bot đang chạy)"
    )
    b.add_argument("file", type=Path)
    r = sub.add_parser(
        "restore", help="khôi phục cơ sở dữ liệu từ bản sao lưu (dừng bot trước; giữ bản cũ)"
    )
    r.add_argument("file", type=Path)
    sub.add_parser(
        "status", help="tình hình: phiên tuần này, các bước sắp tới, hàng đợi, sự cố gần đây"
    )
    v = sub.add_parser("verify", help="tính lại kết quả bốc thăm từ seed và danh sách")
    v.add_argument("--seed", required=True)
    v.add_argument("--pool", required=True, type=_pool, help="các số hiệu, cách nhau bởi dấu phẩy")
    v.add_argument("--attempt", type=_number(0, MAX_ATTEMPT, "attempt"), default=0)
    hb = sub.add_parser(
        "handbook", help="sổ tay hỏi – đáp (.docx): các câu hỏi đã kết luận trong năm, theo chủ đề"
    )
    hb.add_argument("file", type=Path)
    hb.add_argument(
        "--year", type=_number(FIRST_YEAR, LAST_YEAR, "year"), help="năm (mặc định: năm nay)"
    )
    hb.add_argument("--program", type=program_number, help=PROGRAM_HELP)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # -h, or a mistake on the command line (already explained)
        return stop.code if isinstance(stop.code, int) else 2
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return _dispatch(parser, args)
    except (ConfigError, DatabaseError) as exc:
        print(f"hoidap: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _dispatch(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.command == "verify":
        return _verify(args)
    if args.command == "questions" and args.qcommand == "template":
        from questions.importer import write_template_xlsx

        write_template_xlsx(args.file)
        print(f"Đã tạo tệp mẫu {args.file}")
        return 0
    if args.command == "demo":
        from bot.demo import run_demo

        return asyncio.run(run_demo(quiet=args.quiet))
    settings = load_settings()
    if args.command == "run":
        if not settings.token:
            print(
                "Chưa có TELEGRAM_BOT_TOKEN: chạy bản trình diễn ngoại tuyến "
                "(xem README để chạy bot thật).\n"
            )
            from bot.demo import run_demo

            return asyncio.run(run_demo(quiet=False))
        if args.webhook:
            return _run_webhook(settings, args)
        return _run(settings)
    if args.command == "db" and args.dbcommand == "migrate":
        return asyncio.run(_migrate(settings))
    if args.command == "questions" and args.qcommand == "import":
        return _import_path(settings, args.file, args.program)
    if args.command == "questions" and args.qcommand == "export":
        return _export(settings, args.file, args.program)
    if args.command == "backup":
        return _backup(settings, args.file)
    if args.command == "restore":
        return _restore(settings, args.file)
    if args.command == "status":
        return asyncio.run(_status(settings))
    if args.command == "handbook":
        return asyncio.run(_write_handbook(settings, args.file, args.year, args.program))
    parser.print_help()
    return 2


def _run(settings: Settings) -> int:
    from telegram.error import InvalidToken, TelegramError

    from bot.app import serve, setup_logging

    setup_logging(settings)
    try:
        code = asyncio.run(serve(settings))
    except InvalidToken:
        print(
            "hoidap: Telegram không nhận TELEGRAM_BOT_TOKEN; hãy kiểm tra lại token",
            file=sys.stderr,
        )
        return 2
    except TelegramError as exc:
        print(f"hoidap: không kết nối được Telegram khi khởi động: {exc}", file=sys.stderr)
        return 1
    return code  # EXIT_CONFLICT after the one log line that says why


async def _migrate(settings: Settings) -> int:
    from bot.db import connect, current_version

    conn = await connect(settings.db_path, create=True)  # deliberately, even after a loss
    version = await current_version(conn)
    await conn.close()
    print(f"Cơ sở dữ liệu {settings.db_path}: phiên bản {version} (mới nhất).")
    return 0


def _import_path(settings: Settings, path: Path, program_id: int | None) -> int:
    """Read at most one byte more than a question file may hold; a larger file is refused."""
    from questions.model import LIMITS

    try:
        size = path.stat().st_size
        with path.open("rb") as file:
            data = file.read(LIMITS.max_file_bytes + 1)
    except FileNotFoundError:
        print(f"hoidap: không thấy tệp {path}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"hoidap: không đọc được tệp {path}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return asyncio.run(_import(settings, path.name, data, program_id, size))


async def _import(
    settings: Settings, filename: str, data: bytes, program_id: int | None, size: int
) -> int:
    from bot.clock import SystemClock
    from bot.core import Core
    from bot.db import connect
    from bot.render import plain, render
    from bot.services.bank import import_file, too_large_reply
    from bot.store import Store

    store = Store(await connect(settings.db_path))
    try:
        program = await _one_program(store, program_id)
        if program is None:
            return 2
        core = Core(store=store, clock=SystemClock(), settings=settings)
        if size > len(data):
            reply = too_large_reply(filename, size)
        else:
            reply = await import_file(core, None, program, filename, data)
        print(plain(render(reply.template, reply.context)))
        return 0 if reply.template == "bank_import_done" else 1
    finally:
        await store.close()


async def _one_program(store: Store, program_id: int | None) -> Program | None:
    """The program named by --program, or the only one; None (explained on stderr) otherwise."""
    programs = await store.programs()
    if program_id is not None:
        chosen = [p for p in programs if p.id == program_id]
    else:
        chosen = programs if len(programs) == 1 else []
    if not chosen:
        listing = "; ".join(f"{p.id}: {p.title}" for p in programs) or "chưa có chương trình nào"
        print(
            "hoidap: hãy chọn chương trình bằng --program SO "
            f"({listing}). Chương trình được tạo khi gõ /lienket trong nhóm.",
            file=sys.stderr,
        )
        return None
    return chosen[0]


def _export(settings: Settings, target: Path, program_id: int | None) -> int:
    from bot.services.bank_admin import EXPORT_FORMATS

    fmt = target.suffix.lower().lstrip(".")
    fmt = "yaml" if fmt == "yml" else fmt
    if fmt not in EXPORT_FORMATS:
        print("hoidap: tên tệp phải kết thúc bằng .xlsx, .csv hoặc .yaml", file=sys.stderr)
        return 2
    if target.exists():
        print(f"hoidap: tệp {target} đã có; chọn tên khác để không ghi đè", file=sys.stderr)
        return 2
    exported = asyncio.run(_export_bank(settings, program_id, fmt))
    if exported is None:
        return 2
    title, file = exported
    target.write_bytes(file.data)
    print(f"Đã xuất {file.caption.context['count']} câu hỏi của «{title}» ra {target}")
    return 0


async def _export_bank(
    settings: Settings, program_id: int | None, fmt: str
) -> tuple[str, FileReply] | None:
    from bot.clock import SystemClock
    from bot.core import Core
    from bot.db import connect
    from bot.services.bank_admin import export_bank
    from bot.store import Store

    store = Store(await connect(settings.db_path))
    try:
        program = await _one_program(store, program_id)
        if program is None:
            return None
        core = Core(store=store, clock=SystemClock(), settings=settings)
        return program.title, await export_bank(core, None, program, fmt)
    finally:
        await store.close()


def _backup(settings: Settings, target: Path) -> int:
    if not settings.db_path.is_file():
        print(f"hoidap: không thấy cơ sở dữ liệu {settings.db_path}", file=sys.stderr)
        return 2
    if target.exists():
        print(f"hoidap: tệp {target} đã có; chọn tên khác để không ghi đè", file=sys.stderr)
        return 2
    source = sqlite3.connect(settings.db_path)
    dest = sqlite3.connect(target)
    try:
        source.backup(dest)  # SQLite's online backup: consistent while the bot runs
    finally:
        dest.close()
        source.close()
    print(f"Đã sao lưu {settings.db_path} vào {target}")
    return 0


def _run_webhook(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import run_webhook, setup_logging, webhook_options

    options = webhook_options(args.webhook, args.listen, args.port, args.secret_token)
    setup_logging(settings)
    return run_webhook(settings, options)


def _restore(settings: Settings, backup: Path) -> int:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from bot.render import plain, render
    from bot.services.ops import RestoreRefused, restore_database

    try:
        # The safety copy's name carries the time where the office is (HOIDAP_TZ).
        result = restore_database(backup, settings.db_path, datetime.now(ZoneInfo(settings.tz)))
    except RestoreRefused as refused:
        context = {"ok": False, "code": refused.code, **refused.detail}
        print("hoidap: " + plain(render("ops_restore", context)), file=sys.stderr)
        return 2
    context = {
        "ok": True,
        "backup": str(backup),
        "target": str(result.target),
        "safety_copy": str(result.safety_copy) if result.safety_copy else None,
        "version": result.version,
        "latest": result.latest,
        "programs": result.programs,
        "sessions": result.sessions,
    }
    print(plain(render("ops_restore", context)))
    return 0


async def _status(settings: Settings) -> int:
    from bot.clock import SystemClock
    from bot.core import Core
    from bot.db import check_schema, current_version, latest_version
    from bot.render import plain, render
    from bot.services.ops import status_data
    from bot.store import Store
    from bot.store.ops import connect_query_only

    if not settings.db_path.is_file():
        print(f"hoidap: không thấy cơ sở dữ liệu {settings.db_path}", file=sys.stderr)
        return 2
    # Read only, without the bot's lock: the report works while the bot runs.
    conn = await connect_query_only(settings.db_path)
    try:
        try:
            version = await current_version(conn)
        except sqlite3.DatabaseError as exc:
            print(
                f"hoidap: cơ sở dữ liệu {settings.db_path} không đọc được: {exc}", file=sys.stderr
            )
            return 2
        if version != latest_version():
            print(
                f"hoidap: cơ sở dữ liệu {settings.db_path} ở phiên bản {version}, chương trình "
                f"dùng phiên bản {latest_version()}; chạy «hoidap db migrate» hoặc khởi động bot "
                "(với bản hoidap mới nhất) trước",
                file=sys.stderr,
            )
            return 2
        await check_schema(conn, settings.db_path)  # a hand-made file: one line, not a crash
        core = Core(store=Store(conn), clock=SystemClock(), settings=settings)
        print(plain(render("ops_status", await status_data(core))))
        return 0
    finally:
        await conn.close()


def _verify(args: argparse.Namespace) -> int:
    from bot import draw

    try:
        pool = args.pool
        chosen = draw.draw(args.seed, pool, args.attempt)
    except ValueError as exc:
        print(f"hoidap: {exc}", file=sys.stderr)
        return 2
    print(f"SHA-256(seed) = {draw.commitment(args.seed)}")
    print(f"Danh sách {sorted(set(pool))}, lần bốc {args.attempt} → số hiệu {chosen}")
    return 0


# -- the command line: ``hoidap handbook --year 2026 FILE.docx [--program N]`` --------------------


async def _write_handbook(
    settings: Settings, target: Path, year: int | None, program_id: int | None
) -> int:
    """Compile the handbook of a program into ``target``; the exit status of the command."""
    from bot.args import FIRST_YEAR, LAST_YEAR
    from bot.clock import SystemClock
    from bot.core import Core
    from bot.db import connect
    from bot.render import plain, render
    from bot.services.archive import compile_handbook
    from bot.services.context import program_ctx
    from bot.store import Store

    def say(template: str, ok: bool = False, **context: Any) -> None:
        print(plain(render(template, context)), file=sys.stdout if ok else sys.stderr)

    store = Store(await connect(settings.db_path))
    try:
        programs = await store.programs()
        if program_id is not None:
            chosen = [p for p in programs if p.id == program_id]
        else:
            chosen = programs if len(programs) == 1 else []
        if not chosen:
            say("archive_handbook_choose", programs=[program_ctx(p) for p in programs])
            return 2
        program = chosen[0]
        core = Core(store=store, clock=SystemClock(), settings=settings)
        if year is None:
            year = core.today(program).year
        if not FIRST_YEAR <= year <= LAST_YEAR:
            say("archive_handbook_usage", first=FIRST_YEAR, last=LAST_YEAR)
            return 2
        data, count = await compile_handbook(core, program, year)
        if count == 0:
            say("archive_handbook_empty", program=program_ctx(program), year=year, cli=True)
            return 1
        await asyncio.to_thread(target.write_bytes, data)
        say(
            "archive_handbook_written",
            ok=True,
            program=program_ctx(program),
            year=year,
            count=count,
            path=str(target),
        )
        return 0
    finally:
        await store.close()
