#!/usr/bin/env bash
# Idempotent: installs Debian's OpenStack command-line clients (openstack, nova, glance, and the
# SDK) used by the real-client tests.
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
need=()
[ -x /usr/bin/openstack ] || need+=(python3-openstackclient)
[ -x /usr/bin/nova ] || need+=(python3-novaclient)
[ -x /usr/bin/glance ] || need+=(python3-glanceclient)
/usr/bin/python3 -c 'import openstack' 2>/dev/null || need+=(python3-openstacksdk)
if [ ${#need[@]} -gt 0 ]; then
  echo "clients-up: installing ${need[*]}" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
