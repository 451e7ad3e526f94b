"""The library's warnings as CDK annotations, without a stack trace.

``Annotations.add_warning_v2`` records where it was called; in a Python app that is the
jsii runtime (``.../lib/program.js:1:5591``), which the CDK CLI prints above every warning
of an app that does not put annotations into the validation report
(``@aws-cdk/core:annotationsInValidationReport``): a line that tells the team nothing. The
library's warnings leave it out; the app's own annotations keep theirs.
"""

from __future__ import annotations

from aws_cdk import Annotations
from constructs import Construct

#: The child that asks ``add_warning_v2`` whether the warning is acknowledged; removed at
#: once, so the construct tree and the templates stay as they were.
_PROBE = "SmPipelineIamWarningProbe"


def add_warning(scope: Construct, warning_id: str, message: str) -> None:
    """What ``Annotations.of(scope).add_warning_v2(warning_id, message)`` does, with no
    stack trace recorded: nothing once ``warning_id`` is acknowledged on ``scope`` or a
    parent (``Annotations.of(...).acknowledge_warning``), nor when ``scope`` has the same
    warning already; a later acknowledgement removes it as it removes any warning.

    CDK keeps its acknowledgements to itself, so a child of ``scope`` (acknowledged exactly
    where ``scope`` is) asks: the entry ``add_warning_v2`` writes there, if any, is copied to
    ``scope`` without its trace, in CDK's own format, and the child removed.
    """
    probe = Construct(scope, _PROBE)
    try:
        Annotations.of(probe).add_warning_v2(warning_id, message)
        entries = [(entry.type, entry.data) for entry in probe.node.metadata]
    finally:
        scope.node.try_remove_child(_PROBE)
    # Data of other metadata may be an object (construct analytics): compared, not hashed.
    present = [entry.data for entry in scope.node.metadata]
    for kind, data in entries:
        if data not in present:
            scope.node.add_metadata(kind, data, stack_trace=False)
