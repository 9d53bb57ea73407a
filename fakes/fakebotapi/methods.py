"""The Bot API methods the bot calls, one handler each."""

from __future__ import annotations

import asyncio
import copy
import time
from typing import Final

from fakes.fakebotapi.entities import JSON
from fakes.fakebotapi.models import (
    _CHAT_ACTIONS,
    _COMMAND_NAME,
    _DEFAULT_EXCLUDED_UPDATES,
    ApiError,
    SentMessage,
    _bad,
    _StoredFile,
)
from fakes.fakebotapi.params import _scope_key
from fakes.fakebotapi.routes import Routes


class Methods(Routes):
    # ---------------------------------------------------------------- method handlers

    async def _ok(self, params: JSON) -> bool:
        return True

    async def _get_me(self, params: JSON) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _confirm(self, offset: int | None) -> None:
        if not offset:
            return
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        else:
            self._pending = self._pending[offset:]
        self._notify()

    def _deliverable(self, limit: int) -> list[JSON]:
        allowed = self._allowed_updates

        def wanted(update: JSON) -> bool:
            kinds = [key for key in update if key != "update_id"]
            if not kinds:
                return True
            if allowed is None:
                return kinds[0] not in _DEFAULT_EXCLUDED_UPDATES
            return kinds[0] in allowed

        kept = [update for update in self._pending if wanted(update)]
        if len(kept) != len(self._pending):
            self._pending = kept
            self._notify()
        return kept[:limit]

    async def _get_updates(self, params: JSON) -> list[JSON]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()
        limit = min(max(self._opt_int(params, "limit") or 100, 1), 100)
        timeout = params.get("timeout") or 0
        if not isinstance(timeout, int | float) or isinstance(timeout, bool):
            raise _bad("invalid timeout specified")
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(str(kind) for kind in allowed) or None
        self._confirm(self._opt_int(params, "offset"))

        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(float(timeout), 0.0)
        while True:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            if self._closing:
                return []
            batch = self._deliverable(limit)
            if batch:
                return copy.deepcopy(batch)
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            await self._wait_change(remaining)

    async def _delete_webhook(self, params: JSON) -> bool:
        self.webhook_url = ""
        if params.get("drop_pending_updates"):
            self._pending.clear()
            self._notify()
        return True

    async def _set_webhook(self, params: JSON) -> bool:
        self.webhook_url = self._opt_str(params, "url") or ""
        if params.get("drop_pending_updates"):
            self._pending.clear()
            self._notify()
        return True

    async def _get_webhook_info(self, params: JSON) -> JSON:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }

    async def _send_message(self, params: JSON) -> JSON:
        chat = self._chat(self._chat_id(params))
        text = self._opt_str(params, "text") or ""
        parse_mode = self._opt_str(params, "parse_mode")
        plain, entities = self._format(text, parse_mode, params.get("entities"))
        markup = self._markup(params.get("reply_markup"))
        message = self._new_bot_message(chat, params)
        message["text"] = plain
        if entities:
            message["entities"] = entities
        if isinstance(params.get("link_preview_options"), dict):
            message["link_preview_options"] = params["link_preview_options"]
        self._commit(message, "text", params, text=text, parse_mode=parse_mode, markup=markup)
        return message

    async def _send_media(self, params: JSON, kind: str) -> JSON:
        chat = self._chat(self._chat_id(params))
        caption = self._opt_str(params, "caption")
        parse_mode = self._opt_str(params, "parse_mode")
        markup = self._markup(params.get("reply_markup"))
        formatted = (
            self._format(caption, parse_mode, params.get("caption_entities"), caption=True)
            if caption is not None
            else None
        )
        stored = self._input_file(params, kind, kind)
        message = self._new_bot_message(chat, params)
        message.update(self._media_payload(stored, self._opt_int(params, "duration")))
        if kind == "audio":
            for key in ("title", "performer"):
                if params.get(key) is not None:
                    message["audio"][key] = str(params[key])
        if formatted is not None and formatted[0]:
            message["caption"] = formatted[0]
            if formatted[1]:
                message["caption_entities"] = formatted[1]
        self._commit(
            message, kind, params, text=caption, parse_mode=parse_mode, markup=markup, stored=stored
        )
        return message

    async def _send_document(self, params: JSON) -> JSON:
        return await self._send_media(params, "document")

    async def _send_voice(self, params: JSON) -> JSON:
        return await self._send_media(params, "voice")

    async def _send_audio(self, params: JSON) -> JSON:
        return await self._send_media(params, "audio")

    async def _send_photo(self, params: JSON) -> JSON:
        return await self._send_media(params, "photo")

    def _editable(self, params: JSON, writing: bool = True) -> tuple[JSON, SentMessage]:
        if params.get("inline_message_id") is not None:
            raise _bad("MESSAGE_ID_INVALID")
        chat_id = self._chat_id(params)
        self._chat(chat_id, writing=writing)
        message = self.find_message(chat_id, self._int(params, "message_id"))
        if message is None:
            raise _bad("message to edit not found")
        sent = self._sent_index.get((chat_id, message["message_id"]))
        if sent is None:
            raise _bad("message can't be edited")
        return message, sent

    @staticmethod
    def _inline_only(markup: JSON | None) -> JSON | None:
        if markup is not None and "inline_keyboard" not in markup:
            raise _bad("inline keyboard expected")
        return markup

    def _apply_markup(self, message: JSON, sent: SentMessage, markup: JSON | None) -> None:
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        sent.reply_markup = markup
        message["edit_date"] = int(time.time())

    async def _edit_message_text(self, params: JSON) -> JSON:
        message, sent = self._editable(params)
        if "text" not in message:
            raise _bad("there is no text in the message to edit")
        text = self._opt_str(params, "text") or ""
        parse_mode = self._opt_str(params, "parse_mode")
        plain, entities = self._format(text, parse_mode, params.get("entities"))
        markup = self._inline_only(self._markup(params.get("reply_markup")))
        if (
            plain == message["text"]
            and entities == message.get("entities", [])
            and markup == message.get("reply_markup")
        ):
            raise _bad(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        message["text"] = plain
        if entities:
            message["entities"] = entities
        else:
            message.pop("entities", None)
        if sent.text is not None:
            sent.edits.append(sent.text)
        sent.text, sent.parse_mode = text, parse_mode
        self._apply_markup(message, sent, markup)
        self._notify()
        return copy.deepcopy(message)

    async def _edit_message_caption(self, params: JSON) -> JSON:
        message, sent = self._editable(params)
        if "text" in message:
            raise _bad("there is no caption in the message to edit")
        caption = self._opt_str(params, "caption") or ""
        parse_mode = self._opt_str(params, "parse_mode")
        plain, entities = self._format(
            caption, parse_mode, params.get("caption_entities"), caption=True
        )
        markup = self._inline_only(self._markup(params.get("reply_markup")))
        if (
            plain == message.get("caption", "")
            and entities == message.get("caption_entities", [])
            and markup == message.get("reply_markup")
        ):
            raise _bad(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        for key, value in (("caption", plain), ("caption_entities", entities)):
            if value:
                message[key] = value
            else:
                message.pop(key, None)
        sent.edits.append(sent.text or "")
        sent.text, sent.parse_mode = caption, parse_mode
        self._apply_markup(message, sent, markup)
        self._notify()
        return copy.deepcopy(message)

    async def _edit_message_reply_markup(self, params: JSON) -> JSON:
        message, sent = self._editable(params)
        markup = self._inline_only(self._markup(params.get("reply_markup")))
        if markup == message.get("reply_markup"):
            raise _bad(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        self._apply_markup(message, sent, markup)
        self._notify()
        return copy.deepcopy(message)

    async def _delete_message(self, params: JSON) -> bool:
        chat_id = self._chat_id(params)
        self._chat(chat_id, writing=False)
        message_id = self._int(params, "message_id")
        if self._history.get(chat_id, {}).pop(message_id, None) is None:
            raise _bad("message to delete not found")
        sent = self._sent_index.get((chat_id, message_id))
        if sent is not None:
            sent.deleted = True
        self._notify()
        return True

    async def _answer_callback_query(self, params: JSON) -> bool:
        query_id = self._opt_str(params, "callback_query_id") or ""
        if query_id not in self._open_callbacks:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        self._open_callbacks.discard(query_id)
        self.callback_answers[query_id] = {
            "text": self._opt_str(params, "text"),
            "show_alert": bool(params.get("show_alert", False)),
        }
        self._notify()
        return True

    _CONTENT_KEYS: Final = (
        "text",
        "entities",
        "caption",
        "caption_entities",
        "document",
        "voice",
        "audio",
        "photo",
    )

    def _source_message(self, params: JSON, what: str) -> JSON:
        from_chat_id = self._chat_id(params, "from_chat_id")
        self._chat(from_chat_id, writing=False)
        source = self.find_message(from_chat_id, self._int(params, "message_id"))
        if source is None:
            raise _bad(f"message to {what} not found")
        return source

    @staticmethod
    def _content_summary(message: JSON) -> tuple[str | None, str | None, str | None]:
        """(text or caption, file_id, file_name) of a message's content."""
        text = message.get("text", message.get("caption"))
        for kind in ("document", "voice", "audio"):
            if kind in message:
                return text, message[kind]["file_id"], message[kind].get("file_name")
        if "photo" in message:
            return text, message["photo"][-1]["file_id"], None
        return text, None, None

    def _stored_for(self, file_id: str | None) -> _StoredFile | None:
        return self._files.get(file_id) if file_id else None

    async def _copy_message(self, params: JSON) -> JSON:
        source = self._source_message(params, "copy")
        chat = self._chat(self._chat_id(params))
        markup = self._markup(params.get("reply_markup"))
        message = self._new_bot_message(chat, params)
        for key in self._CONTENT_KEYS:
            if key in source:
                message[key] = copy.deepcopy(source[key])
        parse_mode = self._opt_str(params, "parse_mode")
        caption = self._opt_str(params, "caption")
        if caption is not None and "text" not in source:
            plain, entities = self._format(
                caption, parse_mode, params.get("caption_entities"), caption=True
            )
            message.pop("caption_entities", None)
            message["caption"] = plain
            if entities:
                message["caption_entities"] = entities
        text, file_id, _ = self._content_summary(message)
        self._commit(
            message,
            "copy",
            params,
            text=caption if caption is not None else text,
            parse_mode=parse_mode if caption is not None else None,
            markup=markup,
            stored=self._stored_for(file_id),
        )
        return {"message_id": message["message_id"]}

    async def _forward_message(self, params: JSON) -> JSON:
        source = self._source_message(params, "forward")
        chat = self._chat(self._chat_id(params))
        message = self._new_bot_message(chat, {})
        for key in self._CONTENT_KEYS:
            if key in source:
                message[key] = copy.deepcopy(source[key])
        message["forward_origin"] = {
            "type": "user",
            "date": source["date"],
            "sender_user": dict(source.get("from") or self.bot_user),
        }
        text, file_id, _ = self._content_summary(message)
        self._commit(
            message,
            "forward",
            params,
            text=text,
            parse_mode=None,
            markup=None,
            stored=self._stored_for(file_id),
        )
        return copy.deepcopy(message)

    async def _get_file(self, params: JSON) -> JSON:
        stored = self._files.get(self._opt_str(params, "file_id") or "")
        if stored is None:
            raise _bad("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    async def _send_chat_action(self, params: JSON) -> bool:
        chat_id = self._chat_id(params)
        self._chat(chat_id)
        action = self._opt_str(params, "action") or ""
        if action not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        self.chat_actions.append((chat_id, action))
        return True

    def _scope_param(self, params: JSON) -> tuple[JSON | None, str]:
        scope = params.get("scope")
        if scope is not None and not isinstance(scope, dict):
            raise _bad("can't parse BotCommandScope JSON object")
        return scope, self._opt_str(params, "language_code") or ""

    async def _set_my_commands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("too many commands")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_NAME.match(
                str(command.get("command", "")).lower()
            ):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        scope, language = self._scope_param(params)
        key = _scope_key(scope, language)
        normalized = [
            {"command": str(c["command"]).lower(), "description": str(c["description"])}
            for c in commands
        ]
        if normalized:
            self.commands[key] = normalized
        else:
            self.commands.pop(key, None)
        self._notify()
        return True

    async def _delete_my_commands(self, params: JSON) -> bool:
        scope, language = self._scope_param(params)
        self.commands.pop(_scope_key(scope, language), None)
        self._notify()
        return True

    async def _get_my_commands(self, params: JSON) -> list[JSON]:
        scope, language = self._scope_param(params)
        return copy.deepcopy(self.commands.get(_scope_key(scope, language), []))

    async def _get_chat(self, params: JSON) -> JSON:
        chat = self._chat(self._chat_id(params), writing=False)
        return {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _member_status(self, chat_id: int, user_id: int) -> str:
        if user_id == self.bot_id:
            return self._bot_status.get(chat_id, "member") if chat_id < 0 else "member"
        if chat_id > 0:
            return "member" if user_id == chat_id else "left"
        return self._members.get(chat_id, {}).get(user_id, "left")

    @staticmethod
    def _member_dict(status: str, user: JSON) -> JSON:
        member: JSON = {"status": status, "user": dict(user)}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update(
                dict.fromkeys(
                    (
                        "can_be_edited",
                        "is_anonymous",
                        "can_promote_members",
                    ),
                    False,
                )
            )
            member.update(
                dict.fromkeys(
                    (
                        "can_manage_chat",
                        "can_delete_messages",
                        "can_manage_video_chats",
                        "can_restrict_members",
                        "can_change_info",
                        "can_invite_users",
                        "can_post_stories",
                        "can_edit_stories",
                        "can_delete_stories",
                        "can_pin_messages",
                    ),
                    True,
                )
            )
        elif status == "restricted":
            member.update(
                dict.fromkeys(
                    (
                        "can_change_info",
                        "can_invite_users",
                        "can_pin_messages",
                        "can_send_messages",
                        "can_send_polls",
                        "can_send_other_messages",
                        "can_add_web_page_previews",
                        "can_manage_topics",
                        "can_send_audios",
                        "can_send_documents",
                        "can_send_photos",
                        "can_send_videos",
                        "can_send_video_notes",
                        "can_send_voice_notes",
                        "can_edit_tag",
                        "can_react_to_messages",
                    ),
                    False,
                )
            )
            member.update({"is_member": True, "until_date": 0})
        elif status == "kicked":
            member["until_date"] = 0
        return member

    async def _get_chat_member(self, params: JSON) -> JSON:
        chat_id = self._chat_id(params)
        self._chat(chat_id, writing=False)
        user_id = self._int(params, "user_id")
        user = self.bot_user if user_id == self.bot_id else self._users.get(user_id)
        if user is None:
            raise _bad("user not found")
        return self._member_dict(self._member_status(chat_id, user_id), user)
