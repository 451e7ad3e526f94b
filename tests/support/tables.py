"""Allow/deny tables: requests built from the catalog, decided by iam-simulate."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from iamsim import Request, simulate
from sm_pipeline_iam.core.catalog.schema import ResourceScope, StepType
from sm_pipeline_iam.core.catalog.steps import CATALOG
from sm_pipeline_iam.core.execution_role.policy import MODEL_ARN, MODEL_ARN_ACTIONS

from .cfn import ACCOUNT, REGION, Resolver, identity_policies

OTHER_ACCOUNT = "444455556666"
SAGEMAKER = "sagemaker.amazonaws.com"

#: The principal of a request; ``decide`` fills in the role that asks.
PRINCIPAL = "arn:aws:iam::{account}:role/{name}"


def role_ids(resolver: Resolver) -> list[str]:
    """Logical ids of the template's roles."""
    return [
        logical_id
        for logical_id, resource in resolver.template["Resources"].items()
        if resource["Type"] == "AWS::IAM::Role"
    ]


def only_role_id(resolver: Resolver) -> str:
    """The logical id of the template's one role."""
    roles = role_ids(resolver)
    assert len(roles) == 1, roles
    return roles[0]


def role_id_of(resolver: Resolver, construct_id: str) -> str:
    """The logical id of the stack-level role ``construct_id`` (the id and an 8-hex hash)."""
    matches = [
        r
        for r in role_ids(resolver)
        if r.startswith(construct_id) and len(r) == len(construct_id) + 8
    ]
    assert len(matches) == 1, (construct_id, role_ids(resolver))
    return matches[0]


def job_arn(template: str, name: str, *, account: str = ACCOUNT, region: str = REGION) -> str:
    """A concrete ARN from a catalog template (``job/*/`` gets a job category)."""
    concrete = template.replace("job/*/", "job/training/")
    return concrete.format(partition="aws", region=region, account=account, name=name)


def named_requests(
    step_types: Iterable[StepType], job_name: str, tag: str, **where: str
) -> list[Request]:
    """One request per (step type, name-scoped action) on a resource named ``job_name``."""
    requests = []
    for step_type in step_types:
        for group in CATALOG[step_type].action_groups:
            # Variant groups apply only where a definition switches them on.
            if group.scope not in (ResourceScope.JOB_NAME, ResourceScope.USER_NAME) or (
                group.variant is not None
            ):
                continue
            for action in group.actions:
                arn = job_arn(group.arn_template, job_name, **where)
                # A transform job or endpoint config runs a model of the same name.
                context = {"sagemaker:ModelArn": job_arn(MODEL_ARN, job_name, **where)} if (
                    action in MODEL_ARN_ACTIONS) else {}
                requests.append(Request(f"{tag}:{step_type.value}:{action}:{arn}", PRINCIPAL,
                                        action, arn, context))
    return requests


def pass_role(role_arn: str, service: str) -> Request:
    """A PassRole request of ``role_arn`` to ``service``."""
    return Request(
        f"pass {role_arn} to {service}",
        PRINCIPAL,
        "iam:PassRole",
        role_arn,
        {"iam:PassedToService": service},
    )


def decide(
    resolver: Resolver,
    requests: Iterable[Request],
    *,
    role_id: str | None = None,
    principal_account: str = ACCOUNT,
) -> dict[str, str]:
    """Evaluate ``requests`` as a role of the template (in ``principal_account``)."""
    role_id = role_id or only_role_id(resolver)
    principal = PRINCIPAL.format(account=principal_account, name=resolver.role_name(role_id))
    unique = {r.id: Request(r.id, principal, r.action, r.resource, r.context,
                            literal=r.literal) for r in requests}
    decisions = simulate(
        list(unique.values()), identity_policies=identity_policies(resolver, role_id)
    )
    return {request_id: decision.result for request_id, decision in decisions.items()}


def assert_all(results: Mapping[str, str], expected: str) -> None:
    """Every request got ``expected``; the message lists those that did not."""
    assert results, "no request was evaluated"
    wrong = {request_id: result for request_id, result in results.items() if result != expected}
    assert not wrong, f"expected {expected} for every request, got:\n" + "\n".join(
        f"  {request_id}: {result}" for request_id, result in sorted(wrong.items())
    )
