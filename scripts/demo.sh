#!/usr/bin/env bash
# From a fresh Debian machine to a running container: installs the packages
# runts needs, builds it, makes a busybox bundle and runs it with `runts run`.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
  echo "demo: run as root (sudo bash scripts/demo.sh): creating containers needs root" >&2
  exit 1
fi
bash scripts/install-deps.sh
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build
bundle=$(mktemp -d /tmp/runts-demo.XXXXXX)
trap 'rm -rf "$bundle"' EXIT
node scripts/make-bundle.mjs "$bundle" sh -c 'echo "hello from $(hostname), pid $$ in its own namespaces"; uname -sr; ls /'
./dist/runts.js run --bundle "$bundle" "demo-$$"
