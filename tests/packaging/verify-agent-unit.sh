#!/usr/bin/env bash
# Checks installers/systemd/oomscope-agent.service: `systemd-analyze verify` against a throwaway
# root (no running systemd needed), the settings the agent cannot work without, and, where this
# host allows it, the claim the unit rests on: an unprivileged user holding only an ambient
# CAP_SYSLOG under no_new_privs can read /dev/kmsg although kernel.dmesg_restrict=1.
# Usage: verify-agent-unit.sh SOURCE_DIR [AGENT_BINARY].  Exit 77 (skipped) without systemd-analyze.
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
src=$1
agent=${2:-}
unit=$src/installers/systemd/oomscope-agent.service
fail() { echo "FAIL: $*" >&2; exit 1; }

# Static checks first: they need no tool and fail on the mistakes that would blind the agent.
setting() { sed -n "s/^$1=//p" "$unit" | tail -1; }
[[ "$(setting ExecStart)" == "/usr/bin/oomscope-agent --listen 127.0.0.1:9464" ]] \
  || fail "ExecStart must listen on loopback: $(setting ExecStart)"
for kv in ProtectSystem=strict ProtectHome=yes NoNewPrivileges=yes PrivateTmp=yes \
          ProtectKernelTunables=yes ReadOnlyPaths=/sys/fs/cgroup DynamicUser=yes \
          "CapabilityBoundingSet=CAP_SYSLOG CAP_DAC_READ_SEARCH" \
          "AmbientCapabilities=CAP_SYSLOG CAP_DAC_READ_SEARCH" \
          "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX" "DeviceAllow=/dev/kmsg r"; do
  grep -qxF "$kv" "$unit" || fail "missing $kv"
done
for bad in ProtectKernelLogs=yes PrivateDevices=yes ProtectProc=invisible PrivateUsers=yes; do
  ! grep -qxF "$bad" "$unit" || fail "$bad would hide /dev/kmsg or /proc from the agent"
done

command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze not installed"; exit 77; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
# verify resolves ExecStart and the targets inside --root, so give it both. The real binary is
# used when it was built; otherwise a stand-in, since only the unit is under test here.
mkdir -p "$work/usr/bin" "$work/usr/lib/systemd/system"
if [[ -n "$agent" && -x "$agent" ]]; then
  cp "$agent" "$work/usr/bin/oomscope-agent"
else
  printf '#!/bin/sh\n' > "$work/usr/bin/oomscope-agent"; chmod +x "$work/usr/bin/oomscope-agent"
fi
cp /usr/lib/systemd/system/*.target "$work/usr/lib/systemd/system/" 2>/dev/null \
  || cp /lib/systemd/system/*.target "$work/usr/lib/systemd/system/"
cp "$unit" "$work/usr/lib/systemd/system/"
# Unknown keys and unparsable values are only warnings to systemd: any output is a failure here.
out=$(systemd-analyze verify --man=no --root="$work" \
      "$work/usr/lib/systemd/system/oomscope-agent.service" 2>&1) || fail "systemd-analyze verify: $out"
[[ -z "$out" ]] || fail "systemd-analyze verify warned: $out"
echo "systemd-analyze verify: clean"

# The DynamicUser decision, tried for real where possible (root, setpriv, a readable /dev/kmsg).
if [[ $(id -u) -eq 0 ]] && command -v setpriv >/dev/null && [[ -c /dev/kmsg ]] \
   && [[ "$(cat /proc/sys/kernel/dmesg_restrict 2>/dev/null)" == 1 ]] \
   && timeout 5 dd if=/dev/kmsg of=/dev/null bs=8k count=1 iflag=nonblock 2>/dev/null; then
  as_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs)
  if timeout 5 "${as_nobody[@]}" --inh-caps=-all dd if=/dev/kmsg of=/dev/null bs=8k count=1 iflag=nonblock 2>/dev/null; then
    fail "an unprivileged user could read /dev/kmsg without CAP_SYSLOG: the check proves nothing here"
  fi
  timeout 5 "${as_nobody[@]}" --inh-caps=-all,+syslog --ambient-caps=+syslog \
    dd if=/dev/kmsg of=/dev/null bs=8k count=1 iflag=nonblock 2>/dev/null \
    || fail "a dynamic user with ambient CAP_SYSLOG and no_new_privs cannot read /dev/kmsg"
  echo "/dev/kmsg: denied without CAP_SYSLOG, readable with the unit's ambient CAP_SYSLOG"
else
  echo "note: /dev/kmsg capability check not possible on this host (needs root, setpriv, dmesg_restrict=1)"
fi
