#!/usr/bin/env bash
# Every test: shared + server (SQLite and a throwaway PostgreSQL), then the browser tests in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each step says how long it took (CI stops the whole run at 90 minutes; the run should take well under 30).
step() { local t=$SECONDS; "$@"; echo "test.sh: $((SECONDS - t)) s for: $*  ($SECONDS s in all)" >&2; }
step bash scripts/setup.sh --for-tests
# Formatting is checked first (rustfmt.toml): seconds, and nothing else runs on unformatted code.
step cargo fmt --all --check
# Lints (the workspace's [lints]) with warnings as errors, on every crate and target. The app has no code for one
# target only (no cfg(target_arch)), so this host pass lints all of it; the wasm32 build below compiles the same code.
step cargo clippy --locked --workspace --all-targets -- -D warnings
# The server tests include validating every FHIR export against the official R4 JSON schema (node, installed by
# setup.sh; under CI a missing validator fails the run).
step bash scripts/with-postgres.sh cargo test --locked -p waymark-shared -p waymark-server -p waymark-app
step bash scripts/build-app.sh
# Every file's size, and the first load (sign-in and home pages) held under its budget (scripts/app-size.sh).
step bash scripts/app-size.sh
# The browser tests run the server binary the tests above built (target/debug/waymark-server): building it again
# without the tests' dev-dependencies would rebuild half the dependencies with other features.
# A browser test that hangs (a page that never answers) fails after 4 minutes (end2end/support/test.mjs); a whole
# file after 20.
step bash -c 'cd end2end && node --test --test-concurrency=1 --test-timeout=1200000 tests/'
