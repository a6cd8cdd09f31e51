#!/usr/bin/env bash
# The Horizon browser suite (test/horizon) with all set-up: Node dependencies, the OpenStack CLIs, a
# running Docker Engine with the test image, Debian's Chromium (headless, driven by playwright-core;
# nothing is downloaded at run time) and Debian's Horizon with uWSGI (scripts/horizon-up.sh installs
# them when missing; each test file starts its own Horizon on a free loopback port). Extra arguments
# go to vitest.
set -euo pipefail
cd "$(dirname "$0")/.."
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
# a symlinked node_modules (a worktree sharing another checkout's) is left alone: npm ci would empty it
[ -L node_modules ] || { [ -d node_modules/.bin ] && [ node_modules/.package-lock.json -nt package-lock.json ]; } ||
  npm ci --no-audit --no-fund
bash scripts/docker-up.sh
bash scripts/clients-up.sh   # the openrc test runs the openstack CLI
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -f /usr/share/openstack-dashboard/wsgi.py ] || need+=(openstack-dashboard)
command -v uwsgi >/dev/null 2>&1 || need+=(uwsgi-core)
[ -f /usr/lib/uwsgi/plugins/python3_plugin.so ] || need+=(uwsgi-plugin-python3)
if [ ${#need[@]} -gt 0 ]; then
  echo "horizon-test: installing ${need[*]}" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
export DOCKER_HOST=${DOCKER_HOST:-unix:///var/run/docker.sock}
export NOVADOCK_REQUIRE_DOCKER=1
exec npx vitest run -c vitest.horizon.config.ts "$@"
