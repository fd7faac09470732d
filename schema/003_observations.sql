-- 003: what a scan observed and judged. Append-only tables keyed by scan, loaded
-- with COPY; one index each, led by scan_id, which follows insertion order
-- (PERFORMANCE-NOTES: many random-key indexes slow bulk loads ten-fold).
ALTER TABLE scans
    ADD COLUMN estate      text,
    ADD COLUMN config_path text,
    ADD COLUMN zone_files  text[] NOT NULL DEFAULT '{}',
    ADD COLUMN error       text,
    ADD COLUMN verdict     text CHECK (verdict IN ('compliant', 'violation'));

CREATE TABLE scan_services (
    scan_id  bigint NOT NULL REFERENCES scans (id) ON DELETE RESTRICT,
    service  text NOT NULL,
    owner    text,
    policy   text NOT NULL,
    verdict  text NOT NULL CHECK (verdict IN ('compliant', 'violation')),
    findings integer NOT NULL,
    waived   integer NOT NULL,
    PRIMARY KEY (scan_id, service)
);

-- Every element of every data path, in path order (idx), with its parent.
CREATE TABLE scan_elements (
    scan_id  bigint NOT NULL REFERENCES scans (id) ON DELETE RESTRICT,
    service  text NOT NULL,
    endpoint text NOT NULL,
    mail     boolean NOT NULL,
    idx      integer NOT NULL,
    kind     text NOT NULL CHECK (kind IN ('name', 'address', 'ns', 'mx')),
    name     text NOT NULL,
    address  inet,
    status   text NOT NULL,
    parent   integer NOT NULL,
    zone     text
);
CREATE INDEX scan_elements_scan ON scan_elements (scan_id, service);

-- One attribution per address per scan, with what every source said.
CREATE TABLE scan_attributions (
    scan_id         bigint NOT NULL REFERENCES scans (id) ON DELETE RESTRICT,
    address         inet NOT NULL,
    provider        text,
    region          text,
    border_group    text,
    services        text,
    scope           text NOT NULL,
    country         text,
    source          text NOT NULL,
    prefix          cidr,
    geoip_country   text,
    region_unmapped boolean NOT NULL,
    disagreement    boolean NOT NULL,
    PRIMARY KEY (scan_id, address)
);

CREATE TABLE scan_findings (
    scan_id        bigint NOT NULL REFERENCES scans (id) ON DELETE RESTRICT,
    seq            integer NOT NULL,
    service        text NOT NULL,
    endpoint       text NOT NULL,
    element        text NOT NULL,
    element_kind   text NOT NULL,
    country        text,
    provider       text,
    region         text,
    border_group   text,
    source         text NOT NULL,
    policy         text NOT NULL,
    reason         text NOT NULL,
    detail         text NOT NULL,
    path           jsonb NOT NULL,
    waived         boolean NOT NULL,
    waiver_reason  text,
    waiver_expires date,
    waiver_expired boolean NOT NULL,
    PRIMARY KEY (scan_id, seq)
);

-- Every DNS answer the scan used, as received (or as the loaded zone gave it).
CREATE TABLE scan_answers (
    scan_id     bigint NOT NULL REFERENCES scans (id) ON DELETE RESTRICT,
    seq         integer NOT NULL,
    name        text NOT NULL,
    type        text NOT NULL,
    rcode       text NOT NULL,
    data        text NOT NULL,
    ttl         bigint NOT NULL,
    resolver    text NOT NULL,
    answered_at timestamptz NOT NULL,
    PRIMARY KEY (scan_id, seq)
);

-- A completed scan is never rewritten: no new observations, no change to its row.
CREATE FUNCTION residency_scan_is_open() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT status FROM scans WHERE id = NEW.scan_id) <> 'running' THEN
        RAISE EXCEPTION 'scan % is % and can no longer be written', NEW.scan_id,
            (SELECT status FROM scans WHERE id = NEW.scan_id);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER scan_services_open BEFORE INSERT ON scan_services
    FOR EACH ROW EXECUTE FUNCTION residency_scan_is_open();
CREATE TRIGGER scan_elements_open BEFORE INSERT ON scan_elements
    FOR EACH ROW EXECUTE FUNCTION residency_scan_is_open();
CREATE TRIGGER scan_attributions_open BEFORE INSERT ON scan_attributions
    FOR EACH ROW EXECUTE FUNCTION residency_scan_is_open();
CREATE TRIGGER scan_findings_open BEFORE INSERT ON scan_findings
    FOR EACH ROW EXECUTE FUNCTION residency_scan_is_open();
CREATE TRIGGER scan_answers_open BEFORE INSERT ON scan_answers
    FOR EACH ROW EXECUTE FUNCTION residency_scan_is_open();

CREATE FUNCTION residency_scan_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'complete' THEN
        RAISE EXCEPTION 'scan % is complete and is never rewritten', OLD.id;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER scans_frozen BEFORE UPDATE OR DELETE ON scans
    FOR EACH ROW EXECUTE FUNCTION residency_scan_frozen();
