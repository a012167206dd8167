#!/usr/bin/env bash
# Builds what porchlight ships for Linux, into target/dist/:
# - the static binary (x86_64-unknown-linux-musl: no shared library needed, runs on any x86_64
#   Linux), built by `cargo install --locked --path .` into a throw-away root, which also proves the
#   README's from-source install; the build stays in target/ for the package below;
# - its manual page and bash, zsh and fish completions, made by the binary itself;
# - the Debian package (cargo-deb; `cargo install cargo-deb --locked` if missing) of all that, the
#   README and both licences.
# Prints each file's size. Usage: scripts/package.sh (from anywhere; needs the musl target:
# `rustup target add x86_64-unknown-linux-musl`).
set -euo pipefail
cd "$(dirname "$0")/.."
musl=x86_64-unknown-linux-musl
dist=target/dist
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

echo "-- cargo install --locked --path . (static, $musl)"
cargo install --locked --quiet --path . --root "$root" --target-dir target --target "$musl"
bin=$root/bin/porchlight
"$bin" --version
if file "$bin" | grep -q 'dynamically linked'; then
  echo "package.sh: $bin is not static: $(file "$bin")"
  exit 1
fi
"$bin" --data-dir "$root/data" --demo devices | head -3

mkdir -p "$dist"
cp "$bin" "$dist/porchlight-x86_64-linux"
"$bin" man | gzip -9n >"$dist/porchlight.1.gz"
"$bin" completions bash >"$dist/porchlight.bash"
"$bin" completions zsh >"$dist/_porchlight"
"$bin" completions fish >"$dist/porchlight.fish"

echo "-- cargo deb"
# The package takes the binary cargo install just built (same target and release profile).
cmp -s "$bin" "target/$musl/release/porchlight" ||
  { echo "package.sh: target/$musl/release/porchlight is not the binary installed"; exit 1; }
deb=$(cargo deb --no-build --target "$musl" --output "$dist" | tail -1)
echo "$deb"
echo "-- sizes"
ls -l "$dist/porchlight-x86_64-linux" "$deb" | awk '{ printf "%s: %d bytes (%.1f MiB)\n", $NF, $5, $5 / 1048576 }'
