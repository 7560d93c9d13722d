"""The twin's Chaos Mesh: PodChaos, StressChaos and NetworkChaos reconciled into the Sock Shop model.

Experiments are ordinary `chaos-mesh.org/v1alpha1` objects in the store (validated by admission
like Chaos Mesh's webhook); this controller selects their targets, injects their effects into the
model's per-pod `Faults`, keeps the status clients poll, and recovers on timeout, pause or delete.
Start it on the store's loop once the model and the other controllers exist, and give admission
its webhook so experiments are validated as Chaos Mesh validates them:

    store.admit = Admission(store, NAMESPACES, webhooks=[ChaosWebhook()])
    ...
    chaos = ChaosController(store, model, controllers.recorder, clock)
    chaos.start()
    ...
    await chaos.stop()
"""

from ._controller import FINALIZER, ChaosController, FaultTarget
from ._validation import ChaosWebhook, parse_go_duration

__all__ = ["FINALIZER", "ChaosController", "ChaosWebhook", "FaultTarget", "parse_go_duration"]
