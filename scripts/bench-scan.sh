#!/usr/bin/env bash
# Benchmarks `porchlight scan` against nmap on the simulated test home (network namespaces with
# real daemons as devices; see tests/netns/mod.rs, the one place where the homes are set up).
#
#   1. builds porchlight (release) and the test that holds the homes (tests/scan_netns.rs,
#      `hold_test_homes`, ignored in normal runs);
#   2. starts it: it builds a standard home (11 live hosts on a /24: router with miniupnpd, MQTT
#      hub, printer, speaker, NAS, camera, plain hosts) and a crowd home (a /24 with 250 live
#      addresses on one namespace, plus the router) and writes their description to home.env;
#   3. from each home's scanner namespace, times RUNS runs each of
#        porchlight scan --json -v       (the whole scan, all sources, with the audit of every
#                                         device; and its first sighting)
#        porchlight scan --no-audit      (the same without the audit, for comparison)
#        nmap -n -sn SUBNET              (host discovery)
#        nmap -n -sS -p RISKY LIVE_HOSTS (the risky ports, on the live hosts only)
#      and on the crowd, porchlight's ping stage (from its -v log) against nmap -sn;
#   4. prints a table of medians and the ratio porchlight / nmap -sn, and the completeness of the
#      home's RUNS scans: in how many runs every live host, every mDNS service (type and instance
#      of every host, as announced by the home's avahi daemons: the union over all runs) and every
#      identity (each host's kind, maker and name as most runs gave them) was there; tears the
#      homes down.
#
# Needs root, nmap and the daemons the tests need (see .ci/run). Every packet stays inside the
# namespaces the holder made.
#
# Usage:  sudo scripts/bench-scan.sh
# Environment knobs (all optional):
#   RUNS=5                  runs of each command
#   CROWD=250               live addresses in the crowd home (0: no crowd home)
#   LOSS=0                  percent of frames each home's switch drops at random, each way (a
#                           lossy Wi-Fi home: nftables numgen on the bridge; 10 is a bad one)
#   PORCHLIGHT_BIN=path     use this binary instead of building target/release/porchlight
#   SCAN_FLAGS="..."        extra flags for every porchlight scan
#   CROWD_SCAN_FLAGS="..."  extra flags for the crowd's porchlight scan (such as a ping-only flag)
#   KEEP=1                  keep the work folder (logs, every run's output)
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
CROWD=${CROWD:-250}
LOSS=${LOSS:-0}
SCAN_FLAGS=${SCAN_FLAGS:-}
CROWD_SCAN_FLAGS=${CROWD_SCAN_FLAGS:-}

die() { echo "bench-scan: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
command -v nmap >/dev/null || die "needs nmap (apt-get install nmap)"
command -v nft >/dev/null || die "needs nft (apt-get install nftables)"
[ -x /usr/bin/time ] || die "needs GNU time for peak memory (apt-get install time)"
command -v python3 >/dev/null || die "needs python3"

WORK=$(mktemp -d /tmp/bench-scan.XXXXXX)
HOLDER_PID=
TESTBIN=

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$HOLDER_PID" ] && kill -0 "$HOLDER_PID" 2>/dev/null; then
    touch "$WORK/stop"
    for _ in $(seq 1 200); do
      kill -0 "$HOLDER_PID" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$HOLDER_PID" 2>/dev/null; then
      echo "bench-scan: the holder did not stop; killing it and sweeping its namespaces" >&2
      kill -KILL "$HOLDER_PID" 2>/dev/null || true
      wait "$HOLDER_PID" 2>/dev/null || true
      "$TESTBIN" --ignored --exact sweep_stale_homes >/dev/null 2>&1 || true
    fi
    wait "$HOLDER_PID" 2>/dev/null || true
  fi
  if [ "${KEEP:-}" = 1 ]; then
    echo "bench-scan: work folder kept: $WORK" >&2
  else
    rm -rf "$WORK"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------- build
if [ -n "${PORCHLIGHT_BIN:-}" ]; then
  BIN=$PORCHLIGHT_BIN
else
  echo "== cargo build --release" >&2
  cargo build --release --quiet
  BIN=$PWD/target/release/porchlight
fi
[ -x "$BIN" ] || die "no porchlight binary at $BIN"
echo "== building the test home holder" >&2
TESTBIN=$(cargo test --release --test scan_netns --no-run 2>&1 |
  sed -n 's/.*Executable tests\/scan_netns.rs (\(.*\))$/\1/p' | tail -1)
[ -n "$TESTBIN" ] && [ -x "$TESTBIN" ] || die "could not build tests/scan_netns.rs"

# ---------------------------------------------------------------------------- the homes
echo "== building the test homes" >&2
PORCHLIGHT_TESTHOME_DIR=$WORK PORCHLIGHT_TESTHOME_CROWD=$CROWD PORCHLIGHT_TESTHOME_LOSS=$LOSS \
  PORCHLIGHT_TESTHOME_MAX_SECS=3600 \
  "$TESTBIN" --ignored --exact hold_test_homes --nocapture >"$WORK/holder.log" 2>&1 &
HOLDER_PID=$!
for _ in $(seq 1 600); do
  [ -f "$WORK/home.env" ] && break
  kill -0 "$HOLDER_PID" 2>/dev/null || { cat "$WORK/holder.log" >&2; die "the holder exited"; }
  sleep 0.1
done
[ -f "$WORK/home.env" ] || { cat "$WORK/holder.log" >&2; die "the homes were not ready in 60 s"; }
# shellcheck disable=SC1091
. "$WORK/home.env"
echo "   homes ready in ${BUILD_SECS} s: $STD_SUBNET ($STD_LIVE_COUNT live)${CROWD_SUBNET:+, crowd $CROWD_SUBNET ($CROWD_LIVE_COUNT live)}" >&2

# nmap probes the same risky ports as porchlight: read from porchlight's own table.
RISKY_PORTS=$(grep -o 'RiskyPort::new([0-9]*' src/discovery/ports/table.rs |
  grep -o '[0-9]*$' | paste -sd, -) || die "no port list in src/discovery/ports/table.rs"

# ---------------------------------------------------------------------------- measuring
# Every result is one line "NAME SECONDS HOSTS" in $WORK/results.
now() { echo "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
record() { echo "$1 $2 $3" >>"$WORK/results"; }

# Counts, in namespace $1, the TCP connections it opens (SYNs out) and the bytes it receives
# (every IPv4 packet in, headers included): an nftables table of its own, made once.
count_start() {
  ip netns exec "$1" nft -f - <<'NFT'
table inet plbench
delete table inet plbench
table inet plbench {
  chain out { type filter hook output priority 0; tcp flags & (syn | ack) == syn counter; }
  chain in { type filter hook input priority 0; meta nfproto ipv4 counter; }
}
NFT
}
# Prints "SYNS BYTES" counted since count_start in namespace $1.
count_read() {
  ip netns exec "$1" nft list table inet plbench |
    awk '/chain out/ { c = "o" } /chain in/ { c = "i" }
         /counter packets/ { for (n = 1; n < NF; n++) { if ($n == "packets") p = $(n + 1); if ($n == "bytes") b = $(n + 1) }
                             if (c == "o") s = p; else r = b }
         END { print s + 0, r + 0 }'
}

# porchlight scan in namespace $1 on interface $2, run $3, extra flags $4; records NAME-total,
# NAME-first (first sighting, from the -v log), NAME-ping (the ping stage, from the -v log),
# NAME-rss (peak memory, KiB), NAME-syns and NAME-rx (connections opened, bytes received).
porchlight_run() {
  local ns=$1 iface=$2 name=$3 flags=$4 i=$5
  local out="$WORK/$name-$i.json" err="$WORK/$name-$i.err" t0 t1 hosts first ping
  count_start "$ns"
  t0=$(now)
  # shellcheck disable=SC2086
  ip netns exec "$ns" /usr/bin/time -f '%M' -o "$WORK/$name-$i.rss" "$BIN" \
    --data-dir "$WORK/data-$name-$i" scan --json -v \
    --interface "$iface" $SCAN_FLAGS $flags >"$out" 2>"$err" || {
    tail -5 "$err" >&2
    die "porchlight scan failed (run $i of $name)"
  }
  t1=$(now)
  local counted
  counted=$(count_read "$ns")
  set -- $counted
  record "$name-syns" 0 "$1"
  record "$name-rx" 0 "$2"
  record "$name-rss" "$(tail -1 "$WORK/$name-$i.rss")" -
  hosts=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["devices"]))' "$out")
  record "$name-total" "$(elapsed "$t0" "$t1")" "$hosts"
  local findings
  findings=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1])).get("findings", [])))' "$out")
  record "$name-findings" 0 "$findings"
  # (grep -m1 stops by itself: `sed | head -1` fails under pipefail when sed is cut off)
  first=$(grep -m1 '^\[ *[0-9.]* ms\] sighting' "$err" | sed -n 's/^\[ *\([0-9.]*\) ms\].*/\1/p')
  [ -n "$first" ] && record "$name-first" "$(awk -v m="$first" 'BEGIN { printf "%.3f", m / 1000 }')" -
  ping=$(sed -n 's/.*ping sweep finished: \([0-9]*\) hosts in \([0-9]*\) ms.*/\1 \2/p' "$err" | tail -1)
  if [ -n "$ping" ]; then
    set -- $ping
    record "$name-ping" "$(awk -v m="$2" 'BEGIN { printf "%.3f", m / 1000 }')" "$1"
  fi
}

# nmap in namespace $1, result name $2, then nmap's arguments.
nmap_run() {
  local ns=$1 name=$2 t0 t1 out hosts
  shift 2
  out="$WORK/$name.nmap"
  t0=$(now)
  ip netns exec "$ns" nmap -n "$@" >"$out" 2>&1 || { cat "$out" >&2; die "nmap failed ($name)"; }
  t1=$(now)
  hosts=$(sed -n 's/.*(\([0-9]*\) hosts\{0,1\} up).*/\1/p' "$out" | tail -1)
  record "$name" "$(elapsed "$t0" "$t1")" "${hosts:-?}"
}

: >"$WORK/results"
for i in $(seq 1 "$RUNS"); do
  echo "== run $i of $RUNS" >&2
  porchlight_run "$STD_SCANNER_NS" "$STD_IFACE" home "" "$i"
  porchlight_run "$STD_SCANNER_NS" "$STD_IFACE" home-noaudit "--no-audit" "$i"
  nmap_run "$STD_SCANNER_NS" home-nmap-sn -sn "$STD_SUBNET"
  # shellcheck disable=SC2086
  nmap_run "$STD_SCANNER_NS" home-nmap-sS -sS -p "$RISKY_PORTS" $STD_LIVE_HOSTS
  if [ -n "${CROWD_SCANNER_NS:-}" ]; then
    porchlight_run "$CROWD_SCANNER_NS" "$CROWD_IFACE" crowd "$CROWD_SCAN_FLAGS" "$i"
    nmap_run "$CROWD_SCANNER_NS" crowd-nmap-sn -sn "$CROWD_SUBNET"
  fi
done

# ---------------------------------------------------------------------------- the table
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
stat() { awk -v n="$1" '$1 == n { print $2 }' "$WORK/results" | median; }
hosts_of() { awk -v n="$1" '$1 == n { print $3 }' "$WORK/results" | sort -u | paste -sd/ -; }
range_of() { awk -v n="$1" '$1 == n { print $2 }' "$WORK/results" | sort -n | sed -n '1p;$p' | paste -sd- -; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2fx", a / b }'; }

echo
echo "Scan benchmark: $RUNS runs each, medians in seconds (min-max), from the scanner's namespace"
echo "home: $STD_SUBNET, $STD_LIVE_COUNT live hosts; crowd: ${CROWD_SUBNET:-none}, ${CROWD_LIVE_COUNT:-0} live; switch loss: $LOSS% each way"
echo
printf '%-44s %9s %17s %8s\n' "what" "median s" "min-max" "hosts"
row() { printf '%-44s %9s %17s %8s\n' "$1" "$(stat "$2")" "$(range_of "$2")" "$(hosts_of "$2")"; }
row "home: porchlight scan + audit (all sources)" home-total
echo "    audit findings per scan: $(hosts_of home-findings)"
row "home: porchlight scan --no-audit" home-noaudit-total
row "home: porchlight first sighting" home-first
row "home: porchlight ping stage" home-ping
row "home: nmap -n -sn /24" home-nmap-sn
row "home: nmap -n -sS risky ports, live hosts" home-nmap-sS
if [ -n "${CROWD_SCANNER_NS:-}" ]; then
  row "crowd: porchlight scan + audit (all sources)" crowd-total
  echo "    audit findings per scan: $(hosts_of crowd-findings)"
  row "crowd: porchlight ping stage" crowd-ping
  row "crowd: nmap -n -sn /24" crowd-nmap-sn
fi
mib() { awk -v k="$1" 'BEGIN { if (k == "-") print "-"; else printf "%.1f MiB", k / 1024 }'; }
count_of() { awk -v n="$1" '$1 == n { print $3 }' "$WORK/results" | median; }
echo
echo "peak memory (median): home $(mib "$(stat home-rss)"), home --no-audit $(mib "$(stat home-noaudit-rss)")${CROWD_SCANNER_NS:+, crowd $(mib "$(stat crowd-rss)")}"
per_device() { awk -v a="$1" -v b="$2" -v h="$3" 'BEGIN { if (h == 0 || h == "") print "-"; else printf "%.1f", (a - b) / h }'; }
home_hosts=$(awk '$1 == "home-total" { print $3 }' "$WORK/results" | median)
echo "the audit's cost per device (home, scan minus scan --no-audit, medians):" \
  "$(per_device "$(count_of home-syns)" "$(count_of home-noaudit-syns)" "$home_hosts") connections," \
  "$(per_device "$(count_of home-rx)" "$(count_of home-noaudit-rx)" "$home_hosts") bytes received," \
  "$(awk -v a="$(stat home-total)" -v b="$(stat home-noaudit-total)" 'BEGIN { printf "%.2f s", a - b }') of wall time for the whole home"
echo "(nmap's host counts include the scanner itself; porchlight's do not)"
echo
echo "ratio porchlight scan + audit / nmap -sn (home): $(ratio "$(stat home-total)" "$(stat home-nmap-sn)")"
echo "ratio porchlight ping stage / nmap -sn (home): $(ratio "$(stat home-ping)" "$(stat home-nmap-sn)")"
if [ -n "${CROWD_SCANNER_NS:-}" ]; then
  echo "ratio porchlight scan + audit / nmap -sn (crowd): $(ratio "$(stat crowd-total)" "$(stat crowd-nmap-sn)")"
  echo "ratio porchlight ping stage / nmap -sn (crowd): $(ratio "$(stat crowd-ping)" "$(stat crowd-nmap-sn)")"
fi

# ---------------------------------------------------------------------------- completeness
echo
python3 - "$WORK" "$RUNS" "$STD_LIVE_HOSTS" <<'PY'
import collections, json, sys
work, runs, live = sys.argv[1], int(sys.argv[2]), set(sys.argv[3].split())
scans = [json.load(open("%s/home-%d.json" % (work, i))) for i in range(1, runs + 1)]
def services(scan):
    return {(d["ip"], m["type"], m["instance"]) for d in scan["devices"] for m in d.get("mdns", [])}
def identities(scan):
    out = {}
    for d in scan["devices"]:
        i = d.get("identity") or {}
        out[d["ip"]] = (i.get("category"), i.get("vendor"), i.get("name"))
    return out
every_service = set().union(*(services(s) for s in scans))
votes = collections.defaultdict(collections.Counter)
for s in scans:
    for ip, ident in identities(s).items():
        votes[ip][ident] += 1
usual = {ip: c.most_common(1)[0][0] for ip, c in votes.items()}
hosts_ok = sum({d["ip"] for d in s["devices"]} == live for s in scans)
services_ok = sum(services(s) == every_service for s in scans)
ident_ok = sum(all(identities(s).get(ip) == want for ip, want in usual.items()) for s in scans)
missed = collections.Counter()
for s in scans:
    for m in every_service - services(s):
        missed[m] += 1
print("Completeness of the home's %d scans (%d live hosts, %d mDNS services):" % (runs, len(live), len(every_service)))
print("  every live host and no other:  %d of %d runs" % (hosts_ok, runs))
print("  every mDNS service:            %d of %d runs" % (services_ok, runs))
print("  every identity as usual:       %d of %d runs" % (ident_ok, runs))
for (ip, kind, name), n in missed.most_common(5):
    print("  missed %d times: %s %s on %s" % (n, kind, name, ip))
PY
