#!/usr/bin/env bash
# The test command (README): provisions the local services the tests need, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/provision.sh
exec npx vitest run "$@"
