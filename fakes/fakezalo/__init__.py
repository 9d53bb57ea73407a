"""An in-process fake of the Zalo Bot API, built from its documented payloads.

``ZaloApi`` (bot.transport.zalo_api) is pointed at it with ``base_url=fake.url``::

    async with FakeZalo() as fake:
        api = ZaloApi(fake.token, fake.url)
        fake.push_text("u1", "xin chào")
        message = await api.get_updates()

What it does as the documentation says: ``POST /bot<token>/<method>`` with JSON, answers
``{"ok": true, "result": …}`` or ``{"ok": false, "error_code", "description"}``; a wrong
token answers 401; ``getUpdates`` gives ONE queued update per call, else waits up to its
``timeout`` (string or number) and answers 408 «Request timeout» (a push ends the wait at
once); string ids and millisecond dates; ``sendMessage`` takes 1–2000 characters; webhooks
with an https URL (or http with ``allow_http_webhook=True``) and an 8–256 character secret
sent back in ``X-Bot-Api-Secret-Token``. Its own choices where the documentation is silent
are listed on :class:`FakeZalo`. Fault injection: ``fail_next``, ``hang_next``,
``down``/``up``.
"""

from __future__ import annotations

from fakes.fakezalo.server import SECRET_HEADER, TEXT_LIMIT, FakeZalo, ZaloError

__all__ = ["SECRET_HEADER", "TEXT_LIMIT", "FakeZalo", "ZaloError"]
