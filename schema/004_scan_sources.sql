-- 004: the data each scan was judged against: one row per provider range set
-- and one for the GeoIP database, with the version and the SHA-256 of the bytes
-- read. sha256 follows range_snapshots.sha256, so a source and a snapshot stored
-- by `ranges fetch --db` with the same provider and sha256 are the same data.
CREATE TABLE scan_sources (
    scan_id  bigint NOT NULL REFERENCES scans (id) ON DELETE RESTRICT,
    seq      integer NOT NULL,
    name     text NOT NULL,
    kind     text NOT NULL CHECK (kind IN ('provider', 'geofeed', 'geoip')),
    origin   text NOT NULL CHECK (origin IN ('bundled', 'file', 'fetched')),
    files    text[] NOT NULL,
    sha256   text NOT NULL,
    version  text NOT NULL,
    records  bigint NOT NULL,
    PRIMARY KEY (scan_id, seq)
);
CREATE TRIGGER scan_sources_open BEFORE INSERT ON scan_sources
    FOR EACH ROW EXECUTE FUNCTION residency_scan_is_open();
