#!/usr/bin/env bash
# Idempotent: installs the third-party OpenStack clients of the compatibility tests
# (test/clients/compat-*.test.ts), all from Debian, none from a language registry at run time:
#   fog-openstack (Ruby)      ruby-fog-openstack
#   gophercloud (Go)          golang-go + golang-github-gophercloud-gophercloud-dev, built offline
#                             (GO111MODULE=off, GOPATH including /usr/share/gocode)
#   Apache Libcloud (Python)  python3-libcloud
#   Tempest                   python3-tempest (test/clients/compat-tempest.test.ts runs
#                             scripts/compat-tempest.sh)
# Measured on a warm apt cache (2 cores): fog-openstack 213 s when Ruby is not there yet, Go and
# gophercloud 36 s, Libcloud 6 s, Tempest 29 s. scripts/test.sh (npm test) runs it, so CI does too.
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
need=()
[ -d /usr/share/rubygems-integration/all/gems ] && /usr/bin/ruby -e 'require "fog/openstack"' 2>/dev/null || need+=(ruby-fog-openstack)
[ -x /usr/bin/go ] || need+=(golang-go)
[ -d /usr/share/gocode/src/github.com/gophercloud/gophercloud ] || need+=(golang-github-gophercloud-gophercloud-dev)
/usr/bin/python3 -c 'import libcloud' 2>/dev/null || need+=(python3-libcloud)
/usr/bin/python3 -c 'import tempest' 2>/dev/null || need+=(python3-tempest)
if [ ${#need[@]} -gt 0 ]; then
  echo "compat-clients-up: installing ${need[*]}" >&2
  apt_get() { as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 "$@"; }
  apt_get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 || { apt_get update -qq; apt_get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }
fi
