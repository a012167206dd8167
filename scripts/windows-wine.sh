#!/usr/bin/env bash
# porchlight's Windows build, run under Wine as a new user would: a smoke test of the command line
# (scripts/wine/smoke.sh), then the integration tests that mean something on Windows.
#
# Everything runs in a network namespace of its own with only loopback (`unshare -n`): Wine's
# sockets belong to its wineserver, which starts in here too, so nothing reaches the machine's real
# network. Wine's prefix (its C: drive, registry, Credential Manager and Task Scheduler) is a
# throw-away folder, removed at the end.
#
# Debian 12's Wine (8.0) lacks ProcessPrng, which every program built by Rust 1.78+ imports from
# bcryptprimitives.dll (Wine gained it in 8.13): when the prefix has no such DLL, a stand-in built
# from scripts/wine/bcryptprimitives.c with mingw-w64 is put in its system32.
#
# Needs: wine64, gcc-mingw-w64-x86-64, the x86_64-pc-windows-gnu target, and the Windows build
# already made (`cargo test --target x86_64-pc-windows-gnu --no-run`): nothing is downloaded in here.
set -euo pipefail
cd "$(dirname "$0")/.."
target=x86_64-pc-windows-gnu

if [ "${PORCHLIGHT_WINE_NETNS:-}" != 1 ]; then
  PORCHLIGHT_WINE_NETNS=1 exec unshare -n "$0" "$@"
fi
ip link set lo up

wine=$(command -v wine64 || echo /usr/lib/wine/wine64)
wineserver=$(command -v wineserver || echo /usr/lib/wine/wineserver)
[ -x "$wine" ] || { echo "windows-wine.sh: wine64 is not installed"; exit 1; }
prefix=$(mktemp -d /tmp/porchlight-wine.XXXXXX)
export WINEPREFIX=$prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" PORCHLIGHT_WINE=$wine
cleanup() {
  "$wineserver" -k 2>/dev/null || true
  rm -rf "$prefix"
}
trap cleanup EXIT

echo "-- a new Wine prefix"
# One wineserver for the whole run (-p: it stays up between programs; left alone it quits after
# a few idle seconds, and a test starting just then loses it).
"$wineserver" -p
"$wine" wineboot -i >/dev/null 2>&1
system32=$prefix/drive_c/windows/system32
if [ ! -e "$system32/bcryptprimitives.dll" ]; then
  echo "   ($("$wine" --version) has no bcryptprimitives.dll: the ProcessPrng stand-in goes in)"
  x86_64-w64-mingw32-gcc -shared -O2 -o "$system32/bcryptprimitives.dll" \
    scripts/wine/bcryptprimitives.c -ladvapi32
fi

echo "-- smoke test of porchlight.exe"
bash scripts/wine/smoke.sh "$wine" "target/$target/debug/porchlight.exe"

echo "-- integration tests under Wine"
# The runner goes through --config, not CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER: assert_cmd
# reads that variable inside the Windows tests and would try to start the runner from Windows.
tests=()
for t in "$@"; do
  if [ "$t" = lib ]; then tests+=(--lib); else tests+=(--test "$t"); fi
done
cargo test --offline --target "$target" ${PORCHLIGHT_WINE_CARGO_FLAGS:-} \
  --config "target.$target.runner = \"$PWD/scripts/wine/run.sh\"" "${tests[@]}"
