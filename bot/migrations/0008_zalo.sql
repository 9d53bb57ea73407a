-- People on Zalo (bot/chats.py, bot/transport/zalo.py).

-- Each Zalo account that wrote to the bot. It is reached at chat id 2**60 + id and acts as
-- person_id: its own person (people.tg_user_id = that chat id) until it is linked to a person
-- who is on Telegram, whose messages it then receives too.
CREATE TABLE zalo_users (
    id           INTEGER PRIMARY KEY,
    zalo_id      TEXT NOT NULL UNIQUE,          -- the account (message.from.id)
    zalo_chat    TEXT NOT NULL,                 -- its private chat with the bot (message.chat.id)
    person_id    INTEGER NOT NULL REFERENCES people(id),
    display_name TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    linked_at    TEXT
);
CREATE INDEX zalo_users_person ON zalo_users(person_id);

-- Zalo messages already taken in (Zalo has no update offset; a webhook may deliver twice),
-- kept with the message until handled: one taken in but not handled when the bot stopped
-- (kill -9) is handled after the restart. update_id: the application's update for it (its
-- replay guard in seen_updates says whether it was handled); NULL when the transport answered
-- it itself.
CREATE TABLE zalo_seen (
    message_id   TEXT PRIMARY KEY,
    seen_at      TEXT NOT NULL,
    update_id    INTEGER,
    message      TEXT
);
CREATE INDEX zalo_seen_at ON zalo_seen(seen_at);

-- One-time codes a person on Telegram gets (/zalo) and sends to the bot on Zalo to link both.
CREATE TABLE link_codes (
    code         TEXT PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES people(id),
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    used_at      TEXT
);
CREATE INDEX link_codes_person ON link_codes(person_id);
