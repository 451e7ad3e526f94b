"""The access plan (core.plan), held against the execution role the policy builder makes.

The plan is written from the catalog and the definition reader, independently of
``policy.build_statements`` and ``job_policy.job_statements``: here a real IAM engine
(iam-simulate) allows every call the plan says the execution role makes, the role may
pass each job role to SageMaker only, and no statement of the role is left that no
planned call needs (the mutation check). tests/test_job_permissions.py does the same for
the roles the jobs run as.

Every SDK-built fixture (tests/fixtures/definitions) is read with each S3 parameter bound
to its default value and the pipeline's name given (the values executions use), so that
no grant is widened to ``*`` by an unbound value.

The mutation check removes one *unit* at a time from a generated role: one resource of a
statement (the whole statement when it has one resource), or one value of a condition key
that has several (``s3:prefix`` values). Some planned call of the role must then be denied;
otherwise nothing needs that unit. All mutants of a role are evaluated in one iam-simulate
process (``_decide_cases``), each request with its own mutant policy.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from iamsim import Decision as _Decision
from iamsim import Request, _case, _problems, _run_node
from sm_pipeline_iam.core import plan as plan_module
from sm_pipeline_iam.core.catalog.services import SAGEMAKER
from sm_pipeline_iam.core.definition.reader import DefinitionReading, read_definition
from sm_pipeline_iam.core.errors import DefinitionError
from sm_pipeline_iam.core.execution_role.policy import (
    PLACEHOLDERS,
    ArnEnvironment,
    Statement,
    build_statements,
    policy_document,
)
from sm_pipeline_iam.core.job_roles.needs import JobNeeds, merge_needs
from sm_pipeline_iam.core.plan import (
    EXECUTION_ROLE,
    PlannedCall,
    access_plan,
    job_role,
)
from sm_pipeline_iam.review.cli import main
from support.cfn import ACCOUNT, REGION
from support.iam_reference import action_details

DEFINITIONS = Path(__file__).resolve().parent / "fixtures" / "definitions"
NAMES = sorted(path.stem for path in DEFINITIONS.glob("*.json"))
ENV = ArnEnvironment("aws", REGION, ACCOUNT)

#: The fixtures' pipeline names (tests/fixtures/build_definitions.py), which name their
#: Experiments records.
PIPELINE_NAMES = {
    "training_eval_register": "fraud-training",
    "integrations": "fraud-integrations",
    "tuning_transform_foreach": "fraud-tuning",
    "other_steps": "fraud-other-steps",
}

#: Services a role could be passed to besides the one the step hands it to.
OTHER_SERVICES = ("ec2.amazonaws.com", "lambda.amazonaws.com", "glue.amazonaws.com",
                  "elasticmapreduce.amazonaws.com")


# --- reading the fixtures, rendering the roles -----------------------------------------


def bindings(name: str) -> dict[str, Any]:
    """The values executions of fixture ``name`` use: each S3 parameter's default, and
    the pipeline's name."""
    definition = json.loads((DEFINITIONS / f"{name}.json").read_text())
    values = {
        parameter["Name"]: [parameter["DefaultValue"]]
        for parameter in definition.get("Parameters", [])
        if str(parameter.get("DefaultValue", "")).startswith("s3://")
    }
    return {"parameter_values": values,
            "pipeline_name": PIPELINE_NAMES[name.removesuffix("_prefixed")]}


@cache
def reading_of(name: str) -> DefinitionReading:
    return read_definition(DEFINITIONS / f"{name}.json", **bindings(name))


@cache
def plan_of(name: str) -> tuple[PlannedCall, ...]:
    return tuple(access_plan(reading_of(name), ENV))


def render(statements: Iterable[Statement]) -> dict[str, Any]:
    """A policy document with the builder's placeholders in ``ENV``."""
    text = json.dumps(policy_document(statements))
    for placeholder, value in ((PLACEHOLDERS.partition, ENV.partition),
                               (PLACEHOLDERS.region, ENV.region),
                               (PLACEHOLDERS.account, ENV.account)):
        text = text.replace(placeholder, value)
    document: dict[str, Any] = json.loads(text)
    return document


def execution_policy(name: str) -> dict[str, Any]:
    """The execution role's statements for fixture ``name``, as IAM would read them."""
    return render(build_statements(reading_of(name).requirements))


def job_needs_by_role(reading: DefinitionReading) -> dict[str, JobNeeds]:
    """What each job role needs: a step's own, and a model step's with the needs of the
    Transform jobs that run its model."""
    grouped: dict[str, list[JobNeeds]] = {}
    for job in reading.jobs:
        grouped.setdefault(job_role(job.runs_as_step or job.step), []).append(job)
    return {role: merge_needs(needs) if len(needs) > 1 else needs[0]
            for role, needs in grouped.items()}


def principal(role: str, account: str = ACCOUNT) -> str:
    """The ARN the plan's ``role`` has in the tests."""
    name = "PipelineExecutionRole" if role == EXECUTION_ROLE else f"Job-{role[4:]}"
    return f"arn:aws:iam::{account}:role/{name.replace('_', '-')}"


# --- requests ---------------------------------------------------------------------------

#: iam-simulate knows PutMetricData's optional ``dataset`` resource type and refuses '*'
#: for it in strict mode. A call without a dataset is authorized on '*', which a
#: statement's '*' matches exactly as it matches any dataset ARN: the request names one.
_STAND_INS = {"cloudwatch:PutMetricData": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:dataset/"
              "sagemaker-metrics"}


def _account_of(resource: str) -> str | None:
    parts = resource.split(":")
    return parts[4] if resource.startswith("arn:") and len(parts) > 5 and parts[4] else None


def request(call: PlannedCall, role: str | None = None, tag: str = "") -> Request:
    """The request a planned call makes, as ``role`` (default: the call's own role).

    A resource of another account (a SageMaker image's repository) is asked by the role
    in that account: the identity policy's half of a cross-account call (the repository's
    own policy is outside the role)."""
    role = role or call.role
    resource = call.resource
    if resource == "*" and call.action in _STAND_INS:
        resource = _STAND_INS[call.action]
    account = _account_of(resource) or ACCOUNT
    context = dict(call.context)
    described = f" {context}" if context else ""
    return Request(f"{tag}{role} {call.action} {resource}{described}",
                   principal(role, account), call.action, resource, context,
                   literal=is_log_group(resource))


def is_log_group(resource: str) -> bool:
    """Whether ``resource`` is a log group's ARN as CloudWatch Logs authorizes it, with the
    trailing ':*' the service itself puts there (not a pattern)."""
    return ":logs:" in resource and ":log-stream:" not in resource and resource.endswith(
        ":*") and "*" not in resource[:-2]


def key_policy(item: Request) -> dict[str, Any] | None:
    """For a request on a KMS key, the key's default key policy (AWS KMS Developer Guide,
    "Default key policy"): it lets the account's IAM policies decide, as KMS requires of
    every key (without a key policy that allows it, no identity policy can)."""
    if not item.action.startswith("kms:"):
        return None
    account = item.resource.split(":")[4]
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "Enable IAM User Permissions", "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "kms:*",
        "Resource": "*"}]}


def decide_cases(cases: Sequence[tuple[Request, Sequence[Mapping[str, Any]]]]
                 ) -> dict[str, str]:
    """Evaluate many requests, each against its own identity policies, in one iam-simulate
    process; every request must really be evaluated (as ``iamsim.simulate`` checks)."""
    ids = [request.id for request, _ in cases]
    assert len(ids) == len(set(ids)), "duplicate request ids"
    raw = _run_node({"cases": [_case(r, policies, (), None, key_policy(r))
                               for r, policies in cases]})
    results: dict[str, str] = {}
    problems: list[str] = []
    for (item, _), answer in zip(cases, raw, strict=True):
        decision = _Decision(
            result=answer["result"], errors=answer["errors"],
            ignored_context_keys=list(answer["ignoredContextKeys"]),
            result_type=answer["resultType"], resource_types=list(answer["resourceTypes"]),
            blocked_by=list(answer["blockedBy"]),
            context_problems=list(answer["contextProblems"]),
        )
        problems.extend(f"request {item.id!r}: {p}" for p in _problems(item, decision))
        results[item.id] = decision.result
    assert not problems, "iam-simulate did not evaluate these requests as written:\n  " + (
        "\n  ".join(problems))
    return results


def decide(requests: Iterable[Request], policy: Mapping[str, Any]) -> dict[str, str]:
    unique = {r.id: r for r in requests}
    return decide_cases([(r, [policy]) for r in unique.values()])


def assert_none(lines: Sequence[str], what: str) -> None:
    """Fail, listing ``lines`` one per line under ``what``, unless there are none."""
    assert not lines, f"{what}:\n  " + "\n  ".join(lines)


def wrong(results: Mapping[str, str], expected: Mapping[str, str]) -> list[str]:
    """Each request whose result is not the expected one."""
    return sorted(f"{request_id}: {results[request_id]} (expected {want})"
                  for request_id, want in expected.items() if results[request_id] != want)


# --- the mutation check -----------------------------------------------------------------


def glob(pattern: str) -> re.Pattern[str]:
    """IAM's wildcard match (``*`` any run, ``?`` one character), case-sensitive."""
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c)
                              for c in pattern))


@dataclass(frozen=True)
class Unit:
    """One resource of a statement, or one value of a condition key with several."""

    sid: str
    kind: str  # "resource" or "condition"
    value: str

    def remove_from(self, document: Mapping[str, Any]) -> dict[str, Any]:
        mutant: dict[str, Any] = json.loads(json.dumps(document))
        kept = []
        for statement in mutant["Statement"]:
            if statement["Sid"] == self.sid:
                if self.kind == "resource":
                    statement["Resource"] = [r for r in statement["Resource"]
                                             if r != self.value]
                    if not statement["Resource"]:
                        continue
                else:
                    for keys in statement["Condition"].values():
                        for key, values in keys.items():
                            if isinstance(values, list) and self.value in values:
                                keys[key] = [v for v in values if v != self.value]
            kept.append(statement)
        mutant["Statement"] = kept
        return mutant

    def __str__(self) -> str:
        return f"statement {self.sid}, {self.kind} {self.value}"


def units(document: Mapping[str, Any]) -> Iterator[tuple[Unit, tuple[str, ...]]]:
    """Every unit of a policy, with its statement's actions."""
    for statement in document["Statement"]:
        actions = tuple(statement["Action"])
        for resource in statement["Resource"]:
            yield Unit(statement["Sid"], "resource", resource), actions
        for keys in statement.get("Condition", {}).values():
            for values in keys.values():
                if isinstance(values, list):
                    for value in values:
                        yield Unit(statement["Sid"], "condition", value), actions


def unneeded_units(policies: Mapping[str, Mapping[str, Any]],
                   calls: Sequence[PlannedCall]) -> list[str]:
    """Per role, every unit whose removal denies none of the role's planned calls."""
    cases: list[tuple[Request, Sequence[Mapping[str, Any]]]] = []
    owners: dict[str, str] = {}
    for role, document in policies.items():
        own = [c for c in calls if c.role == role]
        for number, (unit, actions) in enumerate(units(document)):
            mutant = unit.remove_from(document)
            label = f"{role} | {unit}"
            # Only a call the unit may allow can be denied without it (a whole-string match
            # is wider than IAM's field-by-field one, so nothing it could deny is skipped).
            matches = glob(unit.value).fullmatch if unit.kind == "resource" else None
            for call in own:
                if call.action in actions and (matches is None or matches(call.resource)):
                    item = request(call, tag=f"mutant {role} {number}: ")
                    cases.append((item, [mutant]))
                    owners[item.id] = label
            owners.setdefault(f"none:{label}", label)
    results = decide_cases(cases)
    needed = {owners[i] for i, result in results.items() if result != "Allowed"}
    return sorted({label for label in owners.values()} - needed)


# --- the plan itself ---------------------------------------------------------------------


def test_the_plan_is_written_without_the_policy_builder() -> None:
    """GIVEN core/plan.py WHEN its imports are read THEN it uses neither the statement
    builders (policy.build_statements, job_policy) nor the wildcard bookkeeping."""
    tree = ast.parse(Path(plan_module.__file__).read_text())
    imported = {
        (node.module or "", alias.name)
        for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    modules = {module for module, _ in imported}
    assert not modules & {"job_policy", "wildcards", ".job_policy", ".wildcards"}
    assert ("policy", "build_statements") not in imported
    assert {name for module, name in imported if module == "policy"} <= {
        "PLACEHOLDERS", "ArnEnvironment"}


CORPUS = DEFINITIONS.parent / "corpus"
UNBOUND = sorted([*DEFINITIONS.glob("*.json"), *CORPUS.glob("*.json")])


def _assert_concrete(calls: Iterable[PlannedCall]) -> None:
    for call in calls:
        assert call.why, call
        assert call.role == EXECUTION_ROLE or call.role.startswith("job:"), call
        if call.resource == "*":
            details = action_details(call.action)
            assert details is not None
            assert not any(t.get("required", True) for t in details["resourceTypes"]), call
            continue
        assert call.resource.startswith("arn:aws:"), call
        resource = call.resource.removesuffix(":*") if is_log_group(call.resource) else (
            call.resource)
        assert "*" not in resource and "${" not in resource, call


@pytest.mark.parametrize("name", NAMES)
def test_every_planned_resource_is_a_concrete_arn(name: str) -> None:
    """GIVEN a fixture's plan WHEN its resources are read THEN each is a concrete ARN in
    the sample environment ('*' only for an action IAM gives no required resource type)
    and each call says why it is made."""
    _assert_concrete(plan_of(name))


@pytest.mark.parametrize("path", UNBOUND, ids=[p.stem for p in UNBOUND])
def test_an_unbound_definition_s_plan_still_names_concrete_arns(path: Path) -> None:
    """GIVEN a fixture or corpus definition read without bindings (values left to run time)
    WHEN planned THEN every resource is still a concrete example."""
    document = json.loads(path.read_text())
    try:
        reading = read_definition(document.get("PipelineDefinition", document),
                                  allow_unknown_step_types=True)
    except DefinitionError:
        return  # a malformed corpus document (literal wildcards): nothing to plan
    _assert_concrete(access_plan(reading, ENV))


def test_default_named_jobs_are_planned_in_both_spellings() -> None:
    """GIVEN TrainModel under the default naming WHEN planned THEN its job is created as
    pipelines-<execution id>-TrainModel-<suffix>, and as the lower-cased name (marked as
    the unconfirmed spelling); its log stream likewise."""
    calls = {(c.role, c.action, c.resource): c for c in plan_of("training_eval_register")}
    job = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:training-job/pipelines-a1b2c3d4e5f6-"
    named = calls[(EXECUTION_ROLE, "sagemaker:CreateTrainingJob",
                   f"{job}TrainModel-x7Kq9PzT2m-1")]
    lowered = calls[(EXECUTION_ROLE, "sagemaker:CreateTrainingJob",
                     f"{job}trainmodel-x7kq9pzt2m-1")]
    assert (named.alternate_spelling, lowered.alternate_spelling) == (False, True)
    streams = [c.resource for c in plan_of("training_eval_register")
               if c.role == "job:TrainModel" and c.action == "logs:PutLogEvents"]
    assert streams == [
        f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/sagemaker/TrainingJobs:log-stream:"
        f"pipelines-a1b2c3d4e5f6-{step}-{suffix}/algo-1-1764470000"
        for step, suffix in (("TrainModel", "x7Kq9PzT2m-1"), ("trainmodel", "x7kq9pzt2m-1"))
    ]


def test_calls_carry_their_condition_keys() -> None:
    """GIVEN a fixture's plan WHEN read THEN PassRole carries iam:PassedToService, a job's
    listing s3:prefix and its metrics cloudwatch:namespace."""
    calls = plan_of("training_eval_register")
    assert {c.context["iam:PassedToService"] for c in calls
            if c.action == "iam:PassRole"} == {SAGEMAKER}
    assert {c.context["s3:prefix"] for c in calls
            if c.role == "job:TrainModel" and c.action == "s3:ListBucket"} == {
        # The key-name prefix 'fraud/*/train*' (S3Prefix), filled.
        "fraud/a1b2c3d4e5f6/traina1b2c3d4e5f6-x7Kq9PzT2m"}
    assert [c.context for c in calls
            if c.role == "job:TrainModel" and c.action == "cloudwatch:PutMetricData"] == [
        {"cloudwatch:namespace": "/aws/sagemaker/TrainingJobs"}]


def test_a_transform_job_s_calls_are_made_as_its_model_s_role() -> None:
    """GIVEN BatchScore (Transform) running CreateBestModel's model WHEN planned THEN its
    reads, writes, logs and metrics are calls of job:CreateBestModel; no role of its own."""
    calls = plan_of("tuning_transform_foreach")
    assert "job:BatchScore" not in {c.role for c in calls}
    model = [c for c in calls if c.role == "job:CreateBestModel"]
    assert {"logs:PutLogEvents", "s3:PutObject", "cloudwatch:PutMetricData",
            "ecr:BatchGetImage"} <= {c.action for c in model}
    assert any("BatchScore" in c.why and c.action == "s3:PutObject" for c in model)


def test_every_catalog_group_in_force_is_planned() -> None:
    """GIVEN the integrations fixture WHEN planned THEN its Lambda, queue, EMR (given and
    new clusters), EMR Serverless and Cleanup calls (one object: no listing), and the
    Experiments, are there."""
    actions = {c.action for c in plan_of("integrations") if c.role == EXECUTION_ROLE}
    assert {"lambda:InvokeFunction", "sqs:SendMessage", "elasticmapreduce:AddJobFlowSteps",
            "elasticmapreduce:RunJobFlow", "events:PutRule", "emr-serverless:StartJobRun",
            "emr-serverless:CreateApplication", "s3:DeleteObject",
            "sagemaker:CreateExperiment", "sagemaker:AssociateTrialComponent"} <= actions
    assert "s3:ListBucket" not in actions


# --- the execution role, held against the plan -------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_the_execution_role_allows_every_planned_call(name: str) -> None:
    """GIVEN a fixture's execution role (build_statements) WHEN each call the plan says
    SageMaker makes as it is asked THEN allowed."""
    calls = [c for c in plan_of(name) if c.role == EXECUTION_ROLE]
    requests = [request(c) for c in calls]
    results = decide(requests, execution_policy(name))
    assert_none(wrong(results, {r.id: "Allowed" for r in requests}), "not as planned")


@pytest.mark.parametrize("name", NAMES)
def test_the_execution_role_passes_each_job_role_to_sagemaker_only(name: str) -> None:
    """GIVEN a fixture's job roles WHEN the execution role passes each THEN to SageMaker
    only; other services, and roles the definition does not name, denied."""
    reading = reading_of(name)
    job_roles = sorted({arn for job in reading.jobs for arn in job.role_arns})
    assert job_roles
    def passing(arn: str, service: str) -> Request:
        return Request(f"pass {arn} to {service}", principal(EXECUTION_ROLE), "iam:PassRole",
                       arn, {"iam:PassedToService": service})

    expected = [(passing(arn, SAGEMAKER), "Allowed") for arn in job_roles]
    expected += [(passing(arn, service), "ImplicitlyDenied")
                 for arn in job_roles for service in OTHER_SERVICES]
    expected.append((passing(f"arn:aws:iam::{ACCOUNT}:role/AdminRole", SAGEMAKER),
                     "ImplicitlyDenied"))
    results = decide((r for r, _ in expected), execution_policy(name))
    assert_none(wrong(results, {r.id: want for r, want in expected}), "not as expected")


@pytest.mark.parametrize("name", NAMES)
def test_no_execution_role_statement_is_left_that_no_planned_call_needs(name: str) -> None:
    """GIVEN a fixture's execution role WHEN any one resource of a statement (or one value
    of a multi-valued condition key) is removed THEN some planned call is denied."""
    calls = [c for c in plan_of(name) if c.role == EXECUTION_ROLE]
    assert_none(unneeded_units({EXECUTION_ROLE: execution_policy(name)}, calls),
                "removing these denies no planned call")


# --- explain --plan ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["training_eval_register", "integrations"])
def test_explain_plan_prints_the_plan_and_exits_as_explain_does(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN a fixture WHEN explained with --plan (text, then JSON) THEN every planned call
    is printed, and the exit code is explain's own."""
    path = str(DEFINITIONS / f"{name}.json")
    code = main(["explain", path])
    capsys.readouterr()
    assert main(["explain", "--plan", path]) == code
    text = capsys.readouterr().out
    calls = access_plan(read_definition(path))
    assert all(c.resource in text and c.action in text for c in calls)
    assert main(["explain", "--plan", path, "--format", "json"]) == code
    data = json.loads(capsys.readouterr().out)
    assert data["calls"] == [c.to_data() for c in calls]


def test_explain_without_plan_is_unchanged(capsys: pytest.CaptureFixture[str]) -> None:
    """GIVEN a fixture WHEN explained without --plan THEN no plan is printed."""
    main(["explain", str(DEFINITIONS / "training_eval_register.json")])
    assert "Access plan" not in capsys.readouterr().out
