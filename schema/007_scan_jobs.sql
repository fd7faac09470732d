-- 007: a scan's work as jobs (issue 6). When a scan begins, its services are
-- cut into jobs of consecutive services (by their place in the estate, which is
-- kept whole in scan_documents). A worker claims a job with FOR UPDATE SKIP
-- LOCKED, resolves and judges its services, and stores their observations and
-- marks the job done in one transaction: a job is stored once or not at all, a
-- worker that dies gives its job back (its transaction rolls back, its row lock
-- goes), and any number of workers on any number of machines split one scan.
-- The scan completes when every job is done.
CREATE TABLE scan_jobs (
    scan_id       bigint NOT NULL REFERENCES scans (id) ON DELETE RESTRICT,
    job           integer NOT NULL CHECK (job >= 0),
    first_service integer NOT NULL CHECK (first_service >= 0),
    end_service   integer NOT NULL CHECK (end_service > first_service),
    done_at       timestamptz,
    worker        text,
    paths         integer,
    PRIMARY KEY (scan_id, job),
    CHECK ((done_at IS NULL) = (worker IS NULL) AND (done_at IS NULL) = (paths IS NULL))
);

CREATE TRIGGER scan_jobs_open AFTER INSERT ON scan_jobs REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION residency_scan_rows_open();
CREATE TRIGGER scan_jobs_kept_update AFTER UPDATE ON scan_jobs REFERENCING OLD TABLE AS previous
    FOR EACH STATEMENT EXECUTE FUNCTION residency_scan_rows_kept();
CREATE TRIGGER scan_jobs_kept_delete AFTER DELETE ON scan_jobs REFERENCING OLD TABLE AS previous
    FOR EACH STATEMENT EXECUTE FUNCTION residency_scan_rows_kept();

-- Each service's place in the estate, so that the order of a scan split between
-- workers (whose jobs commit in any order) is still the estate's. NULL for
-- scans stored before this migration (their order is the heap's: see SCHEMA.md).
ALTER TABLE scan_services ADD COLUMN idx integer;
