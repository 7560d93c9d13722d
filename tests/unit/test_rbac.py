"""RBAC in the twin: request attributes, rule matching, bindings, tokens and the 401/403 answers.

The authorizer is exercised on a store holding the default policy and the committed
`kubernetes/rbac/` manifests, so what is tested here is what the agents will get; the wording of
every refusal is Kubernetes' own (`responsewriters.Forbidden`, `apierrors.NewForbidden`).
"""

from __future__ import annotations

import asyncio
import importlib.util
import ssl
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from src.twin.admission import Admission, validate, validate_update
from src.twin.apiserver import AuthFilter, serving_certificate, tls_kubeconfig
from src.twin.apiserver._auth import USER_KEY
from src.twin.apiserver._protobuf import decode_object
from src.twin.apiserver._tables import to_table
from src.twin.auth import (
    ADMIN,
    ADMIN_TOKEN,
    ANONYMOUS,
    Attributes,
    Authenticator,
    RBACAuthorizer,
    TokenIssuer,
    access_review,
    forbidden,
    impersonate,
    request_attributes,
    rule_allows,
    rules_review,
    seed_default_policy,
    self_review,
    service_account_user,
    token_request,
)
from src.twin.store import NAMESPACES, SERVICE_ACCOUNTS, ApiError, Store, by_kind

REPO = Path(__file__).resolve().parents[2]
RBAC_DIR = REPO / "kubernetes" / "rbac"
FIXTURES = Path(__file__).parent / "fixtures" / "protobuf"
NS = "sock-shop"
CATALOGUE = service_account_user(NS, "catalogue-maintainer")
MANAGER = service_account_user(NS, "manager")


class Clock:
    def __init__(self, now: float = 1_790_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def cluster(clock: Clock | None = None) -> Store:
    """A store with admission, the default policy, the Sock Shop namespace and the agents' RBAC."""
    store = Store(clock=clock or Clock())
    store.admit = Admission(store, NAMESPACES)
    for name in (NS, "default"):
        store.create(NAMESPACES, {"metadata": {"name": name}})
    seed_default_policy(store)
    for path in sorted(RBAC_DIR.glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text()):
            resource = by_kind(document["kind"], document["apiVersion"])
            assert resource is not None
            store.create(resource, document)
    return store


@pytest.fixture(scope="module")
def authorizer() -> RBACAuthorizer:
    return RBACAuthorizer(cluster())


def ask(user: Any, method: str, path: str, **query: str) -> Attributes:
    return request_attributes(user, method, path, query)


# --- request attributes ----------------------------------------------------------------------------


PODS = "/api/v1/namespaces/sock-shop/pods"
DEPLOYMENTS = "/apis/apps/v1/namespaces/sock-shop/deployments"


def describe(attributes: Attributes) -> str:
    """`verb group/resource[/subresource] name namespace`, '-' for what is empty."""
    sub = f"/{attributes.subresource}" if attributes.subresource else ""
    where = f"{attributes.name or '-'} {attributes.namespace or '-'}"
    return f"{attributes.verb} {attributes.api_group}/{attributes.resource}{sub} {where}"


@pytest.mark.parametrize(
    ("method", "path", "query", "expected"),
    [
        ("GET", PODS, {}, "list /pods - sock-shop"),
        ("GET", PODS, {"watch": "true"}, "watch /pods - sock-shop"),
        ("GET", f"{PODS}/p1/log", {}, "get /pods/log p1 sock-shop"),
        ("PATCH", f"{DEPLOYMENTS}/front-end/scale", {}, "patch apps/deployments/scale front-end sock-shop"),
        ("POST", DEPLOYMENTS, {}, "create apps/deployments - sock-shop"),
        ("DELETE", PODS, {}, "deletecollection /pods - sock-shop"),
        ("DELETE", "/api/v1/namespaces/sock-shop", {}, "delete /namespaces sock-shop sock-shop"),
        ("PUT", "/api/v1/namespaces/sock-shop/finalize", {}, "update /namespaces/finalize sock-shop sock-shop"),
        ("GET", "/apis/chaos-mesh.org/v1alpha1/stresschaos", {}, "list chaos-mesh.org/stresschaos - -"),
        (
            "GET",
            DEPLOYMENTS,
            {"fieldSelector": "metadata.name=catalogue", "watch": "1"},
            "watch apps/deployments catalogue sock-shop",
        ),
        ("GET", DEPLOYMENTS, {"fieldSelector": "metadata.name!=catalogue"}, "list apps/deployments - sock-shop"),
        ("GET", "/api/v1/watch/namespaces/sock-shop/pods", {}, "watch /pods - sock-shop"),
        ("GET", "/apis/metrics.k8s.io/v1beta1/namespaces/sock-shop/pods", {}, "list metrics.k8s.io/pods - sock-shop"),
    ],
)
def test_request_attributes_are_the_apiservers(method: str, path: str, query: dict, expected: str) -> None:
    attributes = ask(CATALOGUE, method, path, **query)
    assert attributes.resource_request
    assert describe(attributes) == expected


@pytest.mark.parametrize("path", ["/api", "/api/v1", "/apis", "/apis/apps/v1", "/version", "/openapi/v3/apis/apps/v1"])
def test_discovery_and_openapi_paths_are_non_resource_urls(path: str) -> None:
    attributes = ask(CATALOGUE, "GET", path)
    assert (attributes.resource_request, attributes.verb, attributes.path) == (False, "get", path)


# --- rules ---------------------------------------------------------------------------------------


def rule(verbs: str, groups: str, resources: str, names: str = "") -> dict[str, list[str]]:
    """A PolicyRule from space-separated lists ('' is the core group, written `core`)."""
    built = {
        "verbs": verbs.split(),
        "apiGroups": ["" if g == "core" else g for g in groups.split()],
        "resources": resources.split(),
    }
    return {**built, "resourceNames": names.split()} if names else built


@pytest.mark.parametrize(
    ("policy", "request_", "allowed"),
    [
        (rule("get", "core", "pods"), "get core pods - p", True),
        (rule("get", "core", "pods"), "list core pods - -", False),
        (rule("*", "*", "*"), "delete apps deployments scale x", True),
        (rule("get", "core", "pods"), "get core pods log p", False),
        (rule("get", "core", "pods/log"), "get core pods log p", True),
        (rule("get", "core", "*/log"), "get core pods log p", True),
        (rule("get", "core", "*/log"), "get core pods - p", False),
        (rule("get", "apps", "pods"), "get core pods - p", False),
        (rule("patch", "apps", "deployments", "catalogue"), "patch apps deployments - catalogue", True),
        (rule("patch", "apps", "deployments", "catalogue"), "patch apps deployments - front-end", False),
        (rule("create", "apps", "deployments", "catalogue"), "create apps deployments - -", False),
        (rule("list", "apps", "deployments", "catalogue"), "list apps deployments - -", False),
    ],
)
def test_a_rule_allows_only_what_each_of_its_lists_matches(policy: dict, request_: str, allowed: bool) -> None:
    verb, group, resource, subresource, name = (part if part != "-" else "" for part in request_.split())
    group = "" if group == "core" else group
    attributes = Attributes(CATALOGUE, verb, "", True, NS, group, "v1", resource, subresource, name)
    assert rule_allows(attributes, policy) is allowed


@pytest.mark.parametrize(
    ("url", "path", "allowed"),
    [("/api", "/api", True), ("/api", "/api/v1", False), ("/api/*", "/api/v1", True), ("*", "/anything", True)],
)
def test_non_resource_urls_match_exactly_or_by_a_trailing_star(url: str, path: str, allowed: bool) -> None:
    assert rule_allows(Attributes(CATALOGUE, "get", path), {"verbs": ["get"], "nonResourceURLs": [url]}) is allowed


# --- the agents' roles ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "method", "path", "allowed"),
    [
        (CATALOGUE, "GET", "/api/v1/namespaces/sock-shop/pods", True),
        (CATALOGUE, "GET", "/api/v1/namespaces/sock-shop/pods/catalogue-x/log", True),
        (CATALOGUE, "GET", "/api/v1/namespaces/sock-shop/events", True),
        (CATALOGUE, "GET", "/apis/metrics.k8s.io/v1beta1/namespaces/sock-shop/pods", True),
        (CATALOGUE, "GET", "/api/v1/namespaces/sock-shop", True),
        (CATALOGUE, "PATCH", "/apis/apps/v1/namespaces/sock-shop/deployments/catalogue/scale", True),
        (CATALOGUE, "PATCH", "/apis/apps/v1/namespaces/sock-shop/deployments/catalogue", True),
        (CATALOGUE, "POST", "/apis/apps/v1/namespaces/sock-shop/deployments", True),
        (CATALOGUE, "POST", "/apis/autoscaling/v2/namespaces/sock-shop/horizontalpodautoscalers", True),
        (CATALOGUE, "DELETE", "/apis/autoscaling/v2/namespaces/sock-shop/horizontalpodautoscalers/catalogue", True),
        (CATALOGUE, "PATCH", "/apis/apps/v1/namespaces/sock-shop/deployments/front-end/scale", False),
        (CATALOGUE, "DELETE", "/apis/apps/v1/namespaces/sock-shop/deployments/catalogue-db", False),
        (CATALOGUE, "DELETE", "/api/v1/namespaces/sock-shop/pods/catalogue-x", False),
        (CATALOGUE, "DELETE", "/api/v1/namespaces/sock-shop", False),
        (CATALOGUE, "GET", "/api/v1/namespaces/sock-shop/secrets", False),
        (CATALOGUE, "GET", "/apis/chaos-mesh.org/v1alpha1/namespaces/sock-shop/stresschaos", False),
        (CATALOGUE, "GET", "/apis/chaos-mesh.org/v1alpha1/stresschaos", False),
        (CATALOGUE, "GET", "/api/v1/namespaces/default/pods", False),
        (CATALOGUE, "GET", "/api/v1/nodes", False),
        (CATALOGUE, "GET", "/apis/rbac.authorization.k8s.io/v1/namespaces/sock-shop/roles", False),
        (MANAGER, "GET", "/apis/apps/v1/namespaces/sock-shop/deployments", True),
        (MANAGER, "PATCH", "/apis/apps/v1/namespaces/sock-shop/deployments/catalogue/scale", False),
        (MANAGER, "POST", "/apis/apps/v1/namespaces/sock-shop/deployments", False),
        (ADMIN, "DELETE", "/api/v1/namespaces/sock-shop", True),
    ],
)
def test_the_agents_roles_allow_reading_the_namespace_and_writing_only_ones_own_component(
    authorizer: RBACAuthorizer, user: Any, method: str, path: str, allowed: bool
) -> None:
    assert authorizer.authorize(ask(user, method, path)).allowed is allowed


@pytest.mark.parametrize(
    ("user", "path", "allowed"),
    [
        (ANONYMOUS, "/healthz", True),
        (ANONYMOUS, "/version", True),
        (ANONYMOUS, "/api", False),
        (CATALOGUE, "/api", True),
        (CATALOGUE, "/apis/apps/v1", True),
        (CATALOGUE, "/openapi/v3/apis/apps/v1", True),
        (CATALOGUE, "/metrics", False),
    ],
)
def test_the_default_policy_opens_discovery_to_the_authenticated_and_health_to_all(
    authorizer: RBACAuthorizer, user: Any, path: str, allowed: bool
) -> None:
    assert authorizer.authorize(ask(user, "GET", path)).allowed is allowed


def test_an_allowed_request_says_which_binding_allowed_it(authorizer: RBACAuthorizer) -> None:
    decision = authorizer.authorize(ask(CATALOGUE, "PATCH", "/apis/apps/v1/namespaces/sock-shop/deployments/catalogue"))
    assert decision.reason == (
        'RBAC: allowed by RoleBinding "catalogue-maintainer/sock-shop" of Role "catalogue-maintainer" '
        'to ServiceAccount "catalogue-maintainer/sock-shop"'
    )


def test_a_binding_to_a_missing_role_denies_and_says_so() -> None:
    store = cluster()
    rolebindings = by_kind("RoleBinding")
    assert rolebindings is not None
    store.create(
        rolebindings,
        {
            "metadata": {"name": "ghost", "namespace": NS},
            "roleRef": {"kind": "Role", "name": "ghost"},
            "subjects": [{"kind": "ServiceAccount", "name": "manager"}],
        },
    )
    attributes = ask(MANAGER, "DELETE", "/api/v1/namespaces/sock-shop/pods/p")
    decision = RBACAuthorizer(store).authorize(attributes)
    assert not decision.allowed
    assert decision.reason == 'RBAC: role.rbac.authorization.k8s.io "ghost" not found'
    assert forbidden(attributes, decision.reason).message.endswith(
        'in the namespace "sock-shop": RBAC: role.rbac.authorization.k8s.io "ghost" not found'
    )


# --- the 403 -------------------------------------------------------------------------------------


def test_forbidden_is_worded_as_kubernetes_words_it() -> None:
    scale = forbidden(ask(CATALOGUE, "PATCH", "/apis/apps/v1/namespaces/sock-shop/deployments/front-end"))
    assert scale.status() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'deployments.apps "front-end" is forbidden: User '
        '"system:serviceaccount:sock-shop:catalogue-maintainer" cannot patch resource "deployments" in API group '
        '"apps" in the namespace "sock-shop"',
        "reason": "Forbidden",
        "details": {"name": "front-end", "group": "apps", "kind": "deployments"},
        "code": 403,
    }
    chaos = forbidden(ask(CATALOGUE, "GET", "/apis/chaos-mesh.org/v1alpha1/stresschaos"))
    assert chaos.message == (
        'stresschaos.chaos-mesh.org is forbidden: User "system:serviceaccount:sock-shop:catalogue-maintainer" '
        'cannot list resource "stresschaos" in API group "chaos-mesh.org" at the cluster scope'
    )
    log = forbidden(ask(ANONYMOUS, "GET", "/api/v1/namespaces/sock-shop/pods/p/log"))
    assert log.message == (
        'pods "p" is forbidden: User "system:anonymous" cannot get resource "pods/log" in API group "" '
        'in the namespace "sock-shop"'
    )
    path = forbidden(ask(ANONYMOUS, "GET", "/api"))
    assert (path.message, path.status()["details"]) == ('forbidden: User "system:anonymous" cannot get path "/api"', {})


# --- authentication ------------------------------------------------------------------------------


def _account_uid(store: Store, name: str) -> str:
    return store.get(SERVICE_ACCOUNTS, NS, name)["metadata"]["uid"]


def test_tokens_authenticate_their_service_account_until_they_expire() -> None:
    clock = Clock()
    store = cluster(clock)
    issuer = TokenIssuer(clock)
    authenticator = Authenticator(store, issuer)
    token, expires = issuer.issue(NS, "catalogue-maintainer", _account_uid(store, "catalogue-maintainer"), 3600)
    user = authenticator.authenticate(f"Bearer {token}")
    assert (user.name, user.groups) == (
        "system:serviceaccount:sock-shop:catalogue-maintainer",
        ("system:serviceaccounts", "system:serviceaccounts:sock-shop", "system:authenticated"),
    )
    assert authenticator.authenticate(f"Bearer {ADMIN_TOKEN}") == ADMIN
    assert authenticator.authenticate(None) == ANONYMOUS
    assert authenticator.authenticate("Basic dXNlcjpwYXNz") == ANONYMOUS
    clock.now = expires
    with pytest.raises(ApiError) as expired:
        authenticator.authenticate(f"Bearer {token}")
    assert expired.value.status() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": "Unauthorized",
        "reason": "Unauthorized",
        "code": 401,
    }


@pytest.mark.parametrize("change", ["tampered", "other key", "deleted account", "re-created account", "audience"])
def test_a_token_that_is_not_valid_here_is_a_401(change: str) -> None:
    clock = Clock()
    store = cluster(clock)
    issuer = TokenIssuer(clock)
    uid = _account_uid(store, "manager")
    audiences = ["https://vault.example.com"] if change == "audience" else None
    token, _ = issuer.issue(NS, "manager", uid, 3600, *([audiences] if audiences else []))
    if change == "tampered":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    elif change == "other key":
        token, _ = TokenIssuer(clock, b"another key").issue(NS, "manager", uid, 3600)
    elif change in ("deleted account", "re-created account"):
        store.remove(SERVICE_ACCOUNTS, NS, "manager")
        if change == "re-created account":
            store.create(SERVICE_ACCOUNTS, {"metadata": {"name": "manager", "namespace": NS}})
    with pytest.raises(ApiError) as refused:
        Authenticator(store, issuer).authenticate(f"Bearer {token}")
    assert refused.value.code == 401


def test_token_request_issues_an_hour_by_default_and_refuses_less_than_ten_minutes() -> None:
    clock = Clock()
    store = cluster(clock)
    issuer = TokenIssuer(clock)
    answer = token_request(store, issuer, NS, "manager", decode_object((FIXTURES / "tokenrequest.bin").read_bytes()))
    assert answer["spec"]["expirationSeconds"] == 7200
    assert Authenticator(store, issuer).authenticate(f"Bearer {answer['status']['token']}").name.endswith(":manager")
    assert token_request(store, issuer, NS, "manager", {})["spec"]["expirationSeconds"] == 3600
    with pytest.raises(ApiError) as short:
        token_request(store, issuer, NS, "manager", {"spec": {"expirationSeconds": 599}})
    assert short.value.message == (
        'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 599: '
        "may not specify a duration less than 10 minutes"
    )
    with pytest.raises(ApiError) as missing:
        token_request(store, issuer, NS, "nobody", {})
    assert missing.value.message == 'serviceaccounts "nobody" not found'


# --- reviews and impersonation -------------------------------------------------------------------


def test_can_i_answers_from_the_same_rules_as_the_requests(authorizer: RBACAuthorizer) -> None:
    body = decode_object((FIXTURES / "selfsubjectaccessreview.bin").read_bytes())
    assert body["spec"]["resourceAttributes"]["name"] == "front-end"
    assert access_review(authorizer, CATALOGUE, body)["status"] == {"allowed": False}
    assert access_review(authorizer, ADMIN, body)["status"] == {"allowed": True}
    non_resource = decode_object((FIXTURES / "selfsubjectaccessreview-non-resource.bin").read_bytes())
    assert access_review(authorizer, CATALOGUE, non_resource)["status"]["allowed"] is True
    with pytest.raises(ApiError) as neither:
        access_review(authorizer, CATALOGUE, {"spec": {}})
    assert neither.value.code == 422


def test_can_i_list_shows_the_roles_rules(authorizer: RBACAuthorizer) -> None:
    body = decode_object((FIXTURES / "selfsubjectrulesreview.bin").read_bytes())
    status = rules_review(authorizer, CATALOGUE, body)["status"]
    assert {
        "verbs": ["update", "patch"],
        "apiGroups": ["apps"],
        "resources": ["deployments/scale"],
        "resourceNames": ["catalogue"],
    } in status["resourceRules"]
    assert {"verbs": ["get"], "nonResourceURLs": ["/healthz", "/livez", "/readyz", "/version", "/version/"]} in status[
        "nonResourceRules"
    ]
    assert not any("chaos-mesh.org" in rule["apiGroups"] for rule in status["resourceRules"])
    with pytest.raises(ApiError):
        rules_review(authorizer, CATALOGUE, {"spec": {}})


def test_whoami_names_the_user_and_its_groups() -> None:
    assert decode_object((FIXTURES / "selfsubjectreview.bin").read_bytes())["kind"] == "SelfSubjectReview"
    assert self_review(CATALOGUE, 0)["status"]["userInfo"] == {
        "username": "system:serviceaccount:sock-shop:catalogue-maintainer",
        "groups": ["system:serviceaccounts", "system:serviceaccounts:sock-shop", "system:authenticated"],
    }


def test_only_who_may_impersonate_acts_as_someone_else(authorizer: RBACAuthorizer) -> None:
    acting = impersonate(authorizer, ADMIN, "system:serviceaccount:sock-shop:catalogue-maintainer")
    assert acting == service_account_user(NS, "catalogue-maintainer")
    with pytest.raises(ApiError) as refused:
        impersonate(authorizer, CATALOGUE, "system:serviceaccount:sock-shop:front-end-maintainer")
    assert refused.value.message == (
        'serviceaccounts "front-end-maintainer" is forbidden: User "system:serviceaccount:sock-shop:'
        'catalogue-maintainer" cannot impersonate resource "serviceaccounts" in API group "" in the namespace '
        '"sock-shop"'
    )


# --- the filter: which port a request came in on -------------------------------------------------


async def _through_filter(auth: AuthFilter, path: str, *, secure: bool, token: str | None = None) -> Any:
    context = ssl.create_default_context() if secure else None
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = make_mocked_request("GET", path, headers=headers, sslcontext=context)

    async def handler(request: web.Request) -> web.Response:
        user = request.get(USER_KEY)
        return web.Response(text=user.name if user else "")

    try:
        response = await auth.middleware(request, handler)
    except ApiError as err:
        return err.code
    return response.text


def test_no_credentials_are_the_admin_on_the_plain_port_and_anonymous_on_the_tls_port() -> None:
    auth = AuthFilter(cluster())
    plain = asyncio.run(_through_filter(auth, "/api/v1/namespaces/sock-shop/secrets", secure=False))
    assert plain == "kubernetes-admin"
    assert asyncio.run(_through_filter(auth, "/api/v1/namespaces/sock-shop/secrets", secure=True)) == 403
    assert asyncio.run(_through_filter(auth, "/api/v1/pods", secure=False, token="wrong")) == 401
    assert asyncio.run(_through_filter(auth, "/twin/metrics/cadvisor", secure=True)) == ""


def test_the_tls_kubeconfig_trusts_the_ca_that_signed_the_serving_certificate() -> None:
    certificate = serving_certificate("127.0.0.1")
    document = tls_kubeconfig("https://127.0.0.1:6443", certificate.ca_pem)
    assert document["users"][0]["user"] == {"token": ADMIN_TOKEN}
    client = ssl.create_default_context(cadata=certificate.ca_pem.decode())
    server = certificate.ssl_context()
    assert client.verify_mode == ssl.CERT_REQUIRED and server is not None


# --- validation, tables and the manifests --------------------------------------------------------


def test_rbac_objects_are_validated_as_the_apiserver_validates_them() -> None:
    role = {
        "metadata": {"name": "r", "namespace": NS},
        "rules": [{"resources": ["pods"]}, {"verbs": ["get"], "nonResourceURLs": ["/x"]}],
    }
    assert [cause["field"] for cause in validate("Role", role)] == [
        "rules[0].verbs",
        "rules[0].apiGroups",
        "rules[1].nonResourceURLs",
    ]
    binding = {
        "metadata": {"name": "system:b"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "x"},
        "subjects": [{"kind": "ServiceAccount", "name": "a"}],
    }
    assert {c["field"]: c["message"] for c in validate("ClusterRoleBinding", binding)} == {
        "roleRef.kind": 'Unsupported value: "Role": supported values: "ClusterRole"',
        "subjects[0].namespace": "Required value",
    }
    changed = {**binding, "roleRef": {**binding["roleRef"], "name": "y"}}
    assert [c["message"] for c in validate_update("ClusterRoleBinding", binding, changed)] == [
        'Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"y"}: '
        "cannot change roleRef"
    ]
    assert [c["message"] for c in validate("ClusterRole", {"metadata": {"name": "a/b"}, "rules": []})] == [
        "Invalid value: \"a/b\": may not contain '/'"
    ]


def test_rolebindings_print_their_role_and_subjects() -> None:
    store = cluster()
    binding = store.get(by_kind("RoleBinding"), NS, "catalogue-maintainer")  # type: ignore[arg-type]
    table = to_table("RoleBinding", [binding], datetime.now(UTC))
    assert [c["name"] for c in table["columnDefinitions"]] == [
        "Name",
        "Role",
        "Age",
        "Users",
        "Groups",
        "ServiceAccounts",
    ]
    assert table["rows"][0]["cells"][1] == "Role/catalogue-maintainer"
    assert table["rows"][0]["cells"][5] == "sock-shop/catalogue-maintainer"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_rbac", REPO / "scripts" / "generate_rbac.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_rbac_manifests_are_what_the_generator_writes() -> None:
    wanted = _generator().manifests()
    present = {path.name: path.read_text() for path in RBAC_DIR.glob("*.yaml")}
    assert present == wanted, "kubernetes/rbac/ is stale: run python3 scripts/generate_rbac.py"
    assert len([name for name in wanted if name.endswith("-maintainer.yaml")]) == 14
