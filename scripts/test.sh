#!/usr/bin/env bash
# Every test: shared + server (SQLite and a throwaway PostgreSQL), then the browser tests in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --for-tests
# Formatting is checked first (rustfmt.toml): seconds, and nothing else runs on unformatted code.
cargo fmt --all --check
# Lints (the workspace's [lints]) with warnings as errors: the host crates, then the app as it ships (wasm32).
cargo clippy --locked --workspace --all-targets -- -D warnings
cargo clippy --locked -p waymark-app --target wasm32-unknown-unknown --all-targets -- -D warnings
# The server tests include validating every FHIR export against the official R4 JSON schema (node, installed by
# setup.sh; under CI a missing validator fails the run).
bash scripts/with-postgres.sh cargo test --locked -p waymark-shared -p waymark-server -p waymark-app
bash scripts/build-app.sh
cargo build --locked -p waymark-server
# A test that hangs (a page that never answers) fails after 5 minutes instead of holding the run.
(cd end2end && node --test --test-concurrency=1 --test-timeout=300000 tests/)
