#!/usr/bin/env python3
"""The measuring half of bench/40-scan.sh and bench/45-scan-million.sh.

usage: scan.py DIR N PORT WORKERS
DIR holds names.txt, scan.json and policies/ (written by the shell script);
PORT is the benchmark's NSD; PG* point at the private PostgreSQL. Prints one
Markdown section: `resolve` of every endpoint (the DNS alone, the anchor) and
`scan` of the same estate against the same server in the same run, the rows
stored, then `report`, `check --scan` and `evidence verify` of that scan; with
WORKERS 2, the same scan split between two workers and `diff` of the two.
Each figure is one run; peak memory is the child's own max RSS (wait4).
"""
import json
import os
import subprocess
import sys
import time

tmp, n, port, workers = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])


def run(argv, stdin=None):
    """Wall seconds, peak RSS in MiB and exit code of argv; output to DIR/out.txt, err.txt."""
    t = time.monotonic()
    pid = os.fork()
    if pid == 0:
        if stdin:
            os.dup2(os.open(stdin, os.O_RDONLY), 0)
        os.dup2(os.open(f"{tmp}/out.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), 1)
        os.dup2(os.open(f"{tmp}/err.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), 2)
        os.execv(argv[0], argv)
    _, status, ru = os.wait4(pid, 0)
    return time.monotonic() - t, ru.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def sql(q):
    return subprocess.run(["psql", "-Atqc", q], capture_output=True, text=True).stdout.strip()


def last_line():
    out = open(f"{tmp}/out.txt").read().strip()
    return out.splitlines()[-1] if out else open(f"{tmp}/err.txt").read().strip()[-300:]


rsecs, rrss, rcode = run(["build/residency", "resolve", "--resolver", f"127.0.0.1:{port}"],
                         stdin=f"{tmp}/names.txt")
secs, rss, code = run(["build/residency", "scan", "-c", f"{tmp}/scan.json"])
line = last_line()
sid = sql("SELECT max(id) FROM scans")
counts = json.loads(sql(f"SELECT counts FROM scans WHERE id = {sid}") or "{}")
parts = ("element_rows", "part_elements", "attributions", "answers", "findings", "waived", "services")
rows = sum(counts.get(k, 0) for k in parts)
print(f"## A whole scan of {n:,} endpoints (issues 6 and 16)")
print()
print(f"`residency scan -c FILE`: {n:,} endpoints in 100 services, resolved live against the NSD of")
print("bench/lib (the DNS benchmark's zones), attributed, judged, and stored in a private PostgreSQL 15")
print("job by job (COPY, one transaction per job of 1,000 endpoints), with the scan's digest and chain")
print("link. The anchor is `residency resolve` of the same names against the same server, same run.")
print()
print("| what | figure | goal |")
print("| --- | --- | --- |")
print(f"| `resolve` of every endpoint's path (the DNS alone) | {rsecs:.1f} s, exit {rcode}, {rrss:.0f} MiB | |")
print(f"| `scan`, end to end | {secs:.1f} s, exit {code} | |")
print(f"| scan / resolve | {secs / rsecs:.2f} | <= 2.0 |")
print(f"| peak memory of the scan (max RSS) | {rss:.0f} MiB | <= 300 MiB |")
print(f"| path elements, whole | {counts.get('elements', 0):,} | |")
print(f"| rows stored: {counts.get('element_rows', 0):,} element rows, "
      f"{counts.get('part_elements', 0):,} part elements, {counts.get('attributions', 0):,} attributions, "
      f"{counts.get('answers', 0):,} answers, {counts.get('findings', 0) + counts.get('waived', 0):,} findings, "
      f"{counts.get('services', 0):,} services | {rows:,} ({rows / n:.2f} per endpoint) | |")
print(f"| summary line | {line} | |")
checks = (
    ("report --format json", ["build/residency", "report", "--scan", sid, "--format", "json"]),
    ("report --format html", ["build/residency", "report", "--scan", sid, "--format", "html"]),
    ("check --scan (re-judge)", ["build/residency", "check", "--scan", sid, "--policies",
                                 f"{tmp}/policies", "--format", "json"]),
    ("evidence verify --db-chain", ["build/residency", "evidence", "verify", "--db-chain"]),
)
for what, argv in checks:
    s2, r2, c2 = run(argv)
    print(f"| `{what}` of that scan | {s2:.1f} s, exit {c2}, {r2:.0f} MiB | <= 10 s, <= 300 MiB |")

if workers > 1:
    # The same scan split between two workers: the second joins as soon as the
    # scan has begun (both on this machine, sharing its cores with NSD and PostgreSQL).
    t = time.monotonic()
    a = subprocess.Popen(["build/residency", "scan", "-c", f"{tmp}/scan.json"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sid2 = ""
    while not sid2 and a.poll() is None:
        sid2 = sql(f"SELECT max(scan_id) FROM scan_jobs WHERE scan_id > {sid}")
        time.sleep(0.05)
    b = subprocess.Popen(["build/residency", "scan", "-c", f"{tmp}/scan.json", "--join", sid2],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    a.communicate()
    b.communicate()
    secs2 = time.monotonic() - t
    jobs = sql("SELECT string_agg(n::text, ' + ' ORDER BY n DESC) FROM (SELECT count(*) AS n "
               f"FROM scan_jobs WHERE scan_id = {sid2} GROUP BY worker) w")
    same = sql(f"SELECT (SELECT counts - 'answers' FROM scans WHERE id = {sid2}) = "
               f"(SELECT counts - 'answers' FROM scans WHERE id = {sid})")
    print(f"| the same scan, two workers on this machine (`scan --join {sid2}`) | {secs2:.1f} s, "
          f"exits {a.returncode} and {b.returncode}; jobs per worker {jobs}; counts but answers "
          f"equal to the one-worker scan: {same} | |")
    d2, dr, dc = run(["build/residency", "diff", "--from", sid, "--to", sid2])
    print(f"| `diff` of the two scans | {d2:.1f} s, exit {dc}, {dr:.0f} MiB | <= 10 s, <= 300 MiB |")
