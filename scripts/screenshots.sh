#!/usr/bin/env bash
# Takes the README screenshots: runs the real porchlight (demo home, throwaway
# data folder) inside a detached 80x24 tmux session, drives it with key
# presses, captures the screen with colours and renders each capture to
# screenshots/NAME.png with scripts/ansi2png.py.
#
# Needs: cargo, tmux, python3 with Pillow (python3 -m pip install pillow); Chromium for the
# report's shot (report.png; skipped without it).
#
# Usage:  scripts/screenshots.sh
# Environment knobs (all optional):
#   PORCHLIGHT_BIN=path   use this binary instead of building target/release/porchlight
#   OUT_DIR=dir           where the PNGs go (default: screenshots)
#   SCALE=2               render at 2x (sharper on HiDPI screens, 4x the pixels)
#   TITLE="..."           window title drawn above each shot (default: porchlight); TITLE= for none
#   KEY_DELAY=0.3         seconds between key presses
#   KEEP_CAPTURES=1       also keep the raw ANSI captures next to the PNGs (NAME.ansi)

# -----------------------------------------------------------------------------
# THE SHOTS -- edit this table when the UI changes.
#
# One entry per screenshot, taken in order, in ONE running porchlight: each
# entry's keys are pressed starting from where the previous shot left off.
#   NAME  the output is $OUT_DIR/NAME.png
#   KEYS  tmux key names, separated by spaces, pressed one at a time
#         (Enter Escape Up Down Left Right Tab BTab BSpace Home End PageUp
#         PageDown Space C-c, or any single character such as ? j k q),
#         or - to press nothing.
# -----------------------------------------------------------------------------
SHOTS=(
  # NAME     KEYS
  "fix-first -"                   # the demo opens on Fix first: the problems found, then the rest
  "household Down Down Down Enter" # the household entry (RT-13) opened: the router's step and each gadget's
  "list      Escape Escape"       # close the entry, then the device list
  "detail    Down Enter"          # the camera: what was found, its checklist with the findings
  "evidence  i"                   # why porchlight thinks it is a camera
  "wizard    Escape w"            # guide me: the first problem, its wizard starting from the evidence
  "help      Escape Escape ?"     # back out twice, then open the help overlay
  "mappings  Escape Home Enter u" # the router (first row), then its UPnP forwards (the demo's are made up)
  "mappings-confirm x"            # remove one: the confirmation shows exactly what would be sent
)

COLS=80
ROWS=24
# -----------------------------------------------------------------------------

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$(pwd)

OUT_DIR=${OUT_DIR:-screenshots}
SCALE=${SCALE:-1}
TITLE=${TITLE-porchlight}
KEY_DELAY=${KEY_DELAY:-0.3}
SESSION=porchlight-shots

die() { echo "screenshots.sh: $*" >&2; exit 1; }
say() { echo "screenshots.sh: $*" >&2; }

# --- prerequisites -------------------------------------------------------------
command -v tmux >/dev/null 2>&1 ||
  die "tmux is not installed (Debian/Ubuntu: apt-get install tmux; macOS: brew install tmux)"
command -v python3 >/dev/null 2>&1 ||
  die "python3 is not installed; it is needed to render the PNGs"
python3 -c 'import PIL' 2>/dev/null ||
  die "the Python package Pillow is missing; install it with: python3 -m pip install pillow"
[[ -f scripts/ansi2png.py ]] || die "scripts/ansi2png.py is missing"

# --- build ---------------------------------------------------------------------
if [[ -n ${PORCHLIGHT_BIN:-} ]]; then
  bin=$PORCHLIGHT_BIN
  [[ $bin == /* ]] || bin=$repo/$bin
  say "using $bin (PORCHLIGHT_BIN), not building"
else
  command -v cargo >/dev/null 2>&1 || die "cargo is not installed (https://rustup.rs)"
  say "building: cargo build --release"
  cargo build --release || die "cargo build --release failed"
  target=${CARGO_TARGET_DIR:-target}
  [[ $target == /* ]] || target=$repo/$target
  bin=$target/release/porchlight
fi
[[ -x $bin ]] || die "no program at $bin"

# --- scratch space, tmux, and cleanup ------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/porchlight-shots.XXXXXX")
data=$tmp/data
mkdir "$data"

# A private tmux server (its socket lives in $tmp): never touches your own tmux.
tm() { tmux -S "$tmp/tmux.sock" "$@"; }

cleanup() {
  tm kill-server >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# UTF-8 is needed for tmux to keep box-drawing characters.
case "${LC_ALL:-${LC_CTYPE:-${LANG:-}}}" in
  *[Uu][Tt][Ff]-8* | *[Uu][Tt][Ff]8*) ;;
  *) export LANG=C.UTF-8 LC_ALL=C.UTF-8 ;;
esac

term=tmux-256color
infocmp "$term" >/dev/null 2>&1 || term=screen-256color

cat >"$tmp/tmux.conf" <<EOF
set -g default-terminal "$term"
set -g status off
set -g remain-on-exit on
set -g escape-time 0
set -g history-limit 0
set -g default-size ${COLS}x${ROWS}
EOF

# -2: assume 256 colours; -u: UTF-8. tmux keeps truecolor cells as RGB in its
# grid whatever the terminal, and capture-pane -e writes them back as 38;2;r;g;b.
say "starting porchlight in tmux (${COLS}x${ROWS})"
tm -2 -u -f "$tmp/tmux.conf" new-session -d -s "$SESSION" -x "$COLS" -y "$ROWS" \
  -e COLORTERM=truecolor -e "TERM=$term" \
  -- "$bin" --data-dir "$data" --demo

pane=$SESSION:0.0

pane_dead() { [[ $(tm display-message -p -t "$pane" '#{pane_dead}' 2>/dev/null || echo 1) == 1 ]]; }

fail_with_screen() {
  say "$1"
  say "last screen:"
  tm capture-pane -p -t "$pane" 2>/dev/null | sed -e '/^[[:space:]]*$/d' -e 's/^/    /' >&2 || true
  say "to see it yourself, run: $bin --data-dir \"\$(mktemp -d)\" --demo"
  exit 1
}

# Waits until the screen stops changing (two identical captures in a row).
settle() {
  local prev="" cur i
  for ((i = 0; i < 40; i++)); do
    sleep 0.15
    pane_dead && fail_with_screen "porchlight exited"
    cur=$(tm capture-pane -p -e -t "$pane")
    [[ -n $prev && $cur == "$prev" ]] && return 0
    prev=$cur
  done
  say "warning: the screen kept changing; capturing it anyway"
}

# Wait for the first frame.
for ((i = 0; ; i++)); do
  pane_dead && fail_with_screen "porchlight exited before drawing anything"
  [[ $(tm capture-pane -p -t "$pane") =~ [^[:space:]] ]] && break
  ((i < 150)) || fail_with_screen "porchlight drew nothing within 30 seconds"
  sleep 0.2
done
settle

size=$(tm display-message -p -t "$pane" '#{pane_width}x#{pane_height}')
[[ $size == "${COLS}x${ROWS}" ]] || die "the tmux pane is $size, not ${COLS}x${ROWS}"

mkdir -p "$OUT_DIR"
title_args=()
[[ -n $TITLE ]] && title_args=(--title "$TITLE")

for entry in "${SHOTS[@]}"; do
  read -r name keys <<<"$entry"
  read -r -a key_list <<<"$keys"      # (an array, so that ? and * are not globbed)
  if [[ $keys != "-" ]]; then
    for key in "${key_list[@]}"; do
      tm send-keys -t "$pane" "$key"
      sleep "$KEY_DELAY"
    done
  fi
  settle
  capture=$tmp/$name.ansi
  # -e: keep colours and attributes; -N: keep trailing spaces (they may have a background)
  # (tmux older than 3.1 has no -N: then capture without it)
  tm capture-pane -p -e -N -t "$pane" >"$capture" 2>/dev/null ||
    tm capture-pane -p -e -t "$pane" >"$capture"
  python3 scripts/ansi2png.py "$capture" "$OUT_DIR/$name.png" \
    --cols "$COLS" --rows "$ROWS" --scale "$SCALE" ${title_args[@]+"${title_args[@]}"}
  [[ -n ${KEEP_CAPTURES:-} ]] && cp "$capture" "$OUT_DIR/$name.ansi"
  say "wrote $OUT_DIR/$name.png  (keys: $keys)"
done

tm send-keys -t "$pane" q 2>/dev/null || true

# The HTML report's top (household summary, problems, score, progress chart) in headless
# Chromium, when it is installed.
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [[ -n $browser ]]; then
  "$bin" --data-dir "$data" --demo report --output "$tmp/report.html" >/dev/null 2>&1 ||
    die "porchlight could not write the demo report"
  "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --hide-scrollbars --user-data-dir="$tmp/chromium" --window-size=1000,1780 \
    --screenshot="$OUT_DIR/report.png" "file://$tmp/report.html" >/dev/null 2>&1 ||
    die "chromium could not take the report's screenshot"
  say "wrote $OUT_DIR/report.png  (the HTML report in Chromium)"
else
  say "skipped report.png: Chromium is not installed (Debian: apt-get install chromium)"
fi
say "done"
