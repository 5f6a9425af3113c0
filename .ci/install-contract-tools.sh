#!/usr/bin/env bash
# Installs the pinned contract-checking tools under target/, and does nothing when they are
# already installed from the same pins (each finished install keeps a copy of the pin file it
# came from, written last, and is redone when that copy differs from the committed one):
#   target/ci-node          Spectral and Redocly CLI, from .ci/node/package-lock.json (npm ci)
#   target/ci-schemathesis  Schemathesis, from .ci/schemathesis-requirements.txt (a venv)
# Used by .ci/run, .ci/lint-openapi.sh and .ci/schemathesis.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

node_dir=target/ci-node
if ! cmp -s .ci/node/package-lock.json "$node_dir/installed-from.package-lock.json"; then
  echo "installing Spectral and Redocly CLI into $node_dir"
  rm -rf "$node_dir"
  mkdir -p "$node_dir"
  cp .ci/node/package.json .ci/node/package-lock.json "$node_dir/"
  # --ignore-scripts: the only install script in the tree is @scarf/scarf's install analytics,
  # which the linters do not need (and which would try to reach a host we cannot reach).
  npm ci --prefix "$node_dir" --ignore-scripts --no-audit --no-fund --loglevel=error
  cp .ci/node/package-lock.json "$node_dir/installed-from.package-lock.json"
fi

venv=target/ci-schemathesis
if ! cmp -s .ci/schemathesis-requirements.txt "$venv/installed-from.requirements.txt"; then
  echo "installing Schemathesis into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r .ci/schemathesis-requirements.txt
  cp .ci/schemathesis-requirements.txt "$venv/installed-from.requirements.txt"
fi
