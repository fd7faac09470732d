-- 009: how many rows of a snapshot's files were skipped as invalid (issue 13, item 7).
-- A geofeed row with a bad country (DigitalOcean publishes "None") or a broken
-- prefix costs that row, not the feed; the count says how much of a feed was not
-- used. 0 for other formats, and for snapshots stored before 009.
ALTER TABLE range_snapshots
    ADD COLUMN invalid_rows integer NOT NULL DEFAULT 0 CHECK (invalid_rows >= 0);
