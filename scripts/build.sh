#!/usr/bin/env bash
# Compiles src/ to dist/ (ESM, source maps) and bundles dist/server.js (scripts/bundle.mjs) when
# dist/ is missing or older than any source or build setting; a no-op otherwise, so `npm start`
# pays for the compiler only after a change.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=dist/.build-stamp
if [ -f "$stamp" ] && [ -z "$(find src tsconfig.json tsconfig.build.json package-lock.json scripts/bundle.mjs -newer "$stamp" -print -quit)" ]; then
  exit 0
fi
rm -rf dist
npx tsc -p tsconfig.build.json
node scripts/bundle.mjs
touch "$stamp"
