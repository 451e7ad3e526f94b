"""What a pipeline definition needs, in words (text) or data (JSON). No CDK import."""

from __future__ import annotations

import json
from typing import Any

from ..core.catalog.bindings import Binding
from ..core.definition.parameters import ANY_VALUE, BOUND, DEFAULT, NO_GRANT, ParameterScope
from ..core.definition.reader import DefinitionReading
from ..core.execution_role.policy import PLACEHOLDERS
from ..core.execution_role.wildcards import wide_grant_notices
from ..core.notices import UNRESOLVED_VALUE, Notice, Unresolved
from ..core.plan import EXECUTION_ID, EXECUTION_ROLE, SAMPLE_ENV, access_plan, job_role

#: How the reader writes a role the definition gives by name (SageMaker takes it in the
#: pipeline's own account): the stack fills in the partition and account.
_ROLE_BY_NAME = f"arn:{PLACEHOLDERS.partition}:iam::{PLACEHOLDERS.account}:role/"


def role_text(arn: str) -> str:
    """A role as the definition gives it: a name stays a name (no partition or account is
    known before a stack deploys it), an ARN its ARN."""
    if arn.startswith(_ROLE_BY_NAME):
        return (f"{arn.removeprefix(_ROLE_BY_NAME)} (a role name: its ARN takes the "
                "partition and account of the stack that deploys the pipeline)")
    return arn


def warnings(reading: DefinitionReading) -> list[Notice]:
    """Every warning a role derived from the definition raises: the execution role's
    (the reader's, and one per grant on '*' or a whole resource type) and the job roles'
    (an input left open by an unbound parameter widens a job role, not the execution
    role)."""
    requirements = reading.requirements
    jobs = [notice for job in reading.jobs for notice in job.notices]
    return list(dict.fromkeys([*requirements.notices, *wide_grant_notices(requirements),
                               *jobs]))


def unresolved(reading: DefinitionReading) -> list[Unresolved]:
    """Every value that binding a parameter would narrow, the execution role's and the
    job roles', once each."""
    return list(dict.fromkeys([*reading.unresolved,
                               *(u for job in reading.jobs for u in job.unresolved)]))


def to_data(reading: DefinitionReading) -> dict[str, Any]:
    """The reading as plain data."""
    requirements = reading.requirements
    return {
        "steps": [{"name": name, "type": step_type.value} for name, step_type in reading.steps],
        "step_types": sorted(t.value for t in requirements.step_types),
        "job_name_scopes": [
            {"step": s.step, "type": s.step_type.value, "resource": s.resource,
             "patterns": list(s.patterns)}
            for s in reading.scopes
        ],
        "roles_passed": [
            {"role": t.role_arn, "service": t.service} for t in sorted(requirements.pass_roles)
        ],
        "s3_read_by_json_get": [str(o) for o in requirements.json_get_objects],
        "integrations": {
            binding.value: list(values) for binding, values in sorted(
                requirements.given.items(), key=lambda item: item[0].value)
        },
        "creates": sorted(requirements.variants),
        "unresolved": [
            {"step": u.step, "field": u.field, "pattern": u.pattern,
             "parameters": list(u.parameters), "how_to_bind": u.message()}
            for u in unresolved(reading)
        ],
        "parameters": parameters_data(reading),
        "warnings": [{"id": n.id, "message": n.message} for n in warnings(reading)],
    }


def parameters_data(reading: DefinitionReading) -> list[dict[str, Any]]:
    """Each parameter's scope as plain data: ``bound``, ``default``, ``any value`` (a
    finding: ``any_value_parameters``) or ``no grant``, its values and the fields it scopes."""
    return [{"name": p.name, "scope": p.scope, "values": list(p.values),
             "fields": list(p.fields), "finding": p.scope == ANY_VALUE}
            for p in reading.parameters]


def _parameter_line(parameter: ParameterScope) -> str:
    values = ", ".join(parameter.values)
    scope = {
        BOUND: f"bound to {values} (parameter_values)",
        DEFAULT: f"scoped to its default {values} (bind it to allow more)",
        ANY_VALUE: "FINDING: any value (any_value_parameters): its grants are the widest "
                   "pattern",
    }.get(parameter.scope, "no grant depends on it")
    fields = f"; scopes {', '.join(parameter.fields)}" if parameter.fields and (
        parameter.scope != NO_GRANT) else ""
    return f"  {parameter.name}: {scope}{fields}"


def _parameter_lines(reading: DefinitionReading) -> list[str]:
    return ["", "Parameters:"] + (
        [_parameter_line(p) for p in reading.parameters] or ["  none"])


def to_text(reading: DefinitionReading) -> str:
    """The reading as a text a reviewer reads top to bottom."""
    data = to_data(reading)
    lines = [f"Step types: {', '.join(data['step_types'])}", "", "Job-name scopes:"]
    lines += [
        f"  {s['step']} ({s['type']}, {s['resource']}): {', '.join(s['patterns']) or 'none'}"
        for s in data["job_name_scopes"]
    ] or ["  none"]
    lines += ["", "Roles passed:"]
    lines += [f"  {role_text(r['role'])} -> {r['service']}" for r in data["roles_passed"]
              ] or ["  none"]
    lines += ["", "S3 objects JsonGet reads:"]
    lines += [f"  {o}" for o in data["s3_read_by_json_get"]] or ["  none"]
    for binding in Binding:
        values = data["integrations"].get(binding.value)
        if values:
            lines += ["", f"{binding.description}:"] + [f"  {v}" for v in values]
    if data["creates"]:
        lines += ["", "Creates its own: " + ", ".join(data["creates"])]
    lines += _parameter_lines(reading)
    lines += ["", "Unresolved values:"]
    lines += [f"  {u['how_to_bind']}" for u in data["unresolved"]] or ["  none"]
    others = [w for w in data["warnings"] if w["id"] != UNRESOLVED_VALUE]
    if others:
        lines += ["", "Warnings:"] + [f"  [{w['id']}] {w['message']}" for w in others]
    return "\n".join(lines) + "\n"


def to_json(reading: DefinitionReading) -> str:
    """The reading as JSON."""
    return json.dumps(to_data(reading), indent=2, sort_keys=True)


# --- the access plan (explain --plan) -----------------------------------------------------


def plan_data(reading: DefinitionReading) -> dict[str, Any]:
    """The access plan as plain data: the sample values its ARNs are written with, each
    call, each job role's role today, and the warnings."""
    today: dict[str, list[str]] = {}
    for job in reading.jobs:
        today.setdefault(job_role(job.runs_as_step or job.step), []).extend(job.role_arns)
    return {
        "sample": {"partition": SAMPLE_ENV.partition, "region": SAMPLE_ENV.region,
                   "account": SAMPLE_ENV.account, "execution_id": EXECUTION_ID},
        "calls": [call.to_data() for call in access_plan(reading)],
        "roles_today": {role: sorted(set(arns)) for role, arns in today.items()},
        "parameters": parameters_data(reading),
        "warnings": [{"id": n.id, "message": n.message} for n in warnings(reading)],
    }


def plan_to_text(reading: DefinitionReading) -> str:
    """The access plan as a text: per role, each call (action, resource, condition keys)
    with why it is made."""
    data = plan_data(reading)
    sample = data["sample"]
    lines = [
        "Access plan: every call made while the pipeline runs, by the role that makes it",
        f"(sample values: partition {sample['partition']}, region {sample['region']}, "
        f"account {sample['account']}, execution id {sample['execution_id']})",
        *_parameter_lines(reading),
    ]
    role = None
    for call in data["calls"]:
        if call["role"] != role:
            role = call["role"]
            if role == EXECUTION_ROLE:
                title = "Execution role"
            else:
                arns = data["roles_today"].get(role)
                # What the definition runs the job as before the library's role replaces it.
                title = f"Role of {role} " + (
                    f"(the definition runs it as {', '.join(map(role_text, arns))} today)"
                    if arns else "(the definition names no role ARN for it today: a role "
                    "name, a parameter or a step property, or none)")
            lines += ["", f"{title}:"]
        context = ", ".join(f"{k}={v}" for k, v in call["context"].items())
        marks = [m for m, on in (("inferred", call["inferred"]),
                                 ("lower-cased spelling", call["alternate_spelling"])) if on]
        lines.append(f"  {call['action']} {call['resource']}"
                     + (f" [{context}]" if context else "")
                     + (f" ({', '.join(marks)})" if marks else ""))
        lines.append(f"      {call['why']}")
    if data["warnings"]:
        lines += ["", "Warnings:"] + [f"  [{w['id']}] {w['message']}" for w in data["warnings"]]
    return "\n".join(lines) + "\n"


def plan_to_json(reading: DefinitionReading) -> str:
    """The access plan as JSON."""
    return json.dumps(plan_data(reading), indent=2, sort_keys=True)
