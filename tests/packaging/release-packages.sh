#!/usr/bin/env bash
# Opt-in: configures and builds a Release tree with the GUI in a temporary directory, then runs
# check-debs.sh on it, i.e. checks the packages as they would be published. Costs a full build
# (~several minutes on 2 cores), so it runs only with OOMSCOPE_PACKAGING_RELEASE=1:
#   OOMSCOPE_PACKAGING_RELEASE=1 ctest --test-dir build/dev -L packaging-release --output-on-failure
# Usage: release-packages.sh SOURCE_DIR VERSION
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
src=$1 version=$2
if [[ "${OOMSCOPE_PACKAGING_RELEASE:-0}" != 1 ]]; then
  echo "SKIP: set OOMSCOPE_PACKAGING_RELEASE=1 to configure, build and package a Release tree"
  exit 77
fi
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
# CMAKE_SKIP_INSTALL_ALL_DEPENDENCY: cpack's install step would otherwise build `all` (every
# test and benchmark) first.
cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DOOMSCOPE_BUILD_GUI=ON \
  -DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON >"$work/configure.log" \
  || { cat "$work/configure.log"; exit 1; }
# Only what the packages contain; tests and benchmarks are not installed.
targets=(oomscope oomscope-cli) agent=OFF
if grep -q '^set(CPACK_COMPONENTS_ALL ".*;agent")' "$work/build/CPackConfig.cmake"; then
  targets+=(oomscope-agent) agent=ON
fi
cmake --build "$work/build" -j2 --target "${targets[@]}" >"$work/build.log" 2>&1 \
  || { tail -50 "$work/build.log"; exit 1; }
"$(dirname "$0")/check-debs.sh" "$work/build" "$src" "$version" ON "$agent"
