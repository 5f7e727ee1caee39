#!/usr/bin/env bash
# Installs an official Node.js binary of one major version from the npm registry into .ci-node/<major>/ and prints the path of its `node` (CI runs suites on the Lambda runtimes with it).
#
# Usage: bash scripts/ci-node.sh 22   -> .ci-node/22/node_modules/node/bin/node
#
# The registry is the only network CI has, and npm ships Node's release binaries as packages: `node@<major>`
# (whose preinstall links the platform package's binary into node/bin) and the platform package itself,
# `node-<platform>-<arch>@<major>`, which holds bin/node and needs no install script. npm 11 lists install
# scripts for approval; if the preinstall did not run, the platform package is installed directly instead.
set -euo pipefail
major="${1:?usage: scripts/ci-node.sh <major version, e.g. 22>}"
cd "$(dirname "$0")/.."
dir=".ci-node/$major"
want() { [ -x "$1" ] && [ "$("$1" -p 'process.versions.node.split(".")[0]')" = "$major" ]; }

bin="$dir/node_modules/node/bin/node"
if ! want "$bin"; then
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "node@$major" >&2 || true
fi
if ! want "$bin"; then
  platform="$(node -p 'process.platform')-$(node -p 'process.arch')"
  npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "node-$platform@$major" >&2
  bin="$dir/node_modules/node-$platform/bin/node"
fi
if ! want "$bin"; then
  echo "scripts/ci-node.sh: could not install Node.js $major from the npm registry" >&2
  exit 1
fi
printf '%s\n' "$(cd "$(dirname "$bin")" && pwd)/node"
