-- 012: each distinct part of a path stored once per scan (issue 16). Most of
-- a path's elements were its zones' name servers and their addresses, the same
-- for every name of the zone: 890,000 element rows for 100,000 endpoints. Such
-- a block (one zone's NS elements under one element of the path, with their
-- addresses) is now a part: stored once per scan in scan_parts, under a key
-- that is a hash of its elements, and the path holds one row that refers to it
-- (kind 'part', scan_elements.part = the key) where the block began.
--
-- A part's idx and parent are relative: its elements take the places idx + i
-- of the path, and a parent p >= 0 is the element at idx + p; p = -1 is the
-- referring row's own parent. scan_path_elements gives every path whole again,
-- element by element, exactly as it was before it was cut into parts; scans
-- stored before 012 have no parts and read the same through it.
CREATE TABLE scan_parts (
    scan_id bigint NOT NULL,
    part    text NOT NULL,
    idx     integer NOT NULL CHECK (idx >= 0),
    kind    text NOT NULL CHECK (kind IN ('name', 'address', 'ns', 'mx')),
    name    text NOT NULL,
    address inet,
    status  text NOT NULL,
    parent  integer NOT NULL CHECK (parent >= -1 AND parent < idx),
    zone    text,
    PRIMARY KEY (scan_id, part, idx)
);

CREATE TRIGGER scan_parts_open AFTER INSERT ON scan_parts REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION residency_scan_rows_open();
CREATE TRIGGER scan_parts_kept_update AFTER UPDATE ON scan_parts REFERENCING OLD TABLE AS previous
    FOR EACH STATEMENT EXECUTE FUNCTION residency_scan_rows_kept();
CREATE TRIGGER scan_parts_kept_delete AFTER DELETE ON scan_parts REFERENCING OLD TABLE AS previous
    FOR EACH STATEMENT EXECUTE FUNCTION residency_scan_rows_kept();

ALTER TABLE scan_elements ADD COLUMN part text;
ALTER TABLE scan_elements DROP CONSTRAINT scan_elements_kind_check;
ALTER TABLE scan_elements ADD CONSTRAINT scan_elements_kind_check
    CHECK ((part IS NULL AND kind IN ('name', 'address', 'ns', 'mx')) OR
           (part IS NOT NULL AND kind = 'part'));

CREATE VIEW scan_path_elements AS
SELECT scan_id, service, endpoint, mail, idx, kind, name, address, status, parent, zone
  FROM scan_elements
 WHERE part IS NULL
UNION ALL
SELECT e.scan_id, e.service, e.endpoint, e.mail, e.idx + p.idx, p.kind, p.name, p.address,
       p.status, CASE WHEN p.parent < 0 THEN e.parent ELSE e.idx + p.parent END, p.zone
  FROM scan_elements e
  JOIN scan_parts p ON p.scan_id = e.scan_id AND p.part = e.part
 WHERE e.part IS NOT NULL;

-- The addresses each service's paths reach, each once: what diff, drift and the
-- report's country tables join with scan_attributions, without spelling out
-- every path.
CREATE VIEW scan_service_addresses AS
SELECT scan_id, service, address
  FROM scan_elements
 WHERE part IS NULL AND kind = 'address'
UNION
SELECT r.scan_id, r.service, p.address
  FROM (SELECT DISTINCT scan_id, service, part FROM scan_elements WHERE part IS NOT NULL) r
  JOIN scan_parts p ON p.scan_id = r.scan_id AND p.part = r.part
 WHERE p.kind = 'address';

-- Which record format a scan's digest is over: NULL for scans stored before
-- 012 (format 1), 2 since (element records carry their part, and part records
-- follow them; docs/EVIDENCE.md). Existing rows stay NULL: their digests and
-- chain links are unchanged.
ALTER TABLE scans ADD COLUMN record_format smallint;
ALTER TABLE scans ALTER COLUMN record_format SET DEFAULT 2;

-- The scan row trigger of 003 refuses changes to complete scans; the delete
-- guard of 011 learns the new table.
CREATE OR REPLACE FUNCTION residency_scan_has_observations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM scan_services WHERE scan_id = OLD.id)
       OR EXISTS (SELECT 1 FROM scan_elements WHERE scan_id = OLD.id)
       OR EXISTS (SELECT 1 FROM scan_parts WHERE scan_id = OLD.id)
       OR EXISTS (SELECT 1 FROM scan_attributions WHERE scan_id = OLD.id)
       OR EXISTS (SELECT 1 FROM scan_findings WHERE scan_id = OLD.id)
       OR EXISTS (SELECT 1 FROM scan_answers WHERE scan_id = OLD.id) THEN
        RAISE EXCEPTION 'scan % still has observations and cannot be removed', OLD.id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN OLD;
END $$;
