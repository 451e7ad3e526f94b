"""What a pipeline needs from its execution role, as plain data, and how to gather it.

A :class:`PipelineRequirements` is built from a list of step types (here) or from a
pipeline definition; the policy builder turns it into statements. No CDK import.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .. import naming
from ..arns import ROLE_ARN
from ..catalog.bindings import BINDINGS, Binding
from ..catalog.schema import ResourceScope, StepType
from ..catalog.services import SAGEMAKER
from ..catalog.steps import spec_for, step_names, step_types_using
from ..errors import Problem
from ..locations import S3ObjectPattern, parse_s3_folder
from ..notices import MIXED_CASE_PREFIX, SDK_IGNORES_PREFIX, UNSCOPED_USER_NAMES, Notice


@dataclass(frozen=True, order=True)
class PassRoleTarget:
    """A role the execution role may pass, and the service it may pass it to."""

    role_arn: str
    service: str


@dataclass(frozen=True)
class PipelineRequirements:
    """Everything the execution role must allow, and nothing more.

    Attributes:
        step_types: the step types the pipeline runs.
        name_patterns: per name-scoped step type, the patterns its job or resource
            names match (``team-a-*``, ``pipelines-*``).
        pass_roles: roles the execution role may pass, each to one service.
        json_get_objects: the S3 objects ``JsonGet`` reads.
        given: per binding, the caller-given values (function ARNs, queue ARNs, EMR
            cluster ids, EMR Serverless application ids, S3 object patterns).
        group_names: per catalog group label, names that replace the step's
            ``name_patterns`` for that group (e.g. a model package group's name).
        variants: the catalog variants in use (e.g. an EMR step creating its cluster).
        unused_groups: labels of catalog groups that the pipeline's steps never call
            (e.g. the model package group actions of a step that registers an
            unversioned package), as a definition shows; the policy builder grants them
            nothing, and fails on any other group left without resources.
        model_names: the name patterns of the models that the pipeline's transform jobs and
            endpoint configs may use (``sagemaker:ModelArn``): the models its steps make or
            name, or the prefix's; None (the default) when nothing narrows them.
        notices: warnings about choices the user should know of.
    """

    step_types: frozenset[StepType]
    name_patterns: Mapping[StepType, tuple[str, ...]] = field(default_factory=dict)
    pass_roles: frozenset[PassRoleTarget] = frozenset()
    json_get_objects: tuple[S3ObjectPattern, ...] = ()
    given: Mapping[Binding, tuple[str, ...]] = field(default_factory=dict)
    group_names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    variants: frozenset[str] = frozenset()
    unused_groups: frozenset[str] = frozenset()
    model_names: tuple[str, ...] | None = None
    notices: tuple[Notice, ...] = ()

    def given_values(self, binding: Binding) -> tuple[str, ...]:
        """The caller-given values for ``binding`` (empty when none)."""
        return self.given.get(binding, ())


def parse_step_types(values: Iterable[StepType | str], *, prop: str) -> tuple[
    list[StepType], list[Problem]
]:
    """Read step types given as members or ``Type`` strings; collect problems."""
    parsed: list[StepType] = []
    problems: list[Problem] = []
    for value in values:
        try:
            parsed.append(StepType.parse(value))
        except ValueError as error:
            problems.append(Problem(prop, "unknownStepType", f"{prop}: {error}"))
    if not parsed and not problems:
        problems.append(Problem(
            prop,
            "empty",
            f"{prop} is empty: name the step types the pipeline runs (e.g. ['Processing', "
            "'Training'])",
        ))
    return parsed, problems


def name_patterns_for(
    step_types: Iterable[StepType], job_prefix: str | None
) -> tuple[dict[StepType, tuple[str, ...]], list[Notice]]:
    """The name patterns of each name-scoped step type, and the notices they raise.

    ``job_prefix`` is None for the default naming; a prefix that is a CDK token is
    passed through as-is (it is neither validated nor case-folded).
    """
    patterns: dict[StepType, tuple[str, ...]] = {}
    unscoped: list[str] = []
    for step_type in sorted(set(step_types), key=lambda s: s.value):
        # Variant groups apply only where a definition switches them on.
        scopes = {
            group.scope for group in spec_for(step_type).action_groups if group.variant is None
        }
        if ResourceScope.JOB_NAME in scopes:
            patterns[step_type] = (
                naming.prefix_patterns(job_prefix) if job_prefix else naming.default_patterns()
            )
        elif ResourceScope.USER_NAME in scopes:
            if job_prefix:
                patterns[step_type] = naming.prefix_patterns(job_prefix)
            else:
                patterns[step_type] = (naming.ANY_NAME,)
                unscoped.append(step_type.value)
    notices: list[Notice] = []
    if job_prefix and naming.is_mixed_case(job_prefix):
        notices.append(
            Notice(
                MIXED_CASE_PREFIX,
                f"job_prefix {job_prefix!r} has upper-case letters; whether SageMaker "
                "lower-cases names inside job ARNs is unconfirmed, so the policy allows both "
                f"'{job_prefix}-*' and '{job_prefix.lower()}-*'. Use a lower-case prefix to "
                "allow one spelling only.",
            )
        )
    if unscoped:
        notices.append(
            Notice(
                UNSCOPED_USER_NAMES,
                f"{', '.join(unscoped)} steps create resources whose names you choose, not "
                "the pipeline; without job_prefix their permissions cover every such resource "
                "in the account and region. Set job_prefix and name them '<prefix>-...', or "
                "derive the role from the pipeline definition.",
            )
        )
    return patterns, notices


def sdk_prefix_caveats(step_types: Iterable[StepType], job_prefix: str) -> list[Notice]:
    """A warning per chosen step type whose jobs SDK v3 does not name with the prefix:
    a prefix-scoped role would deny them."""
    return [
        Notice(
            SDK_IGNORES_PREFIX,
            f"{step_type.value} jobs may be denied: {spec.sdk_prefix_caveat}, so such jobs "
            f"are not named '{job_prefix}-...'. Use the step's other form, or run such "
            "steps under a role that allows their default names.",
        )
        for step_type in sorted(set(step_types), key=lambda s: s.value)
        if (spec := spec_for(step_type)).sdk_prefix_caveat
    ]


def sagemaker_pass_roles(
    step_types: Iterable[StepType], role_arns: Iterable[str]
) -> frozenset[PassRoleTarget]:
    """PassRole targets for roles handed to SageMaker jobs, if any step hands one."""
    if not any(SAGEMAKER in spec_for(s).passes_role_to for s in step_types):
        return frozenset()
    return frozenset(PassRoleTarget(arn, SAGEMAKER) for arn in role_arns)


def wide_role_arns(arns: Iterable[str]) -> list[str]:
    """The literal ARNs among ``arns`` that are not one role's ARN (a wildcard, another
    kind of resource): passing them would pass every role they match. Tokens are left to
    deploy time."""
    return [arn for arn in arns if not has_token_marker(arn) and not ROLE_ARN.fullmatch(arn)]


def role_arn_problems(prop: str, arns: Iterable[str]) -> list[Problem]:
    """A problem for the first ARN of the roles given as ``prop`` that is not one role's."""
    wide = wide_role_arns(arns)
    return [Problem(
        prop, "notOneRole",
        f"{prop} holds a role whose ARN {wide[0]!r} is not one role's ARN: import each "
        "role by its exact ARN (iam.Role.from_role_arn(stack, 'Id', "
        "'arn:aws:iam::111122223333:role/name'))",
    )] if wide else []


def integration_pass_roles(
    step_types: Iterable[StepType], resources: GivenResources
) -> tuple[frozenset[PassRoleTarget], list[Problem]]:
    """PassRole targets for the runtime roles that integration steps (EMR, EMRServerless)
    hand to their services (each binding's ``role``); collect problems (a required role
    missing, roles for no chosen step, not role ARNs)."""
    chosen = set(step_types)
    targets: set[PassRoleTarget] = set()
    problems: list[Problem] = []
    for spec in BINDINGS.values():
        if spec.role is None:
            continue
        prop, service = spec.role.field.name, spec.role.service
        users = step_types_using(spec.binding)
        arns = list(getattr(resources, prop))
        if not chosen.intersection(users):
            if arns:
                problems.append(Problem(prop, "unused", (
                    f"{prop} is given but no chosen step type uses it: remove it or add "
                    f"{step_names(users)} to step_types"
                )))
            continue
        if spec.role.required and not arns:
            problems.append(Problem(prop, "empty", (
                f"{prop} is empty but {step_names(users)} steps need a runtime role: name the "
                "roles their ExecutionRoleArn holds"
            )))
        wide = wide_role_arns(arns)
        problems += [Problem(prop, "notAnArn", (
            f"{prop} {arn!r} is not a role ARN "
            "(arn:aws:iam::111122223333:role/name): name one role, without wildcards"
        )) for arn in wide]
        targets.update(PassRoleTarget(arn, service) for arn in arns if arn not in wide)
    return frozenset(targets), problems


@dataclass(frozen=True)
class GivenResources:
    """Resources that integration steps act on, named by the caller.

    One field per binding, then one per runtime role, as
    :data:`~sm_pipeline_iam.core.catalog.bindings.GIVEN_FIELDS` lists them (that table says
    what each field holds and the form of its items).

    Attributes:
        lambda_function_arns: functions that Lambda steps invoke.
        callback_queue_arns: queues that Callback steps send to.
        emr_cluster_ids: clusters that EMR steps add steps to (``j-...``).
        emr_serverless_application_ids: applications that EMRServerless steps run on.
        cleanup_locations: ``s3://bucket/prefix`` folders that Cleanup steps delete from.
        emr_role_arns: the runtime roles EMR steps run their steps as (``ExecutionRoleArn``),
            passed to EMR only. Default: none (the cluster's own role runs them).
        emr_serverless_role_arns: the job runtime roles of EMRServerless steps
            (``ExecutionRoleArn``, which the step requires), passed to EMR Serverless only.
    """

    lambda_function_arns: Sequence[str] = ()
    callback_queue_arns: Sequence[str] = ()
    emr_cluster_ids: Sequence[str] = ()
    emr_serverless_application_ids: Sequence[str] = ()
    cleanup_locations: Sequence[str] = ()
    emr_role_arns: Sequence[str] = ()
    emr_serverless_role_arns: Sequence[str] = ()


def has_token_marker(value: str) -> bool:
    """True when ``value`` holds a CDK token's string marker (``${Token[...]}``): a value
    CloudFormation fills in at deploy time, taken as it is. The core cannot ask the CDK
    (``Token.is_unresolved``), so it looks for the marker in the text."""
    return "${Token[" in value


def given_for(
    step_types: Iterable[StepType], resources: GivenResources
) -> tuple[dict[Binding, tuple[str, ...]], list[Problem]]:
    """Match caller-given resources to the step types that need them; collect problems.

    A step type whose permissions need resources the caller did not give is a problem
    (it would otherwise get ``*``); resources given for no chosen step type are too.
    """
    chosen = set(step_types)
    given: dict[Binding, tuple[str, ...]] = {}
    problems: list[Problem] = []
    for binding, spec in BINDINGS.items():
        values = tuple(getattr(resources, binding.value))
        users = sorted(s.value for s in step_types_using(binding) if s in chosen)
        if users and not values:
            problems.append(Problem(
                binding.value,
                "empty",
                f"{binding.value} is empty but step types {', '.join(users)} need it: name "
                f"the resources those steps use, so that they are not granted on '*'",
            ))
        elif values and not users:
            problems.append(Problem(
                binding.value,
                "unused",
                f"{binding.value} is given but no chosen step type uses it: remove it or add "
                "the step type that does",
            ))
        form = spec.form
        for value in values:
            if form is None or has_token_marker(value) or form.pattern.fullmatch(value):
                continue
            problems.append(Problem(
                binding.value,
                form.code,
                f"{binding.value} {value!r} is not {form.what} ({spec.example}): name one "
                "resource, without wildcards",
            ))
        if form is None:
            # S3 locations: each folder becomes the pattern of the objects under it.
            patterns: list[str] = []
            for uri in values:
                pattern, uri_problems = parse_s3_folder(uri, prop=binding.value)
                problems.extend(uri_problems)
                if pattern is not None:
                    patterns.append(f"{pattern.bucket}/{pattern.key_pattern}")
            values = tuple(patterns)
        if users and values:
            given[binding] = tuple(sorted(set(values)))
    return given, problems


def json_get_objects_for(
    locations: Iterable[str],
) -> tuple[tuple[S3ObjectPattern, ...], list[Problem]]:
    """Parse ``JsonGet`` folders; collect problems."""
    objects: set[S3ObjectPattern] = set()
    problems: list[Problem] = []
    for uri in locations:
        pattern, uri_problems = parse_s3_folder(uri, prop="json_get_locations")
        problems.extend(uri_problems)
        if pattern is not None:
            objects.add(pattern)
    return tuple(sorted(objects)), problems


def from_step_types(
    step_types: Iterable[StepType | str],
    *,
    job_prefix: str | None = None,
    validate_prefix: bool = True,
    step_role_arns: Iterable[str] = (),
    json_get_locations: Iterable[str] = (),
    resources: GivenResources | None = None,
) -> tuple[PipelineRequirements, list[Problem]]:
    """Gather the requirements of a pipeline described by its step types.

    Args:
        step_types: step types as :class:`StepType` or ``Type`` strings.
        job_prefix: the custom job prefix; None for the default naming.
        validate_prefix: False when ``job_prefix`` is a CDK token.
        step_role_arns: roles the pipeline passes to its SageMaker jobs (the execution
            role's own ARN included, since steps run as it by default).
        json_get_locations: ``s3://bucket/prefix`` folders that ``JsonGet`` reads.
        resources: the resources of integration steps.

    Returns:
        The requirements, and every problem found (empty when the input is valid).
    """
    parsed, problems = parse_step_types(step_types, prop="step_types")
    if job_prefix is not None and validate_prefix:
        problems.extend(naming.prefix_problems(job_prefix, parsed))
    patterns, notices = name_patterns_for(parsed, job_prefix)
    if job_prefix:
        notices += sdk_prefix_caveats(parsed, job_prefix)
    resources = resources or GivenResources()
    given, given_problems = given_for(parsed, resources)
    emr_roles, role_problems = integration_pass_roles(parsed, resources)
    objects, object_problems = json_get_objects_for(json_get_locations)
    problems.extend(given_problems + role_problems + object_problems)
    requirements = PipelineRequirements(
        step_types=frozenset(parsed),
        name_patterns=patterns,
        pass_roles=sagemaker_pass_roles(parsed, step_role_arns) | emr_roles,
        json_get_objects=objects,
        given=given,
        # Models named '<prefix>-*' are the prefix's own: another team's are not.
        model_names=naming.prefix_patterns(job_prefix) if job_prefix else None,
        notices=tuple(notices),
    )
    return requirements, problems
