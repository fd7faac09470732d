#!/usr/bin/env bash
# Address parsing (core/addr) against inet_pton, 1 M mixed IPv4/IPv6 addresses x 5.
set -euo pipefail
echo "## Address parsing (issue 2)"
echo
echo "Command: \`build/bench/bench_core\` (75% IPv4, 25% IPv6, 5 rounds of 1 M)."
echo
echo "| what | rate |"
echo "| --- | --- |"
build/bench/bench_core
