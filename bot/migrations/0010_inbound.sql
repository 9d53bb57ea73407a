-- Every inbound event of every channel ends in one recorded outcome (handlers/dispatch.py): the
-- record of events seen is pruned by age, never by id (Zalo's ids are below zero, Telegram's
-- above, and neither says when an event came), so it needs an index on when it was seen.
CREATE INDEX seen_updates_at ON seen_updates (seen_at);
