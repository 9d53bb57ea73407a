"""Decoding of request parameters as PTB sends them (see the package docstring)."""

from __future__ import annotations

import copy
import json
from collections.abc import Awaitable, Callable
from typing import Any

from fakes.fakebotapi.entities import JSON
from fakes.fakebotapi.models import (
    _BOOL_PARAMS,
    _INT_PARAMS,
    _JSON_PARAMS,
    _bad,
)

_Handler = Callable[[JSON], Awaitable[Any]]


def _coerce(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if name in _INT_PARAMS:
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return value
    if name in _BOOL_PARAMS:
        lowered = value.strip().lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0", ""):
            return False
        return value
    if name in _JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            if name == "reply_markup":
                raise _bad("can't parse reply keyboard markup JSON object") from None
            raise _bad(f"can't parse {name} JSON object") from None
    return value


def _scope_key(scope: JSON | None, language_code: str = "") -> str:
    key = json.dumps(scope or {"type": "default"}, sort_keys=True, separators=(",", ":"))
    return f"{key}|{language_code}" if language_code else key


def _strip_reply(message: JSON) -> JSON:
    snapshot = copy.deepcopy(message)
    snapshot.pop("reply_to_message", None)
    return snapshot
