-- The question bank: tags, pins, the structured form of legal references, the queue warning.

-- Tags as a JSON array of strings (NULL when none), e.g. ["kết nạp", "chuyển sinh hoạt"].
ALTER TABLE questions ADD COLUMN tags TEXT;

-- A question pinned to the session of one ISO week ("2026-W50"): that week's publication takes it
-- before the queue order; other weeks leave it alone until its week has passed.
ALTER TABLE questions ADD COLUMN pinned_week TEXT;
CREATE INDEX questions_pinned ON questions (program_id, pinned_week) WHERE pinned_week IS NOT NULL;

-- Warn the admins when fewer than this many questions are left in the queue (0: never).
ALTER TABLE programs ADD COLUMN queue_warning INTEGER NOT NULL DEFAULT 3
    CHECK (queue_warning BETWEEN 0 AND 100);

-- The references read from a question's free-text «Căn cứ» (questions.legal_refs), one row per
-- document and article, in the order written. The free text stays the reference of record.
CREATE TABLE question_refs (
    question_id INTEGER NOT NULL REFERENCES questions(id),
    seq         INTEGER NOT NULL,
    document    TEXT NOT NULL,                    -- «Điều lệ Đảng», «Quy định số 24-QĐ/TW»
    article     TEXT,                             -- «Khoản 2 Điều 5»; NULL: the whole document
    PRIMARY KEY (question_id, seq)
);
CREATE INDEX question_refs_document ON question_refs (document, article);
