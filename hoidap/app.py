"""The composition root: one place where the Telegram application is put together."""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import signal
import time
from collections import deque
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from telegram import Bot, LinkPreviewOptions, Update, User
from telegram.constants import ParseMode
from telegram.error import Conflict, NetworkError, TelegramError
from telegram.ext import Application, ApplicationBuilder, Defaults

from bot.chats import is_no_group, is_zalo_chat, on_telegram
from bot.clock import Clock, SystemClock
from bot.config import ConfigError, Settings
from bot.core import Core
from bot.db import DatabaseLock, DatabaseLost, FileWatch, connect, lock_database, rescue
from bot.models import OutboxItem
from bot.store import Store
from bot.transport.outbox import OutboxWorker
from bot.transport.pacing import PaceClock
from bot.transport.port import Channel, ChannelError, PartSent, Undeliverable, Unreachable
from bot.transport.telegram import (
    TelegramChannel,
    TelegramInbound,
    TelegramPace,
    refresh_commands,
    set_command_menus,
)
from handlers.commands import COMMANDS
from handlers.common import Deps
from handlers.dispatch import Dispatcher
from scheduler import ProgramScheduler

if TYPE_CHECKING:  # the Zalo side is imported only when ZALO_BOT_TOKEN is set
    from bot.transport.zalo import ZaloChannel

log = logging.getLogger("hoidap")

CONNECTIONS = 16  # HTTP connections to the Bot API for everything but long polling
UPDATES_IN_HAND = 256  # Telegram updates taken in at once (most wait for their sender's turn)
DB_WATCH_SECONDS = 5.0  # how often the watchdog checks the database file is still there
# How often the bot looks for changes the command line made to the database (hoidap program
# create, questions import …): they take effect within this many seconds.
OUTSIDE_CHANGES_SECONDS = 2.0
ZALO_WEBHOOK_PATH = "/zalo/webhook"
EXIT_DATABASE = 2  # the exit code of ``hoidap run`` for a bad, locked or lost database

FatalFn = Callable[[str], None]


class TokenFilter(logging.Filter):
    """Defense in depth: whatever a library logs, the bot token is replaced before output."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg = message.replace(self.token, "<token>")
            record.args = ()
        return True


_REDACTIONS: dict[str, str] = {}  # secret -> what log records show instead
_PLAIN_ARGS = (str, int, float, bool, bytes, type(None))


def redact_in_logs(secret: str | None, replacement: str) -> None:
    """Replace ``secret`` in every log record from now on, whichever logger or handler.

    Installed as the log record factory, so it also covers handlers added later (pytest's
    caplog, a library's own) and libraries logging at DEBUG: the message, the formatted
    exception and the stack text are scrubbed when the record is made.
    """
    if not secret or len(secret) < 8:  # too short to tell apart from ordinary text
        return
    if not _REDACTIONS:
        make_record = logging.getLogRecordFactory()

        def factory(*args: object, **kwargs: object) -> logging.LogRecord:
            record = make_record(*args, **kwargs)
            _scrub(record)
            return record

        logging.setLogRecordFactory(factory)
    _REDACTIONS[secret] = replacement


def _redact(text: str) -> str:
    for secret, replacement in _REDACTIONS.items():
        text = text.replace(secret, replacement)
    return text


def _scrub(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a malformed call is the logging module's to report
        return
    args = record.args
    plain = args is None or (
        isinstance(args, tuple) and all(isinstance(a, _PLAIN_ARGS) for a in args)
    )
    # Arguments that can change after the call are formatted now: PTB logs a dict and then
    # puts the file URL, token included, into that very dict. Plain ones stay for filters.
    if not plain or any(secret in message for secret in _REDACTIONS):
        record.msg, record.args = _redact(message), ()
    if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
        text = logging.Formatter().formatException(record.exc_info)
        if any(secret in text for secret in _REDACTIONS):
            record.exc_text = _redact(text)
    if record.stack_info and any(secret in record.stack_info for secret in _REDACTIONS):
        record.stack_info = _redact(record.stack_info)


def setup_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # httpx logs every request URL at INFO, and the URL contains the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    if settings.token:
        token_filter = TokenFilter(settings.token)
        for handler in logging.getLogger().handlers:
            handler.addFilter(token_filter)


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    rate_limit: bool = True,
    run_scheduler: bool = True,
    request_timeout: float | None = None,
    db_watch_seconds: float = DB_WATCH_SECONDS,
    on_fatal: FatalFn | None = None,
    pace_clock: PaceClock | None = None,
) -> Application:  # type: ignore[type-arg]
    """Build the bot. Start-up (database, outbox, scheduler, menus) happens in ``post_init``.

    ``request_timeout`` (seconds) shortens PTB's timeouts for Bot API calls other than long
    polling; tests that make the server hang use it to stay fast. Production keeps PTB's.
    ``on_fatal(line)`` is called once when the bot must stop (its database file was deleted or
    replaced; checked before every write and every ``db_watch_seconds``): ``serve`` stops.
    ``pace_clock``: the time of the channels' pacing (real time unless a test holds it).
    """
    if not settings.token and not settings.zalo_token:
        raise ConfigError(
            "thiếu TELEGRAM_BOT_TOKEN (mã bot do BotFather cấp) "
            "hoặc ZALO_BOT_TOKEN (mã bot do Zalo Bot Creator cấp)"
        )
    redact_in_logs(settings.token, "<token>")  # request URLs carry the token
    redact_in_logs(settings.zalo_token, "<zalo-token>")
    builder = (
        ApplicationBuilder()
        .token(settings.token or TELEGRAM_OFF_TOKEN)
        .base_url(settings.api_url)
        .base_file_url(settings.file_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                tzinfo=ZoneInfo(settings.tz),
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .post_init(start_core)
        .post_shutdown(stop_core)
        .get_updates_read_timeout(35)
        # Updates are taken at once; the dispatcher keeps each sender's in order and bounds how
        # many handlers run (handlers/dispatch.py): a sender waiting for their turn holds no place.
        .concurrent_updates(UPDATES_IN_HAND)
        # PTB's default is one connection: with people handled concurrently and the outbox
        # sending up to 8 messages at once, every request would queue for it.
        .connection_pool_size(CONNECTIONS)
        .pool_timeout(10)
    )
    if request_timeout is not None:
        builder = (
            builder.connect_timeout(request_timeout)
            .read_timeout(request_timeout)
            .write_timeout(request_timeout)
        )
    if rate_limit:
        # Telegram's limits (30 messages/s overall, 20/min per group, about 1/s per private
        # chat), replies before the outbox's messages, a 429 waited out by every message
        # (bot/transport/telegram.py TelegramPace, bot/transport/pacing.py; BENCHMARKS.md).
        builder = builder.rate_limiter(TelegramPace(pace_clock))  # type: ignore[arg-type]
    if not settings.telegram:
        builder = builder.updater(None)
    app = builder.build()
    if not settings.telegram:
        _without_telegram(app.bot)
    app.bot_data["settings"] = settings
    app.bot_data["clock"] = clock or SystemClock()
    app.bot_data["run_scheduler"] = run_scheduler
    app.bot_data["db_watch_seconds"] = db_watch_seconds
    app.bot_data["on_fatal"] = on_fatal
    app.bot_data["pace_clock"] = pace_clock
    inbound = TelegramInbound()
    inbound.attach(app)
    app.bot_data["telegram_inbound"] = inbound
    return app


TELEGRAM_OFF_TOKEN = "000:telegram-not-configured"  # Zalo only: never sent anywhere


def _without_telegram(bot: Bot) -> None:
    """A bot on Zalo only: the application runs without ever calling Telegram (no getMe at
    start; nothing is addressed to Telegram chats, see ``send`` in :func:`start_core`)."""
    bot._bot_user = User(0, "hoidap", is_bot=True, username="hoidap_bot")
    bot._bot_initialized = True
    bot._requests_initialized = True


async def start_core(app: Application) -> None:  # type: ignore[type-arg]
    settings: Settings = app.bot_data["settings"]
    lock = lock_database(settings.db_path)  # one bot per database; released in stop_core
    try:
        # A missing database is created on a fresh installation only: when the lock file was
        # there before, a bot has used the database, so it was lost (connect refuses).
        conn = await connect(settings.db_path, create=lock is None or not lock.existed)
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    app.bot_data["db_lock"] = lock
    # The file as opened (None for ":memory:"); connect() has just made sure it exists.
    watch = FileWatch(settings.db_path) if lock is not None else None
    core = Core(store=Store(conn, watch), clock=app.bot_data["clock"], settings=settings)
    if watch is not None:
        on_fatal: FatalFn | None = app.bot_data.get("on_fatal")
        if on_fatal is not None:
            watch.on_lost.append(on_fatal)
        app.bot_data["db_watchdog"] = asyncio.create_task(
            watch.watchdog(app.bot_data.get("db_watch_seconds", DB_WATCH_SECONDS)),
            name="hoidap-db-watchdog",
        )
    bot = app.bot
    telegram = TelegramChannel(bot) if settings.telegram else None
    # Every channel the bot runs (the port, bot/transport/port.py): what is owed goes to the
    # one whose address it is. Another channel is added here, with nothing else to change.
    channels: list[Channel] = [telegram] if telegram is not None else []
    app.bot_data["channels"] = channels

    async def elsewhere(item: OutboxItem, part_sent: PartSent | None) -> int | None:
        """What no running channel owns (each channel has its own send loop)."""
        if is_no_group(item.chat_id):
            return None  # a program without a Telegram group: its members' copies deliver it
        if is_zalo_chat(item.chat_id):  # kept owed: delivered once ZALO_BOT_TOKEN is set again
            raise Unreachable("Zalo is not configured (ZALO_BOT_TOKEN)")
        raise Undeliverable("Telegram is not configured (TELEGRAM_BOT_TOKEN)")

    outbox = OutboxWorker(core, channels, elsewhere)
    deps = Deps(core=core, outbox=outbox, bot_username=bot.username or "hoidap_bot")
    dispatcher = Dispatcher(deps)
    await dispatcher.restore()
    app.bot_data["dispatcher"] = dispatcher
    if telegram is not None:
        app.bot_data["telegram"] = telegram
        inbound: TelegramInbound = app.bot_data["telegram_inbound"]
        inbound.start(core, dispatcher.handle, telegram)

    async def roles_changed(tg_user_id: int, roles: frozenset[str]) -> None:
        if settings.telegram and on_telegram(tg_user_id):
            await refresh_commands(bot, tg_user_id, roles, COMMANDS)

    core.on_roles_changed.append(roles_changed)
    app.bot_data["deps"] = deps
    if settings.zalo:
        channels.append(await start_zalo(app, core, settings, dispatcher))
    outbox.start()
    if settings.telegram:
        try:
            await set_command_menus(bot, core, COMMANDS)
        except Exception:  # menus are a convenience; never block start-up on them
            log.exception("could not set command menus")
    if app.bot_data["run_scheduler"]:
        sched = ProgramScheduler(core)
        app.bot_data["scheduler"] = sched
        await sched.start()
    await core.store.changed_elsewhere()  # the starting point
    app.bot_data["outside_changes"] = asyncio.create_task(
        _watch_outside_changes(app), name="hoidap-outside-changes"
    )
    log.info("hoidap started as @%s, database %s", bot.username, settings.db_path)


async def outside_changes(app: Application) -> bool:  # type: ignore[type-arg]
    """Take in what the command line changed in the database since the last look (a program
    created, questions imported, a schedule set, the register of documents changed): caches
    dropped, the messages it owed sent (``hoidap refs import`` tells the programs to review
    their answers), every program planned again. True when there was something."""
    deps: Deps = app.bot_data["deps"]
    if not await deps.core.store.changed_elsewhere():
        return False
    log.info("changes made outside the bot (command line) taken in")
    deps.outbox.wake()
    sched = app.bot_data.get("scheduler")
    if isinstance(sched, ProgramScheduler):
        await sched.tick()
    return True


async def _watch_outside_changes(app: Application) -> None:  # type: ignore[type-arg]
    while True:
        await asyncio.sleep(OUTSIDE_CHANGES_SECONDS)
        try:
            await outside_changes(app)
        except DatabaseLost:
            return  # said once where it was found; the bot is stopping
        except Exception:  # a look that failed is tried again at the next one
            log.warning("could not look for changes made outside the bot", exc_info=True)


async def start_zalo(
    app: Application,  # type: ignore[type-arg]
    core: Core,
    settings: Settings,
    dispatcher: Dispatcher,
) -> ZaloChannel:
    """The Zalo side: its API client, long polling or the webhook, and the file links."""
    from bot.transport.zalo import ZaloChannel
    from bot.transport.zalo_api import ZaloApi, ZaloPoller
    from bot.transport.zalo_web import WebServer

    assert settings.zalo_token is not None
    api = ZaloApi(
        settings.zalo_token,
        settings.zalo_api_url,
        rate=settings.zalo_rate,
        pace_clock=app.bot_data.get("pace_clock"),
    )
    web = None
    if settings.public_url or settings.zalo_webhook_secret:
        web = WebServer(
            settings.http_listen, settings.http_port, settings.public_url, clock=core.now
        )
        try:
            await web.start()
        except OSError as exc:  # the port is taken or not ours: a setting to fix, said in one line
            raise ConfigError(
                f"không mở được máy chủ HTTP tại {settings.http_listen}:{settings.http_port} "
                f"(HOIDAP_HTTP_LISTEN, HOIDAP_HTTP_PORT): {exc.strerror or exc}"
            ) from None
        app.bot_data["web"] = web
    names = frozenset(name for row in COMMANDS for name in row.names)
    zalo = ZaloChannel(core, api, web, names)
    zalo.handle = dispatcher.handle
    deps: Deps = app.bot_data["deps"]
    zalo.on_open.append(deps.outbox.chat_open)
    app.bot_data["zalo"] = zalo
    if settings.zalo_webhook_secret and web is not None:
        await zalo.replay_unhandled()
        web.add_webhook(ZALO_WEBHOOK_PATH, settings.zalo_webhook_secret, zalo.receive)
        try:
            await api.set_webhook(
                f"{settings.public_url}{ZALO_WEBHOOK_PATH}", settings.zalo_webhook_secret
            )
        except ChannelError as exc:  # Zalo unreachable now: its messages wait on its side
            log.error("zalo: could not set the webhook: %s", exc.message)
        return zalo
    try:
        # getUpdates does not work while a webhook is set (an earlier webhook run).
        await api.delete_webhook()
    except ChannelError as exc:
        log.warning("zalo: could not delete a webhook: %s", exc.message)
    await zalo.replay_unhandled()
    poller = ZaloPoller(api, zalo.take)
    app.bot_data["zalo_poller"] = poller
    poller.start()
    log.info("zalo: long polling started")
    return zalo


async def stop_zalo(app: Application) -> None:  # type: ignore[type-arg]
    poller = app.bot_data.pop("zalo_poller", None)
    if poller is not None:
        await poller.stop()
    web = app.bot_data.pop("web", None)
    if web is not None:
        await web.stop()
    zalo = app.bot_data.get("zalo")
    if zalo is not None:
        await zalo.stop()  # the messages in hand are finished


async def stop_core(app: Application) -> None:  # type: ignore[type-arg]
    watcher = app.bot_data.pop("outside_changes", None)
    if isinstance(watcher, asyncio.Task):
        watcher.cancel()
        with suppress(asyncio.CancelledError):
            await watcher
    await stop_zalo(app)
    watchdog = app.bot_data.pop("db_watchdog", None)
    if isinstance(watchdog, asyncio.Task):
        watchdog.cancel()
        with suppress(asyncio.CancelledError):
            await watchdog
    sched = app.bot_data.get("scheduler")
    if isinstance(sched, ProgramScheduler):
        sched.shutdown()
    deps = app.bot_data.get("deps")
    if isinstance(deps, Deps):
        await deps.outbox.stop()
        zalo = app.bot_data.pop("zalo", None)
        if zalo is not None:
            await zalo.api.close()
        store = deps.core.store
        if store.watch is not None and store.watch.lost is not None:
            # The open connection is the last way to what was written: keep a copy of it.
            await rescue(store.conn, store.watch.path, deps.core.now())
        await store.close()
    lock = app.bot_data.pop("db_lock", None)
    if isinstance(lock, DatabaseLock):
        lock.release()


# -- running: what ``hoidap run`` does -------------------------------------------------------

EXIT_CONFLICT = 3  # the exit code of ``hoidap run`` when another process polls with the token


class PollingConflicts:
    """Decides what to do when Telegram answers getUpdates with 409 Conflict.

    Telegram cuts a long poll short with 409 when another getUpdates call arrives with the same
    token: two processes run this bot. Left alone they would take turns fetching updates (each
    message handled by one of them at random, against its own database) and both would send
    every scheduled message. So the newcomer gives way: a conflict within ``newcomer_seconds``
    of starting stops this process. An established instance rides out the conflicts a newcomer
    causes before it stops, and stops as well when they keep coming (more than ``tolerated``
    within ten minutes): a tug of war between two established instances ends with one or both
    stopped, each saying why. (A newcomer causes two conflicts at most: its first poll, and
    PTB's last getUpdates when it shuts down.)
    """

    WINDOW = 600.0

    def __init__(self, newcomer_seconds: float = 60.0, tolerated: int = 5) -> None:
        self.newcomer_seconds = newcomer_seconds
        self.tolerated = tolerated
        self.started = time.monotonic()
        self._recent: deque[float] = deque()

    def should_stop(self) -> bool:
        now = time.monotonic()
        self._recent.append(now)
        while self._recent[0] < now - self.WINDOW:
            self._recent.popleft()
        return now - self.started < self.newcomer_seconds or len(self._recent) > self.tolerated


async def serve(
    settings: Settings,
    *,
    clock: Clock | None = None,
    stop: asyncio.Event | None = None,
    poll_timeout: float = 10.0,
    conflicts: PollingConflicts | None = None,
    ready: Callable[[Application], Awaitable[None]] | None = None,  # type: ignore[type-arg]
    db_watch_seconds: float = DB_WATCH_SECONDS,
) -> int:
    """Run the bot with long polling until ``stop`` is set; returns the process exit code.

    Without ``stop``, SIGINT and SIGTERM stop it. 0 after a requested stop, ``EXIT_CONFLICT``
    when another process polls with the same token (see :class:`PollingConflicts`),
    ``EXIT_DATABASE`` when the database file was deleted or replaced while it ran (one ERROR
    line says so; what the bot still held is copied to ``<db>.rescued-<time>``).
    ``DatabaseError`` at start-up (a bad, locked or lost database) propagates. Network errors
    never stop it: PTB's polling loop retries them with a growing pause (1 s, then x1.5 up to
    30 s), so polling resumes by itself at most 30 s after Telegram is reachable again.
    ``ready`` is awaited once the bot runs (test support: tests/support/child.py).
    """
    stopping = stop or asyncio.Event()
    guard = conflicts or PollingConflicts()
    exit_code = 0

    def on_fatal(_line: str) -> None:  # the line is already in the log
        nonlocal exit_code
        exit_code = EXIT_DATABASE
        stopping.set()

    app = build_application(
        settings, clock=clock, db_watch_seconds=db_watch_seconds, on_fatal=on_fatal
    )

    def on_polling_error(exc: TelegramError) -> None:
        nonlocal exit_code
        if isinstance(exc, NetworkError):
            # PTB retries by itself; one line per failed poll, not a stack trace.
            log.warning("polling: Telegram unreachable (%s); retrying", exc.message)
            return
        if not isinstance(exc, Conflict):
            # As in Application.run_polling: other polling errors go to the error handlers.
            app.create_task(app.process_error(error=exc, update=None))
            return
        if stopping.is_set():
            return
        if guard.should_stop():
            log.error(
                "another process is polling Telegram with this bot token (409 %s): "
                "stopping this one; run a single instance",
                exc.message,
            )
            exit_code = EXIT_CONFLICT
            stopping.set()
        else:
            log.warning(
                "409 %s: another process polled with this bot token; it should give way",
                exc.message,
            )

    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM) if stop is None else ()
    for sig in signals:
        loop.add_signal_handler(sig, stopping.set)
    try:
        async with app:  # initialize() ... shutdown()
            try:
                await start_core(app)
                if app.updater is not None:  # None: Zalo only
                    await app.updater.start_polling(
                        timeout=timedelta(seconds=poll_timeout),
                        allowed_updates=Update.ALL_TYPES,
                        drop_pending_updates=False,
                        error_callback=on_polling_error,
                    )
                await app.start()
                if ready is not None:
                    await ready(app)
                await stopping.wait()
            finally:
                if app.updater is not None and app.updater.running:
                    await app.updater.stop()
                if app.running:
                    await app.stop()
                await stop_core(app)
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)
    return exit_code


# -- webhook: what ``hoidap run --webhook URL`` does -------------------------------------------

_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,256}")  # Telegram allows 1-256; short is weak


@dataclass(frozen=True)
class WebhookOptions:
    """Where Telegram posts updates, where the bot listens, and the secret that proves it."""

    url: str
    listen: str = "0.0.0.0"
    port: int = 8443
    secret_token: str = field(default="", repr=False)

    @property
    def url_path(self) -> str:
        """The path the bot serves: the path of the public URL (a reverse proxy keeps it)."""
        return urlsplit(self.url).path.strip("/")


def webhook_options(
    url: str, listen: str = "0.0.0.0", port: int = 8443, secret_token: str | None = None
) -> WebhookOptions:
    """Check the options of ``hoidap run --webhook``; a random secret when none is given."""
    parts = urlsplit(url.strip())
    if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(
            "--webhook phải là địa chỉ https công khai của bot, ví dụ "
            "https://bot.example.org/hoidap (Telegram chỉ gửi tới https)"
        )
    if not 1 <= port <= 65535:
        raise ConfigError("--port phải là số cổng từ 1 đến 65535")
    if secret_token is None:
        secret_token = secrets.token_urlsafe(32)
    elif not _SECRET_TOKEN.fullmatch(secret_token):
        raise ConfigError(
            "--secret-token chỉ gồm A–Z, a–z, chữ số, dấu _ và -, từ 16 đến 256 ký tự"
        )
    return WebhookOptions(url.strip(), listen, port, secret_token)


def run_webhook(settings: Settings, options: WebhookOptions) -> int:
    """Serve updates Telegram posts to ``options.url`` (PTB's webhook server, with tornado).

    Telegram sends the secret in the ``X-Telegram-Bot-Api-Secret-Token`` header of every
    update; PTB answers 403 to a request without it and handles nothing. Start-up and shutdown
    (database and its lock, outbox, scheduler) run as ``post_init``/``post_shutdown``.
    """
    lost: list[str] = []

    def on_fatal(line: str) -> None:
        lost.append(line)
        app.stop_running()  # run_webhook returns; post_shutdown (stop_core) runs

    app = build_application(settings, on_fatal=on_fatal)
    redact_in_logs(options.secret_token, "<secret>")
    log.info(
        "webhook %s: listening on %s:%s, path /%s",
        options.url,
        options.listen,
        options.port,
        options.url_path,
    )
    app.run_webhook(
        listen=options.listen,
        port=options.port,
        url_path=options.url_path,
        webhook_url=options.url,
        secret_token=options.secret_token,
        allowed_updates=Update.ALL_TYPES,
        drop_pending_updates=False,
    )
    return EXIT_DATABASE if lost else 0


__all__ = [
    "EXIT_CONFLICT",
    "EXIT_DATABASE",
    "PollingConflicts",
    "Update",
    "WebhookOptions",
    "build_application",
    "redact_in_logs",
    "run_webhook",
    "serve",
    "setup_logging",
    "start_core",
    "stop_core",
    "webhook_options",
]
