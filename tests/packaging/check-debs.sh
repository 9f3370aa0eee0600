#!/usr/bin/env bash
# Builds the Debian packages and the .tar.gz from a configured and built tree with CPack, inspects
# the .debs as apt and dpkg would see them, unpacks `oomscope` into a throwaway root and runs what
# it installed, and runs the CLI from the archive unpacked at an unrelated path (relocatable).
# Usage: check-debs.sh BUILD_DIR SOURCE_DIR VERSION GUI(ON|OFF) AGENT(ON|OFF)
# Exit 77 (skipped) where dpkg-deb/dpkg-shlibdeps are missing (not a Debian system).
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
build=$1 src=$2 version=$3 gui=$4 agent=$5
id=io.github.oomscope.OOMScope
fail() { echo "FAIL: $*" >&2; exit 1; }
for tool in cpack dpkg-deb dpkg-shlibdeps dpkg-query readelf python3; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
unset LD_LIBRARY_PATH # the installed programs must find everything on the system paths
# grep -q exits at the first match; under pipefail the writer's SIGPIPE would then fail the
# pipeline at random. Read all of stdin first, then search it.
matches() { local all; all=$(cat); grep -q "$@" <<<"$all"; }

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
echo "== cpack -G 'DEB;TGZ' from $build"
if ! (cd "$build" && cpack -G 'DEB;TGZ' -B "$work/out" >"$work/cpack.log" 2>&1); then
  cat "$work/cpack.log"; fail "cpack -G 'DEB;TGZ'"
fi
main_deb=$(ls "$work"/out/oomscope_"$version"-1_*.deb 2>/dev/null) || fail "no oomscope_$version-1_*.deb in: $(ls "$work/out")"

field() { dpkg-deb -f "$1" "$2"; }
files() { dpkg-deb -c "$1" | awk '{print $NF}' | sed 's|^\./|/|'; }
has_file() { files "$1" | matches -xF "$2" || fail "$(basename "$1") lacks $2"; }
lacks_file() { ! files "$1" | matches -xF "$2" || fail "$(basename "$1") must not contain $2"; }
depends_on() { field "$1" Depends | tr ',' '\n' | matches -E "^ *$2( |$)" || fail "$(basename "$1") does not depend on $2: $(field "$1" Depends)"; }
no_depends_on() { ! field "$1" Depends | tr ',' '\n' | matches -E "^ *$2( |$)" || fail "$(basename "$1") must not depend on $2"; }

# Every dependency must be a package installed here at a version that satisfies it: this is the
# system the binaries were linked on, so `apt install ./x.deb` would resolve on Debian 12.
deps_satisfied_here() {
  local dep name op ver have alt ok
  while IFS= read -r dep; do
    [[ -z "${dep// }" ]] && continue
    ok=0
    IFS='|' read -ra alts <<<"$dep"
    for alt in "${alts[@]}"; do
      name=$(sed -E 's/^ *([^ (]+).*/\1/' <<<"$alt")
      have=$(dpkg-query -W -f='${Version}' "$name" 2>/dev/null) || continue
      if [[ "$alt" =~ \(([<>=]+)\ *([^\)]+)\) ]]; then
        op=${BASH_REMATCH[1]} ver=${BASH_REMATCH[2]}
        case $op in '>=') op=ge;; '<=') op=le;; '>>') op=gt;; '<<') op=lt;; '=') op=eq;; esac
        dpkg --compare-versions "$have" "$op" "$ver" || continue
      fi
      ok=1; break
    done
    ((ok)) || fail "$(basename "$1"): dependency '$dep' is not satisfiable on this system"
  done < <(field "$1" Depends | tr ',' '\n')
}

echo "== $(basename "$main_deb")"
dpkg-deb -f "$main_deb"
[[ "$(field "$main_deb" Package)" == oomscope ]] || fail "package name"
[[ "$(field "$main_deb" Version)" == "$version-1" ]] || fail "version $(field "$main_deb" Version)"
[[ "$(field "$main_deb" Section)" == utils ]] || fail "section"
[[ -n "$(field "$main_deb" Maintainer)" && -n "$(field "$main_deb" Homepage)" ]] || fail "maintainer/homepage"
# The first Description line is the one-line summary apt shows; the long text must not repeat it.
summary=$(field "$main_deb" Description | sed -n 1p)
[[ "$summary" == "Explain why the Linux OOM killer chose its victim" ]] || fail "summary: $summary"
[[ "$(field "$main_deb" Description | grep -cF "$summary")" == 1 ]] || fail "summary repeated in Description"
[[ "$(field "$main_deb" Architecture)" == "$(dpkg --print-architecture)" ]] || fail "architecture"
# dpkg-shlibdeps must have run: these come only from the linked libraries.
depends_on "$main_deb" libc6
depends_on "$main_deb" libqt6core6
depends_on "$main_deb" 'libstdc\+\+6'
has_file "$main_deb" /usr/bin/oomscope-cli
has_file "$main_deb" /usr/share/mime/packages/$id.xml
lacks_file "$main_deb" /usr/bin/oomscope-agent
[[ $gui == ON ]] || no_depends_on "$main_deb" qt6-qpa-plugins # the CLI alone needs no display
lacks_file "$main_deb" /usr/lib/systemd/system/oomscope-agent.service
if [[ $gui == ON ]]; then
  depends_on "$main_deb" libqt6widgets6
  depends_on "$main_deb" 'libqcustomplot2\.1[^ ]*'
  depends_on "$main_deb" qt6-qpa-plugins
  has_file "$main_deb" /usr/bin/oomscope
  has_file "$main_deb" /usr/share/applications/$id.desktop
  has_file "$main_deb" /usr/share/metainfo/$id.metainfo.xml
  has_file "$main_deb" /usr/share/icons/hicolor/scalable/apps/$id.svg
  for size in 16 32 48 64 128 256; do
    has_file "$main_deb" /usr/share/icons/hicolor/${size}x${size}/apps/$id.png
  done
fi
deps_satisfied_here "$main_deb"
# Everything under /usr, owned by root, nothing from the build machine's /usr/local or /home.
outside=$(files "$main_deb" | grep -vE '^/$|^/usr(/|$)' || true)
[[ -z "$outside" ]] || fail "files outside /usr: $outside"
owners=$(dpkg-deb -c "$main_deb" | awk '{print $2}' | sort -u)
[[ "$owners" == root/root ]] || fail "file owners: $owners"

if [[ $agent == ON ]]; then
  agent_deb=$(ls "$work"/out/oomscope-agent_"$version"-1_*.deb 2>/dev/null) || fail "no oomscope-agent .deb"
  echo "== $(basename "$agent_deb")"
  dpkg-deb -f "$agent_deb"
  [[ "$(field "$agent_deb" Package)" == oomscope-agent ]] || fail "agent package name"
  [[ "$(field "$agent_deb" Description | sed -n 1p)" == "Memory cgroup sampler"* ]] \
    || fail "agent summary: $(field "$agent_deb" Description | sed -n 1p)"
  has_file "$agent_deb" /usr/bin/oomscope-agent
  has_file "$agent_deb" /usr/lib/systemd/system/oomscope-agent.service
  lacks_file "$agent_deb" /usr/bin/oomscope-cli
  depends_on "$agent_deb" libqt6core6
  # A node agent must not drag a desktop stack onto servers.
  no_depends_on "$agent_deb" libqt6widgets6
  no_depends_on "$agent_deb" libqt6gui6
  no_depends_on "$agent_deb" 'libqcustomplot2\.1[^ ]*'
  deps_satisfied_here "$agent_deb"
  for script in postinst prerm postrm; do
    dpkg-deb --ctrl-tarfile "$agent_deb" | tar -t | matches -x "./$script" || fail "agent .deb lacks $script"
  done
else
  echo "note: no oomscope-agent target in this build; agent package not checked"
fi

echo "== unpack oomscope into a throwaway root and run it"
root=$work/root
dpkg-deb -x "$main_deb" "$root"
programs=("$root/usr/bin/oomscope-cli"); [[ $gui == ON ]] && programs+=("$root/usr/bin/oomscope")
for exe in "${programs[@]}"; do
  # A RUNPATH into the build tree would make the test pass here and the package fail elsewhere.
  if readelf -d "$exe" | matches -E 'R(UN)?PATH'; then fail "$(basename "$exe") has an RPATH: $(readelf -d "$exe" | grep PATH)"; fi
done
cli=$root/usr/bin/oomscope-cli
[[ "$("$cli" --version)" == *"$version"* ]] || fail "oomscope-cli --version: $("$cli" --version)"
fixture=$src/tests/data/real/linux-6.18-cgroup-v1-three-kills.dmesg
"$cli" analyze --json "$fixture.log" > "$work/analyze.json" || fail "oomscope-cli analyze --json"
# The victims must be the ones the kernel named, as the fixture's expected answer records them.
python3 - "$work/analyze.json" "$fixture.expected.json" <<'PY' || fail "analyze --json output"
import json, sys
got = json.load(open(sys.argv[1]))
want = json.load(open(sys.argv[2]))
assert got["oomscope_json_version"] == 2, got.get("oomscope_json_version")
victims = [(e["victim"]["pid"], e["victim"]["comm"]) for e in got["events"]]
expected = [(e["victim_pid"], e["victim_comm"]) for e in want["events"]]
assert victims == expected, (victims, expected)
print("analyze --json: victims", victims)
PY
if [[ $gui == ON ]]; then
  [[ "$(QT_QPA_PLATFORM=offscreen "$root/usr/bin/oomscope" --version)" == *"$version"* ]] \
    || fail "oomscope --version"
  # What a software centre indexes: the installed metainfo with its .desktop file beside it.
  if command -v appstreamcli >/dev/null; then
    appstreamcli validate-tree --no-net "$root" >/dev/null || fail "appstreamcli validate-tree on the unpacked .deb"
  fi
  # Incident report from the unpacked binary, without a display: oomscope-report must choose the
  # offscreen platform itself, and find its fonts (compiled in) and the Qt plugins of the system.
  report=$root/usr/bin/oomscope-report
  [[ -x "$report" ]] || fail "the oomscope package lacks /usr/bin/oomscope-report"
  if readelf -d "$report" | matches -E 'R(UN)?PATH'; then fail "oomscope-report has an RPATH"; fi
  env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM "$report" "$fixture.log" --all -o "$work/r.pdf" \
    >/dev/null || fail "oomscope-report from the .deb"
  [[ "$(head -c 4 "$work/r.pdf")" == "%PDF" && $(stat -c %s "$work/r.pdf") -gt 10000 ]] || fail "report PDF"
  # Without --event the report is the latest incident: in this log /oomlab2's two kills, one
  # 800x600 page each, stacked in the PNG.
  env -u DISPLAY -u QT_QPA_PLATFORM "$report" "$fixture.log" -o "$work/r.png" --width 800 --height 600 \
    --scale 2 >/dev/null || fail "oomscope-report PNG from the .deb"
  python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); assert d[:8]==b"\x89PNG\r\n\x1a\n" and struct.unpack(">II",d[16:24])==(1600,2400), d' \
    "$work/r.png" || fail "report PNG size"
  # `oomscope-cli report …` forwards to it (once cli/main.cpp has the report command).
  if "$cli" --help 2>&1 | matches '^ *report'; then
    "$cli" report "$fixture.log" -o "$work/r2.html" >/dev/null || fail "oomscope-cli report"
    grep -q '<!DOCTYPE html>' "$work/r2.html" || fail "oomscope-cli report HTML"
  fi
fi
echo "== relocatable archive"
tgz=$(ls "$work"/out/oomscope-"$version"-*.tar.gz 2>/dev/null) || fail "no oomscope-$version-*.tar.gz"
mkdir -p "$work/elsewhere/some prefix"
tar -xzf "$tgz" -C "$work/elsewhere/some prefix"
top=$(find "$work/elsewhere/some prefix" -mindepth 1 -maxdepth 1 -type d)
[[ -x "$top/bin/oomscope-cli" ]] || fail "archive lacks bin/oomscope-cli: $(tar -tzf "$tgz" | head)"
[[ -f "$top/share/mime/packages/$id.xml" ]] || fail "archive lacks share/mime/packages/$id.xml"
[[ $agent == OFF || -x "$top/bin/oomscope-agent" ]] || fail "archive lacks bin/oomscope-agent"
"$top/bin/oomscope-cli" analyze --json "$fixture.log" | cmp -s - "$work/analyze.json" \
  || fail "the archive's oomscope-cli analyses differently from the .deb's"

echo "packages OK: $(cd "$work/out" && echo ./*.deb ./*.tar.gz)"
