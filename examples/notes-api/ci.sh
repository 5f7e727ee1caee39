#!/usr/bin/env bash
# CI for the example app: installs the packed alb-oidc-target tarball (as a user gets it, not the repository), then typecheck, tests and the Lambda build.
set -euo pipefail
cd "$(dirname "$0")"
tarball="${1:?usage: examples/notes-api/ci.sh <alb-oidc-target-x.y.z.tgz>}"
rm -rf node_modules dist
npm install --no-audit --no-fund --no-save --no-package-lock --loglevel=error "$tarball"
# The package must come from the tarball: a symlink to the repository would test the source instead.
if [ -L node_modules/alb-oidc-target ]; then
  echo "node_modules/alb-oidc-target is a link, not the installed tarball" >&2
  exit 1
fi
npm run typecheck
npm test
npm run build
