#!/bin/sh
# Writes the USB folder: a signed release bundle for both architectures, install.sh, root.json, the operator guide
# (HTML), SHA256SUMS, and an empty ca-export/ for the CA export. The same as `pwsh ./build.ps1 usb`.
#
#   installer/build-usb.sh OUT [VERSION]
#
# Signing: KEYS (environment) is a folder with root.json and the signing key(s) sign-*.key, whose passphrase is in
# APPLIANCE_BUNDLE_PASSPHRASE (docs/operator-guide-updates.md: production keys live on offline signing stations).
# When KEYS has no root.json, a development key set (one root key, one signing key, thresholds 1) is made there.
# RIDS (default "linux-x64 linux-arm64") and CONFIGURATION (default Release) may be set in the environment.
set -eu
out=${1:?usage: build-usb.sh OUT [VERSION]}
repo=$(cd "$(dirname "$0")/.." && pwd)
version=${2:-$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$repo/Directory.Build.props" | head -n 1)}
keys=${KEYS:-$repo/artifacts/dev-keys}
rids=${RIDS:-linux-x64 linux-arm64}
configuration=${CONFIGURATION:-Release}
publish=$repo/artifacts/usb-publish/$version
: "${APPLIANCE_BUNDLE_PASSPHRASE:=development-only-passphrase}"
export APPLIANCE_BUNDLE_PASSPHRASE DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

tool_dir=$repo/artifacts/usb-tool
dotnet build "$repo/offline-bundle/Appliance.BundleTool" -c "$configuration" -o "$tool_dir" -v q -nologo >/dev/null
tool() { dotnet "$tool_dir/appliance-bundle.dll" "$@"; }

mkdir -p "$keys"
if [ ! -f "$keys/root.json" ]; then
  echo "- development keys in $keys (NOT for production)"
  [ -f "$keys/root-dev.key" ] || tool keygen --out "$keys/root-dev" >/dev/null
  [ -f "$keys/sign-dev.key" ] || tool keygen --out "$keys/sign-dev" >/dev/null
  tool root init --out "$keys/root.json" --version 1 --root-key "$keys/root-dev.pub" --root-threshold 1 \
    --signing-key "$keys/sign-dev.pub" --signing-threshold 1 >/dev/null
  tool root sign "$keys/root.json" --key "$keys/root-dev.key" >/dev/null
fi

args=""
for rid in $rids; do
  echo "- publishing appliance $version for $rid"
  dotnet publish "$repo/appliance/Appliance" -c "$configuration" -r "$rid" -p:Version="$version" -o "$publish/$rid" -v q -nologo >/dev/null
  args="$args --appliance-$rid $publish/$rid/appliance"
done

rm -rf "$out"
mkdir -p "$out/ca-export"
bundle=$out/appliance-$version.aupd
echo "- bundle $bundle"
# shellcheck disable=SC2086 # args is a list of options
tool create --out "$bundle" --version "$version" $args >/dev/null
for key in "$keys"/sign-*.key; do tool sign "$bundle" --key "$key" >/dev/null; done
tool verify "$bundle" --root "$keys/root.json"

for rid in $rids; do
  mkdir -p "$out/bin/$rid"
  cp "$publish/$rid/appliance" "$out/bin/$rid/appliance"
done
cp "$keys/root.json" "$out/root.json"
cp "$repo/installer/usb/install.sh" "$out/install.sh"
chmod 0755 "$out/install.sh"
sh "$repo/installer/guide-html.sh" "$repo/docs/operator-guide.md" "$repo/docs/operator-guide-updates.md" \
  "$repo/docs/operator-guide-ca.md" "$repo/docs/operator-guide-clients.md" >"$out/operator-guide.html"
(cd "$out" && find . -type f ! -name SHA256SUMS | sed 's:^\./::' | sort | xargs sha256sum >SHA256SUMS)
echo "USB folder ready: $out"
