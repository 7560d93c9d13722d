"""Label and field selectors as kubectl sends them in `?labelSelector=` and `?fieldSelector=`."""

from __future__ import annotations

from typing import Any

import pytest

from src.twin.store._selectors import FieldSelector, LabelSelector, SelectorError, matches_all

WEB = {"app": "web", "tier": "frontend", "env": "prod"}
DB = {"app": "db", "tier": "backend"}
BARE: dict[str, str] = {}


# --- label selectors: operators -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "web", "db", "bare"),
    [
        ("app=web", True, False, False),
        ("app==web", True, False, False),
        ("app!=web", False, True, True),
        ("tier in (frontend,backend)", True, True, False),
        ("tier notin (frontend)", False, True, True),
        ("env", True, False, False),
        ("!env", False, True, True),
        ("app=web,env=prod", True, False, False),
        ("app in (web,db),!env", False, True, False),
    ],
)
def test_label_selector_operator_matches_like_kubernetes(text: str, web: bool, db: bool, bare: bool) -> None:
    selector = LabelSelector.parse(text)
    assert (selector.matches(WEB), selector.matches(DB), selector.matches(BARE)) == (web, db, bare)


def test_empty_label_selector_matches_everything() -> None:
    selector = LabelSelector.parse("")
    assert selector.is_empty
    assert selector.matches(None)
    assert selector.matches(WEB)
    assert str(selector) == ""


def test_label_selector_tolerates_whitespace() -> None:
    spaced = LabelSelector.parse("  app = web ,  tier in ( frontend , backend ) , ! canary ")
    assert spaced == LabelSelector.parse("app=web,tier in (frontend,backend),!canary")


def test_label_selector_with_an_empty_value_selects_the_empty_label() -> None:
    selector = LabelSelector.parse("role=")
    assert selector.matches({"role": ""})
    assert not selector.matches({"role": "x"})
    assert not selector.matches({})


def test_label_selector_renders_canonical_text_sorted_by_key() -> None:
    selector = LabelSelector.parse("tier in (b,a), app=web, !canary, env")
    assert str(selector) == "app=web,!canary,env,tier in (a,b)"
    assert LabelSelector.parse(str(selector)) == selector


def test_label_selector_accepts_prefixed_keys() -> None:
    selector = LabelSelector.parse("app.kubernetes.io/name=front-end")
    assert selector.matches({"app.kubernetes.io/name": "front-end"})


@pytest.mark.parametrize(
    "text",
    [
        "name in (a",
        "name in a,b",
        "name in ()",
        "a=b c",
        "a,",
        ",a",
        "!",
        "a!b",
        "a=b=c",
        "-bad=x",
        "a=-bad",
        "Bad_Prefix/key=x",
        "a/b/c=d",
        "k" * 64 + "=v",
        "k=" + "v" * 64,
    ],
)
def test_label_selector_with_bad_syntax_raises_selector_error(text: str) -> None:
    with pytest.raises(SelectorError):
        LabelSelector.parse(text)


def test_selector_error_message_names_the_selector_text() -> None:
    with pytest.raises(SelectorError, match=r"name in \(a"):
        LabelSelector.parse("name in (a")


# --- label selectors: structured specs ----------------------------------------------------------


def test_label_selector_from_spec_combines_match_labels_and_expressions() -> None:
    selector = LabelSelector.from_spec(
        {
            "matchLabels": {"app": "web"},
            "matchExpressions": [
                {"key": "tier", "operator": "In", "values": ["frontend", "edge"]},
                {"key": "env", "operator": "NotIn", "values": ["dev"]},
                {"key": "env", "operator": "Exists"},
                {"key": "canary", "operator": "DoesNotExist"},
            ],
        }
    )
    assert selector.matches(WEB)
    assert not selector.matches({**WEB, "canary": "yes"})
    assert not selector.matches(DB)
    assert str(selector) == "app=web,!canary,env notin (dev),env,tier in (edge,frontend)"


def test_empty_structured_selector_matches_everything() -> None:
    selector = LabelSelector.from_spec({})
    assert selector.is_empty
    assert selector.matches(DB)


def test_missing_structured_selector_matches_nothing() -> None:
    selector = LabelSelector.from_spec(None)
    assert not selector.is_empty
    assert not selector.matches(WEB)
    assert not selector.matches({})


@pytest.mark.parametrize(
    "spec",
    [
        {"matchExpressions": [{"key": "a", "operator": "Equals", "values": ["x"]}]},
        {"matchExpressions": [{"key": "a", "operator": "In", "values": []}]},
        {"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]},
        {"matchLabels": {"bad key": "x"}},
        {"matchLabels": ["app=web"]},
        {"matchExpressions": ["app in (a)"]},
    ],
)
def test_invalid_structured_selector_raises_selector_error(spec: dict[str, Any]) -> None:
    with pytest.raises(SelectorError):
        LabelSelector.from_spec(spec)


def test_label_selector_from_plain_labels_is_an_equality_selector() -> None:
    selector = LabelSelector.from_labels({"name": "catalogue"})
    assert selector.matches({"name": "catalogue", "version": "1"})
    assert not selector.matches({"name": "carts"})
    assert LabelSelector.from_labels(None).is_empty


# --- field selectors ----------------------------------------------------------------------------

EVENT = {
    "kind": "Event",
    "metadata": {"name": "catalogue-abc.1", "namespace": "sock-shop"},
    "involvedObject": {
        "kind": "Pod",
        "name": "catalogue-abc",
        "namespace": "sock-shop",
        "uid": "1234",
        "fieldPath": "spec.containers{catalogue}",
    },
    "reason": "BackOff",
    "type": "Warning",
    "source": {"component": "kubelet", "host": "node-1"},
    "reportingComponent": "kubelet",
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("involvedObject.kind=Pod", True),
        ("involvedObject.name=catalogue-abc,involvedObject.namespace=sock-shop", True),
        ("involvedObject.uid==1234", True),
        ("involvedObject.fieldPath=spec.containers{catalogue}", True),
        ("involvedObject.kind!=Pod", False),
        ("reason=BackOff,type=Warning", True),
        ("type!=Normal", True),
        ("source=kubelet", True),
        ("reportingComponent=kubelet", True),
        ("metadata.name=catalogue-abc.1", True),
        ("involvedObject.name=carts", False),
    ],
)
def test_field_selector_on_an_events_involved_object(text: str, expected: bool) -> None:
    assert FieldSelector.parse(text).matches(EVENT) is expected


def test_field_selector_treats_a_missing_field_as_the_empty_string() -> None:
    pending = {"metadata": {"name": "p"}, "spec": {}, "status": {"phase": "Pending"}}
    assert FieldSelector.parse("spec.nodeName=").matches(pending)
    assert not FieldSelector.parse("spec.nodeName!=").matches(pending)
    assert FieldSelector.parse("status.phase!=Running").matches(pending)


def test_field_selector_renders_booleans_and_unset_node_unschedulable_as_false() -> None:
    assert FieldSelector.parse("spec.unschedulable=false").matches({"spec": {}})
    assert FieldSelector.parse("spec.unschedulable=true").matches({"spec": {"unschedulable": True}})


def test_empty_field_selector_matches_everything() -> None:
    selector = FieldSelector.parse("")
    assert selector.is_empty
    assert selector.matches({})
    assert selector.field_paths() == ()


def test_field_paths_lists_each_field_once_in_order() -> None:
    selector = FieldSelector.parse("status.phase!=Failed,spec.nodeName=n1,status.phase!=Succeeded")
    assert selector.field_paths() == ("status.phase", "spec.nodeName")


def test_field_selector_unescapes_values_and_renders_them_escaped() -> None:
    selector = FieldSelector.parse(r"metadata.name=a\,b\=c")
    assert selector.matches({"metadata": {"name": "a,b=c"}})
    assert str(selector) == r"metadata.name=a\,b\=c"


def test_field_selector_renders_double_equals_as_single_equals() -> None:
    assert str(FieldSelector.parse("spec.type==NodePort, metadata.namespace!=kube-system")) == (
        "spec.type=NodePort,metadata.namespace!=kube-system"
    )


@pytest.mark.parametrize("text", ["status.phase", "=Running", r"a=b\x", "a=b\\", "a=b=c"])
def test_field_selector_with_bad_syntax_raises_selector_error(text: str) -> None:
    with pytest.raises(SelectorError):
        FieldSelector.parse(text)


# --- both at once -------------------------------------------------------------------------------


def test_matches_all_needs_both_selectors_and_lets_none_through() -> None:
    pod = {"metadata": {"name": "p", "labels": {"app": "web"}}, "status": {"phase": "Running"}}
    label, field = LabelSelector.parse("app=web"), FieldSelector.parse("status.phase=Running")
    assert matches_all(pod, label, field)
    assert matches_all(pod, None, None)
    assert not matches_all(pod, LabelSelector.parse("app=db"), field)
    assert not matches_all(pod, label, FieldSelector.parse("status.phase=Pending"))
    assert matches_all({"metadata": {}}, LabelSelector.parse("!app"), None)
