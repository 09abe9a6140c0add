#!/usr/bin/env bash
# CI set-up hook (run by .ci/run before the tests): installs the interop peers (strongSwan charon, Libreswan pluto,
# tshark, iproute2, gcc) with tests/interop/install.sh, so that tests/Ike.Fast.InteropTests runs instead of skipping.
# CI runs as root; the tests treat a missing peer as a failure when CI=true, so a broken install cannot pass silently.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "$(id -u)" -ne 0 ]; then
  echo "interop set-up: not root, peers not installed (the interop tests will skip, or fail with CI=true)" >&2
  exit 0
fi
bash tests/interop/install.sh
