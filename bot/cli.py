"""The ``hoidap`` command (also ``python -m bot``)."""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings
from bot.db import DatabaseError

DESCRIPTION = """\
hoidap – bot điều hành chương trình «Cơ sở hỏi, cán bộ tổ chức trả lời» trên Telegram.

Chạy bot:            hoidap run        (không có TELEGRAM_BOT_TOKEN thì chạy bản trình diễn)
Bản trình diễn:      hoidap demo       (ngoại tuyến, không cần token)
Nạp câu hỏi:         hoidap questions import cau_hoi.xlsx [--program SO]
Tệp mẫu câu hỏi:     hoidap questions template mau.xlsx
Nâng cấp CSDL:       hoidap db migrate
Sao lưu CSDL:        hoidap backup ban_sao.sqlite3
Kiểm tra bốc thăm:   hoidap verify --seed HEX --pool 3,5,9 [--attempt 0]
"""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="hoidap", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = p.add_subparsers(dest="command", metavar="LỆNH")
    run = sub.add_parser("run", help="chạy bot (long polling); không có token thì chạy trình diễn")
    run.add_argument(
        "--demo-if-no-token", action="store_true", default=True, help=argparse.SUPPRESS
    )
    demo = sub.add_parser("demo", help="bản trình diễn ngoại tuyến: một tuần rút gọn vài giây")
    demo.add_argument("--quiet", action="store_true", help="chỉ in bản tóm tắt cuối")
    q = sub.add_parser("questions", help="ngân hàng câu hỏi")
    qsub = q.add_subparsers(dest="qcommand", metavar="VIỆC")
    qi = qsub.add_parser(
        "import", help="nạp câu hỏi từ tệp .xlsx / .csv / .yaml (tất cả hoặc không)"
    )
    qi.add_argument("file", type=Path)
    qi.add_argument("--program", type=int, help="số của chương trình (khi có nhiều nhóm)")
    qt = qsub.add_parser("template", help="tạo tệp Excel mẫu có giải thích các cột")
    qt.add_argument("file", type=Path)
    db = sub.add_parser("db", help="cơ sở dữ liệu")
    dbsub = db.add_subparsers(dest="dbcommand", metavar="VIỆC")
    dbsub.add_parser("migrate", help="tạo mới hoặc nâng cấp cơ sở dữ liệu")
    b = sub.add_parser(
        "backup", help="sao lưu trực tuyến cơ sở dữ liệu (chạy được khi bot đang chạy)"
    )
    b.add_argument("file", type=Path)
    v = sub.add_parser("verify", help="tính lại kết quả bốc thăm từ seed và danh sách")
    v.add_argument("--seed", required=True)
    v.add_argument("--pool", required=True, help="các số hiệu, cách nhau bởi dấu phẩy")
    v.add_argument("--attempt", type=int, default=0)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
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
        return _run(settings)
    if args.command == "db" and args.dbcommand == "migrate":
        return asyncio.run(_migrate(settings))
    if args.command == "questions" and args.qcommand == "import":
        if not args.file.is_file():
            print(f"hoidap: không thấy tệp {args.file}", file=sys.stderr)
            return 2
        return asyncio.run(_import(settings, args.file.name, args.file.read_bytes(), args.program))
    if args.command == "backup":
        return _backup(settings, args.file)
    parser.print_help()
    return 2


def _run(settings: Settings) -> int:
    from telegram import Update

    from bot.app import build_application, setup_logging

    setup_logging(settings)
    app = build_application(settings)
    app.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
    return 0


async def _migrate(settings: Settings) -> int:
    from bot.db import connect, current_version

    conn = await connect(settings.db_path)
    version = await current_version(conn)
    await conn.close()
    print(f"Cơ sở dữ liệu {settings.db_path}: phiên bản {version} (mới nhất).")
    return 0


async def _import(settings: Settings, filename: str, data: bytes, program_id: int | None) -> int:
    from bot.clock import SystemClock
    from bot.core import Core
    from bot.db import connect
    from bot.render import plain, render
    from bot.services.bank import import_file
    from bot.store import Store

    store = Store(await connect(settings.db_path))
    try:
        programs = await store.programs()
        if program_id is not None:
            chosen = [p for p in programs if p.id == program_id]
        else:
            chosen = programs if len(programs) == 1 else []
        if not chosen:
            listing = (
                "; ".join(f"{p.id}: {p.title}" for p in programs) or "chưa có chương trình nào"
            )
            print(
                "hoidap: hãy chọn chương trình bằng --program SO "
                f"({listing}). Chương trình được tạo khi gõ /lienket trong nhóm.",
                file=sys.stderr,
            )
            return 2
        core = Core(store=store, clock=SystemClock(), settings=settings)
        reply = await import_file(core, None, chosen[0], filename, data)
        print(plain(render(reply.template, reply.context)))
        return 0 if reply.template == "import_done" else 1
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


def _verify(args: argparse.Namespace) -> int:
    from bot import draw

    try:
        pool = [int(x) for x in args.pool.replace(" ", "").split(",") if x]
        chosen = draw.draw(args.seed, pool, args.attempt)
    except ValueError as exc:
        print(f"hoidap: {exc}", file=sys.stderr)
        return 2
    print(f"SHA-256(seed) = {draw.commitment(args.seed)}")
    print(f"Danh sách {sorted(set(pool))}, lần bốc {args.attempt} → số hiệu {chosen}")
    return 0
