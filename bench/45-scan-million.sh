#!/usr/bin/env bash
# The whole scan of bench/40-scan.sh at 1,000,000 endpoints from one estate file
# (issue 16: within 10% of linear from the 100,000 figure, peak RSS <= 300 MiB;
# report, check --scan and evidence verify of it each <= 10 s and <= 300 MiB).
# One worker only: the two-worker run is 40-scan.sh's. About 5 minutes here.
set -euo pipefail
SCAN_BENCH_ENDPOINTS=${SCAN_BENCH_MILLION:-1000000} SCAN_BENCH_WORKERS=1 exec bash bench/40-scan.sh
