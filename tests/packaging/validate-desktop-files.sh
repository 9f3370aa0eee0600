#!/usr/bin/env bash
# Validates the desktop integration files as a software centre and a desktop would read them:
# desktop-file-validate, appstreamcli (offline), shared-mime-info's compiler, and the icon sizes.
# Usage: validate-desktop-files.sh SOURCE_DIR.  Exit 77 (skipped) when a validator is missing.
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
src=$1
res=$src/resources
id=io.github.oomscope.OOMScope

for tool in desktop-file-validate appstreamcli update-mime-database python3; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed (installers/install-deps.sh)"; exit 77; }
done
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Hints (e.g. several main categories) are reported too: the file must be clean, not just valid.
out=$(desktop-file-validate "$res/$id.desktop" 2>&1) || fail "desktop-file-validate: $out"
[[ -z "$out" ]] || fail "desktop-file-validate is not clean: $out"
grep -qx "Exec=oomscope %F" "$res/$id.desktop" || fail ".desktop Exec is not 'oomscope %F'"
grep -qx "Icon=$id" "$res/$id.desktop" || fail ".desktop Icon is not the application id"
grep -q '^MimeType=.*application/x-oomscope-workspace;' "$res/$id.desktop" \
  || fail ".desktop does not claim the workspace type"

appstreamcli validate --no-net --explain "$res/$id.metainfo.xml" \
  || fail "appstreamcli validate --no-net"
python3 - "$res/$id.metainfo.xml" "$id" "$src/CMakeLists.txt" <<'PY' || fail "metainfo contents"
import re, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
app_id = sys.argv[2]
assert root.findtext("id") == app_id, "id"
assert root.findtext("project_license") == "GPL-3.0-or-later", "project licence"
assert root.find("launchable").text == app_id + ".desktop", "launchable"
# The newest release must be the version CMake builds, or the software centre shows a stale one.
version = re.search(r"project\(oomscope VERSION ([0-9.]+)", open(sys.argv[3]).read()).group(1)
assert root.find("releases/release").get("version") == version, "release %s != project %s" % (
    root.find("releases/release").get("version"), version)
PY

# update-mime-database is the consumer of the MIME package: compile it next to the system's
# base definitions and check the glob, the parent type and the magic made it in.
mkdir -p "$work/mime/packages"
cp /usr/share/mime/packages/freedesktop.org.xml "$work/mime/packages/" 2>/dev/null || true
cp "$res/$id.mime.xml" "$work/mime/packages/$id.xml"
mime_out=$(XDG_DATA_HOME=$work update-mime-database "$work/mime" 2>&1) || fail "update-mime-database: $mime_out"
[[ -z "$mime_out" ]] || fail "update-mime-database warned: $mime_out"
grep -qx 'application/x-oomscope-workspace:\*\.oomscope' <(cut -d: -f2- "$work/mime/globs2") \
  || fail "no *.oomscope glob in the compiled database"
grep -q '^application/x-oomscope-workspace application/vnd.sqlite3$' "$work/mime/subclasses" \
  || fail "workspace is not a subclass of application/vnd.sqlite3"
# The magic must require both the SQLite header and the application_id the storage layer writes.
python3 - "$work/mime/magic" "$src/storage/schema.h" <<'PY' || fail "magic"
import re, sys
magic = open(sys.argv[1], "rb").read()
section = magic.split(b"[60:application/x-oomscope-workspace]\n", 1)[1].split(b"\n[", 1)[0]
app_id = int(re.search(r"kApplicationId = (0x[0-9a-fA-F]+)", open(sys.argv[2]).read()).group(1), 16)
assert b">0=\x00\x10SQLite format 3\x00" in section, section
assert b"1>68=\x00\x04" + app_id.to_bytes(4, "big") in section, section
PY

# Every committed PNG has the size its directory claims (a stale render would not).
python3 - "$res/icons/hicolor" "$id" <<'PY' || fail "icon sizes"
import struct, sys
for size in (16, 32, 48, 64, 128, 256):
    data = open("%s/%dx%d/%s.png" % (sys.argv[1], size, size, sys.argv[2]), "rb").read(24)
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG: %d" % size
    w, h = struct.unpack(">II", data[16:24])
    assert (w, h) == (size, size), "%dx%d PNG is %dx%d" % (size, size, w, h)
PY
python3 -c 'import sys, xml.etree.ElementTree as ET; r = ET.parse(sys.argv[1]).getroot(); assert r.tag.endswith("svg") and r.get("viewBox"), "svg"' \
  "$res/icons/$id.svg" || fail "SVG icon"
echo "desktop files OK"
