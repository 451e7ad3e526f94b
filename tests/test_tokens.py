"""Tokens in constructor props, handled on purpose (issue 15): which props accept them and
how, what refuses them, text that only looks like a token, and values that a ``Lazy``
gives only at synthesis (checked then, on the final value)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import jsii
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Annotations, Match, Template

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
)

DEFINITION = Path(__file__).parent / "fixtures" / "definitions" / "training_eval_register.json"
ADMIN = "arn:aws:iam::*:role/cdk-hnb659fds-cfn-exec-role-*"
ACKNOWLEDGED = cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY
AT_SYNTH = "(the value its token has at synth)"


@jsii.implements(cdk.IStableStringProducer)
class _Value:
    def __init__(self, value: str) -> None:
        self._value = value

    def produce(self) -> str:
        return self._value


def lazy(value: str) -> str:
    """A token that resolves to ``value`` only at synthesis."""
    return cdk.Lazy.string(_Value(value))


def _stack() -> cdk.Stack:
    return cdk.Stack(cdk.App(), "Stack",
                     env=cdk.Environment(account="111122223333", region="us-east-1"))


def _parameter(stack: cdk.Stack, name: str = "Prefix") -> str:
    return cdk.CfnParameter(stack, name).value_as_string


def _resources(stack: cdk.Stack) -> list[Any]:
    """Every Resource of every IAM policy of the stack, as synthesized."""
    template = Template.from_stack(stack).to_json()
    found: list[Any] = []
    for resource in template["Resources"].values():
        if resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
                value = statement["Resource"]
                found.extend(value if isinstance(value, list) else [value])
    return found


def _text(value: Any) -> str:
    """A resolved ARN as text: ``Fn::Join`` joined, references as ``${Ref}``."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(_text(part) for part in parts)
    if "Ref" in value:
        return "${" + value["Ref"] + "}"
    if "Fn::GetAtt" in value:
        return "${" + ".".join(value["Fn::GetAtt"]) + "}"
    return json.dumps(value)


# --- a token job_prefix -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("construct", "build"),
    [
        ("PipelineExecutionRole", lambda stack, prefix: PipelineExecutionRole(
            stack, "Role", step_types=["Training", "Model"], job_prefix=prefix)),
        ("PrefixedStepRole", lambda stack, prefix: PrefixedStepRole(
            stack, "Role", step_types=["Training", "Model"], job_prefix=prefix,
            team_principals=[iam.Group(stack, "Team")])),
    ],
)
def test_a_deploy_time_prefix_is_granted_once_as_given_without_a_mixed_case_warning(
    construct: str, build: Callable[[cdk.Stack, str], object]
) -> None:
    """GIVEN job_prefix from a CfnParameter (its text, ${Token[TOKEN.n]}, has upper-case
    letters) WHEN synthesized THEN each job type gets exactly <Prefix>-*: no lower-cased
    junk second resource, and no mixedCaseJobPrefix warning."""
    stack = _stack()
    build(stack, _parameter(stack))
    texts = [_text(r) for r in _resources(stack)]
    sagemaker = sorted(t for t in texts if ":sagemaker:" in t)
    kinds = ["model", "training-job"] + (["pipeline"] if construct == "PrefixedStepRole" else [])
    assert sagemaker == sorted(
        f"arn:${{AWS::Partition}}:sagemaker:us-east-1:111122223333:{kind}/${{Prefix}}-*"
        for kind in kinds
    )
    assert not any("token" in t for t in texts), "a case-folded token is junk"
    warnings = Annotations.from_stack(stack).find_warning("*", Match.any_value())
    assert not [w for w in warnings if "upper-case" in str(w.entry.data)]


def test_a_job_roles_deploy_time_prefix_is_used_as_given() -> None:
    """GIVEN a JobRole job_prefix from a CfnParameter WHEN synthesized THEN its log streams
    are <Prefix>-*/* only."""
    stack = _stack()
    JobRole(stack, "JobRole", job_kinds=["TrainingJobs"], inputs=["s3://ml-data/in"],
            job_prefix=_parameter(stack))
    streams = [t for t in map(_text, _resources(stack)) if ":log-stream:" in t]
    assert streams == ["arn:${AWS::Partition}:logs:us-east-1:111122223333:log-group:"
                       "/aws/sagemaker/TrainingJobs:log-stream:${Prefix}-*/*"]


def test_a_lazy_prefix_is_granted_with_its_final_value() -> None:
    """GIVEN a Lazy job_prefix that resolves to 'fraud' WHEN synthesized THEN the job ARNs
    hold fraud-*."""
    stack = _stack()
    PipelineExecutionRole(stack, "Role", step_types=["Training"], job_prefix=lazy("fraud"))
    assert ("arn:${AWS::Partition}:sagemaker:us-east-1:111122223333:training-job/fraud-*"
            in map(_text, _resources(stack)))


# --- Lazy values that resolve to something bad at synth ---------------------------------------


def _scp(stack: cdk.Stack, **props: Any) -> OrgScpException:
    return OrgScpException(stack, "Scp", **{
        "tag_key": "sm-pipeline-exception", "tag_value": "true",
        "tag_admin_principal_arns": [ADMIN], "vpc_ids": ["vpc-0123456789abcdef0"], **props})


#: (what, build the construct with a Lazy value, the message fragment of the synth error).
AT_SYNTH_CASES: list[tuple[str, Callable[[cdk.Stack], object], str]] = [
    ("execution job_prefix *", lambda stack: PipelineExecutionRole(
        stack, "Subject", step_types=["Training"], job_prefix=lazy("*")),
     "job_prefix '*' contains a wildcard"),
    ("execution job_prefix too long for Tuning", lambda stack: PipelineExecutionRole(
        stack, "Subject", step_types=["Tuning"], job_prefix=lazy("research")),
     "job_prefix 'research' is 8 characters, longer than the 6 that Tuning steps allow"),
    ("execution job_prefix mixed case", lambda stack: PipelineExecutionRole(
        stack, "Subject", step_types=["Training"], job_prefix=lazy("Fraud")),
     "job_prefix is a token whose value is 'Fraud', with upper-case letters"),
    ("json_get bucket *", lambda stack: PipelineExecutionRole(
        stack, "Subject", step_types=["Training"],
        json_get_locations=[f"s3://{lazy('*')}/eval"]),
     "json_get_locations 's3://*/eval' names bucket '*'"),
    ("json_get key with *", lambda stack: PipelineExecutionRole(
        stack, "Subject", step_types=["Training"],
        json_get_locations=[f"s3://ml-data/{lazy('eval*')}"]),
     "json_get_locations 's3://ml-data/eval*' contains a wildcard"),
    ("cleanup bucket *", lambda stack: PipelineExecutionRole(
        stack, "Subject", step_types=["Cleanup"], integration_resources=GivenResources(
            cleanup_locations=[JobRoleLocation.bucket(lazy("*"), "tmp")])),
     "cleanup_locations 's3://*/tmp' names bucket '*'"),
    ("lambda ARN *", lambda stack: PipelineExecutionRole(
        stack, "Subject", step_types=["Lambda"],
        integration_resources=GivenResources(lambda_function_arns=[lazy("*")])),
     "lambda_function_arns '*' is not a function ARN"),
    ("team job_prefix *", lambda stack: PrefixedStepRole(
        stack, "Subject", step_types=["Training"], job_prefix=lazy("*")),
     "job_prefix '*' contains a wildcard"),
    ("team job_prefix reserved", lambda stack: PrefixedStepRole(
        stack, "Subject", step_types=["Training"], job_prefix=lazy("Pipelines")),
     "job_prefix 'Pipelines' is reserved"),
    ("job role job_prefix *", lambda stack: JobRole(
        stack, "Subject", job_kinds=["TrainingJobs"], inputs=["s3://ml-data/in"],
        job_prefix=lazy("*")),
     "job_prefix '*' contains a wildcard"),
    ("job role input bucket *", lambda stack: JobRole(
        stack, "Subject", job_kinds=["TrainingJobs"],
        inputs=[JobRoleLocation.bucket(lazy("*"), "in")]),
     "inputs 's3://*/in' names bucket '*'"),
    ("job roles parameter value *", lambda stack: PipelineJobRoles(
        stack, "Subject", definition=DEFINITION,
        parameter_values={"InputDataUrl": [f"s3://ml-data/{lazy('*')}"]}),
     "parameter_values 'InputDataUrl' holds 's3://ml-data/*', a wildcard"),
    ("from_definition parameter value *", lambda stack: PipelineExecutionRole.from_definition(
        stack, "Subject", DEFINITION,
        parameter_values={"InputDataUrl": [f"s3://ml-data/{lazy('*')}"]}),
     "parameter_values 'InputDataUrl' holds 's3://ml-data/*', a wildcard"),
    ("SCP target *", lambda stack: _scp(stack, target_ids=[lazy("*")]),
     "target_ids '*' is not a root"),
    ("SCP organization", lambda stack: _scp(stack, organization_id=lazy("org-1")),
     "organization_id 'org-1' is not an organization id"),
    ("StackSet region", lambda stack: ServiceManagedStackSet(
        stack, "Subject", template={"Resources": {}}, ou_ids=["ou-ab12-cdefgh34"],
        regions=[lazy("us-east-1*")]),
     "regions 'us-east-1*' is not a region name"),
    ("StackSet OU", lambda stack: ServiceManagedStackSet(
        stack, "Subject", template={"Resources": {}}, ou_ids=[lazy("ou-*")],
        regions=["us-east-1"]),
     "ou_ids 'ou-*' is not an OU id"),
]


@pytest.mark.parametrize(("what", "build", "fragment"), AT_SYNTH_CASES,
                         ids=[case[0] for case in AT_SYNTH_CASES])
def test_a_lazy_value_is_checked_at_synth_on_its_final_value(
    what: str, build: Callable[[cdk.Stack], object], fragment: str
) -> None:
    """GIVEN a prop holding a Lazy that resolves to a value the construct refuses WHEN
    constructed THEN it is accepted (its value is unknown), and synthesis fails naming the
    construct, the prop and the final value."""
    stack = _stack()
    build(stack)
    with pytest.raises(RuntimeError) as raised:
        cdk.App.of(stack).synth()  # type: ignore[union-attr]
    message = str(raised.value)
    assert "Validation failed" in message
    assert "'Stack/Subject': " in message or "'Stack/Scp': " in message
    assert fragment in message
    assert AT_SYNTH in message


def test_a_lazy_team_prefix_that_overlaps_another_team_fails_at_synth() -> None:
    """GIVEN team 'rsch' and a team whose Lazy prefix resolves to 'rsch-a' WHEN
    synthesized THEN overlappingPrefix names both teams; a Lazy team alone synthesizes
    (twice: it is never compared with itself)."""
    stack = _stack()
    PrefixedStepRole(stack, "First", job_prefix="rsch", step_types=["Training"])
    PrefixedStepRole(stack, "Second", job_prefix=lazy("rsch-a"), step_types=["Training"])
    with pytest.raises(RuntimeError, match=re.escape(
        "team 'Stack/Second' (job_prefix 'rsch-a') and team 'Stack/First' (job_prefix 'rsch') "
        "overlap"
    )):
        cdk.App.of(stack).synth()  # type: ignore[union-attr]
    alone = _stack()
    PrefixedStepRole(alone, "Only", job_prefix=lazy("rsch"), step_types=["Training"])
    app = cdk.App.of(alone)
    assert app is not None
    app.synth()
    app.synth(force=True)


def test_deploy_time_values_are_accepted_and_not_checked() -> None:
    """GIVEN CfnParameter values where tokens are accepted (SCP targets, StackSet OUs and
    regions, a team prefix) WHEN synthesized THEN no error: they are known only at deploy
    time."""
    stack = _stack()
    _scp(stack, target_ids=[_parameter(stack, "Target")],
         organization_id=_parameter(stack, "Organization"))
    ServiceManagedStackSet(stack, "StackSet", template={"Resources": {}},
                           ou_ids=[_parameter(stack, "Ou")], regions=[_parameter(stack, "Region")],
                           stack_set_name=_parameter(stack, "Name"))
    PrefixedStepRole(stack, "Team", job_prefix=_parameter(stack), step_types=["Training"])
    template = Template.from_stack(stack).to_json()
    stack_set = next(r for r in template["Resources"].values()
                     if r["Type"] == "AWS::CloudFormation::StackSet")
    assert stack_set["Properties"]["StackInstancesGroup"][0]["Regions"] == [{"Ref": "Region"}]
    scp = next(r for r in template["Resources"].values()
               if r["Type"] == "AWS::Organizations::Policy")
    assert scp["Properties"]["TargetIds"] == [{"Ref": "Target"}]


def test_deploy_time_values_are_named_in_a_warning() -> None:
    """GIVEN a team prefix and an SCP target from CfnParameters WHEN synthesized THEN each
    construct warns (deployTimeValue) naming the props that nothing could check; a Lazy
    that resolves at synthesis gets no such warning."""
    stack = _stack()
    PrefixedStepRole(stack, "Team", job_prefix=_parameter(stack), step_types=["Training"])
    _scp(stack, target_ids=[_parameter(stack, "Target")])
    PipelineExecutionRole(stack, "Checked", step_types=["Training"], job_prefix=lazy("fraud"))
    warnings = {
        w.id: str(w.entry.data)
        for w in Annotations.from_stack(stack).find_warning("*", Match.any_value())
        if "deployTimeValue" in str(w.entry.data)
    }
    assert set(warnings) == {"/Stack/Team", "/Stack/Scp"}, warnings
    assert warnings["/Stack/Team"].startswith("job_prefix holds a value known only at deploy")
    assert warnings["/Stack/Scp"].startswith("target_ids holds a value known only at deploy")


# --- text that only looks like a token ------------------------------------------------------

FAKE = "${Token[x]}"
FAKE_CASES: list[tuple[str, Callable[[cdk.Stack], object]]] = [
    ("job_prefix", lambda stack: PipelineExecutionRole(
        stack, "Subject", step_types=["Training"], job_prefix=FAKE)),
    ("json_get_locations", lambda stack: PipelineExecutionRole(
        stack, "Subject", step_types=["Training"], json_get_locations=[f"s3://{FAKE}/eval"])),
    ("integration_resources", lambda stack: PipelineExecutionRole(
        stack, "Subject", step_types=["Lambda"],
        integration_resources=GivenResources(lambda_function_arns=[FAKE]))),
    ("job_prefix", lambda stack: PrefixedStepRole(
        stack, "Subject", step_types=["Training"], job_prefix="${Token[TOKEN.999999]}")),
    ("inputs", lambda stack: JobRole(
        stack, "Subject", job_kinds=["TrainingJobs"], inputs=[f"s3://{FAKE}/in"])),
    ("kms_keys", lambda stack: JobRole(
        stack, "Subject", job_kinds=["TrainingJobs"], inputs=["s3://ml-data/in"],
        kms_keys=["arn:aws:kms:us-east-1:111122223333:key/${Token["])),
    ("parameter_values", lambda stack: PipelineJobRoles(
        stack, "Subject", definition=DEFINITION,
        parameter_values={"InputDataUrl": [f"s3://{FAKE}/in"]})),
    ("parameter_values", lambda stack: PipelineExecutionRole.from_definition(
        stack, "Subject", DEFINITION, parameter_values={"InputDataUrl": [f"s3://{FAKE}/in"]})),
    ("target_ids", lambda stack: _scp(stack, target_ids=[FAKE])),
    ("ou_ids", lambda stack: ServiceManagedStackSet(
        stack, "Subject", template={"Resources": {}}, ou_ids=[FAKE], regions=["us-east-1"])),
]


@pytest.mark.parametrize(("prop", "build"), FAKE_CASES,
                         ids=[f"{i}-{case[0]}" for i, case in enumerate(FAKE_CASES)])
def test_text_that_only_looks_like_a_token_is_a_props_error(
    prop: str, build: Callable[[cdk.Stack], object]
) -> None:
    """GIVEN '${Token[x]}' (no token of this app) in a prop WHEN constructed THEN
    InvalidPropsError notAToken naming the prop, not a jsii 'Unrecognized token key' crash
    at synth; nothing is made."""
    stack = _stack()
    with pytest.raises(InvalidPropsError) as raised:
        build(stack)
    assert (prop, "notAToken") in [(p.prop, p.code) for p in raised.value.problems]
    assert "looks like a CDK token but is not one of this app" in str(raised.value)
    assert stack.node.try_find_child("Subject") is None


# --- model_endpoints ---------------------------------------------------------------------------


@pytest.mark.parametrize("make", [
    lambda stack: _parameter(stack, "EndpointName"), lambda stack: lazy("fraud-prod"),
    lambda stack: FAKE,
], ids=["CfnParameter", "Lazy", "fake"])
def test_a_token_in_model_endpoints_is_refused_before_anything_is_made(
    make: Callable[[cdk.Stack], str]
) -> None:
    """GIVEN an endpoint name in model_endpoints that is a token (deploy-time, Lazy, or
    text that only looks like one) WHEN the job roles are made THEN a DefinitionError
    'token' names the prop: the name scopes a log group grant, so it must be known at
    synthesis (like pipeline_name); nothing is made."""
    stack = _stack()
    with pytest.raises(DefinitionError) as raised:
        PipelineJobRoles(stack, "Subject", definition=DEFINITION,
                         model_endpoints={"CreateFraudModel": [make(stack)]})
    assert [(p.prop, p.code) for p in raised.value.problems] == [
        ("model_endpoints['CreateFraudModel']", "token")]
    assert stack.node.try_find_child("Subject") is None


# --- S3 locations -------------------------------------------------------------------------------


def test_json_get_locations_take_a_bucket_construct_in_each_form() -> None:
    """GIVEN a bucket as f's3://{bucket.bucket_name}/eval', as s3.IBucket and as
    JobRoleLocation.bucket(bucket, 'reports/') WHEN synthesized THEN s3:GetObject on exactly
    those folders of that bucket."""
    stack = _stack()
    bucket = s3.Bucket(stack, "Artifacts")
    PipelineExecutionRole(stack, "Role", step_types=["Training"], json_get_locations=[
        f"s3://{bucket.bucket_name}/eval", bucket, JobRoleLocation.bucket(bucket, "reports/")])
    ref = "${" + stack.get_logical_id(bucket.node.default_child) + "}"  # type: ignore[arg-type]
    objects = sorted(t for t in map(_text, _resources(stack)) if ":s3:::" in t)
    assert objects == sorted(f"arn:${{AWS::Partition}}:s3:::{ref}/{key}"
                             for key in ("*", "eval/*", "reports/*"))


def test_cleanup_locations_take_a_bucket_construct() -> None:
    """GIVEN Cleanup folders of a bucket construct WHEN synthesized THEN DeleteObject under
    them and ListBucket on that bucket."""
    stack = _stack()
    bucket = s3.Bucket(stack, "Scratch")
    PipelineExecutionRole(stack, "Role", step_types=["Cleanup"], integration_resources=(
        GivenResources(cleanup_locations=[f"s3://{bucket.bucket_name}/tmp"])))
    ref = "${" + stack.get_logical_id(bucket.node.default_child) + "}"  # type: ignore[arg-type]
    texts = [t for t in map(_text, _resources(stack)) if ":s3:::" in t]
    assert sorted(texts) == [f"arn:${{AWS::Partition}}:s3:::{ref}",
                             f"arn:${{AWS::Partition}}:s3:::{ref}/tmp/*"]


@pytest.mark.parametrize("prop", ["json_get_locations", "cleanup_locations"])
def test_a_whole_location_token_asks_for_the_bucket_construct(prop: str) -> None:
    """GIVEN a location that is one token as a whole WHEN constructed THEN tokenLocation:
    pass the bucket construct (S3Location.bucket)."""
    stack = _stack()
    location = _parameter(stack, "Location")
    props: dict[str, Any] = (
        {"step_types": ["Training"], "json_get_locations": [location]}
        if prop == "json_get_locations" else
        {"step_types": ["Cleanup"],
         "integration_resources": GivenResources(cleanup_locations=[location])})
    with pytest.raises(InvalidPropsError) as raised:
        PipelineExecutionRole(stack, "Role", **props)
    (problem,) = raised.value.problems
    assert (problem.prop, problem.code) == (prop, "tokenLocation")
    assert "S3Location.bucket(bucket, 'prefix')" in problem.message


def test_a_wildcard_beside_a_token_bucket_is_still_refused_at_construction() -> None:
    """GIVEN s3://<token bucket>/a* WHEN constructed THEN the key's wildcard is refused, the
    message naming the location with its token (not a placeholder)."""
    stack = _stack()
    bucket = s3.Bucket(stack, "Artifacts")
    with pytest.raises(InvalidPropsError) as raised:
        PipelineExecutionRole(stack, "Role", step_types=["Training"],
                              json_get_locations=[f"s3://{bucket.bucket_name}/a*"])
    (problem,) = raised.value.problems
    assert (problem.prop, problem.code) == ("json_get_locations", "wildcard")
    assert "sm-pipeline-iam-token-bucket" not in problem.message
    assert "${Token[" in problem.message


# --- props that refuse tokens ------------------------------------------------------------------


REFUSED: list[tuple[str, Callable[[cdk.Stack, str], object]]] = [
    ("tag_key", lambda stack, token: _scp(stack, tag_key=token)),
    ("tag_value", lambda stack, token: _scp(stack, tag_value=token)),
    ("tag_admin_principal_arns", lambda stack, token: _scp(
        stack, tag_admin_principal_arns=[token])),
    ("vpc_ids", lambda stack, token: _scp(stack, vpc_ids=[token])),
    ("vpc_endpoint_ids", lambda stack, token: _scp(stack, vpc_endpoint_ids=[token])),
    ("principal_tag", lambda stack, token: PipelineExecutionRole(
        stack, "Subject", step_types=["Training"], principal_tag=("sm-pipeline-exception", token))),
    ("pipeline_name", lambda stack, token: PipelineExecutionRole.from_definition(
        stack, "Subject", DEFINITION, pipeline_name=token)),
    ("pipeline_name", lambda stack, token: PipelineJobRoles(
        stack, "Subject", definition=DEFINITION, pipeline_name=token)),
    ("template", lambda stack, token: ServiceManagedStackSet(
        stack, "Subject", template=token, ou_ids=["ou-ab12-cdefgh34"], regions=["us-east-1"])),
    ("region_concurrency", lambda stack, token: ServiceManagedStackSet(
        stack, "Subject", template={"Resources": {}}, ou_ids=["ou-ab12-cdefgh34"],
        regions=["us-east-1"], region_concurrency=token)),
]


@pytest.mark.parametrize(("prop", "build"), REFUSED,
                         ids=[f"{i}-{case[0]}" for i, case in enumerate(REFUSED)])
def test_props_whose_checks_need_the_literal_refuse_a_token(
    prop: str, build: Callable[[cdk.Stack, str], object]
) -> None:
    """GIVEN a token in a prop that is checked on its literal value WHEN constructed THEN
    tokenNotAccepted naming the prop and why, and to give the literal value."""
    stack = _stack()
    with pytest.raises(InvalidPropsError) as raised:
        build(stack, _parameter(stack, "Value"))
    assert [(p.prop, p.code) for p in raised.value.problems] == [(prop, "tokenNotAccepted")]
    assert re.search(r"give the (literal|synthesized)", str(raised.value))


# --- issue 16: the grantee is the user's ------------------------------------------------------


def test_grant_pipeline_access_acknowledges_nothing_on_the_users_grantee() -> None:
    """GIVEN a team role granting its pipelines to the user's group WHEN made THEN the
    group (and its policy) carry no cdk-nag acknowledgement from the library, while the
    role's own policy still acknowledges its wildcards."""
    stack = _stack()
    group = iam.Group(stack, "Research")
    role = PrefixedStepRole(stack, "Team", job_prefix="rsch", step_types=["Training"],
                            team_principals=[group])
    other = iam.User(stack, "Ci")
    assert role.grant_pipeline_access(other).success
    Template.from_stack(stack)

    def acknowledgements(construct: cdk.IConstruct) -> list[Any]:
        return [entry.data for child in construct.node.find_all()
                for entry in child.node.metadata if entry.type == ACKNOWLEDGED]

    assert acknowledgements(group) == []
    assert acknowledgements(other) == []
    assert acknowledgements(role), "the library's own role acknowledges its wildcards"
    pipelines = [t for t in map(_text, _resources(stack)) if ":pipeline/" in t]
    assert pipelines == 2 * ["arn:${AWS::Partition}:sagemaker:us-east-1:111122223333:"
                             "pipeline/rsch-*"]
