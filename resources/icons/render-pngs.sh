#!/usr/bin/env bash
# Renders the committed hicolor PNGs from the SVG, so the build itself needs no SVG converter.
# Run after editing io.github.oomscope.OOMScope.svg (needs rsvg-convert: apt install librsvg2-bin).
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
cd "$(dirname "$0")"
id=io.github.oomscope.OOMScope
for size in 16 32 48 64 128 256; do
  mkdir -p "hicolor/${size}x${size}"
  rsvg-convert -w "$size" -h "$size" "$id.svg" -o "hicolor/${size}x${size}/$id.png"
done
