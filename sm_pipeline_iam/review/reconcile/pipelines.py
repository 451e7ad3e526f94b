"""The pipelines to reconcile: each one's steps, access plan, roles and their grants, read
from a synthesized assembly or from a definition and its bindings. No CDK import.

A role is known at run time by its ARN. A role the template names (``RoleName``) is
matched by that name; a role CloudFormation names is matched as CloudFormation names it:
``<stack name>-<logical id>-<random suffix>``, the first two shortened to fit IAM's 64
characters (AWS page "Name type",
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-name.html).
``role_names`` (``--role-name LOGICAL_ID=NAME``) names one outright.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ...core.catalog.schema import StepType
from ...core.catalog.services import SAGEMAKER
from ...core.definition.reader import DefinitionReading, load_definition, read_definition
from ...core.definition.rewrite import role_slots
from ...core.execution_role.policy import JOB_ROLE_ARN, Statement, build_statements
from ...core.execution_role.requirements import PassRoleTarget
from ...core.job_roles.policy import job_statements
from ...core.plan import EXECUTION_ROLE, PlannedCall, access_plan, job_role
from .. import report
from ..assembly import StackTemplate, read_assembly
from .grants import Grant


@dataclass
class RoleModel:
    """One role of a pipeline.

    Attributes:
        label: how the report names it (its logical id, or its ARN).
        serves: the plan's roles it plays (``execution``, ``job:<step>``).
        library: True when the library made it (its grants are the library's).
        grants: its (action, resource) pairs; empty for a role whose policies are not
            known (a kept role from elsewhere).
        arn: its ARN when known; else matched by ``name`` or ``name_prefixes``.
        name: its exact name, when the template or the caller gives it.
        name_prefixes: the ``<stack>-<logical id>`` CloudFormation names it by.
    """

    label: str
    serves: list[str]
    library: bool
    grants: list[Grant] = field(default_factory=list)
    arn: str = ""
    name: str = ""
    name_prefixes: tuple[str, str] | None = None

    def matches(self, role_arn: str) -> int:
        """How well ``role_arn`` (a session issuer's ARN) is this role: 0 not at all, else
        the length of what matched (the longest match wins between roles)."""
        if self.arn:
            return len(self.arn) if role_arn == self.arn else 0
        name = role_arn.rsplit("/", 1)[-1]
        if self.name:
            return len(self.name) if name == self.name else 0
        if self.name_prefixes is None:
            return 0
        stack, logical = self.name_prefixes
        head, dash, _suffix = name.rpartition("-")
        if not dash:
            return 0
        for index in (i for i, char in enumerate(head) if char == "-"):
            given_stack, given_logical = head[:index], head[index + 1:]
            if given_stack and given_logical and stack.startswith(given_stack) and (
                    logical.startswith(given_logical)):
                return len(head)
        return 0


@dataclass
class PipelineModel:
    """One pipeline: where it was read, its steps, plan and roles."""

    name: str
    source: str
    reading: DefinitionReading
    plan: list[PlannedCall]
    roles: list[RoleModel]
    kept_steps: list[str] = field(default_factory=list)

    @property
    def steps(self) -> list[tuple[str, StepType]]:
        """(step name, step type), in definition order."""
        return list(self.reading.steps)

    def plan_role_steps(self, plan_role: str) -> list[str]:
        """The steps whose calls a plan role makes (a job role: its step and the steps
        whose jobs run as it, such as a Transform running as its model's role)."""
        if plan_role == EXECUTION_ROLE:
            return [name for name, _ in self.reading.steps]
        found = [job.step for job in self.reading.jobs
                 if job_role(job.runs_as_step or job.step) == plan_role]
        return found or [plan_role.removeprefix("job:")]


class ModelError(ValueError):
    """The assembly or definition holds no pipeline that can be reconciled."""


def _grants(statements: Sequence[report.StatementRow]) -> list[Grant]:
    return [Grant(action, resource, row.sid, row.condition)
            for row in statements
            if row.effect == "Allow" and not row.not_actions and not row.not_resources
            for action in row.actions for resource in row.resources]


_ARN_REFERENCE = re.compile(r"^\$\{([A-Za-z0-9]+)(?:\.Arn)?\}$")


def from_assembly(directory: str | Path, *, parameter_values: Mapping[str, Sequence[str]]
                  | None = None, any_value_parameters: Sequence[str] = (),
                  manifest_locations: Mapping[str, Sequence[str]] | None = None,
                  role_names: Mapping[str, str] | None = None) -> list[PipelineModel]:
    """Every SageMaker pipeline of the assembly whose definition it holds.

    Raises:
        AssemblyError: the assembly cannot be read.
        ModelError: it holds no pipeline, or a definition the reader refuses.
    """
    stacks = read_assembly(directory)
    reviews = report.review_assembly(directory, scope_all=True)
    models: list[PipelineModel] = []
    notes: list[str] = []
    for stack, review in zip(stacks, reviews, strict=True):
        principals = {p.logical_id: p for p in review.principals if p.kind == "role"}
        for pipeline in review.pipelines:
            document = _definition(stack, pipeline.logical_id)
            if document is None:
                notes.append(f"{stack.name}/{pipeline.logical_id}: {pipeline.note}")
                continue
            models.append(_assembly_model(stack, pipeline, document, principals,
                                          parameter_values, any_value_parameters,
                                          manifest_locations, role_names or {}))
    if not models:
        detail = f" ({'; '.join(notes)})" if notes else ""
        raise ModelError(f"{directory}: the assembly holds no SageMaker pipeline whose "
                         f"definition it holds{detail}")
    return models


def _definition(stack: StackTemplate, logical_id: str) -> dict[str, Any] | None:
    properties = stack.template["Resources"][logical_id].get("Properties", {})
    body = properties.get("PipelineDefinition", {}).get("PipelineDefinitionBody")
    if body is None:
        return None
    text, _ = report.definition_text(body)
    try:
        document = json.loads(text) if text is not None else None
    except json.JSONDecodeError:
        return None
    return document if isinstance(document, dict) else None


def _assembly_model(stack: StackTemplate, pipeline: report.PipelineReview,
                    document: dict[str, Any], principals: Mapping[str, report.PrincipalReview],
                    parameter_values: Mapping[str, Sequence[str]] | None,
                    any_value_parameters: Sequence[str],
                    manifest_locations: Mapping[str, Sequence[str]] | None,
                    role_names: Mapping[str, str]) -> PipelineModel:
    generated = {step.name for step in pipeline.steps for value in step.roles
                 if _library_role(value, principals)}
    try:
        reading = read_definition(document, parameter_values=parameter_values,
                                  any_value_parameters=any_value_parameters,
                                  pipeline_name=pipeline.name, allow_unknown_step_types=True,
                                  replaced_role_steps=sorted(generated),
                                  manifest_locations=manifest_locations)
    except ValueError as error:
        raise ModelError(f"{stack.name}/{pipeline.logical_id}: the definition cannot be "
                         f"read: {error}") from None
    roles: dict[str, RoleModel] = {}

    def add(value: str, plan_role: str) -> None:
        match = _ARN_REFERENCE.match(value)
        principal = principals.get(match.group(1)) if match else None
        if principal is None:
            # A role from elsewhere (an ARN in the definition): its policies are unknown.
            model = roles.setdefault(value, RoleModel(value, [], False, arn=value))
        else:
            resource = stack.template["Resources"][principal.logical_id]
            given = resource.get("Properties", {}).get("RoleName")
            name = role_names.get(principal.logical_id) or (
                given if isinstance(given, str) else "")
            model = roles.setdefault(principal.logical_id, RoleModel(
                principal.logical_id, [], principal.description.endswith(
                    report.LIBRARY_MARK), _grants(principal.statements), name=name,
                name_prefixes=None if name else (stack.name, principal.logical_id)))
        if plan_role not in model.serves:
            model.serves.append(plan_role)

    add(pipeline.role, EXECUTION_ROLE)
    runs_as = {job.step: job.runs_as_step or job.step for job in reading.jobs}
    for step in pipeline.steps:
        for value in step.roles:
            add(value, job_role(runs_as.get(step.name, step.name)))
    kept = [step.name for step in pipeline.steps if step.roles and step.name not in generated]
    return PipelineModel(pipeline.name, f"{stack.name}/{pipeline.logical_id}", reading,
                         access_plan(reading), list(roles.values()), kept)


def _library_role(value: str, principals: Mapping[str, report.PrincipalReview]) -> bool:
    match = _ARN_REFERENCE.match(value)
    principal = principals.get(match.group(1)) if match else None
    return principal is not None and principal.description.endswith(report.LIBRARY_MARK)


def from_definition(path: Path, *, execution_role: str, pipeline_name: str | None,
                    parameter_values: Mapping[str, Sequence[str]] | None = None,
                    any_value_parameters: Sequence[str] = (),
                    manifest_locations: Mapping[str, Sequence[str]] | None = None,
                    job_roles: Mapping[str, str] | None = None,
                    keep_roles_for: Sequence[str] = ()) -> PipelineModel:
    """The pipeline of a deployed definition (``describe-pipeline``'s
    ``PipelineDefinition``): the execution role is ``execution_role``; each step's job role
    is the ARN its role field holds, or ``job_roles[step]``, which replaces it (the
    execution role passes the given role, not the definition's, as with the constructs'
    roles); the grants are those the library makes for the bindings given, but for
    ``keep_roles_for``, whose roles are the user's (grants unknown; their role fields are
    not replaced).

    Raises:
        DefinitionError: the definition cannot be read with these bindings.
    """
    document = load_definition(path)
    # A job role given for a step replaces the definition's role there, as the constructs
    # do: the execution role passes the given role, not the one the definition names.
    replaced = {step: arn for step, arn in (job_roles or {}).items()
                if step not in keep_roles_for}
    reading = read_definition(document, parameter_values=parameter_values,
                              any_value_parameters=any_value_parameters,
                              pipeline_name=pipeline_name, allow_unknown_step_types=True,
                              replaced_role_steps=sorted(replaced),
                              manifest_locations=manifest_locations)
    passed = frozenset(PassRoleTarget(arn, SAGEMAKER) for arn in replaced.values())
    requirements = replace(reading.requirements,
                           pass_roles=reading.requirements.pass_roles | passed)
    execution = RoleModel(execution_role, [EXECUTION_ROLE], True,
                          _statement_grants(build_statements(requirements)),
                          arn=execution_role)
    roles: dict[str, RoleModel] = {execution_role: execution}
    given = {slot.step: slot.value for slot in role_slots(document)
             if isinstance(slot.value, str)}
    given.update(job_roles or {})
    for job in reading.jobs:
        plan_role = job_role(job.runs_as_step or job.step)
        owner = job.runs_as_step or job.step
        arn = given.get(owner) or given.get(job.step)
        if not arn:
            continue
        kept = owner in keep_roles_for
        model = roles.setdefault(arn, RoleModel(arn, [], not kept, [], arn=arn))
        if not kept:
            # The reader names a replaced step's own role by placeholder: here it is known.
            model.grants.extend(_statement_grants(job_statements(job), {JOB_ROLE_ARN: arn}))
        if plan_role not in model.serves:
            model.serves.append(plan_role)
    return PipelineModel(pipeline_name or path.stem, str(path), reading, access_plan(reading),
                         list(roles.values()), list(keep_roles_for))


def _statement_grants(statements: Sequence[Statement], names: Mapping[str, str] | None = None
                      ) -> list[Grant]:
    """The statements' grants, each resource named in ``names`` replaced by its value."""
    names = names or {}
    return [Grant(action, names.get(resource, resource), statement.sid,
                  "; ".join(f"{op} {key} = {value}" for op, key, value in statement.condition))
            for statement in statements for action in statement.actions
            for resource in statement.resources]
