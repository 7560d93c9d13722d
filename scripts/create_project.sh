#!/usr/bin/env bash
# Create the Sock Shop environment in the world named by conf/global_config.yaml (default: twin):
# start the twin in the background if needed (pid file and log under logs/twin/) and a Prometheus
# scraping it (under logs/twin/prometheus/; a new one starts on an empty TSDB), deploy
# kubernetes/sock-shop/, wait until every deployment is Available, and print `export NAME=value`
# lines on stdout (KUBECONFIG, and PROMETHEUS_URL for the twin). Idempotent. Typical use:
#   eval "$(bash scripts/create_project.sh | grep '^export ')"
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"
exec "$PYTHON" -m src.environment up "$@"
