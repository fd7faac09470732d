-- 013: the next finding and answer numbers of a running scan, kept on its row
-- (issue 16). Each job took its numbers with max(seq) + 1 over the scan's rows;
-- right after a bulk load the planner's statistics still say the tables are
-- empty, it chose a sequential scan, and every job read all the rows stored
-- before it (100 jobs: 3.5 s; 1,000 jobs: quadratic). A job now takes its
-- numbers by adding its counts here, in the same statement that locks the scan
-- row for it, so numbering is still one job at a time. NULL until the first
-- job of a scan stored with 013 (a scan begun before it and resumed takes
-- max(seq) + 1 once).
ALTER TABLE scans
    ADD COLUMN next_finding bigint CHECK (next_finding >= 0),
    ADD COLUMN next_answer  bigint CHECK (next_answer >= 0);
