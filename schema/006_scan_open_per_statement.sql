-- 006: the check that a scan is still open for writing, once per statement
-- instead of once per row. A row trigger ran a SELECT on scans for every row
-- COPY loaded (about 10 us each: 1 M attribution rows took 10 s, where COPY
-- alone takes under 1 s); a statement trigger with a transition table checks
-- every scan the statement wrote to, once. Same rule, same message.
CREATE FUNCTION residency_scan_rows_open() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    closed record;
BEGIN
    SELECT s.id, s.status INTO closed FROM scans s
     WHERE s.id IN (SELECT DISTINCT scan_id FROM written) AND s.status <> 'running'
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'scan % is % and can no longer be written', closed.id, closed.status;
    END IF;
    -- A row for a scan that does not exist is refused by the foreign key.
    RETURN NULL;
END $$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['scan_services', 'scan_elements', 'scan_attributions',
                             'scan_findings', 'scan_answers', 'scan_sources',
                             'scan_documents'] LOOP
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_open', t);
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS written '
                       'FOR EACH STATEMENT EXECUTE FUNCTION residency_scan_rows_open()',
                       t || '_open', t);
    END LOOP;
END $$;

-- And what a scan stored stays as it was once the scan is over: no row of a
-- scan that is not running is changed or deleted (before, only the scans row
-- itself was frozen).
CREATE FUNCTION residency_scan_rows_kept() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    closed record;
BEGIN
    SELECT s.id, s.status INTO closed FROM scans s
     WHERE s.id IN (SELECT DISTINCT scan_id FROM previous) AND s.status <> 'running'
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'scan % is % and its observations are never rewritten', closed.id,
            closed.status;
    END IF;
    RETURN NULL;
END $$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['scan_services', 'scan_elements', 'scan_attributions',
                             'scan_findings', 'scan_answers', 'scan_sources',
                             'scan_documents'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS previous '
                       'FOR EACH STATEMENT EXECUTE FUNCTION residency_scan_rows_kept()',
                       t || '_kept_update', t);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS previous '
                       'FOR EACH STATEMENT EXECUTE FUNCTION residency_scan_rows_kept()',
                       t || '_kept_delete', t);
    END LOOP;
END $$;
