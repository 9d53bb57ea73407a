-- Reserved: filled in by the change that introduces this schema.
SELECT 1;
