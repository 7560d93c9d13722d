#!/usr/bin/env bash
# Remove the Sock Shop environment: delete the sock-shop namespace and, if the world is the twin,
# stop Prometheus, delete its data (logs/twin/prometheus/data, and prometheus-session/data left by
# an agent session) and stop the twin. Each step is one line on stderr; logs stay. Idempotent:
# safe to run when nothing is running.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"
exec "$PYTHON" -m src.environment down "$@"
