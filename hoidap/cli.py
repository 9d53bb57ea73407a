"""The ``hoidap`` command (also ``python -m hoidap``)."""

from __future__ import annotations

import argparse
import asyncio
import functools
import re
import sqlite3
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from bot.config import ConfigError, Settings, load_settings
from bot.db import DatabaseError
from bot.words import (
    ARGPARSE_WORDS,
    CLI_DESCRIPTION,
    CLI_HELP,
    CLI_METAVARS,
    CLI_MISTAKE,
    CLI_SAYS,
)

MAX_ATTEMPT = 10_000  # redraws within one session, for ``verify --attempt``

if TYPE_CHECKING:
    from bot.args import NumberKind
    from bot.models import FileReply, Program
    from bot.periods import Period
    from bot.store import Store


def _say(key: str, err: bool = False, **values: object) -> None:
    """Print one of the command line's sentences (``bot.words.CLI_SAYS``)."""
    print(CLI_SAYS[key].format(**values), file=sys.stderr if err else sys.stdout)


@contextmanager
def _in_vietnamese() -> Iterator[None]:
    """argparse's own words (usage, group titles, errors) in Vietnamese while inside.

    Python 3.11's argparse takes every message it shows through the module's ``_`` and
    ``ngettext`` (gettext); they are swapped for the catalogue ``ARGPARSE_WORDS`` and put back.
    """

    def gettext(message: str) -> str:
        return ARGPARSE_WORDS.get(message, message)

    def ngettext(singular: str, plural: str, n: int) -> str:
        return gettext(singular if n == 1 else plural)

    saved = vars(argparse)["_"], vars(argparse)["ngettext"]
    setattr(argparse, "_", gettext)  # noqa: B010  (no attribute in the type stubs)
    setattr(argparse, "ngettext", ngettext)  # noqa: B010
    try:
        yield
    finally:
        setattr(argparse, "_", saved[0])  # noqa: B010
        setattr(argparse, "ngettext", saved[1])  # noqa: B010


class _Parser(argparse.ArgumentParser):
    """argparse in Vietnamese; a mistake is one line on stderr and exit status 2, no usage dump.

    Sub-commands are parsers of this class too (``add_subparsers`` uses the parser's class).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        with _in_vietnamese():  # the group titles and the -h help are made here
            super().__init__(*args, **kwargs)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        with _in_vietnamese():
            return super().parse_known_args(args, namespace)

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        with _in_vietnamese():  # "unrecognized arguments" is said here
            return super().parse_args(args, namespace)

    def format_usage(self) -> str:
        with _in_vietnamese():
            return super().format_usage()

    def format_help(self) -> str:
        with _in_vietnamese():
            return super().format_help()

    def error(self, message: str) -> NoReturn:
        self.exit(2, CLI_MISTAKE.format(prog=self.prog, message=message) + "\n")


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
        raise argparse.ArgumentTypeError(CLI_SAYS["pool_empty"])
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
    from bot.documents.settings import MAX_DOCUMENT_NUMBER

    program_number = _number(1, MAX_ID, "program")
    say, shown = CLI_HELP, CLI_METAVARS
    p = _Parser(
        prog="hoidap",
        description=CLI_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="command", metavar=shown["command"], help=say["command"])
    run = sub.add_parser("run", help=say["run"])
    run.add_argument(
        "--demo-if-no-token", action="store_true", default=True, help=argparse.SUPPRESS
    )
    run.add_argument("--webhook", metavar=shown["url"], help=say["run --webhook"])
    run.add_argument(
        "--listen", default="0.0.0.0", metavar=shown["address"], help=say["run --listen"]
    )
    run.add_argument(
        "--port",
        type=_number(1, 65535, "port"),
        default=8443,
        metavar=shown["port"],
        help=say["run --port"],
    )
    run.add_argument("--secret-token", metavar=shown["secret"], help=say["run --secret-token"])
    demo = sub.add_parser("demo", help=say["demo"])
    demo.add_argument("--quiet", action="store_true", help=say["demo --quiet"])
    q = sub.add_parser("questions", help=say["questions"])
    qsub = q.add_subparsers(
        dest="qcommand", metavar=shown["task"], help=say["command"], required=True
    )
    qi = qsub.add_parser("import", help=say["questions import"])
    qi.add_argument("file", type=Path, metavar=shown["file"], help=say["questions import file"])
    qi.add_argument(
        "--program", type=program_number, metavar=shown["number"], help=say["--program"]
    )
    qt = qsub.add_parser("template", help=say["questions template"])
    qt.add_argument("file", type=Path, metavar=shown["file"], help=say["questions template file"])
    qe = qsub.add_parser("export", help=say["questions export"])
    qe.add_argument("file", type=Path, metavar=shown["file"], help=say["questions export file"])
    qe.add_argument(
        "--program", type=program_number, metavar=shown["number"], help=say["--program"]
    )
    db = sub.add_parser("db", help=say["db"])
    dbsub = db.add_subparsers(
        dest="dbcommand", metavar=shown["task"], help=say["command"], required=True
    )
    dbsub.add_parser("migrate", help=say["db migrate"])
    b = sub.add_parser("backup", help=say["backup"])
    b.add_argument("file", type=Path, metavar=shown["file"], help=say["backup file"])
    r = sub.add_parser("restore", help=say["restore"])
    r.add_argument("file", type=Path, metavar=shown["file"], help=say["restore file"])
    sub.add_parser("status", help=say["status"])
    v = sub.add_parser("verify", help=say["verify"])
    v.add_argument("--seed", required=True, metavar=shown["seed"], help=say["verify --seed"])
    v.add_argument(
        "--pool", required=True, type=_pool, metavar=shown["pool"], help=say["verify --pool"]
    )
    v.add_argument(
        "--attempt",
        type=_number(0, MAX_ATTEMPT, "attempt"),
        default=0,
        metavar=shown["attempt"],
        help=say["verify --attempt"],
    )
    hb = sub.add_parser("handbook", help=say["handbook"])
    hb.add_argument("file", type=Path, metavar=shown["file"], help=say["handbook file"])
    hb.add_argument(
        "--year",
        type=_number(FIRST_YEAR, LAST_YEAR, "year"),
        metavar=shown["year"],
        help=say["handbook --year"],
    )
    hb.add_argument(
        "--program", type=program_number, metavar=shown["number"], help=say["--program"]
    )
    refs = sub.add_parser("refs", help=say["refs"])
    rsub = refs.add_subparsers(
        dest="rcommand", metavar=shown["task"], help=say["command"], required=True
    )
    rscan = rsub.add_parser("scan", help=say["refs scan"])
    rscan.add_argument("file", metavar=shown["file"], help=say["refs scan file"])
    for task in ("import", "export", "template"):
        rp_ = rsub.add_parser(task, help=say[f"refs {task}"])
        rp_.add_argument("file", type=Path, metavar=shown["file"], help=say[f"refs {task} file"])
    prog = sub.add_parser("program", help=say["program"])
    progsub = prog.add_subparsers(dest="pcommand", required=True, metavar=shown["command"])
    pc = progsub.add_parser("create", help=say["program create"])
    pc.add_argument("title", metavar=shown["title"], help=say["program create title"])
    pc.add_argument(
        "--admin",
        action="append",
        default=[],
        metavar=shown["admin"],
        help=say["program create --admin"],
    )
    rp = sub.add_parser("report", help=say["report"])
    rp.add_argument("file", type=Path, metavar=shown["file"], help=say["report file"])
    rp.add_argument(
        "--year",
        type=_number(FIRST_YEAR, LAST_YEAR, "year"),
        metavar=shown["year"],
        help=say["report --year"],
    )
    part = rp.add_mutually_exclusive_group()
    part.add_argument(
        "--quarter", type=_number(1, 4, "number"), metavar=shown["quarter"], help=say["--quarter"]
    )
    part.add_argument(
        "--month", type=_number(1, 12, "number"), metavar=shown["month"], help=say["--month"]
    )
    part.add_argument("--from", dest="start", metavar=shown["date"], help=say["--from"])
    rp.add_argument("--to", dest="end", metavar=shown["date"], help=say["--to"])
    rp.add_argument("--sheets", action="store_true", help=say["report --sheets"])
    rp.add_argument("--points", action="store_true", help=say["report --points"])
    rp.add_argument(
        "--number",
        type=_number(1, MAX_DOCUMENT_NUMBER, "number"),
        metavar=shown["number"],
        help=say["report --number"],
    )
    rp.add_argument(
        "--program", type=program_number, metavar=shown["number"], help=say["--program"]
    )
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
        _say("failed", err=True, error=exc)
        return 2
    except KeyboardInterrupt:
        return 130


def _dispatch(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.command == "verify":
        return _verify(args)
    if args.command == "questions" and args.qcommand == "template":
        from questions.importer import write_template_xlsx

        write_template_xlsx(args.file)
        _say("template_written", path=args.file)
        return 0
    if args.command == "demo":
        from hoidap.demo import run_demo

        return asyncio.run(run_demo(quiet=args.quiet))
    if args.command == "refs" and args.rcommand == "scan":
        return _scan(args.file)
    if args.command == "refs" and args.rcommand == "template":
        return _refs_template(args.file)
    settings = load_settings()
    if args.command == "run":
        if not settings.token and not settings.zalo_token:
            _say("demo_without_token")
            from hoidap.demo import run_demo

            return asyncio.run(run_demo(quiet=False))
        if args.webhook:
            if not settings.token:
                _say("webhook_needs_telegram")
                return 2
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
    if args.command == "program" and args.pcommand == "create":
        return asyncio.run(_create_program(settings, args.title, args.admin))
    if args.command == "report":
        return _report(settings, args)
    if args.command == "refs" and args.rcommand == "import":
        return _refs_import(settings, args.file)
    if args.command == "refs" and args.rcommand == "export":
        return _refs_export(settings, args.file)
    parser.print_help()
    return 2


def _run(settings: Settings) -> int:
    from telegram.error import InvalidToken, TelegramError

    from hoidap.app import serve, setup_logging

    setup_logging(settings)
    try:
        code = asyncio.run(serve(settings))
    except InvalidToken:
        _say("token_refused", err=True)
        return 2
    except TelegramError as exc:
        _say("telegram_unreachable", err=True, error=exc)
        return 1
    return code  # EXIT_CONFLICT after the one log line that says why


async def _migrate(settings: Settings) -> int:
    from bot.db import connect, current_version

    conn = await connect(settings.db_path, create=True)  # deliberately, even after a loss
    version = await current_version(conn)
    await conn.close()
    _say("db_migrated", path=settings.db_path, version=version)
    return 0


def _import_path(settings: Settings, path: Path, program_id: int | None) -> int:
    """Read at most one byte more than a question file may hold; a larger file is refused."""
    from questions.model import LIMITS

    try:
        size = path.stat().st_size
        with path.open("rb") as file:
            data = file.read(LIMITS.max_file_bytes + 1)
    except FileNotFoundError:
        _say("file_missing", err=True, path=path)
        return 2
    except OSError as exc:
        _say("file_unreadable", err=True, path=path, error=exc.strerror or exc)
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
        listing = "; ".join(f"{p.id}: {p.title}" for p in programs) or CLI_SAYS["no_programs"]
        _say("choose_program", err=True, listing=listing)
        return None
    return chosen[0]


def _export(settings: Settings, target: Path, program_id: int | None) -> int:
    from bot.services.bank_admin import EXPORT_FORMATS

    fmt = target.suffix.lower().lstrip(".")
    fmt = "yaml" if fmt == "yml" else fmt
    if fmt not in EXPORT_FORMATS:
        _say("export_bad_suffix", err=True)
        return 2
    if target.exists():
        _say("target_exists", err=True, path=target)
        return 2
    exported = asyncio.run(_export_bank(settings, program_id, fmt))
    if exported is None:
        return 2
    title, file = exported
    target.write_bytes(file.data)
    _say("exported", count=file.caption.context["count"], title=title, path=target)
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
        _say("db_missing", err=True, path=settings.db_path)
        return 2
    if target.exists():
        _say("target_exists", err=True, path=target)
        return 2
    source = sqlite3.connect(settings.db_path)
    dest = sqlite3.connect(target)
    try:
        source.backup(dest)  # SQLite's online backup: consistent while the bot runs
    finally:
        dest.close()
        source.close()
    _say("backed_up", path=settings.db_path, target=target)
    return 0


def _run_webhook(settings: Settings, args: argparse.Namespace) -> int:
    from hoidap.app import run_webhook, setup_logging, webhook_options

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
        _say("db_missing", err=True, path=settings.db_path)
        return 2
    # Read only, without the bot's lock: the report works while the bot runs.
    conn = await connect_query_only(settings.db_path)
    try:
        try:
            version = await current_version(conn)
        except sqlite3.DatabaseError as exc:
            _say("db_unreadable", err=True, path=settings.db_path, error=exc)
            return 2
        if version != latest_version():
            latest = latest_version()
            _say("db_version", err=True, path=settings.db_path, version=version, latest=latest)
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
        _say("failed", err=True, error=exc)
        return 2
    _say("committed", commitment=draw.commitment(args.seed))
    members = ",".join(map(str, sorted(set(pool))))  # as the draw rule reads it
    _say("verified", pool=members, attempt=args.attempt, chosen=chosen)
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
        program = await _one_program(store, program_id)
        if program is None:
            return 2
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


# -- the command line: ``hoidap program create NAME [--admin ID]…`` -------------------------------


async def _create_program(settings: Settings, title: str, admins: list[str]) -> int:
    """A program without a Telegram group (people on Zalo); the exit status of the command."""
    from bot.clock import SystemClock
    from bot.core import Core, Refused
    from bot.db import connect
    from bot.render import plain, render
    from bot.services.roster import create_program_without_group
    from bot.store import Store

    store = Store(await connect(settings.db_path, create=True))
    try:
        core = Core(store=store, clock=SystemClock(), settings=settings)
        try:
            reply = await create_program_without_group(core, title, admins)
        except Refused as refused:
            reply = refused.reply
            print("hoidap: " + plain(render(reply.template, reply.context)), file=sys.stderr)
            return 2
        print(plain(render(reply.template, reply.context)))
        return 0
    finally:
        await store.close()


# -- the command line: ``hoidap report --year 2026 [--quarter Q | --month M | --from D --to D]
#    FILE.xlsx|FILE.docx [--program N] [--sheets] [--points] [--number N]`` ----------------------


def _report(settings: Settings, args: argparse.Namespace) -> int:
    suffix = args.file.suffix.lower().lstrip(".")
    if suffix not in ("xlsx", "docx"):
        _say("report_bad_suffix", err=True)
        return 2
    if (args.start is None) != (args.end is None):
        _say("report_from_to", err=True)
        return 2
    return asyncio.run(_write_report(settings, args, suffix))


def _period_of(args: argparse.Namespace, today: date) -> Period:
    """The period the options name (the year: --year, else this year); :class:`Refused` for a
    range that does not work."""
    from bot.args import parse_period
    from bot.periods import month_period, quarter_period, year_period

    year = args.year if args.year is not None else today.year
    if args.start is not None:
        # Dates without a year are in --year (else this year), as in chat.
        return parse_period(f"{args.start} - {args.end}", date(year, 1, 1))
    if args.quarter is not None:
        return quarter_period(year, args.quarter)
    if args.month is not None:
        return month_period(year, args.month)
    return year_period(year)


async def _write_report(settings: Settings, args: argparse.Namespace, suffix: str) -> int:
    """Build the report (or the year-end sheets) into ``args.file``; the exit status."""
    from bot.clock import SystemClock
    from bot.core import Core, Refused
    from bot.db import connect
    from bot.render import plain, render
    from bot.services.reports import build_report
    from bot.store import Store

    store = Store(await connect(settings.db_path))
    try:
        program = await _one_program(store, args.program)
        if program is None:
            return 2
        core = Core(store=store, clock=SystemClock(), settings=settings)
        fmt: Any = suffix
        try:
            period = _period_of(args, core.today(program))
            file = await build_report(
                core,
                None,
                program,
                period,
                fmt,
                sheets=args.sheets,
                points=True if args.points else None,
                number=args.number,
            )
        except Refused as refused:
            reply = refused.reply
            print("hoidap: " + plain(render(reply.template, reply.context)), file=sys.stderr)
            return 2
        await asyncio.to_thread(args.file.write_bytes, file.data)
        context = dict(file.caption.context) | {"path": str(args.file)}
        print(plain(render("report_written", context)))
        return 0
    finally:
        await store.close()


# -- the command line: ``hoidap refs scan|import|export|template FILE`` -------------------------

SCAN_LIMIT = 20 * 1024 * 1024  # bytes of text ``refs scan`` reads


def _scan(name: str) -> int:
    """Print the documents a text cites, one per line (``-``: the text on standard input)."""
    from bot.citations import scan_lines

    try:
        if name == "-":
            data = sys.stdin.buffer.read(SCAN_LIMIT + 1)
        else:
            with Path(name).open("rb") as file:
                data = file.read(SCAN_LIMIT + 1)
    except FileNotFoundError:
        _say("file_missing", err=True, path=name)
        return 2
    except OSError as exc:
        _say("file_unreadable", err=True, path=name, error=exc.strerror or exc)
        return 2
    if len(data) > SCAN_LIMIT:
        _say("scan_too_large", err=True, path=name, limit=SCAN_LIMIT // (1024 * 1024))
        return 2
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        _say("scan_not_utf8", err=True, path=name)
        return 2
    for line in scan_lines(text):
        print(line)
    return 0


def _refs_template(target: Path) -> int:
    from questions.register import register_xlsx

    if target.suffix.lower() != ".xlsx":
        _say("refs_template_suffix", err=True)
        return 2
    if target.exists():
        _say("target_exists", err=True, path=target)
        return 2
    target.write_bytes(register_xlsx([]))
    _say("template_written", path=target)
    return 0


def _refs_import(settings: Settings, path: Path) -> int:
    """Read at most one byte more than a register file may hold; a larger file is refused."""
    from questions.register import MAX_FILE_BYTES

    try:
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        _say("file_missing", err=True, path=path)
        return 2
    except OSError as exc:
        _say("file_unreadable", err=True, path=path, error=exc.strerror or exc)
        return 2
    return asyncio.run(_refs_import_data(settings, path.name, data))


async def _refs_import_data(settings: Settings, filename: str, data: bytes) -> int:
    from bot.clock import SystemClock
    from bot.core import Core
    from bot.db import connect
    from bot.render import plain, render
    from bot.services.register import import_file
    from bot.store import Store

    store = Store(await connect(settings.db_path))
    try:
        core = Core(store=store, clock=SystemClock(), settings=settings)
        reply = await import_file(core, None, filename, data)
        print(plain(render(reply.template, reply.context)))
        return 0 if reply.template == "refs_import_done" else 1
    finally:
        await store.close()


def _refs_export(settings: Settings, target: Path) -> int:
    fmt = target.suffix.lower().lstrip(".")
    if fmt not in ("xlsx", "csv"):
        _say("refs_bad_suffix", err=True)
        return 2
    if target.exists():
        _say("target_exists", err=True, path=target)
        return 2
    return asyncio.run(_refs_export_file(settings, target, fmt))


async def _refs_export_file(settings: Settings, target: Path, fmt: str) -> int:
    from bot.clock import SystemClock
    from bot.core import Core
    from bot.db import connect
    from bot.services.register import export
    from bot.store import Store

    store = Store(await connect(settings.db_path))
    try:
        core = Core(store=store, clock=SystemClock(), settings=settings)
        file = await export(core, fmt)
    finally:
        await store.close()
    await asyncio.to_thread(target.write_bytes, file.data)
    _say("refs_exported", count=file.caption.context["count"], path=target)
    return 0
