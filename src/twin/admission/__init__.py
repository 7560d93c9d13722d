"""Admission: the defaulting and validation every write to the twin's store passes, as in a real apiserver.

`Admission` is what the `Store` calls on each create and update (`store.admit = Admission(...)`):
scheme defaults, Service IP and node-port allocation, the namespace check, then `validate` and
`validate_update`, whose causes become one 422 `Invalid`. Custom kinds bring their own rules as a
`Webhook` (Chaos Mesh's lives in `twin.chaos`), which builds its causes with `field_errors`, the
apiserver's wording of field errors.
"""

from . import _fielderrors as field_errors
from ._admission import Admission
from ._fielderrors import Cause, GoSyntax
from ._validation import Webhook, validate, validate_update

__all__ = ["Admission", "Cause", "GoSyntax", "Webhook", "field_errors", "validate", "validate_update"]
