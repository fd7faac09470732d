-- 011: the bulk observation tables check their scan once per statement, not
-- once per row. A foreign key is a row trigger: each row COPY loaded into
-- scan_elements paid a lookup of its scan (measured: 890,000 elements took
-- 10.4 s to load with the key, 2.4 s without; issue 16). The statement trigger
-- of 006 already reads every scan a statement wrote to; it now also refuses a
-- scan that does not exist, which is what the keys did. Deleting a scan that
-- still has observations is refused by a trigger on scans, as ON DELETE
-- RESTRICT did. The small tables (sources, documents, links, jobs) keep their
-- keys.
CREATE OR REPLACE FUNCTION residency_scan_rows_open() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    closed record;
BEGIN
    SELECT w.scan_id AS id, s.status INTO closed
      FROM (SELECT DISTINCT scan_id FROM written) w LEFT JOIN scans s ON s.id = w.scan_id
     WHERE s.id IS NULL OR s.status <> 'running'
     LIMIT 1;
    IF FOUND THEN
        IF closed.status IS NULL THEN
            RAISE EXCEPTION 'scan % does not exist: its observations cannot be written', closed.id
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        RAISE EXCEPTION 'scan % is % and can no longer be written', closed.id, closed.status;
    END IF;
    RETURN NULL;
END $$;

ALTER TABLE scan_services DROP CONSTRAINT scan_services_scan_id_fkey;
ALTER TABLE scan_elements DROP CONSTRAINT scan_elements_scan_id_fkey;
ALTER TABLE scan_attributions DROP CONSTRAINT scan_attributions_scan_id_fkey;
ALTER TABLE scan_findings DROP CONSTRAINT scan_findings_scan_id_fkey;
ALTER TABLE scan_answers DROP CONSTRAINT scan_answers_scan_id_fkey;

-- Each of these tables has an index led by scan_id: the check is five probes.
CREATE FUNCTION residency_scan_has_observations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM scan_services WHERE scan_id = OLD.id)
       OR EXISTS (SELECT 1 FROM scan_elements WHERE scan_id = OLD.id)
       OR EXISTS (SELECT 1 FROM scan_attributions WHERE scan_id = OLD.id)
       OR EXISTS (SELECT 1 FROM scan_findings WHERE scan_id = OLD.id)
       OR EXISTS (SELECT 1 FROM scan_answers WHERE scan_id = OLD.id) THEN
        RAISE EXCEPTION 'scan % still has observations and cannot be removed', OLD.id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN OLD;
END $$;
CREATE TRIGGER scans_observations_kept BEFORE DELETE ON scans
    FOR EACH ROW EXECUTE FUNCTION residency_scan_has_observations();
