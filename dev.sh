#!/usr/bin/env bash
# One entry point for people and CI: installs what is missing, builds, runs.
#   ./dev.sh run [FILE…]   build and open the workbench (default: the bundled real incident)
#   ./dev.sh test          build (dev preset, -Werror) and run the whole test suite
#   ./dev.sh asan          the test suite under AddressSanitizer + UBSan
#   ./dev.sh fuzz [SECS]   build the libFuzzer targets with clang and fuzz each parser for SECS (60)
#   ./dev.sh bench [MB]    release build, generate a large log and print throughput figures
#   ./dev.sh build PRESET [TARGET…]  configure and build one preset (what `.ci/run` builds ahead)
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
cd "$(dirname "$0")"
jobs=$(nproc 2>/dev/null || echo 2)

build() { # preset [targets…]
  local preset=$1; shift
  # OOMSCOPE_DEBUG_FLAGS=-g0|-g1 (what CI sets): less debug info, faster compiles; kept in the cache.
  cmake --preset "$preset" ${OOMSCOPE_DEBUG_FLAGS:+"-DOOMSCOPE_DEBUG_FLAGS=$OOMSCOPE_DEBUG_FLAGS"} >/dev/null
  cmake --build --preset "$preset" -j"$jobs" ${1:+--target "$@"}
}

cmd=${1:-help}; shift || true
case "$cmd" in
  run)
    installers/install-deps.sh --minimal
    build dev oomscope
    files=("$@")
    if ((${#files[@]} == 0)); then
      # The bundled real incident: a leak recorded at 100 ms until the kernel killed it, its
      # kernel report, and a dmesg with three more kills.
      demo=resources/demo/checkout-leak
      files=(--samples $demo/samples.csv --procs $demo/procs.csv $demo/kernel.log
             resources/demo/linux-6.18-cgroup-v1-three-kills.dmesg.log)
    fi
    db=build/dev/demo-workspace.sqlite
    if [[ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]]; then
      echo "No display: rendering the window under Xvfb to build/dev/demo-screenshot.png instead."
      xvfb-run -a -s '-screen 0 1600x1000x24' build/dev/gui/app/oomscope --db "$db" \
        --screenshot build/dev/demo-screenshot.png "${files[@]}"
      echo "Wrote build/dev/demo-screenshot.png"
    else
      exec build/dev/gui/app/oomscope --db "$db" "${files[@]}"
    fi
    ;;
  test)
    installers/install-deps.sh
    build dev
    ctest --preset dev -j"$jobs"
    ;;
  asan)
    installers/install-deps.sh
    build asan
    # The real-workload lab, the soak and packaging runs are about time and installs, not memory
    # safety; they run in the plain test pass.
    ctest --preset asan -j"$jobs" --label-exclude 'bench|lab|soak|packaging|lint'
    ;;
  fuzz)
    installers/install-deps.sh
    build fuzz fuzzers
    # One fuzzer per core: each is single-threaded.
    OOMSCOPE_FUZZ_SECONDS=${1:-60} ctest --test-dir build/fuzz -L fuzz --output-on-failure -j"$jobs"
    ;;
  build)
    (($# >= 1)) || { echo "usage: ./dev.sh build PRESET [TARGET…]" >&2; exit 2; }
    build "$@"
    ;;
  bench)
    installers/install-deps.sh --minimal
    build release oomscope-bench
    size=${1:-1024}
    build/release/bench/oomscope-bench generate --size-mb "$size" --reports 3000 build/release/bench.log
    build/release/bench/oomscope-bench run build/release/bench.log
    ;;
  *)
    sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
    [[ "$cmd" == help ]] || exit 2
    ;;
esac
