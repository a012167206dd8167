#!/bin/sh
# cargo's runner for x86_64-pc-windows-gnu (given with --config, see scripts/windows-wine.sh): runs
# a Windows test program under Wine, in the prefix and network namespace that script set up.
exec "${PORCHLIGHT_WINE:?run through scripts/windows-wine.sh}" "$@"
