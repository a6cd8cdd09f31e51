#!/usr/bin/env bash
# build-ssh-image.sh — idempotent: an image with an ssh server made only from Debian packages, no
# registry: busybox-static (shell, tools) + dropbear (server) and its libraries, as a rootfs tar fed to
# `docker import`. Root logs in with the key pair novadock mounts read-only at /root/.ssh
# (authorized_keys); host keys are generated on first connection (-R). Prints the image tag.
set -euo pipefail
TAG=${SSH_IMAGE:-novadock-test/sshd:latest}
if docker image inspect "$TAG" >/dev/null 2>&1; then echo "$TAG"; exit 0; fi
command -v busybox >/dev/null 2>&1 || { echo "busybox-static is needed (apt-get install busybox-static)" >&2; exit 1; }
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
R=$W/root; X=$W/x; mkdir -p "$R" "$X"
# the .debs only (no install on this machine); apt-get download runs as _apt when it can
chmod 755 "$W"; (cd "$W" && apt-get download dropbear-bin libtomcrypt1 libtommath1 >/dev/null 2>&1) \
  || { apt-get update -qq >/dev/null 2>&1 && (cd "$W" && apt-get download dropbear-bin libtomcrypt1 libtommath1 >/dev/null); }
for d in "$W"/*.deb; do dpkg-deb -x "$d" "$X"; done
mkdir -p "$R"/bin "$R"/etc/dropbear "$R"/tmp "$R"/root "$R"/proc "$R"/sys "$R"/dev "$R"/usr/sbin "$R"/var/log "$R"/run
cp "$(readlink -f "$(command -v busybox)")" "$R"/bin/busybox
for a in $("$R"/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$R/bin/$a"; done
ln -s ../bin "$R"/usr/bin; ln -s bin "$R"/sbin; chmod 1777 "$R"/tmp; chmod 700 "$R"/root
cp "$X"/usr/sbin/dropbear "$R"/usr/sbin/dropbear
for lib in $(LD_LIBRARY_PATH="$X/usr/lib/x86_64-linux-gnu" ldd "$X"/usr/sbin/dropbear | grep -o '/[^ ]*'); do
  dest="$R${lib#"$X"}"; mkdir -p "$(dirname "$dest")"; cp -L "$lib" "$dest"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$R"/etc/passwd
printf 'root:*:19000:0:99999:7:::\n' > "$R"/etc/shadow; chmod 600 "$R"/etc/shadow   # no password; keys only
printf 'root:x:0:\nnogroup:x:65534:\n' > "$R"/etc/group
printf '/bin/sh\n' > "$R"/etc/shells
tar --numeric-owner --owner=0 --group=0 -C "$R" -c . \
  | docker import -c 'ENV PATH=/usr/sbin:/bin' -c 'EXPOSE 22' -c 'CMD ["/usr/sbin/dropbear","-F","-E","-R","-s","-p","22"]' - "$TAG" >/dev/null
echo "$TAG"
