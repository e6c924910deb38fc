#!/bin/bash
# A real systemd as PID 1 in a throwaway systemd-nspawn container with its own network namespace (lo only), for the
# installer drill (tests/Appliance.ServerTests/Systemd). How and why: ../../../shared/docs/systemd-in-tests.md.
#   container.sh start WORK USB_DIR   boots Debian 12 with USB_DIR bound read-only at /media/usb; prints the init PID
#   container.sh stop WORK            powers it off and removes WORK's cgroups
# The Debian root is made once with debootstrap and cached as a tarball in $APPLIANCE_TEST_CACHE
# (default /var/cache/appliance-tests); after that nothing needs the network.
# Host prerequisites (root): apt-get install -y --no-install-recommends systemd-container debootstrap zstd
set -euo pipefail
cmd=${1:?start|stop}; W=${2:?work folder}
CACHE_DIR=${APPLIANCE_TEST_CACHE:-/var/cache/appliance-tests}
# Beyond systemd: what the drill runs as the docs show it on a client (the CA guide's update-ca-certificates, sudo and
# a curl to the HTTPS listener). The cached root is named after this list, so changing it makes a new one.
INCLUDE=systemd,dbus,ca-certificates,curl,sudo
CACHE=$CACHE_DIR/bookworm-$(echo "$INCLUDE" | sha256sum | cut -c1-12).tar.zst
NAME=appliance-drill-$(basename "$W" | tr -cd 'a-zA-Z0-9' | tail -c 20)
CG=appliance-drill-$NAME
if [ -d /sys/fs/cgroup/unified ]; then CGS=(/sys/fs/cgroup/systemd /sys/fs/cgroup/unified); else CGS=(/sys/fs/cgroup); fi

make_base() {
  local mirror b
  mirror=${MIRROR:-$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)}
  mirror=${mirror:-http://deb.debian.org/debian}
  b=$CACHE_DIR/build.$$; mkdir -p "$CACHE_DIR"
  debootstrap --variant=minbase --include="$INCLUDE" bookworm "$b" "$mirror" >"$CACHE_DIR/debootstrap.log" 2>&1
  chroot "$b" apt-get clean
  rm -rf "$b"/usr/share/doc/* "$b"/usr/share/man/* "$b"/usr/share/locale/* "$b"/var/lib/apt/lists/*
  for u in console-getty.service getty.target apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer \
           e2scrub_all.timer systemd-tmpfiles-clean.timer; do ln -sf /dev/null "$b/etc/systemd/system/$u"; done
  echo appliance-drill >"$b/etc/hostname"; : >"$b/etc/machine-id"
  tar -C "$b" --zstd -cpf "$CACHE.tmp" .; mv "$CACHE.tmp" "$CACHE"; rm -rf "$b"
}

case $cmd in
start)
  USB=${3:?usb folder}
  for tool in systemd-nspawn debootstrap zstd nsenter; do
    command -v "$tool" >/dev/null || { echo "container.sh: $tool is missing: apt-get install -y --no-install-recommends systemd-container debootstrap zstd" >&2; exit 1; }
  done
  [ "$(id -u)" -eq 0 ] || { echo "container.sh: needs root (CAP_SYS_ADMIN) for systemd-nspawn" >&2; exit 1; }
  [ -f "$CACHE" ] || make_base
  mkdir -p "$W/root"; tar -C "$W/root" --zstd -xpf "$CACHE"
  for h in "${CGS[@]}"; do mkdir -p "$h/$CG"; done
  ( for h in "${CGS[@]}"; do echo $BASHPID >"$h/$CG/cgroup.procs"; done
    exec setsid env TERM=dumb systemd-nspawn -q -D "$W/root" -M "$NAME" --private-network --register=no --keep-unit \
      --console=read-only -b --bind-ro="$USB":/media/usb
  ) </dev/null >"$W/console.log" 2>&1 &
  echo $! >"$W/nspawn.pid"
  for _ in $(seq 300); do INIT=$(pgrep -P "$(cat "$W/nspawn.pid")" -x systemd || true); [ -n "$INIT" ] && break; sleep 0.1; done
  [ -n "${INIT:-}" ] || { echo "container.sh: systemd did not start; console:" >&2; cat "$W/console.log" >&2; exit 1; }
  for _ in $(seq 300); do nsenter -t "$INIT" -a test -S /run/systemd/private 2>/dev/null && break; sleep 0.1; done
  nsenter -t "$INIT" -a env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin timeout 60 systemctl is-system-running --wait >/dev/null || true
  echo "$INIT" | tee "$W/init.pid"
  ;;
stop)
  if [ -f "$W/nspawn.pid" ]; then
    pid=$(cat "$W/nspawn.pid")
    kill -TERM "$pid" 2>/dev/null || true         # SIGTERM to nspawn = clean poweroff of the container
    for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  for h in "${CGS[@]}"; do [ -d "$h/$CG" ] && find "$h/$CG" -depth -type d -exec rmdir {} + 2>/dev/null || true; done
  rm -rf "$W/root"
  ;;
esac
