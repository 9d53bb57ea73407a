"""Settings from the environment (and an optional ``.env`` file).

A missing or malformed setting raises :class:`ConfigError` with a one-line explanation; the CLI
prints it and exits. The bot token is kept out of ``repr`` so it never reaches a log line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_API_URL = "https://api.telegram.org/bot"
DEFAULT_DB = Path("data") / "hoidap.sqlite3"
DEFAULT_ZALO_API_URL = "https://bot-api.zaloplatforms.com"
_TOKEN_RE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{5,}$")
_ZALO_TOKEN_RE = re.compile(r"^[0-9]{3,}:[A-Za-z0-9_-]{8,}$")
_ZALO_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{8,256}$")


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line for the operator."""


@dataclass(frozen=True)
class Settings:
    token: str | None = field(default=None, repr=False)
    api_url: str = DEFAULT_API_URL
    db_path: Path = DEFAULT_DB
    admins: frozenset[int] = frozenset()
    tz: str = "Asia/Ho_Chi_Minh"
    grace_minutes: int = 30
    log_level: str = "INFO"
    # Zalo (bot/transport/zalo.py): on when a token is set.
    zalo_token: str | None = field(default=None, repr=False)
    zalo_api_url: str = DEFAULT_ZALO_API_URL
    zalo_rate: float = 5.0  # messages per second to Zalo (its limits are not published)
    # The bot's own HTTP server: Zalo's webhook (when a secret is set) and one-time file links.
    public_url: str | None = None
    http_listen: str = "127.0.0.1"
    http_port: int = 8080
    zalo_webhook_secret: str | None = field(default=None, repr=False)

    @property
    def telegram(self) -> bool:
        return self.token is not None

    @property
    def zalo(self) -> bool:
        return self.zalo_token is not None

    @property
    def file_url(self) -> str:
        """File downloads: the Bot API URL with ``/bot`` replaced by ``/file/bot``."""
        return self.api_url[: -len("/bot")] + "/file/bot"


def _parse_admins(raw: str) -> frozenset[int]:
    ids: set[int] = set()
    for part in re.split(r"[,\s;]+", raw.strip()):
        if not part:
            continue
        if not re.fullmatch(r"-?\d{1,15}", part):
            raise ConfigError(
                f"HOIDAP_ADMINS phải là danh sách id Telegram (số), cách nhau bởi dấu phẩy; "
                f"giá trị không hợp lệ: {part!r}"
            )
        ids.add(int(part))
    return frozenset(ids)


def _normalize_api_url(raw: str) -> str:
    url = raw.strip().rstrip("/")
    if not re.match(r"^https?://[^\s/]+", url):
        raise ConfigError(
            f"HOIDAP_TELEGRAM_API_URL phải là địa chỉ http(s), ví dụ {DEFAULT_API_URL}"
        )
    # Accept both "https://host" and "https://host/bot": PTB appends the token to ".../bot".
    return url if url.endswith("/bot") else url + "/bot"


def load_settings(env: Mapping[str, str] | None = None, *, dotenv: Path | None = None) -> Settings:
    """Read settings from ``env`` (default: ``os.environ`` after loading ``.env`` if present)."""
    if env is None:
        from dotenv import load_dotenv

        load_dotenv(dotenv or Path(".env"), override=False)
        env = os.environ

    token = env.get("TELEGRAM_BOT_TOKEN", "").strip() or None
    if token is not None and not _TOKEN_RE.match(token):
        # Never echo the token itself.
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN không đúng dạng (mong đợi '123456789:ABC...' do BotFather cấp)"
        )

    tz = env.get("HOIDAP_TZ", "").strip() or "Asia/Ho_Chi_Minh"
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"HOIDAP_TZ không phải múi giờ hợp lệ: {tz!r}") from None

    grace_raw = env.get("HOIDAP_GRACE_MINUTES", "").strip() or "30"
    # ASCII digits only: str.isdigit() also takes "²", which int() refuses.
    if not re.fullmatch(r"[0-9]{1,4}", grace_raw) or not 0 < int(grace_raw) <= 24 * 60:
        raise ConfigError("HOIDAP_GRACE_MINUTES phải là số phút từ 1 đến 1440")

    level = (env.get("HOIDAP_LOG_LEVEL", "").strip() or "INFO").upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigError("HOIDAP_LOG_LEVEL phải là DEBUG, INFO, WARNING hoặc ERROR")

    db_raw = env.get("HOIDAP_DB", "").strip()
    settings = Settings(
        token=token,
        api_url=_normalize_api_url(env.get("HOIDAP_TELEGRAM_API_URL", "") or DEFAULT_API_URL),
        db_path=Path(db_raw) if db_raw else DEFAULT_DB,
        admins=_parse_admins(env.get("HOIDAP_ADMINS", "")),
        tz=tz,
        grace_minutes=int(grace_raw),
        log_level=level,
    )
    return _with_zalo(settings, env)


def _with_zalo(settings: Settings, env: Mapping[str, str]) -> Settings:
    """ZALO_BOT_TOKEN and what goes with it; each bad value refused in one line."""
    token = env.get("ZALO_BOT_TOKEN", "").strip() or None
    if token is not None and not _ZALO_TOKEN_RE.match(token):
        raise ConfigError(
            "ZALO_BOT_TOKEN không đúng dạng (mong đợi '<id bot>:<mã bí mật>' do Zalo Bot "
            "Creator cấp)"
        )
    url = env.get("HOIDAP_ZALO_API_URL", "").strip().rstrip("/") or DEFAULT_ZALO_API_URL
    if not re.match(r"^https?://[^\s/]+", url):
        raise ConfigError(
            f"HOIDAP_ZALO_API_URL phải là địa chỉ http(s), ví dụ {DEFAULT_ZALO_API_URL}"
        )
    rate_raw = env.get("HOIDAP_ZALO_RATE", "").strip() or "5"
    try:
        rate = float(rate_raw)
    except ValueError:
        rate = -1.0
    if not 0.1 <= rate <= 30:
        raise ConfigError("HOIDAP_ZALO_RATE phải là số tin mỗi giây, từ 0.1 đến 30")
    public = env.get("HOIDAP_PUBLIC_URL", "").strip().rstrip("/") or None
    if public is not None and not re.match(r"^https://[^\s/]+", public):
        raise ConfigError(
            "HOIDAP_PUBLIC_URL phải là địa chỉ https công khai của bot, ví dụ https://bot.example.org"
        )
    listen = env.get("HOIDAP_HTTP_LISTEN", "").strip() or "127.0.0.1"
    port_raw = env.get("HOIDAP_HTTP_PORT", "").strip() or "8080"
    if not re.fullmatch(r"[0-9]{1,5}", port_raw) or not 1 <= int(port_raw) <= 65535:
        raise ConfigError("HOIDAP_HTTP_PORT phải là số cổng từ 1 đến 65535")
    secret = env.get("HOIDAP_ZALO_WEBHOOK_SECRET", "").strip() or None
    if secret is not None:
        if not _ZALO_SECRET_RE.match(secret):
            raise ConfigError(
                "HOIDAP_ZALO_WEBHOOK_SECRET chỉ gồm A–Z, a–z, chữ số, dấu _ và -, "
                "từ 8 đến 256 ký tự"
            )
        if public is None:
            raise ConfigError(
                "HOIDAP_ZALO_WEBHOOK_SECRET cần HOIDAP_PUBLIC_URL (địa chỉ https Zalo gửi tin tới)"
            )
    return replace(
        settings,
        zalo_token=token,
        zalo_api_url=url,
        zalo_rate=rate,
        public_url=public,
        http_listen=listen,
        http_port=int(port_raw),
        zalo_webhook_secret=secret,
    )
