-- 002: range snapshots, as accepted by `residency ranges fetch --db`, and their prefixes.
CREATE TABLE range_snapshots (
    id               bigserial PRIMARY KEY,
    provider         text NOT NULL,
    urls             text[] NOT NULL,
    fetched_at       timestamptz NOT NULL,
    stored_at        timestamptz NOT NULL DEFAULT now(),
    etags            text[] NOT NULL,
    last_modified    text[] NOT NULL,
    sha256           text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    provider_version text NOT NULL,
    prefix_count     integer NOT NULL CHECK (prefix_count > 0),
    UNIQUE (provider, sha256)
);
CREATE INDEX range_snapshots_provider ON range_snapshots (provider, fetched_at);

CREATE TABLE range_prefixes (
    snapshot_id  bigint NOT NULL REFERENCES range_snapshots (id) ON DELETE RESTRICT,
    prefix       cidr NOT NULL,
    region       text NOT NULL,
    border_group text NOT NULL,
    service      text NOT NULL,
    country      text NOT NULL,
    global       boolean NOT NULL
);
-- Which snapshot holds an address: WHERE prefix >>= '52.95.110.1'.
CREATE INDEX range_prefixes_prefix ON range_prefixes USING gist (prefix inet_ops);
CREATE INDEX range_prefixes_snapshot ON range_prefixes (snapshot_id);
