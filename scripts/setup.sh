#!/usr/bin/env bash
# One-command set-up on a fresh machine: a virtual environment with schemac and its
# test and docs tools, the npm packages the tests use, Chromium, zsh and fish (as root, via apt),
# then `schemac compile` of the repo's schema.yaml (skipped with --install-only, which CI
# uses to run `schemac check` before anything could rewrite the committed outputs).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian's own python3 needs python3-venv for `venv` (a Python built from source has it)
if ! python3 -c 'import ensurepip' 2>/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
fi
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test,docs,bench]'

# TypeScript and supabase-js for the type-check of the generated types
npm ci --prefix tests/typescript --no-audit --no-fund --silent
# the docs site's Mermaid, from the lockfile (served by the site itself, no CDN)
npm ci --prefix docs-assets --no-audit --no-fund --silent
# Debian packages the tests use, in one apt run: Chromium, for the test that renders the docs
# page headless; zsh and fish, for the test that loads `schemac completion zsh|fish` in them;
# psql, for the test that applies hostile migrations with plain `psql -f` as the seed's team did
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v zsh >/dev/null || missing="$missing zsh"
command -v fish >/dev/null || missing="$missing fish"
command -v psql >/dev/null || missing="$missing postgresql-client"
if [ -n "$missing" ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

if [ "${1:-}" != "--install-only" ]; then
  .venv/bin/schemac compile
fi
