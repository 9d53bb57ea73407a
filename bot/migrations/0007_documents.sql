-- A program's settings for documents in the Party's format (/vanban): issuing body lines, place,
-- number-and-symbol line, signer, recipients. One row per key that an admin set; a key without a
-- row takes its default, derived from the group title (bot/documents/settings.py).
CREATE TABLE document_settings (
    program_id INTEGER NOT NULL REFERENCES programs(id),
    key TEXT NOT NULL CHECK (key IN
        ('body', 'place', 'number', 'capacity', 'deputy', 'signer', 'recipients')),
    value TEXT NOT NULL CHECK (length(value) <= 2000),
    PRIMARY KEY (program_id, key)
) WITHOUT ROWID;
