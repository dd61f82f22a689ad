#!/usr/bin/env bash
# Browser benchmarks (figures, not tests): builds the app and the server, then runs end2end/bench/*.bench.mjs in
# Chromium against a fresh SQLite demo server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --for-tests
bash scripts/build-app.sh
cargo build --locked --release -p waymark-server
export WAYMARK_SERVER_BIN="$PWD/target/release/waymark-server"
for bench in end2end/bench/*.bench.mjs; do
  echo "== $bench"
  node "$bench"
done
