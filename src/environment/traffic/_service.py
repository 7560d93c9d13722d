"""Where a component answers from this machine: its Service's nodePort, read from the cluster.

The twin serves every Sock Shop Service on loopback at the Service's nodePort (front-end at
30001 as in the manifests, the others at allocated ports), so the load generator's target is
`http://127.0.0.1:<nodePort>`. It is read through the Kubernetes API with the official client,
exactly as on a real cluster, rather than through any twin internals.
"""

from __future__ import annotations

import urllib3

from kubernetes import client, config

REQUEST_TIMEOUT = 10.0


class ServiceLookupError(RuntimeError):
    """The component's URL could not be found; the message says why and what to check."""


def node_port_url(component: str, namespace: str, kubeconfig: str | None) -> str:
    """`http://127.0.0.1:<nodePort>` of the first port of Service `component`.

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
        raise ServiceLookupError(
            f"cannot reach the Kubernetes API at {server} ({type(err).__name__}); "
            "is the twin up? (python -m src.environment up)"
        ) from err
    finally:
        api.close()
    ports = service.spec.ports or []
    node_port = ports[0].node_port if ports else None
    if not node_port:
        raise ServiceLookupError(f"service {namespace}/{component} has no nodePort; pass --host URL")
    return f"http://127.0.0.1:{node_port}"
