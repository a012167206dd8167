#!/usr/bin/env bash
# A smoke test of porchlight's Windows build under Wine, as a new user tries it: help, version,
# the demo's devices, report and reminders with their exit codes, a scan of loopback, the data
# folder where Windows keeps it, `watch --install` showing a scheduled task, a closed pipe.
# Usage: smoke.sh WINE PORCHLIGHT_EXE (run by scripts/windows-wine.sh, inside its namespace and
# throw-away prefix). Each step prints what it checked; the first failure stops with its output.
set -uo pipefail
wine=$1
exe=$2
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
failed=0

# run CODE WHAT ARGS...: runs porchlight.exe ARGS, which must exit with CODE.
run() {
  local code=$1 what=$2
  shift 2
  "$wine" "$exe" "$@" >"$out" 2>"$err" </dev/null
  local got=$?
  if [ "$got" -ne "$code" ]; then
    echo "FAIL: $what: exit $got, expected $code (porchlight $*)"
    sed 's/^/  stdout: /' "$out" | head -20
    sed 's/^/  stderr: /' "$err" | head -20
    exit 1
  fi
}
# has TEXT WHAT: the last run's standard output holds TEXT.
has() {
  if ! grep -qF -- "$1" "$out"; then
    echo "FAIL: $2: standard output lacks \"$1\""
    sed 's/^/  stdout: /' "$out" | head -20
    sed 's/^/  stderr: /' "$err" | head -20
    exit 1
  fi
}
ok() { echo "ok: $*"; }

run 0 "help" --help
has "Usage: porchlight [OPTIONS]" "help names the program porchlight"
if grep -q 'porchlight\.exe' "$out"; then echo "FAIL: help says porchlight.exe"; exit 1; fi
ok "--help (exit 0, the program called porchlight)"

run 0 "version" --version
has "porchlight 0." "version"
ok "--version: $(cat "$out")"

run 2 "a mistyped command" devicez
grep -q '^porchlight: ' "$err" && [ "$(wc -l <"$err")" -eq 1 ] || { echo "FAIL: not one line: $(cat "$err")"; exit 1; }
ok "a mistyped command: one line, exit 2"

run 0 "the demo's devices" --demo devices
has "Driveway camera" "the demo lists its camera"
ok "--demo devices lists $(grep -c . "$out") lines"

run 0 "the demo's devices as JSON" --demo devices --json
has '"devices"' "JSON devices"
ok "--demo devices --json"

run 10 "the demo's reminders with --exit-code (something is due)" --demo remind --exit-code
ok "--demo remind --exit-code: exit 10, $(grep -c . "$out") lines"

run 0 "the demo's report" --demo report
has "# porchlight report: demo home" "a Markdown report"
ok "--demo report (Markdown on standard output)"

report='C:\users\Public\porchlight-report.html'
run 0 "the demo's report to a file" --demo report -o "$report"
file=$("$wine" winepath -u "$report" 2>/dev/null)
grep -q '<html' "$file" || { echo "FAIL: no HTML report at $file"; exit 1; }
ok "--demo report -o $report: an HTML page of $(wc -c <"$file") bytes"

run 0 "a scan of loopback" scan --subnet 127.0.0.1/32 --allow-public
ok "scan --subnet 127.0.0.1/32: $(tr '\n' ' ' <"$out" | cut -c1-120)"
appdata=$("$wine" winepath -u 'C:\users' 2>/dev/null)
state=$(find "$appdata" -path '*AppData/Roaming/porchlight/data/state.json' | head -1)
[ -n "$state" ] || { echo "FAIL: no state.json under %APPDATA%\\porchlight\\data"; exit 1; }
ok "the scan saved ${state#"$appdata"/} (%APPDATA%\\porchlight\\data)"

run 0 "devices after the scan" devices
ok "devices after the scan"

run 1 "watch --install without a terminal asks first" watch --install
has 'schtasks.exe' "watch --install shows a scheduled task"
has '/SC MINUTE /MO 5 /TN "porchlight watch"' "the task's schedule"
grep -q 'add --yes' "$err" || { echo "FAIL: no 'add --yes': $(cat "$err")"; exit 1; }
if grep -q systemd "$out"; then echo "FAIL: a systemd unit on Windows"; exit 1; fi
ok "watch --install shows the scheduled task and asks (no systemd unit)"

for args in "completions bash" "man" "--demo devices"; do
  # shellcheck disable=SC2086
  "$wine" "$exe" $args 2>"$err" | true
  code=${PIPESTATUS[0]}
  if [ "$code" -ne 0 ] || [ -s "$err" ]; then
    echo "FAIL: porchlight $args | true: exit $code: $(cat "$err")"
    exit 1
  fi
done
ok "completions, man and devices into a closed pipe: quiet exit 0"
echo "smoke test passed"
