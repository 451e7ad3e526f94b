"""What a rehearsal on moto cannot show: said with its result, never left for the reader
to guess.

Some limits hold for every app (moto evaluates no policy); the others follow from the
app's templates: a resource type moto has no CloudFormation model for is not created at
all (moto skips it and still reports the stack complete), one the read-back has no check
for is created but not compared.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .patches import MODELLED_TYPES

#: Said of every rehearsal.
ALWAYS = (
    "permissions: moto's IAM stores policies but evaluates none (resources, conditions, "
    "trust policies, permission boundaries are not enforced), so a deploy that works here "
    "proves no permission; the library's tests evaluate the policies with an IAM "
    "simulator, and in AWS the CDK's deployment roles and your SCPs decide",
    "the accounts are moto's: every account is empty but for the CDK bootstrap; "
    "quotas (roles per account, policy sizes beyond IAM's documented limits) and eventual "
    "consistency are not modelled",
)

#: Said when the templates hold a resource of the type.
BY_TYPE = {
    "AWS::Organizations::Policy": (
        "SCPs and RCPs: stored and attached to the stand-in organization's targets, never "
        "enforced; the organization is a stand-in with the root, OU and account ids your "
        "templates name, not your organization"
    ),
    "AWS::SageMaker::Pipeline": (
        "SageMaker pipelines: created, described and deleted, never run: no execution, "
        "job or step of them is exercised"
    ),
    "AWS::CloudFormation::StackSet": (
        "StackSets: only service-managed ones to OUs are modelled, and moto targets the "
        "accounts of an OU and of its direct child OUs only"
    ),
}


def unmodelled_types(resource_types: Iterable[str]) -> list[str]:
    """The types moto (with the adapter's patches) has no CloudFormation model for:
    it creates nothing for them. Imports moto's CloudFormation parser (a second or two)."""
    from moto.cloudformation import parsing

    known = set(parsing.get_model_map()) | set(MODELLED_TYPES) | set(parsing.NULL_MODELS)
    return sorted({t for t in resource_types if t not in known and not t.startswith("Custom::")})


def cannot_model(
    resource_types: Mapping[str, str], unmodelled: Iterable[str], unchecked: Mapping[str, str]
) -> list[str]:
    """The rehearsal's limits for an app: ``resource_types`` (``stack/logical id`` ->
    type, every resource of its templates), the ``unmodelled`` types, and the
    ``unchecked`` resources (``stack/logical id`` -> type: deployed, not read back)."""
    types = set(resource_types.values())
    lines = list(ALWAYS) + [line for kind, line in BY_TYPE.items() if kind in types]
    for kind in sorted(set(unmodelled)):
        where = sorted(key for key, found in resource_types.items() if found == kind)
        lines.append(f"{kind}: moto has no model, nothing was created for {', '.join(where)}")
    for kind in sorted(set(unchecked.values()) - set(unmodelled)):
        where = sorted(key for key, found in unchecked.items() if found == kind)
        lines.append(f"{kind}: deployed but not read back (no check for it): "
                     f"{', '.join(where)}")
    return lines
