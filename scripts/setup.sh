#!/usr/bin/env bash
# One-command set-up on a fresh machine: a virtual environment with schemac and its
# test tools, then `schemac compile` of the repo's schema.yaml.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'

.venv/bin/schemac compile
