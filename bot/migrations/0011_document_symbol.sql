-- A document's number is given by the văn thư when it is issued, never by a program setting
-- (bot/documents/settings.py): the setting "number" («Số …-BC/BTCTU» as typed) becomes
-- "symbol", the issuing body's part of a symbol («BTCTU»). A value stored before keeps its
-- text; it is read for its symbol (the part after the last «/»), and no number is printed.
CREATE TABLE document_settings_new (
    program_id INTEGER NOT NULL REFERENCES programs(id),
    key TEXT NOT NULL CHECK (key IN
        ('body', 'place', 'symbol', 'capacity', 'deputy', 'signer', 'recipients', 'points')),
    value TEXT NOT NULL CHECK (length(value) <= 2000),
    PRIMARY KEY (program_id, key)
) WITHOUT ROWID;
INSERT INTO document_settings_new (program_id, key, value)
    SELECT program_id, CASE key WHEN 'number' THEN 'symbol' ELSE key END, value
    FROM document_settings;
DROP TABLE document_settings;
ALTER TABLE document_settings_new RENAME TO document_settings;
