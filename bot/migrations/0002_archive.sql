-- The archive of official answers: one row per concluded session, a snapshot taken inside the
-- conclusion's transaction (later edits of the question or the roster do not change it).

CREATE TABLE archive (
    id               INTEGER PRIMARY KEY,
    program_id       INTEGER NOT NULL REFERENCES programs(id),
    session_id       INTEGER NOT NULL UNIQUE REFERENCES sessions(id),
    session_date     TEXT NOT NULL,                -- YYYY-MM-DD, the day of the briefing
    topic            TEXT NOT NULL,
    question         TEXT NOT NULL,
    source_unit      TEXT,
    answer_kind      TEXT CHECK (answer_kind IN ('text', 'voice', 'document', 'in_person')),
    answer_text      TEXT,
    answer_file_name TEXT,
    answerer_name    TEXT,
    answerer_title   TEXT,
    verdict          TEXT CHECK (verdict IN ('correct', 'partial', 'wrong')),
    head_name        TEXT,
    comment          TEXT,
    regrades         INTEGER NOT NULL DEFAULT 0,
    conclusion       TEXT NOT NULL,
    leader_name      TEXT,
    legal_refs       TEXT,
    concluded_at     TEXT NOT NULL,
    -- Search copies: lowercase, no diacritics (đ → d), no punctuation; see bot/services/archive.py.
    n_topic          TEXT NOT NULL DEFAULT '',
    n_question       TEXT NOT NULL DEFAULT '',
    n_conclusion     TEXT NOT NULL DEFAULT '',
    n_refs           TEXT NOT NULL DEFAULT '',      -- legal references and the source unit
    n_discussion     TEXT NOT NULL DEFAULT '',      -- the staff answer, the head's comment, names
    -- One token naming the program, so a search is restricted to it inside the index itself.
    n_program        TEXT GENERATED ALWAYS AS ('p' || program_id) VIRTUAL
);
CREATE INDEX archive_by_date ON archive (program_id, session_date DESC, id DESC);

-- Full-text index over the search copies (external content: the text lives in `archive`).
CREATE VIRTUAL TABLE archive_fts USING fts5 (
    n_topic, n_question, n_conclusion, n_refs, n_discussion, n_program,
    content = 'archive',
    content_rowid = 'id',
    tokenize = 'unicode61',
    prefix = '2 3'
);

CREATE TRIGGER archive_ai AFTER INSERT ON archive BEGIN
    INSERT INTO archive_fts (rowid, n_topic, n_question, n_conclusion, n_refs, n_discussion,
                             n_program)
    VALUES (new.id, new.n_topic, new.n_question, new.n_conclusion, new.n_refs, new.n_discussion,
            new.n_program);
END;

CREATE TRIGGER archive_ad AFTER DELETE ON archive BEGIN
    INSERT INTO archive_fts (archive_fts, rowid, n_topic, n_question, n_conclusion, n_refs,
                             n_discussion, n_program)
    VALUES ('delete', old.id, old.n_topic, old.n_question, old.n_conclusion, old.n_refs,
            old.n_discussion, old.n_program);
END;

CREATE TRIGGER archive_au AFTER UPDATE ON archive BEGIN
    INSERT INTO archive_fts (archive_fts, rowid, n_topic, n_question, n_conclusion, n_refs,
                             n_discussion, n_program)
    VALUES ('delete', old.id, old.n_topic, old.n_question, old.n_conclusion, old.n_refs,
            old.n_discussion, old.n_program);
    INSERT INTO archive_fts (rowid, n_topic, n_question, n_conclusion, n_refs, n_discussion,
                             n_program)
    VALUES (new.id, new.n_topic, new.n_question, new.n_conclusion, new.n_refs, new.n_discussion,
            new.n_program);
END;
