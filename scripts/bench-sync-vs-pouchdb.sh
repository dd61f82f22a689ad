#!/usr/bin/env bash
# Sync side by side with PouchDB, in one run on this machine: the same 10,000 records of 100–200 bytes, batches of
# 500, pushed by one device and pulled by a fresh one; median of WAYMARK_BENCH_ROUNDS rounds (default 7) for Waymark
# on SQLite, on PostgreSQL (a throwaway cluster) and for PouchDB → pouchdb-server → PouchDB; prints the ratios.
# Loopback only. Needs node and npm (installs bench/pouchdb's packages once).
set -euo pipefail
cd "$(dirname "$0")/.."
export WAYMARK_BENCH_ROUNDS="${WAYMARK_BENCH_ROUNDS:-7}"
[ -d bench/pouchdb/node_modules/pouchdb-server ] || (cd bench/pouchdb && npm ci --no-audit --no-fund)
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
WAYMARK_BENCH_RECORDS=distinct bash scripts/with-postgres.sh cargo bench -p waymark-server --bench sync_bench | tee -a "$out"
node bench/pouchdb/sync.bench.mjs | tee -a "$out"
median() { grep "median end to end" "$out" | grep " $1 " | sed -E 's/.* ([0-9.]+) ms$/\1/'; }
pouch="$(median PouchDB)"
for engine in SQLite PostgreSQL; do
  ms="$(median "$engine")"
  [ -n "$ms" ] && awk -v e="$engine" -v w="$ms" -v p="$pouch" \
    'BEGIN { printf "Waymark on %s: %.0f ms; PouchDB: %.0f ms; Waymark is %.1f× faster end to end\n", e, w, p, p / w }'
done
