#!/usr/bin/env bash
# Build and run Waymark on SQLite (./data/waymark.db) with the fictional demo ward, at http://127.0.0.1:3000
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build-app.sh
cargo build --locked --release -p waymark-server
WAYMARK_SEED_DEMO=${WAYMARK_SEED_DEMO:-true} exec target/release/waymark-server
