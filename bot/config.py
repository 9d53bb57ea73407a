"""Settings from the environment (and an optional ``.env`` file).

A missing or malformed setting raises :class:`ConfigError` with a one-line explanation; the CLI
prints it and exits. The bot token is kept out of ``repr`` so it never reaches a log line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_API_URL = "https://api.telegram.org/bot"
DEFAULT_DB = Path("data") / "hoidap.sqlite3"
_TOKEN_RE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{5,}$")


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
    return Settings(
        token=token,
        api_url=_normalize_api_url(env.get("HOIDAP_TELEGRAM_API_URL", "") or DEFAULT_API_URL),
        db_path=Path(db_raw) if db_raw else DEFAULT_DB,
        admins=_parse_admins(env.get("HOIDAP_ADMINS", "")),
        tz=tz,
        grace_minutes=int(grace_raw),
        log_level=level,
    )
