-- 008: one finding per element and reason of a service (issue 13). The same
-- element reached from many endpoints of a service (a zone's name server reached
-- from seven endpoints) is one finding; `endpoint` is the first endpoint and its
-- `path` leads from there, `endpoints` lists every endpoint as a JSON array of
-- strings, sorted. NULL when the finding has one endpoint, and in the
-- rows of scans stored before 008: readers take [endpoint] then. The evidence
-- record of a finding carries it only when it is not NULL, so the digests of
-- older scans do not change.
ALTER TABLE scan_findings ADD COLUMN endpoints jsonb;
