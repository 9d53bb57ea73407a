-- Grassroots askers (cơ sở), the questions they submit, and the loop back to them.
-- Askers are kept apart from members/member_roles: they never receive the weekly question and
-- are never drawn.

CREATE TABLE askers (
    program_id   INTEGER NOT NULL REFERENCES programs(id),
    person_id    INTEGER NOT NULL REFERENCES people(id),
    unit         TEXT NOT NULL,                  -- "Chi bộ ..., xã ..."
    status       TEXT NOT NULL CHECK (status IN ('pending', 'active', 'inactive', 'rejected')),
    created_at   TEXT NOT NULL,
    decided_by   INTEGER REFERENCES people(id),
    decided_at   TEXT,
    PRIMARY KEY (program_id, person_id)
);

-- Invite links for askers (the invites table only knows member roles).
CREATE TABLE asker_invites (
    token        TEXT PRIMARY KEY,
    program_id   INTEGER NOT NULL REFERENCES programs(id),
    preapproved  INTEGER NOT NULL DEFAULT 0,
    created_by   INTEGER NOT NULL REFERENCES people(id),
    expires_at   TEXT NOT NULL,
    uses         INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE submissions (
    id           INTEGER PRIMARY KEY,
    program_id   INTEGER NOT NULL REFERENCES programs(id),
    person_id    INTEGER NOT NULL REFERENCES people(id),
    unit         TEXT NOT NULL,
    text         TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'accepted', 'merged', 'declined')),
    question_id  INTEGER REFERENCES questions(id),  -- accepted: the new question; merged: the existing one
    reason       TEXT,                               -- why it was declined (told to the asker)
    created_at   TEXT NOT NULL,
    decided_by   INTEGER REFERENCES people(id),
    decided_at   TEXT,
    answered_at  TEXT,                               -- the official answer was queued to the asker
    CHECK ((status IN ('accepted', 'merged')) = (question_id IS NOT NULL))
);
CREATE INDEX submissions_by_person ON submissions (person_id, program_id, id);
CREATE INDEX submissions_by_question ON submissions (question_id);
CREATE INDEX submissions_pending ON submissions (program_id, status);

-- Per-program settings of this area (absent row: defaults).
CREATE TABLE grassroots_settings (
    program_id   INTEGER PRIMARY KEY REFERENCES programs(id),
    daily_limit  INTEGER NOT NULL CHECK (daily_limit BETWEEN 1 AND 20)
);
