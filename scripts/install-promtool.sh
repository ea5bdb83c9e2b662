#!/usr/bin/env bash
# Makes sure `promtool` (Debian package `prometheus`) is on PATH: the tests check every generated
# scrape config and rule set with it. Installs it with apt-get when it is missing and this user
# may install packages (root, or sudo without a password); otherwise says how.
set -euo pipefail
if command -v promtool >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "promtool is missing and apt-get is not available: install Prometheus's promtool and put it on PATH" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "promtool is missing: run 'sudo apt-get install -y --no-install-recommends prometheus'" >&2
  exit 1
fi
echo "installing promtool (Debian package prometheus) for the tests" >&2
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq >&2
"${as_root[@]}" apt-get install -y -qq --no-install-recommends prometheus >&2
promtool --version >&2
