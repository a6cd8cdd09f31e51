#!/usr/bin/env bash
# Writes an upload fixture: `docker save` of IMAGE (default: the test image) to OUT, or with
# --rootfs a plain root-filesystem tarball (as `docker export` writes) of the same image.
# Usage: scripts/make-image-tar.sh OUT [IMAGE]     scripts/make-image-tar.sh --rootfs OUT [IMAGE]
set -euo pipefail
mode=save
if [ "${1:-}" = "--rootfs" ]; then mode=rootfs; shift; fi
OUT=${1:?usage: make-image-tar.sh [--rootfs] OUT [IMAGE]}
IMAGE=${2:-${TEST_IMAGE:-novadock-test/busybox:latest}}
if [ $mode = save ]; then
  docker image save "$IMAGE" -o "$OUT"
else
  cid=$(docker create "$IMAGE" /bin/true)
  trap 'docker rm -f "$cid" >/dev/null 2>&1 || true' EXIT
  docker export "$cid" -o "$OUT"
fi
echo "$OUT"
