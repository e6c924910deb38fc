#!/bin/sh
# Installs the appliance from this USB folder (run as root): checks this machine's architecture, the folder's
# SHA256SUMS, then runs `appliance install`, which verifies the signed release bundle against root.json exactly as
# `appliance update import` does before it installs anything. Written to the stick by installer/build-usb.sh.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

[ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root (sudo sh install.sh)" >&2; exit 1; }
case "$(uname -m)" in
  x86_64|amd64) arch=linux-x64 ;;
  aarch64|arm64) arch=linux-arm64 ;;
  *) echo "install.sh: unsupported architecture $(uname -m) (the appliance ships for x86_64 and aarch64)" >&2; exit 1 ;;
esac
command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ] || { echo "install.sh: systemd is not running on this machine" >&2; exit 1; }

echo "- checking SHA256SUMS"
sha256sum --quiet -c SHA256SUMS || { echo "install.sh: the folder does not match SHA256SUMS; copy it again from a good source" >&2; exit 1; }

bundle=$(ls appliance-*.aupd | head -n 1)
[ -n "$bundle" ] || { echo "install.sh: no appliance-*.aupd bundle in $here" >&2; exit 1; }
echo "- installing from $bundle (signature checked against root.json)"
exec "./bin/$arch/appliance" install --bundle "$here/$bundle" --root "$here/root.json" "$@"
