"""IAM's per-role limits, checked again at synthesis on everything attached to the role.

IAM counts all inline policies of a role together (10,240 characters), each managed
policy on its own (6,144) and at most 10 managed policies per role. The library's own
policies fit at construction; grants others add later (``bucket.grant_*``,
``role.add_to_policy``: the inline ``DefaultPolicy``), attached ``iam.Policy``s and
managed policies are measured when the stack is synthesized.
"""

from __future__ import annotations

import re
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Template

from sm_pipeline_iam import PipelineExecutionRole, PrefixedStepRole
from sm_pipeline_iam.cdk._private import role_policies
from sm_pipeline_iam.cdk.pipeline_role import OWN_ARN
from sm_pipeline_iam.core.execution_role import policy
from support.cfn import ACCOUNT, REGION
from support.scenarios import NAMED_STEP_TYPES

BUCKET = "ml-artifacts-111122223333"


def _stack() -> cdk.Stack:
    return cdk.Stack(cdk.App(), "Stack", env=cdk.Environment(account=ACCOUNT, region=REGION))


def _role(stack: cdk.Stack, folders: int, construct_id: str = "Role") -> PipelineExecutionRole:
    return PipelineExecutionRole(
        stack,
        construct_id,
        step_types=["Processing"],
        json_get_locations=[f"s3://{BUCKET}/evaluation-{n:04d}" for n in range(folders)],
    )


def _is_inline(role: PipelineExecutionRole) -> bool:
    return len(role.policies) == 1 and isinstance(role.policies[0], iam.Policy)


def _most_folders_inline() -> int:
    """The most JsonGet folders whose role's own policy is still one inline policy."""
    low, high = 1, 400  # inline at 1, managed at 400
    while high - low > 1:
        middle = (low + high) // 2
        if _is_inline(_role(cdk.Stack(cdk.App(), "Probe"), middle)):
            low = middle
        else:
            high = middle
    return low


@pytest.fixture(scope="module")
def near_limit() -> int:
    """Folders that put the role's inline policy within a grant of IAM's limit."""
    return _most_folders_inline()


def _synth_error(stack: cdk.Stack) -> str:
    with pytest.raises(RuntimeError) as caught:
        Template.from_stack(stack)
    return str(caught.value)


def _sizes(message: str) -> dict[str, int]:
    """``<construct path> <size>`` pairs of an inline-limit message."""
    listed = re.search(r"together \((.*?);", message)
    assert listed, message
    return {
        name: int(size.replace(",", ""))
        for name, size in (part.rsplit(" ", 1) for part in listed.group(1).split(", "))
    }


# --- Inline policies: the role's own policy plus what others add ---------------------------


def test_a_grant_on_a_role_near_the_inline_limit_fails_synthesis_with_the_fix(
    near_limit: int,
) -> None:
    """GIVEN a role whose own inline policy is near 10,240 characters WHEN a bucket grant is
    added and the stack synthesized THEN it fails naming the role, the sizes and the fix."""
    stack = _stack()
    role = _role(stack, near_limit)
    assert _is_inline(role)
    s3.Bucket(stack, "Bucket").grant_read_write(role)

    message = _synth_error(stack)

    assert "[Stack/Role] role Stack/Role: its inline policies total " in message
    assert "over IAM's 10,240 for all inline policies of a role together" in message
    sizes = _sizes(message)
    assert set(sizes) == {"Stack/Role/Policy", "Stack/Role/DefaultPolicy"}
    total = re.search(r"total ([\d,]+) characters", message)
    assert total, message
    assert int(total[1].replace(",", "")) == sum(sizes.values()) > policy.INLINE_POLICIES_LIMIT
    assert sizes["Stack/Role/Policy"] <= policy.INLINE_POLICIES_LIMIT
    assert "go into the inline DefaultPolicy (Stack/Role/DefaultPolicy)" in message
    assert "iam.ManagedPolicy" in message


def test_the_same_grant_on_a_small_role_synthesizes() -> None:
    """GIVEN a small role WHEN a bucket grant is added THEN the stack synthesizes with the
    grant in the role's DefaultPolicy."""
    stack = _stack()
    role = _role(stack, 1)
    s3.Bucket(stack, "Bucket").grant_read_write(role)

    policies = Template.from_stack(stack).find_resources("AWS::IAM::Policy")

    assert len(policies) == 2
    assert any("DefaultPolicy" in logical_id for logical_id in policies)


def test_a_role_at_the_inline_limit_with_nothing_added_synthesizes(near_limit: int) -> None:
    """GIVEN the largest role that construction puts inline WHEN synthesized THEN the check
    at synthesis agrees with construction (it measures no larger)."""
    stack = _stack()
    role = _role(stack, near_limit)
    assert _is_inline(role)
    assert Template.from_stack(stack).find_resources("AWS::IAM::Policy")


def test_the_grant_in_a_managed_policy_instead_synthesizes(near_limit: int) -> None:
    """GIVEN the role near the limit WHEN the added permissions go into a managed policy
    (the fix the error gives) THEN the stack synthesizes."""
    stack = _stack()
    role = _role(stack, near_limit)
    bucket = s3.Bucket(stack, "Bucket")
    iam.ManagedPolicy(
        stack,
        "BucketAccess",
        statements=[
            iam.PolicyStatement(
                actions=["s3:GetObject", "s3:PutObject"],
                resources=[bucket.bucket_arn, bucket.arn_for_objects("*")],
            )
        ],
        roles=[role],
    )
    assert Template.from_stack(stack).find_resources("AWS::IAM::ManagedPolicy")


def test_add_to_policy_counts_too(near_limit: int) -> None:
    """GIVEN the role near the limit WHEN a statement is added with add_to_policy THEN
    synthesis fails on the DefaultPolicy."""
    stack = _stack()
    role = _role(stack, near_limit)
    role.add_to_policy(
        iam.PolicyStatement(
            actions=["s3:GetObject"],
            resources=[f"arn:aws:s3:::{BUCKET}/extra-{n:03d}/*" for n in range(10)],
        )
    )
    message = _synth_error(stack)
    assert "Stack/Role/DefaultPolicy" in _sizes(message)


def test_an_attached_inline_policy_counts_too(near_limit: int) -> None:
    """GIVEN the role near the limit WHEN an iam.Policy is attached to it THEN synthesis
    fails, naming that policy and advising a managed policy instead."""
    stack = _stack()
    role = _role(stack, near_limit)
    extra = iam.Policy(
        stack,
        "Extra",
        statements=[
            iam.PolicyStatement(
                actions=["s3:GetObject"],
                resources=[f"arn:aws:s3:::{BUCKET}/extra-{n:03d}/*" for n in range(10)],
            )
        ],
    )
    role.attach_inline_policy(extra)

    message = _synth_error(stack)

    assert set(_sizes(message)) == {"Stack/Role/Policy", "Stack/Extra"}
    assert "as a managed policy (iam.ManagedPolicy) instead of an inline one" in message


def test_the_roles_own_inline_policies_property_counts_too(near_limit: int) -> None:
    """GIVEN the role near the limit WHEN a document is put into its CfnRole's Policies
    THEN synthesis fails, naming that entry."""
    stack = _stack()
    role = _role(stack, near_limit)
    cfn_role = role.node.default_child
    assert isinstance(cfn_role, iam.CfnRole)
    document = iam.PolicyDocument(
        statements=[
            iam.PolicyStatement(
                actions=["s3:GetObject"],
                resources=[f"arn:aws:s3:::{BUCKET}/extra-{n:03d}/*" for n in range(10)],
            )
        ]
    )
    cfn_role.policies = [iam.CfnRole.PolicyProperty(policy_document=document,
                                                    policy_name="Extra")]
    message = _synth_error(stack)
    assert "Stack/Role (its Policies: Extra)" in _sizes(message)


# --- Managed policies: each at most 6,144, at most 10 per role -----------------------------


def _aws_managed(count: int) -> list[iam.IManagedPolicy]:
    return [
        iam.ManagedPolicy.from_managed_policy_arn(
            cdk.Stack(), f"P{n}", f"arn:aws:iam::aws:policy/Example{n}"
        )
        for n in range(count)
    ]


@pytest.mark.parametrize(("attached", "fails"), [(10, False), (11, True)])
def test_managed_policies_added_by_the_user_are_counted(attached: int, fails: bool) -> None:
    """GIVEN a small role WHEN 10 / 11 managed policies are attached THEN it synthesizes /
    fails with the count, the limit and every policy's name."""
    stack = _stack()
    role = _role(stack, 1)
    for managed in _aws_managed(attached):
        role.add_managed_policy(managed)

    if not fails:
        Template.from_stack(stack)
        return
    message = _synth_error(stack)
    assert (
        "role Stack/Role: 11 managed policies are attached to it, over IAM's 10 per role"
        in message
    )
    assert "arn:aws:iam::aws:policy/Example10" in message
    assert "merge the added ones into one iam.ManagedPolicy" in message


def test_the_roles_own_managed_policies_count_with_the_users(near_limit: int) -> None:
    """GIVEN a role whose permissions need managed policies (Policy1..N) WHEN the user adds
    enough to pass 10 THEN synthesis fails, counting both."""
    stack = _stack()
    role = _role(stack, near_limit + 1)
    own = len(role.policies)
    assert own >= 2 and all(isinstance(p, iam.ManagedPolicy) for p in role.policies)
    for managed in _aws_managed(policy.MANAGED_POLICIES_PER_ROLE - own + 1):
        role.add_managed_policy(managed)

    message = _synth_error(stack)

    assert "11 managed policies are attached to it" in message
    assert "Stack/Role/Policy1" in message
    assert "arn:aws:iam::aws:policy/Example0" in message


def test_a_managed_policy_attached_by_the_user_is_sized() -> None:
    """GIVEN a small role WHEN a user's managed policy over 6,144 characters names it THEN
    synthesis fails with that policy's size."""
    stack = _stack()
    role = _role(stack, 1)
    iam.ManagedPolicy(
        stack,
        "Big",
        statements=[
            iam.PolicyStatement(
                actions=["s3:GetObject"],
                resources=[f"arn:aws:s3:::{BUCKET}/{'x' * 80}-{n:03d}/*" for n in range(60)],
            )
        ],
        roles=[role],
    )
    message = _synth_error(stack)
    assert re.search(
        r"role Stack/Role: its managed policy Stack/Big is [\d,]+ characters, over IAM's "
        r"6,144 per managed policy",
        message,
    ), message


def test_a_managed_policy_added_with_add_managed_policy_is_sized() -> None:
    """GIVEN a managed policy of the stack that names no role WHEN added to the role with
    add_managed_policy THEN it is measured too."""
    stack = _stack()
    role = _role(stack, 1)
    role.add_managed_policy(
        iam.ManagedPolicy(
            stack,
            "Big",
            statements=[
                iam.PolicyStatement(
                    actions=["s3:GetObject"],
                    resources=[f"arn:aws:s3:::{BUCKET}/{'x' * 80}-{n:03d}/*" for n in range(60)],
                )
            ],
        )
    )
    assert "its managed policy Stack/Big is " in _synth_error(stack)


# --- When and where the check runs -------------------------------------------------------


def test_a_role_validated_on_its_own_sees_what_was_added_since(near_limit: int) -> None:
    """GIVEN a role synthesized once WHEN a grant is added and the role validated again
    THEN the new grant is counted (no stale scan)."""
    stack = _stack()
    role = _role(stack, near_limit)
    Template.from_stack(stack)
    assert role.node.validate() == []

    s3.Bucket(stack, "Bucket").grant_read_write(role)

    (problem,) = role.node.validate()
    assert "Stack/Role/DefaultPolicy" in problem


def test_each_app_of_a_process_is_checked_on_its_own(near_limit: int) -> None:
    """GIVEN two apps in one process with the same stack and role paths WHEN one role is
    over the limit and the other not THEN only the first fails."""
    over, fine = _stack(), _stack()
    s3.Bucket(over, "Bucket").grant_read_write(_role(over, near_limit))
    s3.Bucket(fine, "Bucket").grant_read_write(_role(fine, 1))

    assert "role Stack/Role: its inline policies total" in _synth_error(over)
    Template.from_stack(fine)


def test_team_roles_are_checked_too() -> None:
    """GIVEN a PrefixedStepRole WHEN 11 managed policies are attached THEN synthesis fails."""
    stack = _stack()
    team = PrefixedStepRole(stack, "Team", job_prefix="rsch", step_types=["Training"])
    for managed in _aws_managed(11):
        team.add_managed_policy(managed)
    assert "role Stack/Team: 11 managed policies" in _synth_error(stack)


@pytest.mark.parametrize(
    "props",
    [
        {"step_types": NAMED_STEP_TYPES},
        {"step_types": NAMED_STEP_TYPES, "job_prefix": "Fraud"},
        {"step_types": ["Processing", "Training"], "path": "/teams/research/"},
    ],
    ids=["default_naming", "mixed_case_prefix", "path"],
)
def test_synthesis_never_measures_the_roles_own_policy_larger(props: dict[str, Any]) -> None:
    """GIVEN a role WHEN its own inline policy is measured at synthesis THEN the size is at
    most the one construction measured (so the check never refuses what construction
    planned)."""
    stack = _stack()
    step_role = iam.Role(stack, "StepRole", assumed_by=iam.ServicePrincipal("sagemaker"))
    role = PipelineExecutionRole(
        stack, "Role", step_roles=[step_role],
        json_get_locations=[f"s3://{BUCKET}/evaluation"], **props,
    )
    assert _is_inline(role)
    own_arn = f"arn:aws-us-gov:iam::123456789012:role{props.get('path', '/')}" + "x" * 64
    planned = policy.policy_size(role.statements, role_policies.sizing_render({OWN_ARN: own_arn}))
    inline = role.policies[0]
    assert isinstance(inline, iam.Policy)
    document = stack.resolve(inline.document)
    known = {policy.intrinsic_key(stack.resolve(role.role_arn)): own_arn}

    assert policy.document_size(document, known) <= planned


# --- The measuring, pure (sm_pipeline_iam.core.execution_role.policy) ------------------


def test_document_size_measures_the_librarys_documents_as_policy_size_does() -> None:
    """GIVEN statements with placeholders WHEN measured as a document THEN the same size."""
    statements = [
        policy.Statement(
            "Reads",
            ("s3:GetObject",),
            (f"arn:{policy.PLACEHOLDERS.partition}:s3:::{BUCKET}/evaluation/*",),
        )
    ]
    document = policy.policy_document(statements)
    assert policy.document_size(document) == policy.policy_size(statements)


@pytest.mark.parametrize(
    ("value", "rendered"),
    [
        ({"Ref": "AWS::Partition"}, "aws-us-gov"),
        ({"Ref": "AWS::AccountId"}, "123456789012"),
        ({"Ref": "AWS::URLSuffix"}, "amazonaws.com.cn"),
        ({"Ref": "SomeResource"}, "x" * 128),
        ({"Fn::GetAtt": ["Bucket", "Arn"]}, "x" * 128),
        ({"Fn::ImportValue": "Exported"}, "x" * 128),
        (
            {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::b/*"]]},
            "arn:aws-us-gov:s3:::b/*",
        ),
        ({"Fn::Join": ["", [{"Fn::GetAtt": ["B", "Arn"]}, "/*"]]}, "x" * 128 + "/*"),
        ({"Fn::Sub": "arn:${AWS::Partition}:s3:::${Name}/*"}, f"arn:aws-us-gov:s3:::{'x' * 128}/*"),
        ({"Fn::Sub": ["${A}-${!Literal}", {"A": "a"}]}, "a-${Literal}"),
        ("arn:${Token[TOKEN.12]}:s3:::b", f"arn:{'x' * 128}:s3:::b"),
    ],
)
def test_intrinsics_are_measured_at_their_longest(value: object, rendered: str) -> None:
    """GIVEN a resolved value WHEN rendered for measuring THEN pseudo parameters are at their
    longest, joins put together, and anything unknown until deployment 128 characters."""
    assert policy.render_resolved(value) == rendered


def test_a_known_intrinsic_is_measured_as_given() -> None:
    """GIVEN the role's own ARN given a length WHEN measured THEN that length is used."""
    own = {"Fn::GetAtt": ["Role", "Arn"]}
    document = {"Statement": [{"Resource": own}]}
    assert policy.document_size(document, {policy.intrinsic_key(own): "r" * 5}) == len(
        '{"Statement":[{"Resource":"rrrrr"}]}'
    )



def test_a_role_without_statements_synthesizes() -> None:
    """GIVEN an execution role for steps that need nothing (Condition, Fail) WHEN
    synthesized THEN the size check sees no policy and the role alone is emitted (an empty
    document once made the check fail to read the stack)."""
    app = cdk.App()
    stack = cdk.Stack(app, "S", env=cdk.Environment(account="111122223333",
                                                   region="us-east-1"))
    PipelineExecutionRole(stack, "Role", step_types=["Condition", "Fail"])
    resources = Template.from_stack(stack).to_json()["Resources"]
    assert [r["Type"] for r in resources.values()] == ["AWS::IAM::Role"]
