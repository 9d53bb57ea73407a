-- hoidap schema, version 1. Times are ISO-8601 strings with a UTC offset; dates are YYYY-MM-DD.

CREATE TABLE programs (
    id               INTEGER PRIMARY KEY,
    chat_id          INTEGER NOT NULL UNIQUE,      -- the briefing group
    title            TEXT NOT NULL,
    tz               TEXT NOT NULL DEFAULT 'Asia/Ho_Chi_Minh',
    weekday          INTEGER NOT NULL DEFAULT 0 CHECK (weekday BETWEEN 0 AND 6),
    publish_lead_days INTEGER NOT NULL DEFAULT 3 CHECK (publish_lead_days BETWEEN 0 AND 6),
    publish_time     TEXT NOT NULL DEFAULT '08:00',
    draw_time        TEXT NOT NULL DEFAULT '09:00',
    answer_minutes   INTEGER NOT NULL DEFAULT 60 CHECK (answer_minutes BETWEEN 5 AND 10080),
    reminder_minutes INTEGER NOT NULL DEFAULT 15 CHECK (reminder_minutes >= 0),
    holiday_policy   TEXT NOT NULL DEFAULT 'move' CHECK (holiday_policy IN ('move', 'skip')),
    auto_draw        INTEGER NOT NULL DEFAULT 1,
    no_repeat        INTEGER NOT NULL DEFAULT 1,
    round_no         INTEGER NOT NULL DEFAULT 1,
    active           INTEGER NOT NULL DEFAULT 1,
    created_by       INTEGER,
    created_at       TEXT NOT NULL
);

CREATE TABLE people (
    id           INTEGER PRIMARY KEY,
    tg_user_id   INTEGER NOT NULL UNIQUE,
    username     TEXT,
    tg_name      TEXT NOT NULL DEFAULT '',
    full_name    TEXT,
    title        TEXT,
    is_superadmin INTEGER NOT NULL DEFAULT 0,
    current_program_id INTEGER REFERENCES programs(id),
    created_at   TEXT NOT NULL
);

-- A person's place in one program.
CREATE TABLE members (
    program_id   INTEGER NOT NULL REFERENCES programs(id),
    person_id    INTEGER NOT NULL REFERENCES people(id),
    status       TEXT NOT NULL CHECK (status IN ('pending', 'active', 'inactive', 'rejected')),
    away_kind    TEXT CHECK (away_kind IN ('leave', 'trip')),
    away_from    TEXT,
    away_until   TEXT,
    joined_at    TEXT NOT NULL,
    PRIMARY KEY (program_id, person_id)
);

CREATE TABLE member_roles (
    program_id   INTEGER NOT NULL REFERENCES programs(id),
    person_id    INTEGER NOT NULL REFERENCES people(id),
    role         TEXT NOT NULL CHECK (role IN ('staff', 'head', 'leader', 'admin')),
    PRIMARY KEY (program_id, person_id, role)
);

CREATE TABLE invites (
    token        TEXT PRIMARY KEY,
    program_id   INTEGER NOT NULL REFERENCES programs(id),
    role         TEXT NOT NULL CHECK (role IN ('staff', 'head', 'leader', 'admin')),
    preapproved  INTEGER NOT NULL DEFAULT 0,
    created_by   INTEGER NOT NULL REFERENCES people(id),
    expires_at   TEXT NOT NULL,
    uses         INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE questions (
    id               INTEGER PRIMARY KEY,
    program_id       INTEGER NOT NULL REFERENCES programs(id),
    text             TEXT NOT NULL,
    topic            TEXT NOT NULL DEFAULT 'Chung',
    source_unit      TEXT,
    legal_refs       TEXT,
    suggested_answer TEXT,
    status           TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'used', 'held', 'retired')),
    position         INTEGER NOT NULL,
    created_by       INTEGER REFERENCES people(id),
    created_at       TEXT NOT NULL
);
CREATE INDEX questions_queue ON questions (program_id, status, position);

CREATE TABLE sessions (
    id             INTEGER PRIMARY KEY,
    program_id     INTEGER NOT NULL REFERENCES programs(id),
    week           TEXT NOT NULL,                 -- ISO week of the nominal date, 2026-W49
    nominal_date   TEXT NOT NULL,
    session_date   TEXT,                          -- NULL when skipped
    holiday        TEXT,
    state          TEXT NOT NULL CHECK (state IN ('scheduled', 'published', 'drawn', 'answered',
                        'graded', 'concluded', 'unanswered', 'skipped')),
    question_id    INTEGER REFERENCES questions(id),
    publish_at     TEXT,
    draw_at        TEXT,
    reminder_at    TEXT,
    deadline_at    TEXT,
    seed           TEXT NOT NULL,
    commitment     TEXT NOT NULL,
    round_no       INTEGER,
    drawn_person_id INTEGER REFERENCES people(id),
    draw_attempt   INTEGER NOT NULL DEFAULT 0,
    reminded       INTEGER NOT NULL DEFAULT 0,
    missed_reported INTEGER NOT NULL DEFAULT 0,
    answer_kind    TEXT CHECK (answer_kind IN ('text', 'voice', 'document', 'in_person')),
    answer_text    TEXT,
    answer_file_id TEXT,
    answer_file_name TEXT,
    answer_chat_id INTEGER,
    answer_message_id INTEGER,
    answered_at    TEXT,
    conclusion     TEXT,
    concluded_by   INTEGER REFERENCES people(id),
    concluded_at   TEXT,
    skip_reason    TEXT,
    created_at     TEXT NOT NULL,
    UNIQUE (program_id, week)
);
CREATE INDEX sessions_state ON sessions (program_id, state);

-- Every draw and redraw with its inputs, so anyone can re-check it.
CREATE TABLE draws (
    id          INTEGER PRIMARY KEY,
    session_id  INTEGER NOT NULL REFERENCES sessions(id),
    attempt     INTEGER NOT NULL,
    pool        TEXT NOT NULL,                    -- comma-separated person ids, ascending
    chosen_id   INTEGER NOT NULL REFERENCES people(id),
    new_round   INTEGER NOT NULL DEFAULT 0,
    reason      TEXT,
    actor_id    INTEGER REFERENCES people(id),
    created_at  TEXT NOT NULL,
    UNIQUE (session_id, attempt)
);

-- Grades are never updated in place: a regrade adds a row.
CREATE TABLE grades (
    id          INTEGER PRIMARY KEY,
    session_id  INTEGER NOT NULL REFERENCES sessions(id),
    verdict     TEXT NOT NULL CHECK (verdict IN ('correct', 'partial', 'wrong')),
    comment     TEXT,
    head_id     INTEGER NOT NULL REFERENCES people(id),
    created_at  TEXT NOT NULL
);

-- Audit trail: one row per state change or privileged action (and refused attempts).
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    program_id  INTEGER,
    session_id  INTEGER,
    kind        TEXT NOT NULL,
    actor_id    INTEGER,
    detail      TEXT,
    created_at  TEXT NOT NULL
);

-- Opaque callback tokens: a button names a server-side pending action.
CREATE TABLE actions (
    token       TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    program_id  INTEGER,
    session_id  INTEGER,
    target      TEXT,
    expires_at  TEXT NOT NULL,
    single_use  INTEGER NOT NULL DEFAULT 0,
    used_at     TEXT,
    created_at  TEXT NOT NULL
);

-- Messages owed by committed state changes; sent by the outbox worker.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    chat_id     INTEGER NOT NULL,
    template    TEXT NOT NULL,
    context     TEXT NOT NULL,                    -- JSON
    buttons     TEXT,                             -- JSON [[{"text", "token"}]]
    media_kind  TEXT,                             -- voice | document | copy
    media_ref   TEXT,                             -- file_id, or "chat_id:message_id" for copy
    created_at  TEXT NOT NULL,
    sent_at     TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    failed      TEXT,
    sent_message_id INTEGER
);
CREATE INDEX outbox_pending ON outbox (sent_at, failed) WHERE sent_at IS NULL AND failed IS NULL;

-- Multi-step conversations (onboarding, comments, conclusions) survive restarts.
CREATE TABLE dialogs (
    person_id   INTEGER PRIMARY KEY REFERENCES people(id),
    kind        TEXT NOT NULL,
    program_id  INTEGER,
    session_id  INTEGER,
    data        TEXT NOT NULL DEFAULT '{}',
    updated_at  TEXT NOT NULL
);

-- Updates already handled, so a replayed update changes nothing.
CREATE TABLE seen_updates (
    update_id   INTEGER PRIMARY KEY,
    seen_at     TEXT NOT NULL
);
