-- What the drawn person sends after the deadline of their session (bot/services/late.py): kept
-- as it arrived, never lost, and shown to the head, who accepts it as a late answer (the session
-- then holds it as its answer, answered_at = received_at, after the deadline) or leaves it.
-- status: waiting (for the head), accepted, left (the head did not take it), kept (the session
-- already had its answer or its conclusion: kept in the record and shown to the head only).
CREATE TABLE late_answers (
    id           INTEGER PRIMARY KEY,
    session_id   INTEGER NOT NULL REFERENCES sessions(id),
    person_id    INTEGER NOT NULL REFERENCES people(id),
    kind         TEXT NOT NULL CHECK (kind IN ('text', 'voice', 'document')),
    text         TEXT CHECK (text IS NULL OR length(text) <= 4000),
    file_id      TEXT,
    file_name    TEXT,
    chat_id      INTEGER NOT NULL,
    message_id   INTEGER NOT NULL,
    in_group     INTEGER NOT NULL DEFAULT 0,
    received_at  TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'waiting'
                 CHECK (status IN ('waiting', 'accepted', 'left', 'kept')),
    decided_by   INTEGER REFERENCES people(id),
    decided_at   TEXT
);
CREATE INDEX late_answers_by_session ON late_answers (session_id, id);
