"""Requirements -> IAM policy statements, as plain data: pure and deterministic.

The CDK layer turns these statements into ``iam.PolicyStatement``s; the CLI and the
report print them. ARNs are built from an :class:`ArnEnvironment`, whose fields may be
CDK token strings (the stack's partition, region and account) or concrete values.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..catalog.schema import ActionGroup, ResourceScope
from .requirements import PipelineRequirements
from .wildcards import groups_in_force, statement_reason

POLICY_VERSION = "2012-10-17"

#: IAM quotas, in characters without whitespace (AWS page "IAM and AWS STS quotas",
#: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
INLINE_POLICIES_LIMIT = 10_240
MANAGED_POLICY_LIMIT = 6_144
MANAGED_POLICIES_PER_ROLE = 10


@dataclass(frozen=True)
class ArnEnvironment:
    """The partition, region and account that ARNs are built in."""

    partition: str
    region: str
    account: str


#: The IAM path of the managed policies the library attaches to its roles (when a role's
#: permissions outgrow one inline policy): the SCP's statement 7 protects what lies under
#: it (``core.scp``).
LIBRARY_POLICY_PATH = "/sm-pipeline-iam/"

#: Placeholders that the CDK layer replaces with the stack's partition, region and account
#: tokens, and that sizing replaces with the longest real values. Statements are built once,
#: with these, so that the split measured for sizing is the split that is deployed.
PLACEHOLDERS = ArnEnvironment("${AWS::Partition}", "${AWS::Region}", "${AWS::AccountId}")

#: Stands for the ARN of the role a job-role statement is attached to, where the library
#: generates that role (an AutoML job passes its own role on to the jobs it starts: AWS page
#: "How to use SageMaker AI execution roles", CreateAutoMLJob and CreateAutoMLJobV2): the
#: CDK layer fills it with the role's ``role_arn``, sizing with the longest role ARN.
JOB_ROLE_ARN = "${JobRole.Arn}"

#: The longest value of each placeholder ('aws-us-gov' is the longest partition; region
#: names reach 14 characters), so that measured sizes are upper bounds.
_LONGEST = {
    PLACEHOLDERS.partition: "aws-us-gov",
    PLACEHOLDERS.region: "xx-xxxxxxxxx-9x",
    PLACEHOLDERS.account: "123456789012",
}


def render_longest(text: str) -> str:
    """``text`` with each placeholder replaced by its longest real value."""
    for placeholder, value in _LONGEST.items():
        text = text.replace(placeholder, value)
    return text


@dataclass(frozen=True)
class Statement:
    """One ``Allow`` statement.

    Attributes:
        sid: a statement id made of the catalog labels it serves.
        actions: sorted actions.
        resources: sorted resource ARNs (or ``("*",)``).
        condition: ``(operator, key, value)`` triples, empty for none.
        wildcard_reason: why its wildcard resources exist (the catalog groups merged
            into it: job names, a folder, a value known only at run time...), for the
            cdk-nag acknowledgements; not part of the IAM JSON, nor of equality.
    """

    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    condition: tuple[tuple[str, str, str], ...] = ()
    wildcard_reason: str = field(default="", compare=False)

    def to_json(self) -> dict[str, Any]:
        """The statement as IAM JSON (lists always, for stable diffs)."""
        document: dict[str, Any] = {
            "Sid": self.sid,
            "Effect": "Allow",
            "Action": list(self.actions),
            "Resource": list(self.resources),
        }
        if self.condition:
            document["Condition"] = self.condition_map()
        return document

    def condition_map(
        self, fill: Callable[[str], str] = str
    ) -> dict[str, dict[str, str | list[str]]]:
        """``{operator: {key: value}}``; a key given several values gets the list of them
        (IAM ORs a condition key's values). ``fill`` renders each value."""
        conditions: dict[str, dict[str, str | list[str]]] = {}
        for operator, key, value in self.condition:
            keys = conditions.setdefault(operator, {})
            if key not in keys:
                keys[key] = fill(value)
            else:
                previous = keys[key]
                keys[key] = [*([previous] if isinstance(previous, str) else previous),
                             fill(value)]
        return conditions

    def with_resources(self, resources: Sequence[str], part: int) -> Statement:
        """A copy that covers ``resources`` only, its sid marked with ``part``."""
        return replace(self, sid=f"{self.sid}Part{part}", resources=tuple(resources))


def policy_document(statements: Iterable[Statement]) -> dict[str, Any]:
    """A policy document holding ``statements``."""
    return {"Version": POLICY_VERSION, "Statement": [s.to_json() for s in statements]}


Render = Callable[[str], str]


def policy_size(statements: Iterable[Statement], render: Render = render_longest) -> int:
    """Characters of the document as IAM counts them for identity policies (no whitespace).

    ``render`` turns placeholders into the values to measure with (by default the
    longest real ones, so that the size is an upper bound).
    """
    return len(render(json.dumps(policy_document(statements), separators=(",", ":"))))


#: An S3 bucket's or object's ARN (``{name}``: ``bucket`` or ``bucket/key``).
S3_ARN = "arn:{partition}:s3:::{name}"


def _fill(template: str, env: ArnEnvironment, name: str) -> str:
    # Only the catalog's templates are parsed as format strings; values go in verbatim.
    return template.format(
        partition=env.partition, region=env.region, account=env.account, name=name
    )


def _group_resources(
    group: ActionGroup, names: Sequence[str], requirements: PipelineRequirements,
    env: ArnEnvironment,
) -> tuple[str, ...]:
    if group.scope is ResourceScope.NO_RESOURCE:
        # Only for actions that IAM gives no resource type (each named in the catalog).
        return ("*",)
    if group.scope is ResourceScope.FIXED:
        values: Sequence[str] = group.fixed_names
    elif group.scope is ResourceScope.GIVEN:
        assert group.binding is not None
        values = requirements.given_values(group.binding)
    else:
        values = names
    return tuple(sorted({_fill(group.arn_template, env, value) for value in values}))


class UnnamedResourcesError(ValueError):
    """A catalog group that the pipeline's steps call has no resources to grant it on."""


#: The create calls that name a model whose role the created resource then runs as, with
#: the condition operator on ``sagemaker:ModelArn`` (Service Authorization Reference:
#: both list the key). A transform job always names its model (API_CreateTransformJob
#: ``ModelName`` is required); an endpoint config for inference components names none
#: (API_CreateEndpointConfig), so there the key may be absent.
MODEL_ARN_ACTIONS: dict[str, str] = {
    "sagemaker:CreateTransformJob": "ArnLike",
    "sagemaker:CreateEndpointConfig": "ArnLikeIfExists",
}
MODEL_ARN = "arn:{partition}:sagemaker:{region}:{account}:model/{name}"


def _model_condition(action: str, names: Iterable[str], env: ArnEnvironment
                     ) -> tuple[tuple[str, str, str], ...]:
    """``sagemaker:ModelArn`` limited to the models ``names`` match: the job or config
    then cannot run another team's or pipeline's model, as that model's role."""
    operator = MODEL_ARN_ACTIONS[action]
    names = sorted(set(names))
    if not names:
        # No model named: a call without one only (an endpoint config for inference
        # components); a transform job, which always names one, is then never allowed.
        return (("Null", "sagemaker:ModelArn", "true"),)
    return tuple((operator, "sagemaker:ModelArn", _fill(MODEL_ARN, env, name))
                 for name in names)


def build_statements(
    requirements: PipelineRequirements, env: ArnEnvironment = PLACEHOLDERS
) -> list[Statement]:
    """Every statement the requirements need, merged where resources coincide, sorted.

    Actions of different catalog groups are merged into one statement only when their
    resources and conditions are identical, so merging never widens a grant.

    Raises:
        UnnamedResourcesError: a group of a chosen step type has no resources and is not
            in ``requirements.unused_groups`` (its calls would fail at run time).
    """
    merged: dict[tuple[tuple[str, ...], tuple[tuple[str, str, str], ...]], tuple[
        set[str], set[str]
    ]] = {}

    def add(label: str, actions: Iterable[str], resources: tuple[str, ...],
            condition: tuple[tuple[str, str, str], ...] = ()) -> None:
        if not resources:
            return
        labels, merged_actions = merged.setdefault((resources, condition), (set(), set()))
        labels.add(label)
        merged_actions.update(actions)

    for owner, step_names, group in groups_in_force(requirements):
        if group.lists_folders and group.binding is not None:
            for bucket, prefix in _folders(requirements.given_values(group.binding), env):
                add(group.label, group.actions, (bucket,),
                    (("StringLike", "s3:prefix", prefix),))
            continue
        names = requirements.group_names.get(group.label, step_names)
        resources = _group_resources(group, names, requirements, env)
        if not resources and group.label not in requirements.unused_groups:
            # Granting nothing would break the step at run time: never silently.
            raise UnnamedResourcesError(
                f"{group.label} ({', '.join(group.actions)}), needed by {owner}, has no "
                "resources in the requirements: name them, or list "
                f"{group.label!r} in unused_groups if no step makes these calls"
            )
        model_actions = [a for a in group.actions if a in MODEL_ARN_ACTIONS]
        if model_actions and requirements.model_names is not None and resources:
            add(group.label, [a for a in group.actions if a not in model_actions], resources)
            for action in model_actions:
                add(group.label, (action,), resources,
                    _model_condition(action, requirements.model_names, env))
            continue
        add(group.label, group.actions, resources)

    by_service: dict[str, set[str]] = {}
    for target in requirements.pass_roles:
        by_service.setdefault(target.service, set()).add(target.role_arn)
    for service, role_arns in by_service.items():
        add(
            f"PassRoleTo{_service_label(service)}",
            ("iam:PassRole",),
            tuple(sorted(role_arns)),
            (("StringEquals", "iam:PassedToService", service),),
        )

    add(
        "JsonGetReads",
        ("s3:GetObject",),
        tuple(
            sorted(
                {
                    _fill(S3_ARN, env, f"{o.bucket}/{o.key_pattern}")
                    for o in requirements.json_get_objects
                }
            )
        ),
    )

    statements = sorted(
        drop_subsumed([
            Statement("".join(sorted(labels)), tuple(sorted(actions)), resources, condition)
            for (resources, condition), (labels, actions) in merged.items()
        ]),
        key=lambda s: (s.sid, s.resources),
    )

    # --- why each statement's wildcards exist (cdk-nag acknowledgements, not IAM JSON) ---
    reasons = {
        key: statement_reason(requirements, labels, key[0])
        for key, (labels, _) in merged.items()
    }
    return [
        replace(statement, wildcard_reason=reasons[(statement.resources, statement.condition)])
        for statement in _unique_sids(statements)
    ]


def _pattern(resource: str) -> re.Pattern[str]:
    return re.compile(".*".join(
        ".".join(re.escape(part) for part in piece.split("?")) for piece in resource.split("*")
    ))


def _covers(wide: str, narrow: str) -> bool:
    """True when every ARN that ``narrow`` matches is matched by ``wide`` (IAM wildcards):
    ``narrow``'s own wildcards are read as characters that ``wide``'s may stand for."""
    return _pattern(wide).fullmatch(narrow) is not None


def drop_subsumed(statements: Sequence[Statement]) -> list[Statement]:
    """The statements less any whose every action and resource another statement with the
    same condition already allows: granting it again would change nothing (an existing EMR
    cluster's grant beside the grant on the clusters a step creates)."""
    kept = []
    for index, statement in enumerate(statements):
        subsumed = any(
            other_index != index
            and other.condition == statement.condition
            and set(statement.actions) <= set(other.actions)
            and all(any(_covers(wide, narrow) for wide in other.resources)
                    for narrow in statement.resources)
            # Of two identical statements keep the first.
            and not (set(other.actions) == set(statement.actions)
                     and set(other.resources) == set(statement.resources)
                     and other_index > index)
            for other_index, other in enumerate(statements)
        )
        if not subsumed:
            kept.append(statement)
    return kept


def render_environment(text: str, env: ArnEnvironment) -> str:
    """``text`` with the placeholders of :data:`PLACEHOLDERS` replaced by ``env``'s values."""
    for placeholder, value in zip(
        (PLACEHOLDERS.partition, PLACEHOLDERS.region, PLACEHOLDERS.account),
        (env.partition, env.region, env.account), strict=True,
    ):
        text = text.replace(placeholder, value)
    return text


def _folders(values: Sequence[str], env: ArnEnvironment) -> list[tuple[str, str]]:
    """(bucket ARN, ``s3:prefix`` pattern) for each ``bucket/key`` value that is a folder
    (``.../*``); a value naming one object needs no listing."""
    folders = set()
    for value in values:
        bucket, _, key = value.partition("/")
        if key.endswith("/*"):
            folders.add((_fill(S3_ARN, env, bucket), key))
    return sorted(folders)


def _unique_sids(statements: list[Statement]) -> list[Statement]:
    # Statements of one label with different resources (steps scoped apart) share a sid;
    # IAM wants sids unique within a policy.
    seen: dict[str, int] = {}
    unique: list[Statement] = []
    for statement in statements:
        count = seen.get(statement.sid, 0) + 1
        seen[statement.sid] = count
        sid = statement.sid if count == 1 else f"{statement.sid}{count}"
        unique.append(Statement(sid, statement.actions, statement.resources, statement.condition))
    return unique


def _service_label(service: str) -> str:
    # "sagemaker.amazonaws.com" -> "Sagemaker", "emr-serverless.amazonaws.com" -> "EmrServerless"
    head = service.split(".", 1)[0]
    return "".join(part.capitalize() for part in head.split("-"))


def pack_statements(
    statements: Sequence[Statement], limit: int, render: Render = render_longest
) -> list[list[Statement]]:
    """Split statements into documents of at most ``limit`` characters, in order.

    A statement too large for one document is split by its resources first.

    Raises:
        ValueError: one resource alone makes a statement larger than ``limit``.
    """
    pieces: list[Statement] = []
    for statement in statements:
        pieces.extend(_split_to_fit(statement, limit, render))
    documents: list[list[Statement]] = [[]]
    for piece in pieces:
        if documents[-1] and policy_size([*documents[-1], piece], render) > limit:
            documents.append([])
        documents[-1].append(piece)
    return [document for document in documents if document]


def _split_to_fit(statement: Statement, limit: int, render: Render) -> list[Statement]:
    size = policy_size([statement], render)
    if size <= limit:
        return [statement]
    if len(statement.resources) == 1:
        raise ValueError(
            f"statement {statement.sid} on {statement.resources[0]} alone is {size} "
            f"characters, over the {limit}-character policy limit"
        )
    parts: list[Statement] = []
    chunk: list[str] = []
    for resource in statement.resources:
        alone = statement.with_resources([resource], len(parts) + 1)
        if policy_size([alone], render) > limit:
            raise ValueError(
                f"statement {statement.sid} on {resource} alone is "
                f"{policy_size([alone], render)} characters, over the {limit}-character "
                "policy limit"
            )
        candidate = statement.with_resources([*chunk, resource], len(parts) + 1)
        if chunk and policy_size([candidate], render) > limit:
            parts.append(statement.with_resources(chunk, len(parts) + 1))
            chunk = []
        chunk.append(resource)
    parts.append(statement.with_resources(chunk, len(parts) + 1))
    return parts


# --- Measuring documents as CloudFormation will deploy them -------------------------------
#
# The sizes above are measured on the library's own statements, before any construct
# exists. Once a stack is synthesized, a role's policies are resolved CloudFormation
# values: documents in which an ARN may be an intrinsic ({"Ref": ...}, {"Fn::Join": ...})
# and which may hold statements others added. These functions measure such documents the
# same way: no whitespace, each pseudo parameter at its longest real value, and whatever
# stays unknown until deployment (a CDK token, a reference to another resource) as
# UNRESOLVED_SIZE characters.

#: What an unresolved value is measured as: longer than any role ARN (64-character name),
#: bucket ARN or job prefix that it may stand for.
UNRESOLVED_SIZE = 128

#: ``{"Ref": <pseudo parameter>}`` -> its longest real value ('amazonaws.com.cn' is the
#: longest URL suffix); the others are measured as unresolved.
_LONGEST_PSEUDO = {
    **{placeholder[2:-1]: value for placeholder, value in _LONGEST.items()},
    "AWS::URLSuffix": "amazonaws.com.cn",
}

#: A CDK string token, as it stands in an unresolved string.
_CDK_TOKEN = re.compile(r"\$\{Token\[[^\]]*\]\}")

#: A ``${Name}`` or ``${Name.Attribute}`` variable of ``Fn::Sub`` (``${!...}`` is literal).
_SUB_VARIABLE = re.compile(r"\$\{([^!}][^}]*)\}")


def intrinsic_key(value: Any) -> str:
    """A stable text for a resolved value, to look an intrinsic up in a mapping."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _is_intrinsic(value: Any) -> bool:
    # Any intrinsic, not only those the library emits (cfn.INTRINSICS): a user's policy may
    # hold Fn::Sub, Fn::ImportValue, Fn::Select...
    if not isinstance(value, dict) or len(value) != 1:
        return False
    (key,) = value
    return key == "Ref" or (isinstance(key, str) and key.startswith("Fn::"))


def render_resolved(value: Any, known: Mapping[str, str] | None = None) -> Any:
    """``value`` (resolved CloudFormation JSON) with each intrinsic as the longest string.

    Args:
        value: a resolved document or part of one.
        known: :func:`intrinsic_key` of an intrinsic -> the string to measure it as
            (e.g. a role's own ARN at the longest the role's path allows).

    Returns:
        The same structure, with strings where intrinsics were: pseudo parameters at
        their longest, ``Fn::Join`` and ``Fn::Sub`` put together from their parts, and
        anything else (a reference to a resource, an import, a CDK token left in a
        string) as :data:`UNRESOLVED_SIZE` characters.
    """
    known = known or {}
    unresolved = "x" * UNRESOLVED_SIZE
    if isinstance(value, str):
        return _CDK_TOKEN.sub(unresolved, render_longest(value))
    if isinstance(value, list):
        return [render_resolved(item, known) for item in value]
    if not isinstance(value, dict):
        return value
    if not _is_intrinsic(value):
        return {
            render_resolved(key, known): render_resolved(item, known)
            for key, item in value.items()
        }
    if intrinsic_key(value) in known:
        return known[intrinsic_key(value)]
    ((function, argument),) = value.items()
    if function == "Ref" and isinstance(argument, str) and argument in _LONGEST_PSEUDO:
        return _LONGEST_PSEUDO[argument]
    if function == "Fn::Join" and _is_join(argument):
        separator, parts = argument
        return str(separator).join(str(render_resolved(part, known)) for part in parts)
    if function == "Fn::Sub":
        return _render_sub(argument, known)
    return unresolved


def _is_join(argument: Any) -> bool:
    return (
        isinstance(argument, list)
        and len(argument) == 2
        and isinstance(argument[0], str)
        and isinstance(argument[1], list)
    )


def _render_sub(argument: Any, known: Mapping[str, str]) -> str:
    unresolved = "x" * UNRESOLVED_SIZE
    if isinstance(argument, str):
        template, variables = argument, {}
    elif (
        isinstance(argument, list)
        and len(argument) == 2
        and isinstance(argument[0], str)
        and isinstance(argument[1], dict)
    ):
        template, variables = argument
    else:
        return unresolved

    def variable(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in variables:
            return str(render_resolved(variables[name], known))
        return _LONGEST_PSEUDO.get(name, unresolved)

    return _SUB_VARIABLE.sub(variable, template).replace("${!", "${")


def document_size(document: Mapping[str, Any], known: Mapping[str, str] | None = None) -> int:
    """Characters of a resolved policy document as IAM counts them (no whitespace).

    Measured as :func:`policy_size` measures the library's statements: an upper bound,
    with intrinsics rendered by :func:`render_resolved`.
    """
    return len(json.dumps(render_resolved(dict(document), known), separators=(",", ":")))

