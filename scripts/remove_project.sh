#!/usr/bin/env bash
# Remove the Sock Shop environment: delete the sock-shop namespace and stop the twin and its
# Prometheus (if the world is the twin). Idempotent: safe to run when nothing is running.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"
exec "$PYTHON" -m src.environment down "$@"
