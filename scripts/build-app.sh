#!/usr/bin/env bash
# Build the wasm app into dist/: wasm32 release build, wasm-bindgen (the version pinned in Cargo.lock),
# wasm-opt when one is available, content-hashed file names, and .gz copies for the server to send.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
target_dir=${CARGO_TARGET_DIR:-$root/target}
dist=$root/dist
stage=$target_dir/wasm-stage

cargo build --locked -p waymark-app --target wasm32-unknown-unknown --release
rm -rf "$stage" && mkdir -p "$stage/app"
# Split the app at its lazy pages (app/src/app.rs): the first load, and one chunk per page loaded when it is first
# opened. wasm-split-cli (setup.sh installs it) writes the main module, the chunks and the loader
# (__wasm_split.js); wasm-bindgen then makes the main module's JS.
wasm-split-cli --target web --out-name waymark "$target_dir/wasm32-unknown-unknown/release/waymark-app.wasm" "$stage/app"
wasm-bindgen --target web --no-typescript --keep-lld-exports --out-dir "$stage/app" --out-name waymark \
  "$stage/app/waymark.wasm"
rm "$stage/app/waymark.wasm"
# A chunk that cannot be fetched (patchy Wi-Fi, or a new deployment has replaced this build's files) would make the
# Rust side panic, stopping the app. Waymark's loader tries twice more, then leaves the page as it is and tells the
# app (the 'waymark-chunk-failed' event), which offers to load Waymark again (app/src/app.rs).
python3 - "$stage/app/__wasm_split.js" <<'PY'
import re, sys
path = sys.argv[1]
js = open(path).read()
start = js.index("function wrapAsyncCb(callee) {")
end = js.index("function makeLoad(", start)
js = js[:start] + """function wrapAsyncCb(callee) {
    return async (callbackIndex, callbackData) => {
        for (let attempt = 0; ; attempt++) {
            try {
                await callee();
                break;
            } catch (e) {
                console.error(e);
                if (attempt >= 2) {
                    window.dispatchEvent(new CustomEvent('waymark-chunk-failed'));
                    return;
                }
                await new Promise((resolve) => setTimeout(resolve, 1000 * (attempt + 1)));
            }
        }
        const sharedImports = getSharedImports();
        sharedImports.__wasm_split.__indirect_function_table.get(callbackIndex)(callbackData, true);
    }
}
""" + js[end:]
open(path, "w").write(js)
PY

wasm_opt=""
# Prefer the pinned npm binaryen (Debian's is too old for current Rust wasm).
if [ -x "$root/tools/node_modules/.bin/wasm-opt" ]; then wasm_opt="$root/tools/node_modules/.bin/wasm-opt"
elif [ -n "${WAYMARK_WASM_OPT:-}" ]; then wasm_opt=$WAYMARK_WASM_OPT
fi
if [ -n "$wasm_opt" ] && [ "${WAYMARK_SKIP_WASM_OPT:-}" != 1 ]; then
  for w in "$stage"/app/*.wasm; do
    "$wasm_opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-mutable-globals --enable-reference-types --enable-multivalue "$w" -o "$w.opt"
    mv "$w.opt" "$w"
  done
fi

hash() { sha256sum "$1" | cut -c1-16; }

rm -rf "$dist" && mkdir -p "$dist/assets"
# The main module, its JS, the loader and the chunks name each other, so they go together into one folder named
# by the hash of them all (a new build is a new folder; the server lets browsers keep /assets/ files forever).
app_hash=$(cd "$stage/app" && cat $(ls | sort) | sha256sum | cut -c1-16)
app_dir="app-$app_hash"
cp -r "$stage/app" "$dist/assets/$app_dir"
wasm_name="$app_dir/waymark_bg.wasm"
js_name="$app_dir/waymark.js"
# One stylesheet: the base first, then each feature's file in name order.
cat style/waymark.css $(ls style/*.css | grep -v '^style/waymark.css$' | sort) > "$stage/waymark.css"
css_name="waymark-$(hash "$stage/waymark.css").css"
cp "$stage/waymark.css" "$dist/assets/$css_name"
icon_name="icon-$(hash style/icon.svg).svg"
cp style/icon.svg "$dist/assets/$icon_name"

cat > "$stage/boot.js" <<EOF
import init from './$js_name';
init({ module_or_path: new URL('./$wasm_name', import.meta.url) });
// Offline start: the service worker keeps this build's files; ask the browser not to clear the device's data
// (IndexedDB holds edits not yet synced) when storage runs low.
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((e) => console.warn('service worker not registered', e));
}
if (navigator.storage && navigator.storage.persist) {
  navigator.storage.persisted().then((already) => already || navigator.storage.persist()).catch(() => {});
}
EOF
boot_name="boot-$(hash "$stage/boot.js").js"
cp "$stage/boot.js" "$dist/assets/$boot_name"

sed -e "s|{{CSS}}|$css_name|" -e "s|{{JS}}|$js_name|" -e "s|{{WASM}}|$wasm_name|" \
    -e "s|{{BOOT}}|$boot_name|" -e "s|{{ICON}}|$icon_name|" app/index.html > "$dist/index.html"

theme=$(sed -n 's/^ *--brand: *\(#[0-9a-fA-F]*\);.*/\1/p' style/waymark.css | head -1)
sed -e "s/{{ICON}}/$icon_name/" -e "s/{{THEME}}/$theme/" app/manifest.webmanifest > "$dist/manifest.webmanifest"

# The service worker precaches exactly this build's files; its build id changes whenever any of them does, so a
# new deployment installs a new worker that replaces the old cache.
precache=$(cd "$dist" && { echo /index.html; echo /manifest.webmanifest; find assets -type f | sed 's|^|/|'; } | sort)
build_id=$(cd "$dist" && cat index.html manifest.webmanifest $(find assets -type f | sort) | sha256sum | cut -c1-16)
precache_json=$(printf '%s\n' "$precache" | sed 's/.*/"&"/' | paste -sd, | sed 's/^/[/; s/$/]/')
sed -e "s/{{BUILD}}/$build_id/" -e "s|{{PRECACHE}}|$precache_json|" app/sw.js > "$dist/sw.js"

for f in "$dist/index.html" "$dist/sw.js" "$dist/manifest.webmanifest" $(find "$dist/assets" -type f); do gzip -9 -k -n "$f"; done

echo "built dist/:"
for f in "$dist/assets/$wasm_name" "$dist/assets/$js_name" "$dist/assets/$css_name"; do
  printf '  %-40s %8d bytes raw, %8d gzipped\n' "$(basename "$f")" "$(stat -c %s "$f")" "$(stat -c %s "$f.gz")"
done
