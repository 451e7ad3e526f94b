"""Every prop of every public construct is checked by type before anything is made: a
wrong type is one InvalidPropsError problem naming the prop and what it takes, never a
TypeError, AttributeError or jsii error from inside (issue 15: bad input)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam

from sm_pipeline_iam import (
    DefinitionError,
    GivenResources,
    InvalidPropsError,
    JobRole,
    LeastPrivilegePipeline,
    OrgRcpException,
    OrgScpException,
    PipelineExecutionRole,
    PipelineJobRoles,
    PrefixedStepRole,
    ServiceManagedStackSet,
)

DEFINITION = Path(__file__).parent / "fixtures" / "definitions" / "training_eval_register.json"
ROLE_ARN = "arn:aws:iam::111122223333:role/step"
LAMBDA_ARN = "arn:aws:lambda:us-east-1:111122223333:function:score"
ADMIN = "arn:aws:iam::*:role/cdk-hnb659fds-cfn-exec-role-*"

#: Per construct: a builder taking the stack and props over valid defaults.
Builder = Callable[..., object]
BUILDERS: dict[str, Builder] = {
    "PipelineExecutionRole": lambda stack, **kw: PipelineExecutionRole(
        stack, "Subject", **{"step_types": ["Training"], **kw}),
    "from_definition": lambda stack, **kw: PipelineExecutionRole.from_definition(
        stack, "Subject", kw.pop("definition", DEFINITION), **kw),
    "PrefixedStepRole": lambda stack, **kw: PrefixedStepRole(
        stack, "Subject", **{"job_prefix": "rsch", "step_types": ["Training"], **kw}),
    "JobRole": lambda stack, **kw: JobRole(
        stack, "Subject", **{"job_kinds": ["TrainingJobs"], "inputs": ["s3://ml-data/in"],
                             **kw}),
    "PipelineJobRoles": lambda stack, **kw: PipelineJobRoles(
        stack, "Subject", **{"definition": DEFINITION, **kw}),
    "OrgScpException": lambda stack, **kw: OrgScpException(
        stack, "Subject", **{"tag_key": "sm-pipeline-exception", "tag_value": "true",
                             "tag_admin_principal_arns": [ADMIN],
                             "vpc_ids": ["vpc-0123456789abcdef0"], **kw}),
    "OrgRcpException": lambda stack, **kw: OrgRcpException(
        stack, "Subject", **{"scp": OrgScpException(
            cdk.Stack(stack.node.root, "Org"), "Scp", tag_key="sm-pipeline-exception",
            tag_value="true", tag_admin_principal_arns=[ADMIN],
            vpc_ids=["vpc-0123456789abcdef0"]),
            "organization_id": "o-a1b2c3d4e5", **kw}),
    "ServiceManagedStackSet": lambda stack, **kw: ServiceManagedStackSet(
        stack, "Subject", **{"template": {"Resources": {}}, "ou_ids": ["ou-ab12-cdefgh34"],
                             "regions": ["us-east-1"], **kw}),
}

#: (construct, props, the expected (prop, code) problems, in order).
CASES: list[tuple[str, dict[str, Any], list[tuple[str, str]]]] = [
    # PipelineExecutionRole
    ("PipelineExecutionRole", {"step_types": None}, [("step_types", "notAList")]),
    ("PipelineExecutionRole", {"step_types": "Training"}, [("step_types", "notAList")]),
    ("PipelineExecutionRole", {"step_types": ["Training", 3]}, [("step_types", "notAStepType")]),
    ("PipelineExecutionRole", {"requirements": "Training"}, [("requirements", "notRequirements")]),
    ("PipelineExecutionRole", {"job_prefix": 7}, [("job_prefix", "notAString")]),
    ("PipelineExecutionRole", {"job_prefix": ["fraud"]}, [("job_prefix", "notAString")]),
    ("PipelineExecutionRole", {"step_roles": [ROLE_ARN]}, [("step_roles", "notARole")]),
    ("PipelineExecutionRole", {"step_roles": None}, [("step_roles", "notAList")]),
    ("PipelineExecutionRole", {"job_roles": ROLE_ARN}, [("job_roles", "notRoles")]),
    ("PipelineExecutionRole", {"job_roles": [ROLE_ARN]}, [("job_roles", "notARole")]),
    ("PipelineExecutionRole", {"json_get_locations": [None]},
     [("json_get_locations", "notAnS3Location")]),
    ("PipelineExecutionRole", {"json_get_locations": "s3://ml-data/eval"},
     [("json_get_locations", "notAList")]),
    ("PipelineExecutionRole",
     {"step_types": ["Lambda"], "integration_resources": {"lambda_function_arns": [LAMBDA_ARN]}},
     [("integration_resources", "notGivenResources")]),
    ("PipelineExecutionRole",
     {"step_types": ["Lambda"], "integration_resources": GivenResources(
         lambda_function_arns=LAMBDA_ARN)},  # type: ignore[arg-type]
     [("lambda_function_arns", "notAList")]),
    ("PipelineExecutionRole",
     {"step_types": ["Cleanup"], "integration_resources": GivenResources(
         cleanup_locations=[None])},  # type: ignore[list-item]
     [("cleanup_locations", "notAnS3Location")]),
    ("PipelineExecutionRole", {"principal_tag": ("k",)}, [("principal_tag", "notAPair")]),
    ("PipelineExecutionRole", {"principal_tag": "k=v"}, [("principal_tag", "notAPair")]),
    ("PipelineExecutionRole", {"description": False}, [("description", "notAString")]),
    ("PipelineExecutionRole", {"permissions_boundary": "arn:aws:iam::aws:policy/Boundary"},
     [("permissions_boundary", "notAManagedPolicy")]),
    ("PipelineExecutionRole", {"max_session_duration": 3600},
     [("max_session_duration", "notADuration")]),
    # from_definition
    ("from_definition", {"definition": None}, [("definition", "notADefinition")]),
    ("from_definition", {"parameter_values": {"InputDataUrl": "s3://ml-data/in"}},
     [("parameter_values", "notAMapping")]),
    ("from_definition", {"parameter_values": ["InputDataUrl"]},
     [("parameter_values", "notAMapping")]),
    ("from_definition", {"pipeline_name": 3}, [("pipeline_name", "notAString")]),
    ("from_definition", {"allow_unknown_step_types": "yes"},
     [("allow_unknown_step_types", "notABool")]),
    ("from_definition", {"job_roles": [ROLE_ARN]}, [("job_roles", "notJobRoles")]),
    ("from_definition", {"role_name": 3}, [("role_name", "notAString")]),
    # PrefixedStepRole
    ("PrefixedStepRole", {"job_prefix": None}, [("job_prefix", "notAString")]),
    ("PrefixedStepRole", {"step_types": "Training"}, [("step_types", "notAList")]),
    ("PrefixedStepRole", {"team_principals": ["arn:aws:iam::111122223333:group/research"]},
     [("team_principals", "notAPrincipal")]),
    ("PrefixedStepRole", {"shared_step_types": "Fail"}, [("shared_step_types", "notAList")]),
    ("PrefixedStepRole", {"step_roles": [ROLE_ARN]}, [("step_roles", "notARole")]),
    ("PrefixedStepRole", {"json_get_locations": [3]}, [("json_get_locations", "notAnS3Location")]),
    ("PrefixedStepRole", {"integration_resources": [LAMBDA_ARN]},
     [("integration_resources", "notGivenResources")]),
    ("PrefixedStepRole", {"principal_tag": ("k", 1)}, [("principal_tag", "notAPair")]),
    # JobRole
    ("JobRole", {"job_kinds": "TrainingJobs"}, [("job_kinds", "notAList")]),
    ("JobRole", {"job_kinds": None}, [("job_kinds", "notAList")]),
    ("JobRole", {"inputs": "s3://ml-data/in"}, [("inputs", "notAList")]),
    ("JobRole", {"inputs": [None]}, [("inputs", "notAnS3Location")]),
    ("JobRole", {"outputs": [{"bucket": "ml-data"}]}, [("outputs", "notAnS3Location")]),
    ("JobRole", {"images": [42]}, [("images", "notAnImage")]),
    ("JobRole", {"vpc": "vpc-0123456789abcdef0"}, [("vpc", "notAVpc")]),
    ("JobRole", {"vpc_subnets": "private"}, [("vpc_subnets", "notASubnetSelection")]),
    ("JobRole", {"subnet_ids": "subnet-0a1b2c3d", "security_groups": ["sg-0a1b2c3d"]},
     [("subnet_ids", "notAList")]),
    ("JobRole", {"kms_keys": [None]}, [("kms_keys", "notAString")]),
    ("JobRole", {"job_prefix": 5}, [("job_prefix", "notAString")]),
    ("JobRole", {"max_session_duration": "PT1H"}, [("max_session_duration", "notADuration")]),
    # PipelineJobRoles
    ("PipelineJobRoles", {"definition": 42}, [("definition", "notADefinition")]),
    ("PipelineJobRoles", {"per_step_roles": "yes"}, [("per_step_roles", "notABool")]),
    ("PipelineJobRoles", {"parameter_values": {"InputDataUrl": [None]}},
     [("parameter_values", "notAMapping")]),
    ("PipelineJobRoles", {"pipeline_name": ["fraud"]}, [("pipeline_name", "notAString")]),
    ("PipelineJobRoles", {"allow_unknown_step_types": 1},
     [("allow_unknown_step_types", "notABool")]),
    ("PipelineJobRoles", {"keep_roles_for": "TrainModel"}, [("keep_roles_for", "notAList")]),
    ("PipelineJobRoles", {"principal_tag": ("k",)}, [("principal_tag", "notAPair")]),
    # OrgScpException
    ("OrgScpException", {"tag_key": 1}, [("tag_key", "notAString")]),
    ("OrgScpException", {"tag_value": True}, [("tag_value", "notAString")]),
    ("OrgScpException", {"tag_admin_principal_arns": ADMIN},
     [("tag_admin_principal_arns", "notAList")]),
    ("OrgScpException", {"vpc_ids": None}, [("vpc_ids", "notAList")]),
    ("OrgScpException", {"vpc_ids": [None]}, [("vpc_ids", "notAString")]),
    ("OrgScpException", {"vpc_endpoint_ids": "vpce-0a1b2c3d4e5f60718"},
     [("vpc_endpoint_ids", "notAList")]),
    ("OrgScpException", {"target_ids": None}, [("target_ids", "notAList")]),
    ("OrgScpException", {"organization_id": 3}, [("organization_id", "notAString")]),
    ("OrgScpException", {"policy_name": 3}, [("policy_name", "notAString")]),
    # ServiceManagedStackSet
    # OrgRcpException
    ("OrgRcpException", {"scp": "sm-pipeline-exception"}, [("scp", "notAnOrgScpException")]),
    ("OrgRcpException", {"organization_id": None}, [("organization_id", "notAString")]),
    ("OrgRcpException", {"target_ids": "ou-ab12-cdefgh34"}, [("target_ids", "notAList")]),
    ("OrgRcpException", {"policy_name": 3}, [("policy_name", "notAString")]),
    ("ServiceManagedStackSet", {"template": None}, [("template", "notATemplate")]),
    ("ServiceManagedStackSet", {"template": {"Resources": {1, 2}}}, [("template", "notJson")]),
    ("ServiceManagedStackSet", {"ou_ids": "ou-ab12-cdefgh34"}, [("ou_ids", "notAList")]),
    ("ServiceManagedStackSet", {"regions": None}, [("regions", "notAList")]),
    ("ServiceManagedStackSet", {"stack_set_name": 3}, [("stack_set_name", "notAString")]),
    ("ServiceManagedStackSet", {"max_concurrent_percentage": "25"},
     [("max_concurrent_percentage", "notAnInteger")]),
    ("ServiceManagedStackSet", {"max_concurrent_percentage": 2.5},
     [("max_concurrent_percentage", "notAnInteger")]),
    ("ServiceManagedStackSet", {"failure_tolerance_percentage": True},
     [("failure_tolerance_percentage", "notAnInteger")]),
    ("ServiceManagedStackSet", {"region_concurrency": 1}, [("region_concurrency", "notAString")]),
    ("ServiceManagedStackSet", {"retain_stacks_on_account_removal": "false"},
     [("retain_stacks_on_account_removal", "notABool")]),
]


def _stack() -> cdk.Stack:
    return cdk.Stack(cdk.App(), "Stack",
                     env=cdk.Environment(account="111122223333", region="us-east-1"))


def _case_id(case: tuple[str, dict[str, Any], list[tuple[str, str]]]) -> str:
    construct, props, _ = case
    return f"{construct}-{'-'.join(props)}-{type(next(iter(props.values()))).__name__}"


@pytest.mark.parametrize(("construct", "props", "expected"), CASES,
                         ids=[_case_id(case) for case in CASES])
def test_a_wrong_type_is_named_with_the_type_it_takes_and_nothing_is_made(
    construct: str, props: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    """GIVEN one prop of the wrong type WHEN the construct is made THEN one
    InvalidPropsError names that prop (and only it) with the type it takes; the stack stays
    empty."""
    stack = _stack()
    with pytest.raises(InvalidPropsError) as raised:
        BUILDERS[construct](stack, **props)
    assert [(p.prop, p.code) for p in raised.value.problems] == expected
    (problem,) = raised.value.problems
    assert problem.message.startswith(problem.prop) or problem.prop in problem.message
    assert "give" in problem.message, "the message says what to give instead"
    assert stack.node.children == []


@pytest.mark.parametrize("construct", sorted(BUILDERS))
def test_the_valid_defaults_of_the_table_build(construct: str) -> None:
    """GIVEN the table's defaults WHEN built THEN no error (so each row fails for its own
    prop only)."""
    stack = _stack()
    BUILDERS[construct](stack)
    assert stack.node.try_find_child("Subject") is not None


def test_every_bad_prop_is_listed_together() -> None:
    """GIVEN several props of wrong types and a typo'd option WHEN constructed THEN one
    error lists each bad prop once, in the order of the props."""
    with pytest.raises(InvalidPropsError) as raised:
        PipelineExecutionRole(
            _stack(), "Role",
            step_types="Training",  # type: ignore[arg-type]
            job_prefix=3,  # type: ignore[arg-type]
            step_roles=[ROLE_ARN],  # type: ignore[list-item]
            json_get_locations=[None],  # type: ignore[list-item]
            integration_resources={"cleanup_locations": []},  # type: ignore[arg-type]
            permission_boundary=None,  # type: ignore[call-arg]
        )
    assert [(p.prop, p.code) for p in raised.value.problems] == [
        ("step_types", "notAList"),
        ("job_prefix", "notAString"),
        ("step_roles", "notARole"),
        ("json_get_locations", "notAnS3Location"),
        ("integration_resources", "notGivenResources"),
        ("permission_boundary", "unknownProp"),
    ]
    assert str(raised.value).startswith("PipelineExecutionRole 'Role' has 6 problems:")


def test_a_string_where_roles_are_expected_says_how_to_import_the_role() -> None:
    """GIVEN step_roles as ARN strings WHEN constructed THEN the message names the string
    and how to turn an ARN into a role."""
    with pytest.raises(InvalidPropsError) as raised:
        PipelineExecutionRole(_stack(), "Role", step_types=["Training"],
                              step_roles=[ROLE_ARN, "arn:aws:iam::111122223333:role/b"])  # type: ignore[list-item]
    (problem,) = raised.value.problems
    assert f"step_roles holds '{ROLE_ARN}' (str), 'arn:aws:iam::111122223333:role/b' (str)" in (
        problem.message)
    assert "iam.Role.from_role_arn(scope, id, arn)" in problem.message


def test_a_bare_string_is_not_read_character_by_character() -> None:
    """GIVEN step_types='Training' WHEN constructed THEN one problem (not one per
    character), and it says to give a list."""
    with pytest.raises(InvalidPropsError) as raised:
        PrefixedStepRole(_stack(), "Team", job_prefix="rsch",
                         step_types="Training")  # type: ignore[arg-type]
    assert [str(p) for p in raised.value.problems] == [
        "step_types is 'Training' (str): give a list of step types (StepType members or "
        "their 'Type' strings) (e.g. ['Processing', 'Training'])"
    ]


def test_team_principals_of_one_principal_not_in_a_list_are_named() -> None:
    """GIVEN team_principals=<a group> (not a list) WHEN constructed THEN notAList, not a
    TypeError from iterating the group."""
    stack = _stack()
    group = iam.Group(stack, "Research")
    with pytest.raises(InvalidPropsError) as raised:
        PrefixedStepRole(stack, "Team", job_prefix="rsch", step_types=["Training"],
                         team_principals=group)  # type: ignore[arg-type]
    assert [(p.prop, p.code) for p in raised.value.problems] == [("team_principals", "notAList")]
    assert "team_principals is a Group" in str(raised.value)


def test_a_number_token_is_refused_where_a_literal_percentage_is_checked() -> None:
    """GIVEN max_concurrent_percentage from a CfnParameter WHEN constructed THEN
    tokenNotAccepted (the percentage is checked before deployment), not a comparison of a
    token with 100."""
    stack = _stack()
    percentage = cdk.CfnParameter(stack, "Percentage", type="Number").value_as_number
    with pytest.raises(InvalidPropsError) as raised:
        BUILDERS["ServiceManagedStackSet"](stack, max_concurrent_percentage=percentage)
    assert [(p.prop, p.code) for p in raised.value.problems] == [
        ("max_concurrent_percentage", "tokenNotAccepted")]


WILDCARD_ROLE = "arn:aws:iam::111122223333:role/*"


@pytest.mark.parametrize(("prop", "build"), [
    ("step_roles", lambda s, r: PipelineExecutionRole(
        s, "Subject", step_types=["Training"], step_roles=[r])),
    ("job_roles", lambda s, r: PipelineExecutionRole(
        s, "Subject", step_types=["Training"], job_roles=[r])),
    ("step_roles", lambda s, r: PrefixedStepRole(
        s, "Subject", step_types=["Training"], job_prefix="fraud", step_roles=[r])),
    ("runtime_roles", lambda s, r: LeastPrivilegePipeline(
        s, "Subject", definition=DEFINITION.parent / "integrations.json", pipeline_name="x",
        parameter_values={"ScoresPrefix": ["s3://ml-artifacts-111122223333/scores"]},
        runtime_roles={"AggregateOnEmr": r})),
])
def test_an_imported_role_whose_arn_is_a_wildcard_is_refused(prop: str, build: Any) -> None:
    """GIVEN iam.Role.from_role_arn(..., 'role/*') where one role is expected WHEN built
    THEN notOneRole: passing it would pass every role of the account."""
    stack = cdk.Stack(cdk.App(), "Stack",
                      env=cdk.Environment(account="111122223333", region="us-east-1"))
    role = iam.Role.from_role_arn(stack, "Wide", WILDCARD_ROLE)
    with pytest.raises(InvalidPropsError) as raised:
        build(stack, role)
    assert (prop, "notOneRole") in [(p.prop, p.code) for p in raised.value.problems]
    assert stack.node.try_find_child("Subject") is None


@pytest.mark.parametrize(("build", "props", "prop"), [
    ("PipelineJobRoles", {"model_endpoints": ["CreateFraudModel"]}, "model_endpoints"),
    ("PipelineJobRoles", {"model_endpoints": {"CreateFraudModel": "fraud-prod"}},
     "model_endpoints['CreateFraudModel']"),
    ("PipelineJobRoles", {"manifest_locations": {"TrainModel": "s3://ml-data/images"}},
     "manifest_locations['TrainModel']"),
    ("LeastPrivilegePipeline", {"model_endpoints": {"CreateFraudModel": [None]}},
     "model_endpoints['CreateFraudModel']"),
    ("LeastPrivilegePipeline", {"manifest_locations": "s3://ml-data/images"},
     "manifest_locations"),
])
def test_declared_mappings_of_the_wrong_type_are_named_before_anything_is_made(
    build: str, props: dict[str, Any], prop: str
) -> None:
    """GIVEN model_endpoints or manifest_locations of the wrong type WHEN the construct is
    made THEN a DefinitionError (they are read with the definition, whose steps they name)
    names the prop and says what to give; the stack stays empty."""
    stack = _stack()
    builders: dict[str, Builder] = {**BUILDERS, "LeastPrivilegePipeline": lambda s, **kw: (
        LeastPrivilegePipeline(s, "Subject", definition=DEFINITION, pipeline_name="fraud",
                               **kw))}
    with pytest.raises(DefinitionError) as raised:
        builders[build](stack, **props)
    (problem, *_) = [p for p in raised.value.problems if p.prop == prop]
    assert "give" in problem.message
    assert stack.node.children == []
