#!/usr/bin/env bash
# Installs the Debian 12 packages oomscope needs to build, test and take screenshots.
# Only what is missing is installed, so a second run is quick and offline-safe.
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

packages=(
  cmake g++ make pkgconf
  qt6-base-dev qt6-base-dev-tools qt6-qpa-plugins libqt6sql6-sqlite qt6-svg-dev
  libqcustomplot-dev libsqlite3-dev zlib1g-dev libxxhash-dev
  libexpected-dev               # tl::expected: the one result-or-error type (model/core/result.h)
  rapidjson-dev                 # RapidJSON's writer: the event JSON streamed by `analyze --json` (model/formats)
  libsystemd-dev                # sd-journal: journal files and copied /var/log/journal dirs (model/kernellog)
  systemd-journal-remote earlyoom  # tests: real journal files from export streams; earlyoom run in a PID namespace
  clang-format                  # the formatting check in CI
  xvfb xauth fonts-dejavu-core
  clang-14 libclang-rt-14-dev   # libFuzzer and sanitizer runtimes for the fuzz preset
  poppler-utils                 # pdftotext, for report tests
  desktop-file-utils appstream shared-mime-info systemd dpkg-dev python3  # packaging checks
  openssl                       # agent TLS tests make a self-signed certificate
  dbus-daemon                   # dbus-run-session: desktop notifications tested on a private session bus
  prometheus python3-yaml       # feeds: a real Prometheus on loopback; manifest checks
  openssh-server openssh-client # attach through a real ssh to a private sshd on loopback
)
# Extra groups: `install-deps.sh --minimal` skips the fuzzing toolchain.
if [[ "${1:-}" == "--minimal" ]]; then
  packages=("${packages[@]/clang-14}"); packages=("${packages[@]/libclang-rt-14-dev}")
fi

missing=()
for p in "${packages[@]}"; do
  [[ -z "$p" ]] && continue
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
