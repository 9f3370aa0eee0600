#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs the lab (tst_lab, already built: this script builds nothing) with a given seed and keeps the
# recordings for people to look at: per workload the samples and process CSV (import them with
# `oomscope-cli import --samples/--procs`), the verdict as JSON, plus the kmsg capture (kmsg.log)
# and a summary (lab.txt), under DIR/seed-N/.
#
# Usage: tests/lab/run-lab.sh [--build DIR] [--seed N] [--keep DIR] [-- extra tst_lab arguments]
#   --build DIR  the build directory holding tests/lab/tst_lab (default: build/lab, then build/dev)
#   --seed N     the seed (default: random; the lab prints it)
#   --keep DIR   where to save the recordings (default: a new directory under /tmp)
# Needs root (memory cgroups, /dev/kmsg). Exits with tst_lab's status.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source_dir="$(cd "$here/../.." && pwd)"
build=""
seed=""
keep=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --build) build="$2"; shift 2 ;;
        --seed) seed="$2"; shift 2 ;;
        --keep) keep="$2"; shift 2 ;;
        --) shift; break ;;
        -h|--help) sed -n '3,12p' "$0"; exit 0 ;;
        *) echo "run-lab.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
if [[ -z "$build" ]]; then
    for candidate in "$source_dir/build/lab" "$source_dir/build/dev" "$source_dir/build"; do
        if [[ -x "$candidate/tests/lab/tst_lab" ]]; then build="$candidate"; break; fi
    done
fi
binary="$build/tests/lab/tst_lab"
if [[ ! -x "$binary" ]]; then
    echo "run-lab.sh: no tst_lab under '${build:-build/*}' (build the target tst_lab first)" >&2
    exit 2
fi
[[ -n "$keep" ]] || keep="$(mktemp -d /tmp/oomscope-lab-recordings-XXXXXX)"
mkdir -p "$keep"
keep="$(cd "$keep" && pwd)"

export QT_QPA_PLATFORM=offscreen
export OOMSCOPE_LAB_KEEP="$keep"
[[ -z "$seed" ]] || export OOMSCOPE_LAB_SEED="$seed"
status=0
"$binary" "$@" || status=$?
echo "run-lab.sh: recordings in $keep (tst_lab exit status $status)"
exit "$status"
