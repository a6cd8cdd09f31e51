#!/usr/bin/env bash
# Runs the service on 127.0.0.1:8774 against the local Docker Engine (SQLite in ./data), doing
# all set-up first: Node dependencies, a running Docker Engine, and the build (dist/ is rebuilt
# when any source is newer). The server itself is plain `node dist/server.js`: no transpiler runs
# in production.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules/.bin ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund
if [ "${NOVADOCK_COMPUTE_DRIVER:-docker}" = docker ] && [ -z "${DOCKER_HOST:-}" ]; then bash scripts/docker-up.sh; fi
bash scripts/build.sh
exec node --enable-source-maps dist/server.js
