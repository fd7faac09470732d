-- 005: evidence (issue 7). The texts a scan was judged with (configuration,
-- estate, policies), and the chain of scan digests: every complete scan gets one
-- link, SHA-256("residency-chain-v1" || previous link || scan digest), in the
-- transaction that completes it. Links are never rewritten or removed; removing
-- a scan from the middle breaks the chain where it stood.
CREATE TABLE scan_documents (
    scan_id bigint NOT NULL REFERENCES scans (id) ON DELETE RESTRICT,
    kind    text NOT NULL CHECK (kind IN ('config', 'estate', 'policy')),
    name    text NOT NULL,
    sha256  text NOT NULL,
    body    text NOT NULL,
    PRIMARY KEY (scan_id, kind, name)
);
CREATE TRIGGER scan_documents_open BEFORE INSERT ON scan_documents
    FOR EACH ROW EXECUTE FUNCTION residency_scan_is_open();

CREATE TABLE scan_links (
    seq        bigint PRIMARY KEY CHECK (seq > 0),
    scan_id    bigint NOT NULL UNIQUE REFERENCES scans (id) ON DELETE RESTRICT,
    digest     text NOT NULL,
    prev_link  text NOT NULL,
    link       text NOT NULL,
    signature  text,
    public_key text,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION residency_link_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'chain link % (scan %) is never rewritten or removed', OLD.seq, OLD.scan_id;
END $$;
CREATE TRIGGER scan_links_frozen BEFORE UPDATE OR DELETE ON scan_links
    FOR EACH ROW EXECUTE FUNCTION residency_link_frozen();
