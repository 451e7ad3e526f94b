"""Facts shared by the patched moto models (run in the server) and the read-back (run in
the rehearsal's own process), kept apart from both so that neither imports the other."""

from __future__ import annotations

#: The StackSet properties the patched model stores (any other raises
#: NotImplementedError there), and so the ones the read-back can compare.
STACK_SET_PROPERTIES = frozenset(
    {
        "AutoDeployment",
        "Capabilities",
        "Description",
        "OperationPreferences",
        "Parameters",
        "PermissionModel",
        "StackInstancesGroup",
        "StackSetName",
        "Tags",
        "TemplateBody",
    }
)
