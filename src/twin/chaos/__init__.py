"""The twin's Chaos Mesh: PodChaos, StressChaos and NetworkChaos reconciled into the Sock Shop model.

Experiments are ordinary `chaos-mesh.org/v1alpha1` objects in the store (validated by admission
like Chaos Mesh's webhook); this controller selects their targets, injects their effects into the
model's per-pod `Faults`, keeps the status clients poll, and recovers on timeout, pause or delete.
Start it on the store's loop once the model and the other controllers exist:

    chaos = ChaosController(store, model, controllers.recorder, clock)
    chaos.start()
    ...
    await chaos.stop()
"""

from ._controller import FINALIZER, ChaosController, FaultTarget

__all__ = ["FINALIZER", "ChaosController", "FaultTarget"]
