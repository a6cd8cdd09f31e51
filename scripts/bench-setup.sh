#!/usr/bin/env bash
# Set-up for the benchmarks (bench/run.ts runs it first): wrk, the HTTP load generator (Debian
# package), and, when bench/boot.ts is among the arguments (or there are none), a running Docker
# Engine with the test image. Idempotent; quiet when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null 2>&1; then
  as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
  install_wrk() { as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends wrk >/dev/null; }
  install_wrk || { as_root apt-get -o DPkg::Lock::Timeout=900 update -qq && install_wrk; }
fi
if [ $# -eq 0 ] || printf '%s\n' "$@" | grep -qxE 'boot|network-port'; then
  bash scripts/docker-up.sh >&2
fi
