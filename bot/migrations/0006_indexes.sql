-- Indexes for the queries every update, grade press and scheduled step runs: without them each
-- was a full scan of a table that grows with people and weeks (tests/test_query_plans.py runs
-- EXPLAIN QUERY PLAN on each and fails on a full scan).

-- A person's memberships and roles in every program (the menu, /chon, who is asking).
CREATE INDEX members_by_person ON members (person_id, status);
CREATE INDEX member_roles_by_person ON member_roles (person_id, program_id);
-- The grades of a session, oldest first (the latest one decides a regrade).
CREATE INDEX grades_by_session ON grades (session_id, id);
-- The sessions waiting for a person's answer.
CREATE INDEX sessions_by_drawn_person ON sessions (drawn_person_id, state);
-- The dialogs a concluded or skipped session clears.
CREATE INDEX dialogs_by_session ON dialogs (session_id) WHERE session_id IS NOT NULL;
-- The latest event of some kinds in a program (the schedule warnings).
CREATE INDEX events_by_program_kind ON events (program_id, kind, id);
-- Grassroots askers by person (every update from an asker).
CREATE INDEX askers_by_person ON askers (person_id, status);
-- Expired actions pruned by the daily housekeeping.
CREATE INDEX actions_by_expiry ON actions (expires_at);
-- The bot's admins (HOIDAP_ADMINS), told about every program.
CREATE INDEX people_superadmins ON people (id) WHERE is_superadmin = 1;
