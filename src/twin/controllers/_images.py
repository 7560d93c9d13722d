"""The twin's container registry: which image references can be pulled, and what a failed pull says.

There is no container engine, so `data/twin/images.yaml` stands in for Docker Hub: a mapping from
repository to the tags that exist. References are compared in containerd's canonical form
(`mongo` is `docker.io/library/mongo:latest`), and a failure is reported with containerd's words,
because agents read those messages in `kubectl describe pod` to find the typo.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

logger = logging.getLogger(__name__)

DEFAULT_REGISTRY = "docker.io"

_REFERENCE = re.compile(
    r"^(?P<name>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?::[0-9]+)?(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?(?:@(?P<digest>[a-z0-9]+:[a-fA-F0-9]{32,}))?$"
)


class ImageCatalogError(ValueError):
    """The images file is not a mapping of repository to a list of tags."""


@dataclass(frozen=True)
class ImageRef:
    """A parsed image reference in canonical form."""

    repository: str
    """`docker.io/library/mongo`, `quay.io/org/app`."""
    tag: str | None
    digest: str | None

    @property
    def canonical(self) -> str:
        """What containerd reports as the container's image (`docker.io/library/mongo:5.0.11`)."""
        if self.digest:
            return f"{self.repository}@{self.digest}"
        return f"{self.repository}:{self.tag}"

    @property
    def image_id(self) -> str:
        """A stable `imageID` (`docker.io/library/mongo@sha256:...`), derived from the reference."""
        if self.digest:
            return self.canonical
        return f"{self.repository}@sha256:{hashlib.sha256(self.canonical.encode()).hexdigest()}"

    @property
    def size_bytes(self) -> int:
        """A stable, plausible compressed size for the `Pulled` event (20-300 MB)."""
        digest = hashlib.sha256(("size/" + self.canonical).encode()).digest()
        return 20_000_000 + int.from_bytes(digest[:4], "big") % 280_000_000


def canonical_repository(name: str) -> str:
    """`mongo` -> `docker.io/library/mongo`; `weaveworksdemos/x` -> `docker.io/weaveworksdemos/x`."""
    first, _, rest = name.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        registry, path = first, rest
    else:
        registry, path = DEFAULT_REGISTRY, name
    if registry in ("index.docker.io", "registry-1.docker.io"):
        registry = DEFAULT_REGISTRY
    if registry == DEFAULT_REGISTRY and "/" not in path:
        path = f"library/{path}"
    return f"{registry}/{path}"


def parse_image(image: str) -> ImageRef | None:
    """The canonical reference of a pod's `image`, or None when it is not a valid reference."""
    match = _REFERENCE.match(image or "")
    if match is None:
        return None
    tag = match["tag"] or (None if match["digest"] else "latest")
    return ImageRef(canonical_repository(match["name"]), tag, match["digest"])


def load_known_images(path: Path) -> dict[str, set[str]]:
    """Read the registry file: `<repository>: [<tag>, ...]`, keyed by canonical repository.

    Raises:
        ImageCatalogError: The file is not a mapping of repositories to lists of tags.
        OSError: The file cannot be read.
    """
    data = yaml.safe_load(path.read_text()) or {}
    if not isinstance(data, dict):
        raise ImageCatalogError(f"{path}: expected a mapping of repository to tags, got {type(data).__name__}")
    known: dict[str, set[str]] = {}
    for repository, tags in data.items():
        if not isinstance(tags, list):
            raise ImageCatalogError(f"{path}: tags of {repository!r} must be a list, got {type(tags).__name__}")
        known.setdefault(canonical_repository(str(repository)), set()).update(str(tag) for tag in tags)
    logger.debug("loaded %d image repositories from %s", len(known), path)
    return known


def pull_error(known: dict[str, set[str]] | None, ref: ImageRef) -> tuple[str, str] | None:
    """Why pulling `ref` fails as (gRPC code, containerd message), or None when it can be pulled.

    Digests are not modelled: a digest reference pulls whenever its repository exists.
    """
    if known is None:
        return None
    tags = known.get(ref.repository)
    shown = ref.canonical
    if tags is None:
        return (
            "Unknown",
            f'failed to pull and unpack image "{shown}": failed to resolve reference "{shown}": '
            "pull access denied, repository does not exist or may require authorization: "
            "server message: insufficient_scope: authorization failed",
        )
    if ref.digest is None and ref.tag not in tags:
        return (
            "NotFound",
            f'failed to pull and unpack image "{shown}": failed to resolve reference "{shown}": {shown}: not found',
        )
    return None
