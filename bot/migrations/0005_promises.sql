-- Promises that hold under faults and misuse: messages delivered part by part and owed until they
-- no longer make sense, invites with a number of uses, a fresh committed seed for every redraw.

-- A long message goes out in parts; parts already delivered are never sent again after a failure.
ALTER TABLE outbox ADD COLUMN parts_sent INTEGER NOT NULL DEFAULT 0;
-- When the message no longer makes sense (a reminder after its deadline); NULL: owed until
-- delivered. A message past it is dropped and the program's admins are told.
ALTER TABLE outbox ADD COLUMN expires_at TEXT;
-- The program whose admins are told if the message is dropped or refused by Telegram.
ALTER TABLE outbox ADD COLUMN program_id INTEGER;

-- An invite serves max_uses people (1 unless the admin asked for more) until it expires, is
-- revoked (its creator removed, or by an admin) or is used up.
ALTER TABLE invites ADD COLUMN max_uses INTEGER NOT NULL DEFAULT 1;
ALTER TABLE invites ADD COLUMN revoked_at TEXT;
ALTER TABLE asker_invites ADD COLUMN max_uses INTEGER NOT NULL DEFAULT 1;
ALTER TABLE asker_invites ADD COLUMN revoked_at TEXT;
-- Links made before this version were reusable: with max_uses 1, the ones already used are used up.

-- Each draw keeps the seed it used and the commitment announced before it; the session keeps the
-- seed of the next (re)draw, whose commitment is announced with the current draw's result.
ALTER TABLE draws ADD COLUMN seed TEXT;
ALTER TABLE draws ADD COLUMN commitment TEXT;
UPDATE draws SET
    seed = (SELECT s.seed FROM sessions s WHERE s.id = draws.session_id),
    commitment = (SELECT s.commitment FROM sessions s WHERE s.id = draws.session_id);
ALTER TABLE sessions ADD COLUMN next_seed TEXT;
ALTER TABLE sessions ADD COLUMN next_commitment TEXT;
