-- 001: scans, the unit of observation. Later migrations add what each scan observed.
CREATE TABLE scans (
    id               bigserial PRIMARY KEY,
    status           text NOT NULL DEFAULT 'running'
                     CHECK (status IN ('running', 'complete', 'failed', 'interrupted')),
    started_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz,
    config_sha256    text,
    policy_sha256    text,
    geoip_build_epoch bigint,
    counts           jsonb NOT NULL DEFAULT '{}'::jsonb
);
