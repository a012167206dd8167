#!/usr/bin/env bash
# Times porchlight's first `cargo build --release` from cold: the committed tree (git archive of
# HEAD) in a temporary folder, with a target folder of its own, so nothing is reused. The crates'
# sources must already be downloaded (`cargo fetch`): this measures compiling, not the network.
#
#   scripts/first-build.sh            # as many jobs as cargo picks (the cores)
#   CARGO_BUILD_JOBS=1 scripts/first-build.sh
#
# Prints the wall-clock time, the CPU time (user + system: steadier than wall time on a machine
# that is busy with other work) and the load average before and after. Needs GNU time
# (Debian package time).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/porchlight-first-build.XXXXXX)
trap 'rm -rf "$work"' EXIT
git archive HEAD | tar -x -C "$work"
cp Cargo.lock "$work/" 2>/dev/null || true
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)  cores: $(nproc)  jobs: ${CARGO_BUILD_JOBS:-default}"
cd "$work"
cargo fetch --locked >/dev/null
/usr/bin/time -f 'wall %e s  user %U s  system %S s  peak memory %M KB' \
  env CARGO_TARGET_DIR="$work/target" cargo build --release --locked --quiet
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"
ls -l "$work/target/release/porchlight" | awk '{print "binary: " $5 " bytes"}'
