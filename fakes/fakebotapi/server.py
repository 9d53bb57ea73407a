"""The fake Bot API server: the layers put together, the method table and the lifecycle."""

from __future__ import annotations

from types import TracebackType

from aiohttp import web

from fakes.fakebotapi.methods import Methods
from fakes.fakebotapi.models import MAX_UPLOAD_BYTES
from fakes.fakebotapi.params import _Handler


class FakeBotAPI(Methods):
    """A local Telegram Bot API server with an in-memory world.  See the module docstring.

    Behaviour worth knowing:

    * users and groups referenced by injection helpers are registered on the fly; a group's
      messages only reach the bot while it is a member (see ``group(bot_status=...)``,
      ``add_bot_to_group`` and ``remove_bot_from_group``);
    * like Telegram, updates are served until a later ``getUpdates`` confirms them with a
      higher ``offset``; without ``allowed_updates`` the ``chat_member`` and reaction updates
      are not delivered;
    * message text is trimmed and HTML is parsed into entities as Telegram does; the records
      in ``sent`` keep the raw text the bot sent;
    * ``SentMessage.date`` and ``RecordedRequest.at`` are readings of ``clock`` (the clock
      that also drives the flood windows), Telegram ``date`` fields are Unix time;
    * all methods must be called from the event loop the server runs on.
    """

    def _handlers(self) -> dict[str, _Handler]:
        return {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "logOut": self._ok,
            "close": self._ok,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendDocument": self._send_document,
            "sendVoice": self._send_voice,
            "sendAudio": self._send_audio,
            "sendPhoto": self._send_photo,
            "copyMessage": self._copy_message,
            "forwardMessage": self._forward_message,
            "getFile": self._get_file,
            "sendChatAction": self._send_chat_action,
            "setMyCommands": self._set_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getMyCommands": self._get_my_commands,
            "getChat": self._get_chat,
            "getChatMember": self._get_chat_member,
            "setMyDescription": self._ok,
            "setMyShortDescription": self._ok,
            "setMyName": self._ok,
            "setChatMenuButton": self._ok,
        }

    # ---------------------------------------------------------------- lifecycle

    async def start(self, *, port: int = 0) -> None:
        """Listen on 127.0.0.1 (a free port unless ``port`` is given)."""
        if self._runner is not None:
            raise RuntimeError("FakeBotAPI is already running")
        self._closing = False
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._route)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", port)
        await site.start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self._closing = True
        self._notify()
        await runner.cleanup()
        self._port = None

    async def __aenter__(self) -> FakeBotAPI:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def running(self) -> bool:
        return self._runner is not None

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeBotAPI is not running; call start() first")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"
