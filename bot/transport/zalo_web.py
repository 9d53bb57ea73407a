"""The bot's small HTTP server (aiohttp): Zalo webhooks and one-time file links.

Zalo has no documents, so a file the bot would send on Telegram (handbook, report) is offered
as a link ``{public_url}/tep/<random token>/<filename>`` that works ``uses`` times within
``ttl``; afterwards it answers 410 with a short plain-text line (template ``file_link_gone``).
Offered files are kept in memory only: at most ``MAX_FILES`` files and ``MAX_BYTES`` bytes,
the oldest evicted first; a restart forgets them (the person asks again).

A webhook path accepts a POST only with the secret in ``X-Bot-Api-Secret-Token`` (403
otherwise, nothing handled); a malformed body (not JSON, nested too deep, not an update) answers 400
with one log line; a good update is recorded as taken in before the 200, then handled in a task
of its own, so a stop right after the answer loses nothing and a failing handler never makes
Zalo send it again.
No access log is written: paths hold file tokens.
"""

from __future__ import annotations

import hmac
import json
import logging
import mimetypes
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from aiohttp import web

from bot.render import render
from bot.transport.plaintext import to_plain
from bot.transport.zalo_api import ZaloMessage, parse_update

log = logging.getLogger("hoidap.web")

SECRET_HEADER = "X-Bot-Api-Secret-Token"
FILE_PREFIX = "/tep/"
MAX_FILES = 100  # offered files kept in memory at once (oldest evicted)
MAX_BYTES = 64 * 1024 * 1024  # their total size (oldest evicted); one file may not exceed it
MAX_BODY = 256 * 1024  # a webhook update is small

OnMessage = Callable[[ZaloMessage], Awaitable[None]]


@dataclass
class _Offer:
    data: bytes
    filename: str
    content_type: str
    expires_at: datetime
    uses_left: int


def _content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the UTF-8 name (RFC 5987 / 6266)."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in filename
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


class WebServer:
    """Webhook endpoints and one-time file links on ``host:port`` (``port`` 0: any free one)."""

    def __init__(
        self,
        host: str,
        port: int,
        public_url: str | None,
        *,
        clock: Callable[[], datetime],
    ) -> None:
        self.host = host
        self.port = port
        self.public_url = public_url.rstrip("/") if public_url else None
        self._clock = clock
        self._webhooks: dict[str, tuple[str, OnMessage]] = {}
        self._files: OrderedDict[str, _Offer] = OrderedDict()
        self._bytes = 0
        self._runner: web.AppRunner | None = None
        self.handled = 0  # webhook updates handed over
        self.downloads = 0

    # ---------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        if self._runner is not None:
            raise RuntimeError("the web server is already running")
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_route("*", "/{tail:.*}", self._route)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        log.info("web server listening on %s:%s", self.host, self.port)

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    # ---------------------------------------------------------------- webhooks

    def add_webhook(self, path: str, secret: str, on_message: OnMessage) -> None:
        if not secret:
            raise ValueError("a webhook needs a secret")
        self._webhooks["/" + path.lstrip("/")] = (secret, on_message)

    async def _webhook(
        self, request: web.Request, secret: str, on_message: OnMessage
    ) -> web.Response:
        if request.method != "POST":
            return web.Response(status=405, text="method not allowed")
        # A header may carry any bytes: compared as bytes, never decoded into an error.
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, secret.encode()):
            log.warning("webhook: a request without the right secret was refused")
            return web.Response(status=403, text="forbidden")
        try:
            body = json.loads(await request.read())
        except web.HTTPRequestEntityTooLarge:
            return web.Response(status=413, text="too large")
        except (ValueError, UnicodeDecodeError, RecursionError):
            log.warning("webhook: a body that is not a JSON update was refused")
            return web.Response(status=400, text="bad request")
        try:
            message = parse_update(body)  # logs what is wrong
        except RecursionError:
            message = None
            log.warning("webhook: a body nested too deep was refused")
        if message is None:
            return web.Response(status=400, text="bad request")
        try:
            # Recorded before Zalo hears «ok» (Zalo sends nothing twice); handled in a task.
            await on_message(message)
        except Exception:
            log.exception("webhook: message %s could not be recorded", message.message_id)
            return web.Response(status=503, text="try again")
        self.handled += 1
        return web.json_response({"ok": True})

    # ---------------------------------------------------------------- file links

    def offer_file(
        self,
        data: bytes,
        filename: str,
        ttl: timedelta = timedelta(hours=1),
        uses: int = 1,
    ) -> str | None:
        """A link that serves ``data`` ``uses`` times within ``ttl``; None without a public URL.

        Raises ValueError for a file larger than ``MAX_BYTES`` or a name without characters.
        """
        if self.public_url is None:
            return None
        name = filename.replace("/", "_").replace("\\", "_").strip()
        if not name:
            raise ValueError("a file needs a name")
        if len(data) > MAX_BYTES:
            raise ValueError(f"a file over {MAX_BYTES} bytes cannot be offered")
        if uses < 1:
            raise ValueError("uses must be at least 1")
        self._purge()
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        token = secrets.token_urlsafe(24)
        self._files[token] = _Offer(data, name, content_type, self._clock() + ttl, uses)
        self._bytes += len(data)
        while len(self._files) > MAX_FILES or self._bytes > MAX_BYTES:
            self._drop(next(iter(self._files)))
        return f"{self.public_url}{FILE_PREFIX}{token}/{quote(name, safe='')}"

    @property
    def offered(self) -> int:
        return len(self._files)

    def _drop(self, token: str) -> None:
        offer = self._files.pop(token, None)
        if offer is not None:
            self._bytes -= len(offer.data)

    def _purge(self) -> None:
        now = self._clock()
        for token in [t for t, o in self._files.items() if o.expires_at <= now]:
            self._drop(token)

    def _gone(self) -> web.Response:
        return web.Response(
            status=410, text=to_plain(render("file_link_gone")), content_type="text/plain"
        )

    async def _file(self, request: web.Request) -> web.Response:
        if request.method not in ("GET", "HEAD"):
            return web.Response(status=405, text="method not allowed")
        token = request.path[len(FILE_PREFIX) :].split("/", 1)[0]
        self._purge()
        offer = self._files.get(token)
        if offer is None:
            return self._gone()
        headers = {
            "Content-Disposition": _content_disposition(offer.filename),
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        }
        if request.method == "HEAD":  # a look, not a download
            headers["Content-Length"] = str(len(offer.data))
            return web.Response(status=200, headers=headers, content_type=offer.content_type)
        offer.uses_left -= 1
        if offer.uses_left <= 0:
            self._drop(token)
        self.downloads += 1
        return web.Response(body=offer.data, headers=headers, content_type=offer.content_type)

    # ---------------------------------------------------------------- routing

    async def _route(self, request: web.Request) -> web.StreamResponse:
        hook = self._webhooks.get(request.path)
        if hook is not None:
            return await self._webhook(request, *hook)
        if request.path.startswith(FILE_PREFIX):
            return await self._file(request)
        return web.Response(status=404, text="not found")
