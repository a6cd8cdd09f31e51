#!/usr/bin/env bash
# Runs the service on 127.0.0.1:8774 against the local Docker Engine (SQLite in ./data), doing
# all set-up first: Node dependencies and a running Docker Engine.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules/.bin ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund
if [ "${NOVADOCK_COMPUTE_DRIVER:-docker}" = docker ] && [ -z "${DOCKER_HOST:-}" ]; then bash scripts/docker-up.sh; fi
exec npx tsx src/server.ts
