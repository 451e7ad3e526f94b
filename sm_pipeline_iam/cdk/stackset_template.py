"""``stackset_template``: a workload stack synthesized on its own, as the template of a
:class:`~sm_pipeline_iam.cdk.stackset_construct.ServiceManagedStackSet`."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Sequence
from typing import Any

from aws_cdk import App, BootstraplessSynthesizer, Stack

from ..core.organization.stackset import hard_coded_accounts


def stackset_template(
    build: Callable[..., Stack], *, stack_id: str, literal_accounts: Sequence[str] = ()
) -> str:
    """The template of the stack that ``build`` makes, synthesized in an ``App`` of its own
    (its output in a temporary directory): without an environment and without the
    bootstrap version check (``BootstraplessSynthesizer``), so that it resolves in every
    account a StackSet deploys it to. JSON text, minified, keys sorted (its size decides
    between ``TemplateBody`` and an S3 asset).

    Example::

        template = stackset_template(
            lambda scope, id, **props: WorkloadStack(scope, id, **props),
            stack_id="Workload", literal_accounts=[management_account])
        ServiceManagedStackSet(stack, "Workload", template=template, ou_ids=[...],
                               regions=["us-east-1"])

    Args:
        build: makes the workload stack: called as ``build(scope, stack_id,
            synthesizer=...)``; it passes ``synthesizer`` on to the ``Stack``.
        stack_id: the workload stack's id.
        literal_accounts: accounts whose ids must not appear in the template (the app's
            own): a template that names one would not resolve in the target accounts.
            Default: none.

    Raises:
        ValueError: the template names one of ``literal_accounts``.
    """
    app = App(outdir=tempfile.mkdtemp(prefix="sm-pipeline-iam-workload-"))
    build(app, stack_id, synthesizer=BootstraplessSynthesizer())
    template: Any = app.synth().get_stack_by_name(stack_id).template
    text = json.dumps(template, separators=(",", ":"), sort_keys=True)
    literal = hard_coded_accounts(text, literal_accounts)
    if literal:
        raise ValueError(
            f"the StackSet template names account {literal[0]} literally: it must resolve "
            "in each target account (use the stack's account token)"
        )
    return text
