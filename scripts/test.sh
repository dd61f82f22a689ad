#!/usr/bin/env bash
# Every test: shared + server (SQLite and a throwaway PostgreSQL), then the browser tests in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --for-tests
# Formatting is checked first (rustfmt.toml): seconds, and nothing else runs on unformatted code.
cargo fmt --all --check
# The server tests include validating every FHIR export against the official R4 JSON schema (node, installed by
# setup.sh; under CI a missing validator fails the run).
bash scripts/with-postgres.sh cargo test --locked -p waymark-shared -p waymark-server -p waymark-app
bash scripts/build-app.sh
cargo build --locked -p waymark-server
(cd end2end && node --test --test-concurrency=1 tests/)
