#!/usr/bin/env python3
"""The benchmark's DNS estate: 100 zones holding N endpoints under DIR.

70% A in AWS eu-central-1 (a quarter with AAAA too, 2001:db8::/32), 20% CNAME chains of 2-3 hops across zones, 10%
names that do not exist. Each zone has an in-zone name server with glue and one
in a shared zone. Writes DIR/zN.zone, DIR/shared.zone, DIR/nsd.conf (the zone
part of NSD's configuration), DIR/names.txt (the endpoints) and DIR/queries.txt
(each endpoint as A and AAAA, for dnsperf).
usage: zones.py DIR N
"""
import sys
tmp, n = sys.argv[1], int(sys.argv[2])
Z = 100
zones = [[] for _ in range(Z)]
names, queries = [], []
for i in range(n):
    k = i % Z
    name = f"e{i}.z{k}.bench."
    names.append(name)
    queries.append(f"{name} A\n{name} AAAA\n")
    kind = i % 10
    # Inside AWS eu-central-1 (3.120.0.0/14, Frankfurt): attributed, DE.
    a = f"3.{120 + ((i >> 16) & 3)}.{(i >> 8) & 255}.{i & 255}"
    if kind <= 6:
        zones[k].append(f"e{i} A {a}")
        if i % 4 == 0:
            zones[k].append(f"e{i} AAAA 2001:db8::{i >> 16:x}:{i & 0xffff:x}")
    elif kind <= 8:
        hops = 2 if kind == 7 else 3
        k1, k2 = (k + 1) % Z, (k + 2) % Z
        zones[k].append(f"e{i} CNAME c1-{i}.z{k1}.bench.")
        if hops == 2:
            zones[k1].append(f"c1-{i} A {a}")
        else:
            zones[k1].append(f"c1-{i} CNAME c2-{i}.z{k2}.bench.")
            zones[k2].append(f"c2-{i} A {a}")
    # kind 9: no record, NXDOMAIN
conf = open(f"{tmp}/nsd.conf", "a")
for k in range(Z):
    with open(f"{tmp}/z{k}.zone", "w") as f:
        f.write(f"$ORIGIN z{k}.bench.\n$TTL 3600\n"
                f"@ SOA ns1 hostmaster 1 3600 600 86400 300\n"
                f"@ NS ns1\n@ NS ns.shared.bench.\nns1 A 3.123.255.{k % 250 + 1}\n")
        f.write("\n".join(zones[k]) + "\n")
    conf.write(f"zone:\n  name: z{k}.bench\n  zonefile: {tmp}/z{k}.zone\n")
with open(f"{tmp}/shared.zone", "w") as f:
    f.write("$ORIGIN shared.bench.\n$TTL 3600\n@ SOA ns hostmaster 1 3600 600 86400 300\n"
            "@ NS ns\nns A 198.51.100.53\nns AAAA 2001:db8:53::1\n")
conf.write(f"zone:\n  name: shared.bench\n  zonefile: {tmp}/shared.zone\n")
open(f"{tmp}/names.txt", "w").writelines(x + "\n" for x in names)
open(f"{tmp}/queries.txt", "w").writelines(queries)
