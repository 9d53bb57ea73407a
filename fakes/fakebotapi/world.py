"""The simulated world (users, groups, files, faults) and what users do in it."""

from __future__ import annotations

import copy
import random
import time
from collections.abc import Callable

from fakes.fakebotapi.entities import (
    JSON,
    utf16_len,
)
from fakes.fakebotapi.flood import _FloodGate
from fakes.fakebotapi.models import (
    _DEFAULT_EXTENSIONS,
    _FILE_FOLDERS,
    FAULT_KINDS,
    OUTAGE_MODES,
    FaultPlan,
    FloodLimits,
    SentMessage,
    _FailRule,
    _StoredFile,
)
from fakes.fakebotapi.params import _strip_reply
from fakes.fakebotapi.state import ServerState


class World(ServerState):
    # ---------------------------------------------------------------- runtime switches

    def set_faults(self, plan: FaultPlan | None) -> None:
        self._faults = plan
        self._fault_rng = random.Random(plan.seed if plan else 0)

    def set_outage(self, on: bool, *, mode: str = "reset") -> None:
        """While on, every request fails: dropped connection (``"reset"``) or a 502."""
        if mode not in OUTAGE_MODES:
            raise ValueError(f"outage mode must be one of {sorted(OUTAGE_MODES)}")
        self._outage = mode if on else None

    def fail_next(
        self,
        method: str,
        kind: str = "500",
        *,
        when: Callable[[JSON], bool] | None = None,
        times: int = 1,
    ) -> None:
        """The next ``times`` calls of ``method`` whose parameters satisfy ``when`` fail with a
        fault of ``kind`` (see :class:`FaultPlan`); a failed call has no effect."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}")
        self._rules.append(_FailRule(method, kind, when, times))

    def _rule_fault(self, method: str, params: JSON) -> str | None:
        for rule in self._rules:
            if (
                rule.method == method
                and rule.remaining > 0
                and (rule.when is None or rule.when(params))
            ):
                rule.remaining -= 1
                self.faults_injected += 1
                return rule.kind
        return None

    def migrate_group(
        self, chat_id: int, new_chat_id: int, *, by_user: int | None = None, emit: bool = True
    ) -> None:
        """Telegram upgrades the group to a supergroup with a new id. Sending to the old id then
        fails with 400 and ``migrate_to_chat_id``; with ``emit`` the bot gets both service
        messages (``migrate_to_chat_id`` in the old chat, ``migrate_from_chat_id`` in the new)."""
        old = self._ensure_chat(chat_id)
        if new_chat_id >= -(10**12):
            raise ValueError("supergroup ids look like -100xxxxxxxxxx")
        chat: JSON = {"id": new_chat_id, "type": "supergroup", "title": old.get("title", "")}
        self._chats[new_chat_id] = chat
        self._bot_status[new_chat_id] = self._bot_status.get(chat_id, "member")
        self._members[new_chat_id] = dict(self._members.get(chat_id, {}))
        self._migrated[chat_id] = new_chat_id
        if not emit:
            return
        user = self._ensure_user(by_user) if by_user is not None else None
        for where, key, value in (
            (old, "migrate_to_chat_id", new_chat_id),
            (chat, "migrate_from_chat_id", chat_id),
        ):
            message: JSON = {
                "message_id": self._new_message_id(where["id"]),
                "chat": dict(where),
                "date": int(time.time()),
                key: value,
            }
            if user is not None:
                message["from"] = dict(user)
            self._store_message(message)
            self._push_update({"message": message})

    def set_flood_limits(self, limits: FloodLimits | None) -> None:
        self._flood = _FloodGate(limits, self._clock) if limits is not None else None

    # ---------------------------------------------------------------- world

    def user(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
    ) -> JSON:
        """Register (or update) a user; their private chat has the same id."""
        if user_id <= 0:
            raise ValueError("user ids are positive")
        user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
        chat: JSON = {"id": user_id, "type": "private", "first_name": first_name}
        if last_name is not None:
            user["last_name"] = chat["last_name"] = last_name
        if username is not None:
            user["username"] = chat["username"] = username
        self._users[user_id] = user
        self._chats[user_id] = chat
        return dict(user)

    def group(self, chat_id: int, title: str, *, bot_status: str = "member") -> JSON:
        """Register a group chat (negative id); the bot is a member unless told otherwise."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        chat: JSON = {"id": chat_id, "type": "group", "title": title}
        self._chats[chat_id] = chat
        self._bot_status[chat_id] = bot_status
        self._members.setdefault(chat_id, {})
        return dict(chat)

    def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """Status reported by getChatMember ("creator", "administrator", "member", ...)."""
        self._ensure_user(user_id)
        self._ensure_chat(chat_id)
        self._members.setdefault(chat_id, {})[user_id] = status

    def block_bot(self, user_id: int, *, emit_update: bool = True) -> JSON | None:
        """The user blocks the bot; sending to them then fails with 403."""
        user = self._ensure_user(user_id)
        self._blocked.add(user_id)
        if not emit_update:
            return None
        return self._member_update(user, self._chats[user_id], "member", "kicked")

    def unblock_bot(self, user_id: int) -> None:
        self._blocked.discard(user_id)

    def _ensure_user(self, user_id: int) -> JSON:
        if user_id not in self._users:
            self.user(user_id, f"User{user_id}")
        return self._users[user_id]

    def _ensure_chat(self, chat_id: int) -> JSON:
        if chat_id not in self._chats:
            if chat_id > 0:
                self._ensure_user(chat_id)
            else:
                self.group(chat_id, f"Group {chat_id}")
        return self._chats[chat_id]

    def _new_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def _store_message(self, message: JSON) -> None:
        self._history.setdefault(message["chat"]["id"], {})[message["message_id"]] = message

    def find_message(self, chat_id: int, message_id: int) -> JSON | None:
        """The current state of any message (user's or bot's) in the chat history."""
        return self._history.get(chat_id, {}).get(message_id)

    def _store_file(
        self, kind: str, data: bytes, file_name: str | None, mime_type: str | None
    ) -> _StoredFile:
        self._file_counter += 1
        number = self._file_counter
        extension = _DEFAULT_EXTENSIONS[kind]
        if file_name and "." in file_name:
            extension = "." + file_name.rsplit(".", 1)[1]
        stored = _StoredFile(
            file_id=f"FAKE-{kind.upper()}-{number:06d}",
            file_unique_id=f"U{number:06d}",
            kind=kind,
            data=bytes(data),
            file_path=f"{_FILE_FOLDERS[kind]}/file_{number}{extension}",
            file_name=file_name,
            mime_type=mime_type,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def file_bytes(self, file_id: str) -> bytes:
        return self._files[file_id].data

    @staticmethod
    def _media_payload(stored: _StoredFile, duration: int | None = None) -> JSON:
        base: JSON = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
        }
        if stored.kind == "photo":
            return {"photo": [{**base, "width": 800, "height": 600}]}
        if stored.mime_type:
            base["mime_type"] = stored.mime_type
        if stored.kind in ("voice", "audio"):
            base["duration"] = duration or 1
        if stored.kind in ("document", "audio") and stored.file_name:
            base["file_name"] = stored.file_name
        return {stored.kind: base}

    # ---------------------------------------------------------------- user actions

    def _push_update(self, body: JSON) -> JSON:
        update = copy.deepcopy(body)
        if "update_id" in update:
            self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
        else:
            update = {"update_id": self._next_update_id, **update}
            self._next_update_id += 1
        self._pending.append(update)
        self.injected_updates.append(update)
        self._notify()
        return update

    def _user_message(
        self, user_id: int, chat_id: int | None, reply_to_message_id: int | None
    ) -> JSON:
        user = self._ensure_user(user_id)
        target = user_id if chat_id is None else chat_id
        chat = self._ensure_chat(target)
        if target < 0:
            self._members.setdefault(target, {}).setdefault(user_id, "member")
        message: JSON = {
            "message_id": self._new_message_id(target),
            "from": dict(user),
            "chat": dict(chat),
            "date": int(time.time()),
        }
        if reply_to_message_id is not None:
            original = self.find_message(target, reply_to_message_id)
            if original is None:
                raise LookupError(f"no message {reply_to_message_id} in chat {target}")
            message["reply_to_message"] = _strip_reply(original)
        return message

    def _deliver_user_message(self, message: JSON) -> JSON:
        self._store_message(message)
        chat_id = message["chat"]["id"]
        if chat_id > 0 or self._bot_status.get(chat_id, "member") not in ("left", "kicked"):
            self._push_update({"message": message})
        return copy.deepcopy(message)

    def send_text(
        self,
        user_id: int,
        text: str,
        chat_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> JSON:
        """The user sends ``text`` (a command when it starts with "/"); returns the Message."""
        message = self._user_message(user_id, chat_id, reply_to_message_id)
        message["text"] = text
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0] if text.strip() else text
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
            ]
        return self._deliver_user_message(message)

    def send_document(
        self,
        user_id: int,
        filename: str,
        data: bytes,
        mime_type: str = "application/octet-stream",
        chat_id: int | None = None,
        caption: str | None = None,
    ) -> JSON:
        message = self._user_message(user_id, chat_id, None)
        stored = self._store_file("document", data, filename, mime_type)
        message.update(self._media_payload(stored))
        if caption is not None:
            message["caption"] = caption
        return self._deliver_user_message(message)

    def send_voice(
        self, user_id: int, data: bytes, duration: int = 5, chat_id: int | None = None
    ) -> JSON:
        message = self._user_message(user_id, chat_id, None)
        stored = self._store_file("voice", data, None, "audio/ogg")
        message.update(self._media_payload(stored, duration))
        return self._deliver_user_message(message)

    def send_photo(
        self,
        user_id: int,
        data: bytes,
        chat_id: int | None = None,
        caption: str | None = None,
    ) -> JSON:
        message = self._user_message(user_id, chat_id, None)
        stored = self._store_file("photo", data, None, "image/jpeg")
        message.update(self._media_payload(stored))
        if caption is not None:
            message["caption"] = caption
        return self._deliver_user_message(message)

    def press(self, user_id: int, message_id: int, chat_id: int, data: str) -> str:
        """The user presses an inline button carrying ``data``; returns the callback query id."""
        user = self._ensure_user(user_id)
        message = self.find_message(chat_id, message_id)
        if message is None:
            raise LookupError(f"no message {message_id} in chat {chat_id}")
        self._callback_counter += 1
        query_id = str(4_000_000_000_000_000 + self._callback_counter)
        self._open_callbacks.add(query_id)
        self._push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": dict(user),
                    "message": message,
                    "chat_instance": str(abs(chat_id) * 7919 + 17),
                    "data": data,
                }
            }
        )
        return query_id

    def press_button(self, user_id: int, sent: SentMessage, text: str) -> str:
        """Press the inline button whose visible text is ``text`` in the message's markup."""
        for label, data in sent.buttons():
            if label == text:
                return self.press(user_id, sent.message_id, sent.chat_id, data)
        raise LookupError(
            f"no button {text!r} in message {sent.message_id}; buttons: {sent.buttons()}"
        )

    def _member_update(self, user: JSON, chat: JSON, old: str, new: str) -> JSON:
        extra: JSON = {"until_date": 0} if new == "kicked" else {}
        return self._push_update(
            {
                "my_chat_member": {
                    "chat": dict(chat),
                    "from": dict(user),
                    "date": int(time.time()),
                    "old_chat_member": {"status": old, "user": dict(self.bot_user)},
                    "new_chat_member": {"status": new, "user": dict(self.bot_user), **extra},
                }
            }
        )

    def add_bot_to_group(self, user_id: int, chat_id: int) -> JSON:
        """The user adds the bot to the group (``my_chat_member`` left -> member)."""
        user = self._ensure_user(user_id)
        chat = self._ensure_chat(chat_id)
        self._members.setdefault(chat_id, {}).setdefault(user_id, "member")
        self._bot_status[chat_id] = "member"
        return self._member_update(user, chat, "left", "member")

    def remove_bot_from_group(self, user_id: int, chat_id: int) -> JSON:
        """The user removes the bot (``my_chat_member`` member -> left); sends then get 403."""
        user = self._ensure_user(user_id)
        chat = self._ensure_chat(chat_id)
        self._bot_status[chat_id] = "left"
        return self._member_update(user, chat, "member", "left")

    def inject_raw(self, update_body: JSON) -> JSON:
        """Queue any raw update; a given ``update_id`` is kept (duplicates/replays allowed)."""
        return self._push_update(update_body)

    @property
    def pending_updates(self) -> list[JSON]:
        """Queued updates the bot has not confirmed yet."""
        return list(self._pending)

    @property
    def poll_count(self) -> int:
        """Number of getUpdates calls received so far (counted on arrival)."""
        return self._poll_generation
