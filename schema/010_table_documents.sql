-- 010: the special-purpose address table (policies/special-purpose.csv) decides
-- which addresses have no country and no provider (issue 13), so each scan keeps
-- it, as read, among its documents (kind 'table'): evidence of what the scan was
-- judged against, covered by the scan's digest like its policies.
ALTER TABLE scan_documents DROP CONSTRAINT scan_documents_kind_check;
ALTER TABLE scan_documents ADD CONSTRAINT scan_documents_kind_check
    CHECK (kind IN ('config', 'estate', 'policy', 'table'));
