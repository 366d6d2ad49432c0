#!/usr/bin/env bash
# Installs the Debian packages runts needs to build and test (run as root).
# Used by scripts/demo.sh and .ci/run, so a fresh machine needs nothing else.
# --vm: also what scripts/cgroup2-vm.sh needs (qemu and a Debian kernel) to
# run the cgroup tests on a pure cgroup v2 host.
set -euo pipefail
pkgs=(cmake g++ make pkg-config python3 libseccomp-dev nlohmann-json3-dev busybox-static runc crun jq util-linux bsdutils procps strace iproute2 time containerd podman conmon)
[ "${1:-}" = --vm ] && pkgs+=(qemu-system-x86 linux-image-amd64 cpio file xz-utils zstd)
command -v node >/dev/null || pkgs+=(nodejs npm)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: apt-get install ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "install-deps: Node.js $(node --version) is too old: runts needs Node.js 20 or newer (Debian 13's nodejs, or nodejs.org)" >&2
  exit 1
fi
