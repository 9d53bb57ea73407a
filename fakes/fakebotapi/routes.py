"""The HTTP layer: routing, faults and outages, parameter decoding, message records."""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from fakes.fakebotapi.entities import (
    JSON,
    EntityParseError,
    _trim,
    parse_html,
    utf16_len,
)
from fakes.fakebotapi.models import (
    _API_PATH,
    _EDIT_METHODS,
    _FILE_PREFIX,
    _SENDING_METHODS,
    CALLBACK_DATA_LIMIT,
    CAPTION_LIMIT,
    MESSAGE_LIMIT,
    ApiError,
    RecordedRequest,
    SentMessage,
    UploadedFile,
    _bad,
    _DropConnection,
    _StoredFile,
)
from fakes.fakebotapi.observe import Observation
from fakes.fakebotapi.params import (
    _coerce,
    _strip_reply,
)


class Routes(Observation):
    # ---------------------------------------------------------------- HTTP layer

    async def _route(self, request: web.Request) -> web.StreamResponse:
        if request.path.startswith(_FILE_PREFIX):
            return await self._serve_file(request)
        return await self._serve_api(request)

    def _record(
        self, method: str, params: JSON, at: float, status: int, error: str | None = None
    ) -> None:
        self.requests.append(RecordedRequest(method, params, at, status, error))
        self._notify()

    @staticmethod
    def _json(body: JSON, status: int = 200) -> web.Response:
        return web.json_response(body, status=status)

    async def _drop(self, request: web.Request, delay: float = 0.0) -> web.Response:
        if delay > 0:
            await self._until(lambda: self._closing, delay)
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=500)

    def _pick_fault(self, method: str) -> str | None:
        plan = self._faults
        if plan is None or plan.rate <= 0 or not plan.applies_to(method):
            return None
        if self._fault_rng.random() >= plan.rate:
            return None
        self.faults_injected += 1
        return self._fault_rng.choice(plan.kinds)

    def _fault_error(self, kind: str) -> ApiError | _DropConnection:
        plan = self._faults
        retry_after = plan.retry_after if plan else 1
        if kind == "500":
            return ApiError(500, "Internal Server Error")
        if kind == "502":
            return ApiError(502, "Bad Gateway")
        if kind == "429":
            return ApiError(
                429,
                f"Too Many Requests: retry after {retry_after}",
                {"retry_after": retry_after},
            )
        if kind == "timeout":
            return _DropConnection(plan.timeout_seconds if plan else 5.0)
        return _DropConnection()

    async def _answer_failure(
        self,
        request: web.Request,
        method: str,
        params: JSON,
        at: float,
        failure: ApiError | _DropConnection,
    ) -> web.Response:
        if isinstance(failure, ApiError):
            self._record(method, params, at, failure.code, failure.description)
            return self._json(failure.body(), failure.code)
        self._record(method, params, at, 0, "connection dropped")
        return await self._drop(request, failure.delay)

    def _outage_failure(self) -> ApiError | _DropConnection | None:
        if self._outage is None:
            return None
        if self._outage == "502":
            return ApiError(502, "Bad Gateway")
        return _DropConnection()

    async def _read_params(self, request: web.Request) -> JSON:
        raw: JSON = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            content_type = request.content_type
            try:
                if content_type == "application/json":
                    try:
                        body = await request.json()
                    except ValueError:
                        raise _bad("can't parse JSON object") from None
                    if not isinstance(body, dict):
                        raise _bad("can't parse JSON object")
                    raw.update(body)
                elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                    form = await request.post()
                    for key, value in form.items():
                        if isinstance(value, web.FileField):
                            raw[key] = UploadedFile(
                                field=key,
                                filename=value.filename,
                                content_type=value.content_type,
                                data=value.file.read(),
                            )
                        elif isinstance(value, bytes):
                            raw[key] = value.decode("utf-8", "replace")
                        else:
                            raw[key] = value
            except web.HTTPRequestEntityTooLarge:
                raise ApiError(413, "Request Entity Too Large") from None
        return {key: _coerce(key, value) for key, value in raw.items()}

    async def _serve_api(self, request: web.Request) -> web.Response:
        at = self._clock()
        match = _API_PATH.match(request.path)
        name = match.group("method") if match else request.path
        outage = self._outage_failure()
        if outage is not None:
            return await self._answer_failure(request, name, {}, at, outage)
        if match is None or not match.group("method"):
            return await self._answer_failure(request, name, {}, at, ApiError(404, "Not Found"))
        if match.group("token") != self.token:
            return await self._answer_failure(request, name, {}, at, ApiError(401, "Unauthorized"))
        entry = self._dispatch.get(name.lower())
        if entry is None:
            return await self._answer_failure(request, name, {}, at, ApiError(404, "Not Found"))
        method, handler = entry
        try:
            params = await self._read_params(request)
        except ApiError as error:
            return await self._answer_failure(request, method, {}, at, error)

        fault = self._rule_fault(method, params) or self._pick_fault(method)
        if fault is not None:
            return await self._answer_failure(request, method, params, at, self._fault_error(fault))

        flood_chat = self._flood_chat(method, params)
        try:
            if flood_chat is not None and self._flood is not None:
                retry_after = self._flood.retry_after(flood_chat)
                if retry_after is not None:
                    self.flood_429_count += 1
                    raise ApiError(
                        429,
                        f"Too Many Requests: retry after {retry_after}",
                        {"retry_after": retry_after},
                    )
            result = await handler(params)
        except ApiError as error:
            if request.transport is None or request.transport.is_closing():
                # e.g. a long poll the client cancelled before it was superseded
                error.description += " (client had already disconnected)"
            return await self._answer_failure(request, method, params, at, error)
        if flood_chat is not None and self._flood is not None:
            self._flood.record(flood_chat)
        self._record(method, params, at, 200)
        return self._json({"ok": True, "result": result})

    def _flood_chat(self, method: str, params: JSON) -> int | None:
        if self._flood is None:
            return None
        counted = method in _SENDING_METHODS or (
            self._flood.limits.count_edits and method in _EDIT_METHODS
        )
        chat_id = params.get("chat_id")
        if counted and isinstance(chat_id, int) and not isinstance(chat_id, bool):
            return chat_id
        return None

    async def _serve_file(self, request: web.Request) -> web.StreamResponse:
        at = self._clock()
        token, _, file_path = request.path[len(_FILE_PREFIX) :].partition("/")
        params: JSON = {"file_path": file_path}
        failure = self._outage_failure()
        if failure is None:
            fault = self._pick_fault("downloadFile")
            failure = self._fault_error(fault) if fault is not None else None
        if failure is None and (token != self.token or file_path not in self._files_by_path):
            failure = ApiError(404, "Not Found")
        if failure is not None:
            return await self._answer_failure(request, "downloadFile", params, at, failure)
        stored = self._files_by_path[file_path]
        self._record("downloadFile", params, at, 200)
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    # ---------------------------------------------------------------- parameter helpers

    @staticmethod
    def _int(params: JSON, name: str) -> int:
        value = params.get(name)
        if value is None or value == "":
            raise _bad(f"{name} is empty")
        if isinstance(value, bool) or not isinstance(value, int):
            raise _bad(f"invalid {name} specified")
        return value

    @staticmethod
    def _opt_int(params: JSON, name: str) -> int | None:
        value = params.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _bad(f"invalid {name} specified")
        return int(value)

    @staticmethod
    def _opt_str(params: JSON, name: str) -> str | None:
        value = params.get(name)
        return None if value is None else str(value)

    def _chat_id(self, params: JSON, name: str = "chat_id") -> int:
        value = params.get(name)
        if isinstance(value, str) and value.startswith("@"):
            for chat in self._chats.values():
                if chat.get("username", "").lower() == value[1:].lower():
                    return int(chat["id"])
            raise _bad("chat not found")
        return self._int(params, name)

    def _chat(self, chat_id: int, *, writing: bool = True) -> JSON:
        chat = self._chats.get(chat_id)
        if chat is None:
            raise _bad("chat not found")
        if chat_id in self._migrated:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self._migrated[chat_id]},
            )
        if writing:
            if chat_id > 0 and chat_id in self._blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            status = self._bot_status.get(chat_id, "member")
            if chat_id < 0 and status == "kicked":
                raise ApiError(403, "Forbidden: bot was kicked from the group chat")
            if chat_id < 0 and status == "left":
                raise ApiError(403, "Forbidden: bot is not a member of the group chat")
        return chat

    @staticmethod
    def _format(
        text: str, parse_mode: str | None, entities: Any, *, caption: bool = False
    ) -> tuple[str, list[JSON]]:
        mode = (parse_mode or "").lower()
        if mode == "html":
            try:
                plain, parsed = parse_html(text)
            except EntityParseError as error:
                raise _bad(f"can't parse entities: {error}") from None
        elif mode in ("", "markdown", "markdownv2"):
            plain = text
            parsed = list(entities) if mode == "" and isinstance(entities, list) else []
        else:
            raise _bad("unsupported parse_mode")
        plain, parsed = _trim(plain, parsed)
        if caption:
            if utf16_len(plain) > CAPTION_LIMIT:
                raise _bad("message caption is too long")
        else:
            if not plain:
                raise _bad("message text is empty")
            if utf16_len(plain) > MESSAGE_LIMIT:
                raise _bad("message is too long")
        return plain, parsed

    @staticmethod
    def _markup(value: Any) -> JSON | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in value:
            return value
        rows = value["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad(
                "can't parse reply keyboard markup: inline_keyboard must be an array of arrays"
            )
        actions = (
            "callback_data",
            "url",
            "switch_inline_query",
            "switch_inline_query_current_chat",
            "web_app",
            "login_url",
            "copy_text",
            "pay",
            "callback_game",
            "switch_inline_query_chosen_chat",
        )
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                    raise _bad("can't parse inline keyboard button: Text must be a String")
                if not any(key in button for key in actions):
                    raise _bad(
                        "can't parse inline keyboard button: "
                        "Text buttons are unallowed in the inline keyboard"
                    )
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= CALLBACK_DATA_LIMIT:
                    raise _bad("BUTTON_DATA_INVALID")
        if not any(rows):
            return None
        return value

    def _reply_target(self, chat_id: int, params: JSON) -> JSON | None:
        message_id = params.get("reply_to_message_id")
        allow_missing = bool(params.get("allow_sending_without_reply", False))
        target_chat = chat_id
        reply_parameters = params.get("reply_parameters")
        if isinstance(reply_parameters, dict):
            message_id = reply_parameters.get("message_id")
            allow_missing = bool(reply_parameters.get("allow_sending_without_reply", allow_missing))
            if isinstance(reply_parameters.get("chat_id"), int):
                target_chat = reply_parameters["chat_id"]
        if message_id is None:
            return None
        original = self.find_message(target_chat, int(message_id))
        if original is None:
            if allow_missing:
                return None
            raise _bad("message to be replied not found")
        return _strip_reply(original)

    def _new_bot_message(self, chat: JSON, params: JSON) -> JSON:
        chat_id = int(chat["id"])
        reply_to = self._reply_target(chat_id, params)
        message: JSON = {
            "message_id": self._new_message_id(chat_id),
            "from": dict(self.bot_user),
            "chat": dict(chat),
            "date": int(time.time()),
        }
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        if params.get("protect_content"):
            message["has_protected_content"] = True
        return message

    def _commit(
        self,
        message: JSON,
        kind: str,
        params: JSON,
        *,
        text: str | None,
        parse_mode: str | None,
        markup: JSON | None,
        stored: _StoredFile | None = None,
    ) -> SentMessage:
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        self._store_message(message)
        reply = message.get("reply_to_message")
        sent = SentMessage(
            message_id=message["message_id"],
            chat_id=message["chat"]["id"],
            text=text,
            parse_mode=parse_mode,
            reply_markup=markup,
            kind=kind,
            file_id=stored.file_id if stored else None,
            file_name=stored.file_name if stored else None,
            reply_to_message_id=reply["message_id"] if reply else None,
            date=self._clock(),
            params=params,
        )
        self.sent.append(sent)
        self._sent_index[(sent.chat_id, sent.message_id)] = sent
        self._notify()
        return sent

    def _input_file(self, params: JSON, name: str, kind: str) -> _StoredFile:
        value = params.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value.removeprefix("attach://"))
        if isinstance(value, UploadedFile):
            mime = value.content_type or None
            if kind == "voice":
                mime = "audio/ogg"
            return self._store_file(kind, value.data, value.filename or None, mime)
        if isinstance(value, str) and value:
            stored = self._files.get(value)
            if stored is None:
                raise _bad("wrong file identifier/HTTP URL specified")
            return stored
        raise _bad(f"there is no {name} in the request")
