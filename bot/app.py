"""The composition root: one place where the Telegram application is put together."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, Defaults

from bot.clock import Clock, SystemClock
from bot.config import ConfigError, Settings
from bot.core import Core
from bot.db import connect
from bot.store import Store
from bot.transport.outbox import OutboxWorker
from bot.transport.telegram import refresh_commands, send_outbox_item, set_command_menus
from handlers import register
from handlers.common import Deps
from scheduler import ProgramScheduler

log = logging.getLogger("hoidap")


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
) -> Application:  # type: ignore[type-arg]
    """Build the bot. Start-up (database, outbox, scheduler, menus) happens in ``post_init``."""
    if not settings.token:
        raise ConfigError("thiếu TELEGRAM_BOT_TOKEN (mã bot do BotFather cấp)")
    builder = (
        ApplicationBuilder()
        .token(settings.token)
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
    )
    if rate_limit:
        # Telegram's limits: ~30 messages/s overall, 20/min per group; retries on RetryAfter.
        builder = builder.rate_limiter(
            AIORateLimiter(  # type: ignore[arg-type]
                overall_max_rate=30,
                overall_time_period=1,
                group_max_rate=20,
                group_time_period=60,
                max_retries=3,
            )
        )
    app = builder.build()
    app.bot_data["settings"] = settings
    app.bot_data["clock"] = clock or SystemClock()
    app.bot_data["run_scheduler"] = run_scheduler
    register(app)
    return app


async def start_core(app: Application) -> None:  # type: ignore[type-arg]
    settings: Settings = app.bot_data["settings"]
    conn = await connect(settings.db_path)
    core = Core(store=Store(conn), clock=app.bot_data["clock"], settings=settings)
    bot = app.bot

    async def send(item):  # type: ignore[no-untyped-def]
        return await send_outbox_item(bot, item)

    outbox = OutboxWorker(core, send)
    deps = Deps(core=core, outbox=outbox, bot_username=bot.username or "hoidap_bot")

    async def roles_changed(tg_user_id: int, roles: frozenset[str]) -> None:
        await refresh_commands(bot, tg_user_id, roles)

    core.on_roles_changed.append(roles_changed)
    app.bot_data["deps"] = deps
    outbox.start()
    try:
        await set_command_menus(bot, core)
    except Exception:  # menus are a convenience; never block start-up on them
        log.exception("could not set command menus")
    if app.bot_data["run_scheduler"]:
        sched = ProgramScheduler(core)
        app.bot_data["scheduler"] = sched
        await sched.start()
    log.info("hoidap started as @%s, database %s", bot.username, settings.db_path)


async def stop_core(app: Application) -> None:  # type: ignore[type-arg]
    sched = app.bot_data.get("scheduler")
    if isinstance(sched, ProgramScheduler):
        sched.shutdown()
    deps = app.bot_data.get("deps")
    if isinstance(deps, Deps):
        await deps.outbox.stop()
        await deps.core.store.close()


__all__ = ["Update", "build_application", "setup_logging", "start_core", "stop_core"]
