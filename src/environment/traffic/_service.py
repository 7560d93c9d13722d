"""Where a component answers from this machine, read from its Service through the Kubernetes API.

The twin serves every Sock Shop Service with HTTP routes on loopback and publishes the URL in the
Service annotation `twin.sock-shop/loopback-url` (front-end keeps its nodePort 30001). On a real
cluster a NodePort Service is reached at `http://127.0.0.1:<nodePort>` (kind port mappings,
`minikube tunnel`). Either way it is read with the official client, not through twin internals.
"""

from __future__ import annotations

import urllib3
from kubernetes import client, config

from ..twin_process import NO_ENVIRONMENT

REQUEST_TIMEOUT = 10.0
LOOPBACK_ANNOTATION = "twin.sock-shop/loopback-url"


class ServiceLookupError(RuntimeError):
    """The component's URL could not be found; the message says why and what to check."""


def node_port_url(component: str, namespace: str, kubeconfig: str | None) -> str:
    """The loopback URL of Service `component`: the twin's published URL, else its first nodePort.

    Args:
        component: the Service's name.
        namespace: its namespace.
        kubeconfig: kubeconfig path (or an os.pathsep-separated list); None for the client's default.

    Raises:
        ServiceLookupError: no kubeconfig, API unreachable, no such Service, or no nodePort.
    """
    try:
        api = config.new_client_from_config(config_file=kubeconfig)
    except (config.ConfigException, OSError) as err:
        raise ServiceLookupError(f"cannot load kubeconfig {kubeconfig or '~/.kube/config'}: {err}") from err
    try:
        service = client.CoreV1Api(api).read_namespaced_service(component, namespace, _request_timeout=REQUEST_TIMEOUT)
    except client.ApiException as err:
        if err.status == 404:
            raise ServiceLookupError(f"service {component} not found in namespace {namespace}") from err
        raise ServiceLookupError(f"cannot read service {namespace}/{component}: {err.status} {err.reason}") from err
    except urllib3.exceptions.HTTPError as err:
        server = api.configuration.host
        raise ServiceLookupError(f"{NO_ENVIRONMENT} (nothing answers at {server}: {type(err).__name__})") from err
    finally:
        api.close()
    published = ((service.metadata.annotations if service.metadata else None) or {}).get(LOOPBACK_ANNOTATION)
    if published:
        return published
    ports = (service.spec.ports if service.spec is not None else None) or []
    node_port = ports[0].node_port if ports else None
    if not node_port:
        raise ServiceLookupError(f"service {namespace}/{component} has no nodePort; pass --host URL")
    return f"http://127.0.0.1:{node_port}"
