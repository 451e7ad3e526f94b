"""Property-based: any props given to a construct build a stack whose every policy
resource is one the README documents, or raise only the documented errors (issue 15).

Each construct's props are drawn from pools that mix good values, wrong types, bad values,
look-alike tokens and real tokens (a ``Lazy`` known at synth, a ``CfnParameter`` known at
deploy time, a bucket construct). Outcomes allowed:

- ``InvalidPropsError`` / ``DefinitionError`` at construction (``ValueError``s naming
  each problem), with nothing added under the construct's id;
- a synthesis error from the library's final-value check (a ``Lazy`` that resolves to a
  refused value), only when a ``Lazy`` was given;
- a stack whose IAM policies hold only documented resources: job and resource ARNs under
  the prefix (both spellings of a literal one) or ``pipelines-*``; ``*`` names only where
  the README documents them (no prefix: resources the user names; lineage artifacts; the
  actions IAM gives no resource type); S3 under the given folders; exactly the given
  roles, functions, queues, clusters, applications and keys.

The example budget is small and the runs are derandomized, so they are reproducible and
take a few seconds each.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Annotations, Match, Template
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from sm_pipeline_iam import (
    DefinitionError,
    GivenResources,
    InvalidPropsError,
    JobRole,
    JobRoleLocation,
    OrgScpException,
    PipelineExecutionRole,
    PipelineJobRoles,
    PrefixedStepRole,
    ServiceManagedStackSet,
    StepType,
)

#: Small budgets: each example starts an app and synthesizes it through jsii.
ROLE_SETTINGS = settings(max_examples=15, derandomize=True, deadline=None, database=None,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
DEFINITION_SETTINGS = settings(ROLE_SETTINGS, max_examples=8)

ACCOUNT, REGION = "111122223333", "us-east-1"
AT_SYNTH = "(the value its token has at synth)"
DEFINITIONS = Path(__file__).parent / "fixtures" / "definitions"


# --- markers: values that need the example's stack --------------------------------------------


@dataclass(frozen=True)
class Lz:
    """A ``Lazy`` string that resolves to ``value`` at synth."""

    value: str


@dataclass(frozen=True)
class Param:
    """A ``CfnParameter`` of the stack (known at deploy time)."""

    name: str


@dataclass(frozen=True)
class Bucket:
    """An ``s3.Bucket`` of the stack."""

    name: str


@dataclass(frozen=True)
class Join:
    """The parts joined into one string (an f-string holding tokens)."""

    parts: tuple[Any, ...]


@dataclass(frozen=True)
class Loc:
    """``JobRoleLocation.bucket(bucket, prefix)``."""

    bucket: Any
    prefix: Any


@dataclass(frozen=True)
class Role:
    """``iam.Role.from_role_arn`` of the stack."""

    arn: str


@dataclass(frozen=True)
class Group:
    """An ``iam.Group`` of the stack."""

    name: str


@dataclass(frozen=True)
class Given:
    """``GivenResources(**fields)``."""

    fields: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Hours:
    """``cdk.Duration.hours(n)``."""

    n: int


@jsii.implements(cdk.IStableStringProducer)
class _Value:
    def __init__(self, value: str) -> None:
        self._value = value

    def produce(self) -> str:
        return self._value


class Example:
    """One example's stack, its markers made real, and their final texts (as the template
    writes them: a Lazy's value, ``${Logical}`` for a reference)."""

    def __init__(self) -> None:
        self.app = cdk.App()
        self.stack = cdk.Stack(self.app, "Stack",
                               env=cdk.Environment(account=ACCOUNT, region=REGION))
        self._made: dict[Any, Any] = {}
        self.has_lazy = False
        self.lazy_values: list[str] = []

    def real(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.real(item) for item in value]
        if isinstance(value, tuple):
            return tuple(self.real(item) for item in value)
        if isinstance(value, dict):
            return {key: self.real(item) for key, item in value.items()}
        if isinstance(value, Join):
            return "".join(str(self.real(part)) for part in value.parts)
        if isinstance(value, Loc):
            return JobRoleLocation.bucket(self.real(value.bucket), self.real(value.prefix))
        if isinstance(value, Given):
            return GivenResources(**{k: self.real(v) for k, v in value.fields})
        if isinstance(value, Hours):
            return cdk.Duration.hours(value.n)
        if isinstance(value, Lz | Param | Bucket | Role | Group):
            if value not in self._made:
                self._made[value] = self._make(value)
            return self._made[value]
        return value

    def _make(self, value: Any) -> Any:
        if isinstance(value, Lz):
            self.has_lazy = True
            self.lazy_values.append(value.value)
            return cdk.Lazy.string(_Value(value.value))
        if isinstance(value, Param):
            return cdk.CfnParameter(self.stack, value.name).value_as_string
        if isinstance(value, Bucket):
            return s3.Bucket(self.stack, value.name)
        if isinstance(value, Role):
            return iam.Role.from_role_arn(self.stack, f"Role{len(self._made)}", value.arn)
        return iam.Group(self.stack, value.name)

    def final(self, value: Any) -> str:
        """The text a string marker becomes in the template."""
        if isinstance(value, str):
            return value
        if isinstance(value, Lz):
            return value.value
        if isinstance(value, Param):
            return "${" + value.name + "}"
        if isinstance(value, Bucket):
            bucket = self.real(value)
            return "${" + self.stack.get_logical_id(bucket.node.default_child) + "}"
        if isinstance(value, Join):
            return "".join(self.final(part) for part in value.parts)
        return str(value)


# --- pools: mostly good values (tokens among them), sometimes a bad one -------------------


def mostly(good: list[Any] | st.SearchStrategy[Any],
           bad: list[Any] | st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A good value 14 times in 15, else a bad one (so that many examples build)."""
    good_values = good if isinstance(good, st.SearchStrategy) else st.sampled_from(good)
    bad_values = bad if isinstance(bad, st.SearchStrategy) else st.sampled_from(bad)
    # Not st.integers: Hypothesis favours its bounds, which would make bad values common.
    return st.sampled_from(range(15)).flatmap(lambda n: bad_values if n == 7 else good_values)


FAKE = "${Token[x]}"
PREFIXES = mostly(
    [None, "fraud", "Fraud", "team-a", "rsch", Lz("fraud"), Lz("rsch"), Param("Prefix")],
    ["a" * 7, "a" * 39, "team-*", "", "my_team", "pipelines", Lz("*"), Lz("Fraud"), 3, FAKE],
)
JOB_STEP_TYPES = [t.value for t in StepType if t not in (
    StepType.LAMBDA, StepType.CALLBACK, StepType.EMR, StepType.EMR_SERVERLESS,
    StepType.CLEANUP)]
STEP_TYPES = mostly(
    st.lists(st.sampled_from(JOB_STEP_TYPES), min_size=1, max_size=4, unique=True),
    st.one_of(st.lists(st.sampled_from([t.value for t in StepType]), min_size=1, max_size=3,
                       unique=True),
              st.sampled_from([None, "Training", [], ["Trainig"], [1], [None]])),
)
LOCATION = mostly(
    ["s3://ml-data/eval", "s3://ml-data", Join(("s3://", Bucket("Artifacts"), "/eval")),
     Bucket("Artifacts"), Loc(Bucket("Artifacts"), "reports/"), Loc("ml-data", "scores"),
     Join(("s3://ml-data/", Lz("late"))), Join(("s3://", Param("Bucket"), "/x"))],
    ["s3://ml-data/a*", "http://ml-data/x", "s3://b/x", Loc(None, "x"),
     Join(("s3://", Lz("*"), "/eval")), Join(("s3://ml-data/", Lz("e*"))), Param("Location"),
     None, 3, f"s3://{FAKE}/a"],
)
LOCATION_LISTS = mostly(st.lists(LOCATION, max_size=3),
                        [None, "s3://ml-data/eval", {"s3://ml-data": 1}])
LAMBDA_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:score"
QUEUE_ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT}:approvals"
EMR_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/emr-runtime"
STEP_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/step"


def _field(good: list[Any], bad: list[Any]) -> st.SearchStrategy[Any]:
    return mostly(st.lists(st.sampled_from(good), min_size=1, max_size=2, unique=True),
                  st.one_of(st.lists(st.sampled_from(bad), min_size=1, max_size=2),
                            st.sampled_from([None, good[0]])))


#: GivenResources with the integration step types that use them.
INTEGRATIONS = {
    "lambda_function_arns": ("Lambda", [LAMBDA_ARN, Param("Function")],
                             ["arn:q", Lz("*"), None]),
    "callback_queue_arns": ("Callback", [QUEUE_ARN], ["queue"]),
    "emr_cluster_ids": ("EMR", ["j-1ABCDEFGHIJKL"], ["cluster"]),
    "emr_serverless_application_ids": ("EMRServerless", ["00fabcdefghijk"], ["App!"]),
    "emr_role_arns": ("EMR", [EMR_ROLE_ARN], ["role"]),
    "emr_serverless_role_arns": ("EMRServerless", [EMR_ROLE_ARN], ["role"]),
}


@st.composite
def integrations(draw: st.DrawFn) -> tuple[list[str], Any]:
    """(the integration step types, integration_resources) that mostly fit each other."""
    if draw(st.sampled_from(range(15))) == 7:
        return [], draw(st.sampled_from([{"lambda_function_arns": [LAMBDA_ARN]},
                                         [LAMBDA_ARN]]))
    fields: dict[str, Any] = {}
    types: list[str] = []
    for name, (step_type, good, bad) in INTEGRATIONS.items():
        # EMR Serverless steps need their application and their runtime role together.
        together = "emr_serverless_application_ids" in fields and step_type == "EMRServerless"
        if together or (name != "emr_serverless_role_arns" and draw(st.booleans())):
            fields[name] = draw(_field(good, bad))
            types.append(step_type)
    if draw(st.booleans()):
        fields["cleanup_locations"] = draw(mostly(st.lists(LOCATION, min_size=1, max_size=2),
                                                  LOCATION_LISTS))
        types.append("Cleanup")
    if draw(st.sampled_from(range(15))) == 7 and types:
        types.pop()  # resources for no chosen step type
    return sorted(set(types)), Given(tuple(fields.items())) if fields else None


ROLES = mostly([[], [Role(STEP_ROLE_ARN)]], [[STEP_ROLE_ARN], None, Role(STEP_ROLE_ARN)])
OPTIONS = mostly(
    st.fixed_dictionaries({}, optional={
        "principal_tag": st.just(("sm-pipeline-exception", "true")),
        "role_name": st.sampled_from(["pipeline-role", "r" * 64]),
        "path": st.sampled_from(["/", "/ml/fraud/"]),
        "max_session_duration": st.just(Hours(2)),
    }),
    st.fixed_dictionaries({}, optional={
        "principal_tag": st.sampled_from([("k",), "k=v", ("aws:x", "v"), ("k", Param("Tag"))]),
        "role_name": st.sampled_from([3, "pipeline role", "r" * 65]),
        "path": st.sampled_from(["ml", "/ml", "/ml fraud/"]),
        "max_session_duration": st.just(3600),
        "permission_boundary": st.just(None),
    }),
)


# --- the oracle -----------------------------------------------------------------------------

#: Actions the README documents on a bare '*' (IAM gives them no resource type).
NO_RESOURCE_ACTIONS = {
    "sagemaker:ListCandidatesForAutoMLJob", "elasticmapreduce:RunJobFlow",
    "emr-serverless:CreateApplication", "ecr:GetAuthorizationToken",
    "cloudwatch:PutMetricData",
}
#: SageMaker resource types whose names the user chooses: '*' without a prefix
#: (unscopedResourceNames); a lineage artifact: '*' always (wideGrant).
USER_NAMED = {"endpoint-config", "endpoint", "inference-component", "model-package-group",
              "model-package", "action", "context"}
ENV = "arn:${AWS::Partition}"


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(_text(part) for part in parts)
    if "Ref" in value:
        return "${" + value["Ref"] + "}"
    if "Fn::GetAtt" in value:
        return "${" + ".".join(value["Fn::GetAtt"]) + "}"
    return json.dumps(value, sort_keys=True)


def _statements(template: dict[str, Any]) -> Iterator[tuple[set[str], str]]:
    """(actions, resource text) of every Allow statement of every IAM policy."""
    for resource in template["Resources"].values():
        if resource["Type"] not in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            continue
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
            assert statement["Effect"] == "Allow"
            actions = statement["Action"]
            actions = {actions} if isinstance(actions, str) else set(actions)
            resources = statement["Resource"]
            for item in resources if isinstance(resources, list) else [resources]:
                yield actions, _text(item)


@dataclass
class Allowed:
    """What a role's resources may be, from the props of the example."""

    prefix: str | None = None
    folders: tuple[tuple[str, str], ...] = ()   # (bucket, key), key "" for a whole bucket
    exact: tuple[str, ...] = ()        # ARNs given as they are
    ids: tuple[str, ...] = ()          # EMR cluster / application ids
    own_roles: bool = True

    def starts(self) -> tuple[str, ...]:
        if self.prefix is None:
            return ("pipelines-",)
        return (f"{self.prefix}-", f"{self.prefix.lower()}-")

    def __post_init__(self) -> None:
        # A given value is a documented scope only when it holds no wildcard: a prefix,
        # folder or ARN that became '*' (a Lazy's final value) is what must never pass.
        def literal(text: str) -> bool:
            return "*" not in text and "?" not in text

        if self.prefix is not None and not literal(self.prefix):
            self.prefix = "<never>"
        self.folders = tuple(f for f in self.folders if literal(f[0]) and literal(f[1]))
        self.exact = tuple(filter(literal, self.exact))
        self.ids = tuple(filter(literal, self.ids))

    def covers(self, actions: set[str], resource: str) -> bool:
        if resource == "*":
            return actions <= NO_RESOURCE_ACTIONS or all(
                a.startswith("ec2:Describe") for a in actions)
        if resource in self.exact:
            return True
        if self.own_roles and re.fullmatch(r"\$\{[A-Za-z0-9]+\.Arn\}", resource):
            return True  # a role this example made (the construct's own, or passed)
        sagemaker = re.fullmatch(
            rf"{re.escape(ENV)}:sagemaker:{REGION}:{ACCOUNT}:([a-z-]+)/(.+)", resource)
        if sagemaker:
            kind, name = sagemaker.groups()
            name = name.removeprefix("*/") if kind == "job" else name
            if name.startswith(self.starts()):
                return True
            return name == "*" and (kind == "artifact" or (
                self.prefix is None and kind in USER_NAMED))
        s3_object = re.fullmatch(rf"{re.escape(ENV)}:s3:::(.+)", resource)
        if s3_object:
            # The bucket (listing), the object the key names, or objects under the folder.
            path = s3_object.group(1)
            return any(path in (bucket, f"{bucket}/{key}") or path.startswith(
                f"{bucket}/{key}/" if key else f"{bucket}/") for bucket, key in self.folders)
        if re.fullmatch(rf"{re.escape(ENV)}:events:{REGION}:{ACCOUNT}:rule/"
                        r"SageMakerPipelineExecutionEMR\w+", resource):
            return True
        # A log group as CloudWatch Logs authorizes it (':*'), or the job's own streams.
        logs = re.fullmatch(rf"{re.escape(ENV)}:logs:{REGION}:{ACCOUNT}:log-group:"
                            r"/aws/sagemaker/\w+(?::\*|:log-stream:(.+)\*/\*)", resource)
        if logs:
            return logs.group(1) is None or logs.group(1).startswith(self.starts())
        emr = re.fullmatch(rf"{re.escape(ENV)}:(elasticmapreduce|emr-serverless):{REGION}:"
                           rf"{ACCOUNT}:(cluster/|/applications/)([^/]+)(/jobruns/\*)?",
                           resource)
        return bool(emr) and emr.group(3) in self.ids


def _folders(example: Example, values: Any) -> tuple[tuple[str, str], ...]:
    """The (bucket, key) texts of a location prop (key "" for a whole bucket)."""
    folders = []
    for value in values if isinstance(values, list) else []:
        if isinstance(value, Loc):
            key = example.final(value.prefix) if isinstance(value.prefix, str) else ""
            folders.append((example.final(value.bucket), key.strip("/")))
        elif isinstance(value, Bucket):
            folders.append((example.final(value), ""))
        elif isinstance(value, str | Join | Lz):
            bucket, _, key = example.final(value).removeprefix("s3://").partition("/")
            folders.append((bucket, key.strip("/")))
    return tuple(folders)


def _run(example: Example, build: Callable[[], object],
         check: Callable[[dict[str, Any]], None]) -> None:
    """Build; a documented error ends the example; else synthesize and ``check``."""
    try:
        build()
    except (InvalidPropsError, DefinitionError) as error:
        event(f"{type(error).__name__}: {sorted({p.code for p in error.problems})[0]}")
        assert isinstance(error, ValueError)
        assert error.problems and all(p.prop and p.code and p.message for p in error.problems)
        assert example.stack.node.try_find_child("Subject") is None, "nothing half-made"
        return
    try:
        template = Template.from_stack(example.stack).to_json()
    except RuntimeError as error:
        # Only the library's final-value check may fail synthesis, and only for a Lazy.
        assert AT_SYNTH in str(error), str(error)
        assert example.has_lazy
        event("refused at synth")
        return
    event("built")
    # No pool gives a Lazy whose final value may hold a wildcard: it must have been refused.
    assert not any("*" in v or "?" in v for v in example.lazy_values), example.lazy_values
    check(template)


def _check_roles(example: Example, allowed: Allowed,
                 job_prefix: Any = None) -> Callable[[dict[str, Any]], None]:
    def check(template: dict[str, Any]) -> None:
        # A Lazy prefix is granted in one spelling: one with upper-case letters is refused.
        assert not (isinstance(job_prefix, Lz) and job_prefix.value != job_prefix.value.lower())
        # (A pipeline of Condition and Fail steps only needs nothing: no policy at all.)
        for actions, resource in _statements(template):
            assert "${Token[" not in resource and "${token[" not in resource, resource
            assert allowed.covers(actions, resource), (sorted(actions), resource, allowed)
    return check


def _prefix(example: Example, value: Any) -> str | None:
    return None if value is None else example.final(value)


def _given_allowed(example: Example, given: Any) -> tuple[tuple[str, ...], tuple[str, ...],
                                                           tuple[str, ...]]:
    fields = dict(given.fields) if isinstance(given, Given) else {}

    def listed(name: str) -> list[Any]:
        value = fields.get(name, [])
        return value if isinstance(value, list) else []

    exact = tuple(example.final(v) for name in ("lambda_function_arns", "callback_queue_arns",
                                                  "emr_role_arns", "emr_serverless_role_arns")
                  for v in listed(name) if v is not None)
    ids = tuple(v for name in ("emr_cluster_ids", "emr_serverless_application_ids")
                for v in listed(name) if isinstance(v, str))
    return exact, ids, _folders(example, fields.get("cleanup_locations", []))


# --- the properties -------------------------------------------------------------------------


def _with(step_types: Any, integration: tuple[list[str], Any]) -> Any:
    """The step types and the integration steps whose resources are given."""
    extra, _ = integration
    return [*step_types, *extra] if isinstance(step_types, list) and step_types else step_types


@ROLE_SETTINGS
# Pinned: Lazy values that resolve to a wildcard only at synth (prefix, folder, ARN).
@example(step_types=["Training"], job_prefix=Lz("*"), step_roles=[], json_get_locations=[],
         integration=([], None), options={})
@example(step_types=["Training"], job_prefix=None, step_roles=[],
         json_get_locations=[Join(("s3://", Lz("*"), "/eval"))], integration=([], None),
         options={})
@example(step_types=["Training"], job_prefix=Lz("Fraud"), step_roles=[],
         json_get_locations=[Join(("s3://ml-data/", Lz("e*")))],
         integration=(["Lambda"], Given((("lambda_function_arns", [Lz("*")]),))), options={})
@given(step_types=STEP_TYPES, job_prefix=PREFIXES, step_roles=ROLES,
       json_get_locations=LOCATION_LISTS, integration=integrations(), options=OPTIONS)
def test_any_execution_role_props_build_documented_grants_or_fail_clearly(
    step_types: Any, job_prefix: Any, step_roles: Any, json_get_locations: Any,
    integration: tuple[list[str], Any], options: dict[str, Any],
) -> None:
    """GIVEN any PipelineExecutionRole props WHEN built and synthesized THEN documented
    grants only, or InvalidPropsError, or the final-value check of a Lazy."""
    step_types, integration_resources = _with(step_types, integration), integration[1]
    example = Example()
    exact, ids, cleanup = _given_allowed(example, integration_resources)
    allowed = Allowed(prefix=_prefix(example, job_prefix), ids=ids,
                      folders=_folders(example, json_get_locations) + cleanup,
                      exact=(STEP_ROLE_ARN, *exact))
    _run(example, lambda: PipelineExecutionRole(
        example.stack, "Subject", step_types=example.real(step_types),
        job_prefix=example.real(job_prefix), step_roles=example.real(step_roles),
        json_get_locations=example.real(json_get_locations),
        integration_resources=example.real(integration_resources), **example.real(options),
    ), _check_roles(example, allowed, job_prefix))


@ROLE_SETTINGS
@example(job_prefix=Lz("*"), step_types=["Training"], team_principals=[Group("Research")],
         shared_step_types=None, json_get_locations=[], integration=([], None), options={})
@example(job_prefix=Lz("pipelines"), step_types=["Training"], team_principals=[],
         shared_step_types=None, json_get_locations=[], integration=([], None), options={})
@given(job_prefix=mostly(PREFIXES.filter(lambda p: p is not None), [None]),
       step_types=STEP_TYPES,
       team_principals=mostly([[], [Group("Research")]], ["arn:group", [Group("Solo"), 3]]),
       shared_step_types=mostly([None, [], ["Fail"]], [["Training"], "Fail"]),
       json_get_locations=LOCATION_LISTS, integration=integrations(), options=OPTIONS)
def test_any_team_role_props_build_documented_grants_or_fail_clearly(
    job_prefix: Any, step_types: Any, team_principals: Any, shared_step_types: Any,
    json_get_locations: Any, integration: tuple[list[str], Any], options: dict[str, Any],
) -> None:
    """GIVEN any PrefixedStepRole props WHEN built and synthesized THEN only the team's
    prefix (never pipelines-*), documented grants, or a clear error."""
    integration_resources = integration[1]
    example = Example()
    team_types = _with(step_types, integration)
    exact, ids, cleanup = _given_allowed(example, integration_resources)
    prefix = _prefix(example, job_prefix)
    allowed = Allowed(prefix=prefix, ids=ids, exact=exact,
                      folders=_folders(example, json_get_locations) + cleanup)

    def check(template: dict[str, Any]) -> None:
        assert prefix, "a team role needs its prefix"
        assert not (isinstance(job_prefix, Lz) and job_prefix.value != job_prefix.value.lower())
        _check_roles(example, allowed)(template)
        assert not any("/pipelines-" in resource for _, resource in _statements(template))

    _run(example, lambda: PrefixedStepRole(
        example.stack, "Subject", job_prefix=example.real(job_prefix),
        step_types=example.real(team_types), team_principals=example.real(team_principals),
        shared_step_types=example.real(shared_step_types),
        json_get_locations=example.real(json_get_locations),
        integration_resources=example.real(integration_resources), **example.real(options),
    ), check)


KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@ROLE_SETTINGS
@example(job_kinds=["TrainingJobs"], inputs=[Loc(Lz("*"), "in")], outputs=[],
         job_prefix=Lz("*"), kms_keys=[], options={})
@given(job_kinds=mostly(
           st.lists(st.sampled_from(["ProcessingJobs", "TrainingJobs", "TransformJobs"]),
                    min_size=1, max_size=2, unique=True),
           [None, "TrainingJobs", [], ["Endpoints"], [3]]),
       inputs=LOCATION_LISTS, outputs=LOCATION_LISTS, job_prefix=PREFIXES,
       kms_keys=mostly([[], [KEY_ARN], [Param("Key")]], [["key"], [None], KEY_ARN]),
       options=OPTIONS)
def test_any_job_role_props_build_documented_grants_or_fail_clearly(
    job_kinds: Any, inputs: Any, outputs: Any, job_prefix: Any, kms_keys: Any,
    options: dict[str, Any],
) -> None:
    """GIVEN any JobRole props WHEN built and synthesized THEN objects under the given
    folders, its own log streams, the given keys, '*' only for ECR tokens and metrics; or a
    clear error."""
    example = Example()
    keys = tuple(example.final(k) for k in kms_keys if k is not None) if isinstance(
        kms_keys, list) else ()
    allowed = Allowed(prefix=_prefix(example, job_prefix), exact=keys, own_roles=False,
                      folders=_folders(example, inputs) + _folders(example, outputs))
    _run(example, lambda: JobRole(
        example.stack, "Subject", job_kinds=example.real(job_kinds),
        inputs=example.real(inputs), outputs=example.real(outputs),
        job_prefix=example.real(job_prefix), kms_keys=example.real(kms_keys),
        **example.real(options),
    ), _check_roles(example, allowed, job_prefix))


ADMIN = "arn:aws:iam::*:role/cdk-hnb659fds-cfn-exec-role-*"


@ROLE_SETTINGS
@example(tag_key="sm-pipeline-exception", tag_value="true", tag_admin_principal_arns=[ADMIN],
         vpc_ids=["vpc-0123456789abcdef0"], vpc_endpoint_ids=[], target_ids=[Lz("*")],
         organization_id=Lz("org"), policy_name=None)
@given(tag_key=mostly(["sm-pipeline-exception", "team-exception"],
                     ["aws:tag", "", 1, Param("Key")]),
       tag_value=mostly(["true"], ["x" * 300, None]),
       tag_admin_principal_arns=mostly(
           [[ADMIN], [ADMIN, "arn:aws:iam::111122223333:role/platform-admin"]],
           [["arn:aws:iam::*:role/*"], ["arn:aws:iam::*:user/admin"], [], ADMIN,
            [Param("Admin")]]),
       vpc_ids=mostly([["vpc-0123456789abcdef0"], []], [["vpc-x"], None, [None]]),
       vpc_endpoint_ids=mostly([[], ["vpce-0a1b2c3d4e5f60718"]], ["vpce-1", [Lz("vpce-1")]]),
       target_ids=mostly([[], ["ou-ab12-cdefgh34"], ["r-ab12"], [Lz("ou-ab12-cdefgh34")],
                          [Param("Target")]], [["ou-x"], None, [Lz("*")]]),
       organization_id=mostly([None, "o-abcdefghij", Param("Org")], ["org", 3, Lz("org")]),
       policy_name=mostly([None, "scp", Param("Name")], [3]))
def test_any_scp_props_build_the_seven_denials_or_fail_clearly(
    tag_key: Any, tag_value: Any, tag_admin_principal_arns: Any, vpc_ids: Any,
    vpc_endpoint_ids: Any, target_ids: Any, organization_id: Any, policy_name: Any,
) -> None:
    """GIVEN any OrgScpException props WHEN built THEN the SCP is its seven Deny statements
    with the given tag and admins, attached to exactly the given targets; or a clear
    error."""
    example = Example()

    def check(template: dict[str, Any]) -> None:
        (scp,) = (r for r in template["Resources"].values()
                  if r["Type"] == "AWS::Organizations::Policy")
        content = scp["Properties"]["Content"]
        assert [s["Effect"] for s in content["Statement"]] == ["Deny"] * 7
        assert f"aws:PrincipalTag/{tag_key}" in json.dumps(content)
        assert sorted({a for a in re.findall(r"arn:aws:iam::[^\"]+", json.dumps(content))}) == (
            sorted(set(tag_admin_principal_arns)))
        targets = [_text(t) for t in scp["Properties"].get("TargetIds", [])]
        assert targets == [example.final(t) for t in target_ids]
        assert all(re.fullmatch(r"r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|\d{12}"
                                r"|\$\{\w+\}", t) for t in targets), targets
        description = scp["Properties"]["Description"]
        organization = re.search(r"organization (\S+)$", _text(description))
        assert organization is None or re.fullmatch(r"o-[a-z0-9]{10,32}|\$\{\w+\}",
                                                     organization.group(1)), description

    _run(example, lambda: OrgScpException(
        example.stack, "Subject", tag_key=example.real(tag_key),
        tag_value=example.real(tag_value),
        tag_admin_principal_arns=example.real(tag_admin_principal_arns),
        vpc_ids=example.real(vpc_ids), vpc_endpoint_ids=example.real(vpc_endpoint_ids),
        target_ids=example.real(target_ids), organization_id=example.real(organization_id),
        policy_name=example.real(policy_name),
    ), check)


BAD_PERCENTAGES = [101, -1, "25", True, 2.5]


@ROLE_SETTINGS
@example(template={"Resources": {}}, ou_ids=[Lz("ou-*")], regions=[Lz("us-east-1*")],
         failure_tolerance_percentage=0, max_concurrent_percentage=25,
         region_concurrency="SEQUENTIAL", retain_stacks_on_account_removal=False)
@given(template=mostly([{"Resources": {}}, "{}"], [None, {"A": {1, 2}}, []]),
       ou_ids=mostly([["ou-ab12-cdefgh34"], [Lz("ou-ab12-cdefgh34")], [Param("Ou")]],
                     [[], ["ou-x"], "ou-ab12-cdefgh34"]),
       regions=mostly([["us-east-1"], ["us-east-1", "eu-west-1"], [Param("Region")]],
                      [[], ["mars-1"], None, [Lz("us-east-1*")], ["us-east-1", "us-east-1"]]),
       failure_tolerance_percentage=mostly([0, 10, 100, None], BAD_PERCENTAGES),
       max_concurrent_percentage=mostly([1, 25, 100, None], [0, *BAD_PERCENTAGES]),
       region_concurrency=mostly(["SEQUENTIAL", "PARALLEL"], ["parallel", 1]),
       retain_stacks_on_account_removal=mostly([False, True], ["false"]))
def test_any_stackset_props_build_what_was_given_or_fail_clearly(
    template: Any, ou_ids: Any, regions: Any, failure_tolerance_percentage: Any,
    max_concurrent_percentage: Any, region_concurrency: Any,
    retain_stacks_on_account_removal: Any,
) -> None:
    """GIVEN any ServiceManagedStackSet props WHEN built THEN the StackSet deploys to
    exactly the given OUs and regions with the given preferences; or a clear error."""
    example = Example()

    def check(synthesized: dict[str, Any]) -> None:
        (stack_set,) = (r["Properties"] for r in synthesized["Resources"].values()
                        if r["Type"] == "AWS::CloudFormation::StackSet")
        group = stack_set["StackInstancesGroup"][0]
        assert [_text(o) for o in group["DeploymentTargets"]["OrganizationalUnitIds"]] == [
            example.final(o) for o in ou_ids]
        assert [_text(r) for r in group["Regions"]] == [example.final(r) for r in regions]
        for value in [*map(_text, group["DeploymentTargets"]["OrganizationalUnitIds"]),
                      *map(_text, group["Regions"])]:
            assert re.fullmatch(r"ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|[a-z]{2}(-[a-z]+)+-\d"
                                r"|\$\{\w+\}", value), value
        preferences = stack_set["OperationPreferences"]
        assert preferences["MaxConcurrentPercentage"] == max_concurrent_percentage
        assert preferences["FailureTolerancePercentage"] == failure_tolerance_percentage
        assert preferences["RegionConcurrencyType"] == region_concurrency

    kwargs = {k: v for k, v in {
        "failure_tolerance_percentage": failure_tolerance_percentage,
        "max_concurrent_percentage": max_concurrent_percentage}.items() if v is not None}
    if "max_concurrent_percentage" not in kwargs:
        max_concurrent_percentage = 25
    if "failure_tolerance_percentage" not in kwargs:
        failure_tolerance_percentage = 0
    _run(example, lambda: ServiceManagedStackSet(
        example.stack, "Subject", template=template, ou_ids=example.real(ou_ids),
        regions=example.real(regions), region_concurrency=region_concurrency,
        retain_stacks_on_account_removal=retain_stacks_on_account_removal, **kwargs,
    ), check)


# --- from a definition ----------------------------------------------------------------------

DEFINITION_SOURCES = mostly(
    [DEFINITIONS / "training_eval_register.json", DEFINITIONS / "integrations.json",
     str(DEFINITIONS / "tuning_transform_foreach.json")],
    [DEFINITIONS / "missing.json", "{not json", 42, None, {"Steps": []},
     {"Steps": [{"Name": "A", "Type": "Nope"}]}],
)
PARAMETER_VALUES = mostly(
    [None, {"InputDataUrl": ["s3://ml-data/in"]},
     {"InputDataUrl": [Join(("s3://", Bucket("Data"), "/in"))]},
     {"InputDataUrl": [Join(("s3://ml-data/", Lz("in")))]}],
    [{"InputDataUrl": "s3://ml-data/in"}, {"InputDataUrl": [Join(("s3://ml-data/", Lz("*")))]},
     {"InputDataUrl": ["s3://*"]}, ["InputDataUrl"], {"InputDataUrl": [f"s3://{FAKE}/in"]}],
)
PIPELINE_NAMES = mostly([None, "fraud-train"], [3, Param("Name")])
#: training_eval_register's Model step; the other definitions name no such step (an error).
MODEL_ENDPOINTS = mostly(
    [None, {"CreateFraudModel": ["fraud-prod"]}],
    [{"CreateFraudModel": "fraud-prod"}, {"TrainModel": ["fraud-prod"]},
     {"CreateFraudModel": ["fraud-*"]}, {"CreateFraudModel": [Param("Endpoint")]},
     {"CreateFraudModel": [Lz("fraud-prod")]}, {"CreateFraudModel": [FAKE]}],
)


def _wildcard_name(arn: str) -> bool:
    """True when the resource part of ``arn`` (after its type) is wildcards only:
    ``s3:::*/*``, ``training-job/*``, ``log-stream:*/*``."""
    rest = arn.split(":", 5)[-1]
    rest = rest.split(":log-stream:")[-1]
    return bool(re.fullmatch(r"([a-z-]+[/:])?[*?/]+", rest))


def _check_definition_roles(example: Example) -> Callable[[dict[str, Any]], None]:
    """A role from a definition: '*' alone only for actions IAM gives no resource type;
    an ARN whose resource part is wildcards only (an unbound value, a name the user
    chooses without a prefix) only with the warning that says so."""

    def check(template: dict[str, Any]) -> None:
        warnings = " ".join(str(w.entry.data) for w in Annotations.from_stack(
            example.stack).find_warning("*", Match.any_value()))
        for actions, resource in _statements(template):
            assert "${Token[" not in resource
            if resource == "*":
                assert actions <= NO_RESOURCE_ACTIONS or all(
                    a.startswith("ec2:Describe") for a in actions), actions
            elif _wildcard_name(resource):
                assert warnings, (resource, "a wildcard-only name is warned about")
    return check


@DEFINITION_SETTINGS
@example(definition=DEFINITIONS / "training_eval_register.json", per_step=True,
         parameter_values={"InputDataUrl": [Join(("s3://ml-data/", Lz("*")))]},
         pipeline_name=None, allow_unknown_step_types=False, keep_roles_for=[], options={},
         model_endpoints=None)
@given(definition=DEFINITION_SOURCES, per_step=mostly([True, False], ["yes"]),
       parameter_values=PARAMETER_VALUES, pipeline_name=PIPELINE_NAMES,
       model_endpoints=MODEL_ENDPOINTS,
       allow_unknown_step_types=mostly([False, True], ["no"]),
       keep_roles_for=mostly([[], ["TrainModel"]], [["Nope"], "TrainModel", [None]]),
       options=OPTIONS.filter(lambda o: "role_name" not in o))
def test_any_job_roles_props_build_documented_grants_or_fail_clearly(
    definition: Any, per_step: Any, parameter_values: Any, pipeline_name: Any,
    allow_unknown_step_types: Any, keep_roles_for: Any, options: dict[str, Any],
    model_endpoints: Any,
) -> None:
    """GIVEN any PipelineJobRoles props WHEN built THEN documented grants, or
    InvalidPropsError/DefinitionError."""
    example = Example()
    _run(example, lambda: PipelineJobRoles(
        example.stack, "Subject", definition=definition, per_step_roles=per_step,
        parameter_values=example.real(parameter_values),
        model_endpoints=example.real(model_endpoints),
        pipeline_name=example.real(pipeline_name),
        allow_unknown_step_types=allow_unknown_step_types,
        keep_roles_for=keep_roles_for, **example.real(options),
    ), _check_definition_roles(example))


@DEFINITION_SETTINGS
@example(definition=DEFINITIONS / "training_eval_register.json",
         parameter_values={"InputDataUrl": [Join(("s3://", Lz("*"), "/in"))]},
         pipeline_name=None, allow_unknown_step_types=False, options={})
@given(definition=DEFINITION_SOURCES, parameter_values=PARAMETER_VALUES,
       pipeline_name=PIPELINE_NAMES, allow_unknown_step_types=mostly([False, True], [1]),
       options=OPTIONS)
def test_any_from_definition_props_build_documented_grants_or_fail_clearly(
    definition: Any, parameter_values: Any, pipeline_name: Any,
    allow_unknown_step_types: Any, options: dict[str, Any],
) -> None:
    """GIVEN any from_definition props WHEN built THEN documented grants, or
    InvalidPropsError/DefinitionError."""
    example = Example()
    _run(example, lambda: PipelineExecutionRole.from_definition(
        example.stack, "Subject", definition,
        parameter_values=example.real(parameter_values),
        pipeline_name=example.real(pipeline_name),
        allow_unknown_step_types=allow_unknown_step_types, **example.real(options),
    ), _check_definition_roles(example))
