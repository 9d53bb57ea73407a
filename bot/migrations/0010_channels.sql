-- Every inbound event of every channel ends in one recorded outcome (handlers/dispatch.py): the
-- record of events seen is pruned by age, never by id (Zalo's ids are below zero, Telegram's
-- above, and neither says when an event came), so it needs an index on when it was seen.
CREATE INDEX seen_updates_at ON seen_updates (seen_at);

-- Zalo lets a bot write only to people who wrote to it first: when a Zalo account first wrote.
-- An account named by `hoidap program create --admin zalo:<id>` has not, until it does; what it
-- is owed waits until then. Accounts made from a message (they carry the name Zalo gave) wrote.
ALTER TABLE zalo_users ADD COLUMN wrote_at TEXT;
UPDATE zalo_users SET wrote_at = created_at WHERE display_name != '';
