"""CloudFormation intrinsics: resolved to concrete values, or written as text in two styles."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any

import pytest

from sm_pipeline_iam.core.cfn import (
    NAG_STYLE,
    PLACEHOLDER_STYLE,
    Resolver,
    TextStyle,
    is_intrinsic,
    render_text,
    render_tree,
)

TEMPLATE: dict[str, Any] = {
    "Resources": {
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"Path": "/ml/"}},
        "PlainRole": {"Type": "AWS::IAM::Role", "Properties": {}},
        "Bucket": {"Type": "AWS::S3::Bucket"},
        "Undeployed": {"Type": "AWS::IAM::Role"},
    }
}
PHYSICAL_IDS = {"Role": "role-name", "PlainRole": "plain", "Bucket": "bucket-name"}


@pytest.fixture
def resolver() -> Resolver:
    return Resolver(TEMPLATE, PHYSICAL_IDS, "111122223333", "Stack", "eu-west-1", "aws-cn")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("AWS::AccountId", "111122223333"),
        ("AWS::Region", "eu-west-1"),
        ("AWS::Partition", "aws-cn"),
        ("AWS::URLSuffix", "amazonaws.com"),
        ("AWS::StackName", "Stack"),
        ("Bucket", "bucket-name"),
        ("Undeployed", "<Undeployed not deployed>"),
    ],
)
def test_ref_resolves_to_pseudo_parameters_and_physical_ids(
    resolver: Resolver, name: str, value: str
) -> None:
    """GIVEN a Ref to a pseudo parameter or a resource WHEN resolved THEN its value."""
    assert resolver.resolve({"Ref": name}) == value


def test_resolver_defaults_to_us_east_1_in_aws() -> None:
    """GIVEN no region or partition WHEN resolved THEN us-east-1 and aws."""
    resolver = Resolver(TEMPLATE, PHYSICAL_IDS, "111122223333", "Stack")
    assert resolver.resolve([{"Ref": "AWS::Region"}, {"Ref": "AWS::Partition"}]) == [
        "us-east-1",
        "aws",
    ]


@pytest.mark.parametrize(
    ("argument", "arn"),
    [
        (["Role", "Arn"], "arn:aws-cn:iam::111122223333:role/ml/role-name"),
        (["PlainRole", "Arn"], "arn:aws-cn:iam::111122223333:role/plain"),
        ("Role.Arn", "arn:aws-cn:iam::111122223333:role/ml/role-name"),
    ],
)
def test_getatt_of_a_role_arn_is_the_arn_with_its_path(
    resolver: Resolver, argument: Any, arn: str
) -> None:
    """GIVEN Fn::GetAtt Role.Arn WHEN resolved THEN the role's ARN, with its Path."""
    assert resolver.resolve({"Fn::GetAtt": argument}) == arn


def test_join_resolves_its_parts_and_nests(resolver: Resolver) -> None:
    """GIVEN a Fn::Join of literals, Refs and another Join WHEN resolved THEN one string."""
    value = {
        "Fn::Join": [
            ":",
            ["arn", {"Ref": "AWS::Partition"},
             {"Fn::Join": ["-", [{"Ref": "AWS::Region"}, "x"]]}, 7],
        ]
    }
    assert resolver.resolve(value) == "arn:aws-cn:eu-west-1-x:7"


def test_plain_values_keep_their_shape(resolver: Resolver) -> None:
    """GIVEN a document with intrinsics deep inside WHEN resolved THEN only they change."""
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Resource": [{"Ref": "Bucket"}, "*"], "Count": 3, "On": True}],
    }
    assert resolver.resolve(document) == {
        "Version": "2012-10-17",
        "Statement": [{"Resource": ["bucket-name", "*"], "Count": 3, "On": True}],
    }


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"Fn::Sub": "arn:${AWS::Partition}:s3:::b"}, "unexpected intrinsic ['Fn::Sub']"),
        ({"Fn::If": ["C", "a", "b"]}, "unexpected intrinsic ['Fn::If']"),
        ({"Statement": [{"Resource": {"Fn::ImportValue": "X"}}]},
         "unexpected intrinsic ['Fn::ImportValue']"),
        ({"Ref": "Nowhere"}, "cannot resolve Ref Nowhere"),
        ({"Fn::GetAtt": ["Role", "RoleId"]}, "cannot resolve GetAtt Role.RoleId"),
        ({"Fn::GetAtt": ["Bucket", "Arn"]}, "cannot resolve GetAtt Bucket.Arn"),
        ({"Fn::GetAtt": ["Nowhere", "Arn"]}, "cannot resolve GetAtt Nowhere.Arn"),
    ],
)
def test_what_cannot_be_resolved_fails_loudly(
    resolver: Resolver, value: Any, message: str
) -> None:
    """GIVEN an intrinsic the library never emits WHEN resolved THEN ValueError naming it."""
    with pytest.raises(ValueError) as error:
        resolver.resolve(value)
    assert str(error.value) == message


JOIN = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::",
                          {"Ref": "AWS::AccountId"}, ":role/x"]]}


@pytest.mark.parametrize(
    ("value", "placeholder", "nag"),
    [
        ("plain", "plain", "plain"),
        ({"Ref": "AWS::Region"}, "${AWS::Region}", "<AWS::Region>"),
        ({"Fn::GetAtt": ["Role", "Arn"]}, "${Role.Arn}", "<Role.Arn>"),
        ({"Fn::GetAtt": "Role.Arn"}, "${Role.Arn}", "<Role.Arn>"),
        (JOIN, "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/x",
         "arn:<AWS::Partition>:iam::<AWS::AccountId>:role/x"),
        (5, "5", "5"),
        (None, "null", "None"),
        ({"Fn::Sub": "x"}, '{"Fn::Sub": "x"}', "{'Fn::Sub': 'x'}"),
        (["b", "a"], '["b", "a"]', "['b', 'a']"),
    ],
)
def test_render_text_in_both_styles(value: Any, placeholder: str, nag: str) -> None:
    """GIVEN a template value WHEN rendered THEN ${...} for the report, <...> for cdk-nag,
    and anything else as JSON (report) or str (cdk-nag)."""
    assert render_text(value) == placeholder
    assert render_text(value, PLACEHOLDER_STYLE) == placeholder
    assert render_text(value, NAG_STYLE) == nag


def test_render_text_in_a_custom_style() -> None:
    """GIVEN a style of one's own WHEN rendered THEN its brackets and its fallback."""
    style = TextStyle("[[", "]]", lambda value: "?")
    assert render_text({"Fn::Join": ["/", [{"Ref": "A"}, {"Fn::GetAtt": ["B", "Arn"]}, 1]]},
                       style) == "[[A]]/[[B.Arn]]/?"


def test_render_tree_replaces_intrinsics_only() -> None:
    """GIVEN a document WHEN rendered as a tree THEN each intrinsic is text, unknown
    intrinsics and everything else keep their shape."""
    document = {
        "Resource": [{"Fn::GetAtt": ["Role", "Arn"]}, "*"],
        "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}},
        "Other": {"Fn::Sub": {"Ref": "AWS::Region"}},
        "Count": 2,
    }
    expected = {
        "Resource": ["${Role.Arn}", "*"],
        "Condition": {"StringEquals": {"aws:SourceAccount": "${AWS::AccountId}"}},
        "Other": {"Fn::Sub": "${AWS::Region}"},
        "Count": 2,
    }
    assert render_tree(document) == expected
    assert render_tree(document, NAG_STYLE)["Resource"] == ["<Role.Arn>", "*"]


@pytest.mark.parametrize(
    ("value", "intrinsic"),
    [
        ({"Ref": "X"}, True),
        ({"Fn::GetAtt": ["X", "Arn"]}, True),
        ({"Fn::Join": ["", []]}, True),
        ({"Fn::Sub": "x"}, False),
        ({"Ref": "X", "Other": 1}, False),
        ("Ref", False),
    ],
)
def test_is_intrinsic(value: Any, intrinsic: bool) -> None:
    """GIVEN a value WHEN checked THEN only a one-key Ref / GetAtt / Join is an intrinsic."""
    assert is_intrinsic(value) is intrinsic


def test_the_module_imports_without_the_cdk() -> None:
    """GIVEN aws_cdk and constructs unimportable WHEN core.cfn is imported THEN it works."""
    code = textwrap.dedent(
        """
        import sys

        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("aws_cdk", "constructs", "jsii"):
                    raise ImportError(f"blocked: {name}")
                return None

        sys.meta_path.insert(0, Block())
        from sm_pipeline_iam.core import cfn
        print(cfn.render_text({"Ref": "AWS::Region"}))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "${AWS::Region}"
