-- The documents answers rest on (bot/citations.py, bot/services/register.py): a register of
-- Party and State documents (one per bot), the citations read from everything people write,
-- linked to it, the supplementary conclusions of official answers, and the reviews told once.
-- The citations of what was written before this version (questions, answers, comments,
-- official answers, grassroots questions) are read and linked when it is applied
-- (bot/store/backfill.py, run by bot/db.py after this file).

-- One row per document. ``doc_key`` is the citation key of bot/citations.py (number and type
-- code: '232|QĐ', a law '80|', a document known by name 'name:dieu le dang'); ``name_key`` the
-- name key of a law that also has a number. Issuer and year tell apart documents of one key
-- (Party numbers start again each term).
CREATE TABLE documents (
    id            INTEGER PRIMARY KEY,
    doc_key       TEXT NOT NULL,
    name_key      TEXT,
    issuer        TEXT NOT NULL DEFAULT '',
    year          INTEGER NOT NULL,
    symbol        TEXT NOT NULL CHECK (length(symbol) <= 120),
    kind          TEXT NOT NULL DEFAULT '' CHECK (length(kind) <= 40),
    title         TEXT NOT NULL CHECK (length(title) <= 500),
    issued_on     TEXT NOT NULL,                    -- YYYY-MM-DD
    issued_by     TEXT NOT NULL CHECK (length(issued_by) <= 200),
    -- in force (status_from: since when, if known), replaced by or amended by successor_id
    -- from status_from, or repealed from status_from.
    status        TEXT NOT NULL DEFAULT 'in_force'
                  CHECK (status IN ('in_force', 'replaced', 'amended', 'repealed')),
    successor_id  INTEGER REFERENCES documents(id),
    status_from   TEXT,
    source        TEXT NOT NULL CHECK (length(source) <= 1000),
    updated_by    INTEGER REFERENCES people(id),
    updated_at    TEXT NOT NULL,
    CHECK ((status IN ('replaced', 'amended')) = (successor_id IS NOT NULL)),
    UNIQUE (doc_key, issuer, year)
);
CREATE INDEX documents_by_name ON documents (name_key) WHERE name_key IS NOT NULL;
CREATE INDEX documents_by_successor ON documents (successor_id) WHERE successor_id IS NOT NULL;
CREATE INDEX documents_by_status ON documents (status);

-- Every document a text cites, one row per document (per article for a question's «căn cứ»).
-- source / source_id: question → questions.id (field 'refs': its «căn cứ», 'text': the
-- question), answer → sessions.id (the drawn person's answer), comment → grades.id,
-- official → archive.id (version 0: the conclusion and its «căn cứ»; n: the nth supplementary
-- conclusion), submission → submissions.id. cited_on: the day it counts on (the session's day
-- for what belongs to a session). document_id: the register's entry, when exactly one matches.
CREATE TABLE citations (
    id           INTEGER PRIMARY KEY,
    program_id   INTEGER NOT NULL REFERENCES programs(id),
    source       TEXT NOT NULL
                 CHECK (source IN ('question', 'answer', 'comment', 'official', 'submission')),
    source_id    INTEGER NOT NULL,
    version      INTEGER NOT NULL DEFAULT 0,
    field        TEXT NOT NULL DEFAULT 'text' CHECK (field IN ('text', 'refs')),
    seq          INTEGER NOT NULL,
    session_id   INTEGER REFERENCES sessions(id),
    cited_on     TEXT NOT NULL,
    doc_key      TEXT NOT NULL,
    issuer       TEXT,
    year         INTEGER,
    symbol       TEXT NOT NULL,
    kind         TEXT,
    article      TEXT,
    document_id  INTEGER REFERENCES documents(id)
);
CREATE INDEX citations_by_source ON citations (source, source_id, version);
CREATE INDEX citations_by_document ON citations (document_id, source)
    WHERE document_id IS NOT NULL;
CREATE INDEX citations_by_key ON citations (doc_key);
CREATE INDEX citations_by_day ON citations (program_id, cited_on);

-- The structured «căn cứ» of questions is now the citations of field 'refs' (read again from
-- questions.legal_refs when this version is applied).
DROP TABLE question_refs;

-- A supplementary conclusion (kết luận bổ sung) is a new version of an official answer: the
-- archive row keeps the original conclusion, never overwritten; ``archive.version`` names the
-- current one (0: the original).
ALTER TABLE archive ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
CREATE TABLE supplements (
    id           INTEGER PRIMARY KEY,
    archive_id   INTEGER NOT NULL REFERENCES archive(id),
    version      INTEGER NOT NULL CHECK (version >= 1),
    text         TEXT NOT NULL CHECK (length(text) <= 4000),
    legal_refs   TEXT CHECK (legal_refs IS NULL OR length(legal_refs) <= 1000),
    leader_id    INTEGER REFERENCES people(id),
    leader_name  TEXT,
    created_at   TEXT NOT NULL,
    UNIQUE (archive_id, version)
);

-- A change of a document's status told to a program's leaders and admins, once.
-- change: 'replaced:<successor id>:<from>', 'repealed:<from>'.
CREATE TABLE document_reviews (
    document_id  INTEGER NOT NULL REFERENCES documents(id),
    change       TEXT NOT NULL,
    program_id   INTEGER NOT NULL REFERENCES programs(id),
    told_at      TEXT NOT NULL,
    PRIMARY KEY (document_id, change, program_id)
) WITHOUT ROWID;
