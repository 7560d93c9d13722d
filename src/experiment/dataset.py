"""The dataset: instance YAML files, checked against `data/schema/instance.schema.json` when loaded.

A file is read in three passes, and the first problem stops it with one `DatasetError` line naming
the file, the field and what was expected:

1. the JSON Schema (types, enums, the fields each `check` needs, level 1-2 vs fault rules);
2. what a schema cannot see: the name matches the file, manifest files exist and each edit's
   JSONPath fits its manifest, report placeholders have a query, targets are components;
3. conversion into the frozen values of `_instance.py`.

Instances are found by name (the file stem) or by an alias (`rasing_traffic`, the original's
spelling), or given as a path. `prepare_manifests` applies an instance's environment to a copy of
the manifests, never to the repository's own files.
"""

from __future__ import annotations

import copy
import functools
import json
import logging
import shutil
import string
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from ..config import DEFAULT_HEALTH_CHECK_TASK, REPO_ROOT
from ..evaluate import AutoscalerBounds, SloThresholds, Tolerance
from . import _jsonpath
from ._instance import (
    Chaos,
    EnvironmentChanges,
    GroundTruth,
    Instance,
    ManifestEdit,
    ReferenceSolution,
    ReportTemplate,
)

logger = logging.getLogger(__name__)

DATASET_DIR = REPO_ROOT / "data" / "dataset"
SCHEMA_PATH = REPO_ROOT / "data" / "schema" / "instance.schema.json"
MANIFESTS_DIR = REPO_ROOT / "kubernetes" / "sock-shop"
HEALTH_CHECK = "health_check"
"""The `task` value (or its absence) that stands for the global config's health-check task."""

_TYPE_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "a text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


class DatasetError(ValueError):
    """An instance that does not exist or a file the user must fix; one line naming file, field and expectation."""


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text())
    return jsonschema.Draft202012Validator(schema)


def _field(path: Iterable[Any]) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text or "(top level)"


def _expected(schema: Any) -> str:
    """Words for what a (sub)schema accepts, for the "expected" half of an error."""
    if not isinstance(schema, dict):
        return "a value"
    if "enum" in schema:
        return "one of " + ", ".join(str(item) for item in schema["enum"])
    if "description" in schema:
        return str(schema["description"])
    if "const" in schema:
        return repr(schema["const"])
    kind = schema.get("type")
    return _TYPE_WORDS.get(kind, "a value") if isinstance(kind, str) else "a value"


def _schema_at(path: list[Any]) -> Any:
    """The schema the root gives for the field at `path` (following `$ref`s), for its description."""
    root: Any = _validator().schema
    node: Any = root
    for step in path:
        while isinstance(node, dict) and "$ref" in node:
            node = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
        if not isinstance(node, dict):
            return None
        node = node.get("items") if isinstance(step, int) else (node.get("properties") or {}).get(step)
    while isinstance(node, dict) and "$ref" in node:
        node = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _best_error(errors: Iterable[jsonschema.ValidationError]) -> jsonschema.ValidationError | None:
    """The most specific error: the deepest field first, then, inside oneOf/anyOf, the deepest alternative."""
    weak = jsonschema.exceptions.WEAK_MATCHES
    best = max(errors, key=lambda e: (len(e.path), e.validator not in weak), default=None)
    while best is not None and best.context:
        best = min(best.context, key=jsonschema.exceptions.relevance)
    return best


def _describe(error: jsonschema.ValidationError) -> str:
    """One readable sentence for a schema violation: `field 'x' must be ..., got ...`."""
    field = _field(error.absolute_path)
    kind: Any = error.validator
    expected: Any = error.validator_value
    got: Any = error.instance
    schema: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
    if kind == "required":
        missing = [name for name in expected if isinstance(got, dict) and name not in got]
        name = missing[0] if missing else "?"
        target = _field([*error.absolute_path, name])
        described = schema.get("properties", {}).get(name) or _schema_at([*error.absolute_path, name])
        return f"field '{target}' is missing; expected {_expected(described)}"
    if kind == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        extra = sorted(set(got) - set(allowed)) if isinstance(got, dict) else []
        return (
            f"field '{_field([*error.absolute_path, extra[0] if extra else '?'])}' is not allowed; "
            f"expected one of {', '.join(allowed)}"
        )
    if kind == "type":
        words = " or ".join(_TYPE_WORDS.get(t, t) for t in ([expected] if isinstance(expected, str) else expected))
        why = f" ({schema['description']})" if "description" in schema else ""
        return f"field '{field}' must be {words}{why}, got {got!r}"
    if kind == "enum":
        return f"field '{field}' must be one of {', '.join(str(item) for item in expected)}, got {got!r}"
    if kind in ("const", "not"):
        return f"field '{field}' must be {_expected(schema)}, got {got!r}"
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        relation = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}[kind]
        return f"field '{field}' must be {relation} {expected}, got {got!r}"
    if kind == "minItems":
        return f"field '{field}' must have at least {expected} item(s), got {got!r}"
    if kind == "minProperties":
        return f"field '{field}' must have at least {expected} field(s), got {got!r}"
    if kind == "minLength":
        return f"field '{field}' must not be empty, got {got!r}"
    if kind == "pattern":
        return f"field '{field}' must be {_expected(schema)} (matching {expected}), got {got!r}"
    if kind == "uniqueItems":
        return f"field '{field}' must not repeat items, got {got!r}"
    if kind in ("oneOf", "anyOf"):
        return f"field '{field}' must be {_expected(schema)}, got {got!r}"
    return f"field '{field}': {error.message}"


def _fail(path: Path, message: str) -> DatasetError:
    return DatasetError(f"{path}: {message}")


def _read(path: Path) -> dict[str, Any]:
    try:
        document = yaml.safe_load(path.read_text())
    except OSError as err:
        raise _fail(path, f"cannot read the instance ({err.strerror})") from err
    except yaml.YAMLError as err:
        raise _fail(path, f"not valid YAML ({' '.join(str(err).split())})") from err
    if not isinstance(document, dict):
        raise _fail(path, "expected a mapping of instance fields at the top level")
    return document


def _schema_check(path: Path, document: dict[str, Any]) -> None:
    error = _best_error(_validator().iter_errors(document))
    if error is not None:
        raise _fail(path, _describe(error))


def _manifest(path: Path, manifests: Path, field: str, name: str) -> dict[str, Any]:
    file = manifests / name
    if not file.is_file():
        raise _fail(path, f"field '{field}' must name a file in {manifests}, got {name!r}")
    content = yaml.safe_load(file.read_text())
    if not isinstance(content, dict):
        raise _fail(path, f"field '{field}' must name a manifest holding one object, got {name!r}")
    return content


def _semantic_check(path: Path, document: dict[str, Any], manifests: Path) -> None:
    """What the schema cannot express; raises `DatasetError` at the first problem."""
    if document["name"] != path.stem:
        raise _fail(path, f"field 'name' must be the file name without .yaml ({path.stem!r}), got {document['name']!r}")
    components = document["components"]
    if document["scope"] == "low" and len(components) != 1:
        raise _fail(path, f"field 'components' must hold exactly one component for scope low, got {components!r}")
    target = document.get("load_target")
    if target is not None and target not in components:
        raise _fail(
            path, f"field 'load_target' must be one of the components ({', '.join(components)}), got {target!r}"
        )
    truth = document["ground_truth"]
    for index, name in enumerate(truth.get("targets") or []):
        if name not in components:
            raise _fail(
                path,
                f"field 'ground_truth.targets[{index}]' must be one of the components "
                f"({', '.join(components)}), got {name!r}",
            )
    environment = document.get("environment") or {}
    for index, edit in enumerate(environment.get("edits") or []):
        content = _manifest(path, manifests, f"environment.edits[{index}].file", edit["file"])
        try:
            _jsonpath.set_value(content, edit["jsonpath"], copy.deepcopy(edit["value"]))
        except _jsonpath.JsonPathError as err:
            raise _fail(path, f"field 'environment.edits[{index}].jsonpath' must fit {edit['file']}: {err}") from err
    for index, name in enumerate(environment.get("delete") or []):
        _manifest(path, manifests, f"environment.delete[{index}]", name)
    chaos = document.get("chaos")
    if chaos and document["namespace"] not in chaos["spec"]["selector"]["namespaces"]:
        raise _fail(
            path,
            f"field 'chaos.spec.selector.namespaces' must include {document['namespace']!r}, "
            f"got {chaos['spec']['selector']['namespaces']!r}",
        )
    report = (document["reference_solution"].get("report")) or {}
    if report:
        _check_template(path, report)


def _check_template(path: Path, report: dict[str, Any]) -> None:
    values = report.get("values") or {}
    try:
        placeholders = {name for _, name, _, _ in string.Formatter().parse(report["text"]) if name is not None}
        report["text"].format(**dict.fromkeys(placeholders, 1.0))
    except (ValueError, IndexError, KeyError) as err:
        raise _fail(
            path,
            f"field 'reference_solution.report.text' must be a text with {{name:format}} "
            f"placeholders, got an error: {err}",
        ) from err
    missing = sorted(placeholders - set(values))
    if missing:
        raise _fail(
            path,
            f"field 'reference_solution.report.values' must give a query for every placeholder; "
            f"missing {', '.join(missing)}",
        )


def _slo(data: dict[str, Any] | None) -> SloThresholds | None:
    if data is None:
        return None

    def share(key: str) -> float | None:
        return data[key] / 100 if key in data else None

    return SloThresholds(
        p99_seconds=data["p99_ms_below"] / 1000 if "p99_ms_below" in data else None,
        cpu_share_of_limit=share("cpu_percent_of_limit_below"),
        memory_share_of_limit=share("memory_percent_of_limit_below"),
    )


def _ground_truth(data: dict[str, Any], components: tuple[str, ...]) -> GroundTruth:
    check = data["check"]
    env = data.get("env")
    autoscaler = data.get("autoscaler")
    tolerance = data.get("tolerance")
    slo = _slo(data.get("slo"))
    return GroundTruth(
        check=check,
        targets=tuple(data.get("targets") or components),
        window=data.get("window", "2m"),
        replicas=data.get("replicas"),
        image_tag=data.get("image_tag"),
        env=(env["name"], env["value"]) if env else None,
        autoscaler=AutoscalerBounds(
            autoscaler["min_replicas_at_least"],
            (float(autoscaler["cpu_percent_range"][0]), float(autoscaler["cpu_percent_range"][1])),
        )
        if autoscaler
        else None,
        slo=SloThresholds() if check == "fault" and slo is None else slo,
        p99_sum_seconds=data["p99_ms_sum_below"] / 1000 if "p99_ms_sum_below" in data else None,
        metric=data.get("metric"),
        tolerance=Tolerance(tolerance.get("absolute", 0.0), tolerance.get("relative", 0.0)) if tolerance else None,
        root_cause_category=data.get("root_cause_category"),
    )


def _build(path: Path, document: dict[str, Any], health_check_task: str) -> Instance:
    components = tuple(document["components"])
    environment = document.get("environment") or {}
    chaos = document.get("chaos")
    solution = document["reference_solution"]
    report = solution.get("report")
    task = document.get("task", HEALTH_CHECK)
    return Instance(
        name=document["name"],
        title=document["title"],
        source=path,
        namespace=document["namespace"],
        components=components,
        scope=document["scope"],
        level=document["level"],
        task=health_check_task if task == HEALTH_CHECK else task.strip(),
        workload=document["workload"],
        load_target=document.get("load_target", components[0]),
        environment=EnvironmentChanges(
            edits=tuple(ManifestEdit(e["file"], e["jsonpath"], e["value"]) for e in environment.get("edits") or []),
            delete=tuple(environment.get("delete") or ()),
            unhealthy_pods_allowed=environment.get("unhealthy_pods_allowed", 0),
        ),
        chaos=Chaos(chaos["kind"], chaos["name"], chaos["spec"]) if chaos else None,
        ground_truth=_ground_truth(document["ground_truth"], components),
        reference_solution=ReferenceSolution(
            commands=tuple(solution["commands"]),
            report=ReportTemplate(
                report["text"].strip(), dict(report.get("values") or {}), report.get("message_type", "RESPONSE")
            )
            if report
            else None,
        ),
        aliases=tuple(document.get("aliases") or ()),
    )


def read_instance(
    path: Path, *, manifests: Path = MANIFESTS_DIR, health_check_task: str = DEFAULT_HEALTH_CHECK_TASK
) -> Instance:
    """Load and check the instance file at `path`.

    Args:
        path: the YAML file.
        manifests: the directory the environment's file names refer to.
        health_check_task: the text that `task: health_check` (or no task) stands for; pass
            `Settings.agents.health_check_task`.

    Raises:
        DatasetError: the file cannot be read or breaks a rule; the message names file, field and expectation.
    """
    document = _read(path)
    _schema_check(path, document)
    _semantic_check(path, document, manifests)
    instance = _build(path, document, health_check_task)
    logger.debug("loaded instance %s from %s", instance.name, path)
    return instance


def list_instances(dataset_dir: Path = DATASET_DIR) -> list[str]:
    """The instance names in the dataset, sorted (aliases not included)."""
    return sorted(path.stem for path in dataset_dir.glob("*.yaml"))


def _aliases(dataset_dir: Path) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in sorted(dataset_dir.glob("*.yaml")):
        document = _read(path)
        for alias in document.get("aliases") or []:
            found[str(alias)] = path
    return found


def load_instance(
    name_or_path: str | Path,
    *,
    dataset_dir: Path = DATASET_DIR,
    manifests: Path = MANIFESTS_DIR,
    health_check_task: str = DEFAULT_HEALTH_CHECK_TASK,
) -> Instance:
    """The instance called `name_or_path` (a name, an alias, or the path of a YAML file).

    Raises:
        DatasetError: no such instance (the message lists the available ones), or its file is invalid.
    """
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or text.endswith((".yaml", ".yml")) or "/" in text:
        return read_instance(Path(name_or_path), manifests=manifests, health_check_task=health_check_task)
    path = dataset_dir / f"{text}.yaml"
    if not path.is_file():
        aliased = _aliases(dataset_dir).get(text)
        if aliased is None:
            available = ", ".join(list_instances(dataset_dir)) or "none"
            raise DatasetError(f"unknown instance {text!r}; available in {dataset_dir}: {available}")
        logger.info("instance %r is an alias of %r", text, aliased.stem)
        path = aliased
    return read_instance(path, manifests=manifests, health_check_task=health_check_task)


def load_all(
    dataset_dir: Path = DATASET_DIR,
    *,
    manifests: Path = MANIFESTS_DIR,
    health_check_task: str = DEFAULT_HEALTH_CHECK_TASK,
) -> list[Instance]:
    """Every instance of the dataset, checked; an alias that repeats a name or another alias is an error."""
    instances = [
        read_instance(dataset_dir / f"{name}.yaml", manifests=manifests, health_check_task=health_check_task)
        for name in list_instances(dataset_dir)
    ]
    seen = {instance.name: instance.source for instance in instances}
    for instance in instances:
        for index, alias in enumerate(instance.aliases):
            if alias in seen:
                raise _fail(
                    instance.source,
                    f"field 'aliases[{index}]' must be a name no other instance uses, "
                    f"got {alias!r} (also {seen[alias]})",
                )
            seen[alias] = instance.source
    return instances


def prepare_manifests(instance: Instance, target_dir: Path, source: Path = MANIFESTS_DIR) -> Path:
    """Copy `source` to `target_dir` with the instance's edits applied and its deleted files left out.

    The repository's manifests are never touched. `target_dir` must not exist yet (or be empty), so
    two runs cannot mix their copies.

    Raises:
        DatasetError: `target_dir` holds files, or an edit does not fit its manifest.
    """
    if target_dir.exists() and any(target_dir.iterdir()):
        raise DatasetError(f"{target_dir}: must be a new or empty directory for the prepared manifests")
    shutil.copytree(source, target_dir, dirs_exist_ok=True)
    for index, edit in enumerate(instance.environment.edits):
        file = target_dir / edit.file
        content = yaml.safe_load(file.read_text())
        try:
            _jsonpath.set_value(content, edit.jsonpath, copy.deepcopy(edit.value))
        except _jsonpath.JsonPathError as err:
            raise _fail(
                instance.source, f"field 'environment.edits[{index}].jsonpath' must fit {edit.file}: {err}"
            ) from err
        file.write_text(yaml.safe_dump(content, sort_keys=False))
    for name in instance.environment.delete:
        (target_dir / name).unlink()
    logger.info(
        "manifests for %s prepared in %s (%d edits, %d deleted)",
        instance.name,
        target_dir,
        len(instance.environment.edits),
        len(instance.environment.delete),
    )
    return target_dir
