"""ServiceManagedStackSet: the StackSet resource, body or URL, errors and warnings."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Annotations, Match, Template

from sm_pipeline_iam import InvalidPropsError, ServiceManagedStackSet

TEMPLATE = {"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {}}}}


def _stack() -> cdk.Stack:
    return cdk.Stack(cdk.App(), "Management")


def test_a_small_template_goes_inline_to_a_service_managed_auto_deployed_stackset() -> None:
    """GIVEN a small template WHEN synthesized THEN TemplateBody, SERVICE_MANAGED, the OUs,
    regions and the operation preferences."""
    stack = _stack()
    stack_set = ServiceManagedStackSet(stack, "Workload", template=TEMPLATE,
                                       ou_ids=["ou-ab12-cdefgh34"], regions=["us-east-1"])
    assert stack_set.template_in_body
    Template.from_stack(stack).has_resource_properties("AWS::CloudFormation::StackSet", {
        "PermissionModel": "SERVICE_MANAGED",
        "AutoDeployment": {"Enabled": True, "RetainStacksOnAccountRemoval": False},
        "TemplateBody": Match.string_like_regexp('"AWS::IAM::Role"'),
        "StackInstancesGroup": [{"DeploymentTargets": {
            "OrganizationalUnitIds": ["ou-ab12-cdefgh34"]}, "Regions": ["us-east-1"]}],
        "OperationPreferences": {"FailureTolerancePercentage": 0, "MaxConcurrentPercentage": 25,
                                 "RegionConcurrencyType": "SEQUENTIAL",
                                 "RegionOrder": ["us-east-1"]},
        "Capabilities": ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
    })


def test_a_large_template_goes_by_url_as_an_asset() -> None:
    """GIVEN a template over 51,200 bytes WHEN synthesized THEN TemplateURL, no body."""
    big = {"Resources": {f"R{n}": {"Type": "AWS::IAM::Role", "Properties": {
        "Description": "x" * 200}} for n in range(300)}}
    stack = _stack()
    stack_set = ServiceManagedStackSet(stack, "Workload", template=big,
                                       ou_ids=["ou-ab12-cdefgh34"], regions=["us-east-1"])
    assert not stack_set.template_in_body
    (resource,) = Template.from_stack(stack).find_resources(
        "AWS::CloudFormation::StackSet").values()
    assert "TemplateBody" not in resource["Properties"]
    assert "TemplateURL" in resource["Properties"]


def test_several_regions_warn_that_iam_is_global() -> None:
    """GIVEN two regions WHEN synthesized THEN an acknowledgeable warning."""
    stack = _stack()
    ServiceManagedStackSet(stack, "Workload", template=TEMPLATE, ou_ids=["ou-ab12-cdefgh34"],
                           regions=["us-east-1", "eu-west-1"])
    Annotations.from_stack(stack).has_warning(
        "/Management/Workload", Match.string_like_regexp("IAM is global")
    )


def test_bad_props_fail_together() -> None:
    """GIVEN a bad OU, region and preferences WHEN constructed THEN one error with all."""
    stack = _stack()
    with pytest.raises(InvalidPropsError) as raised:
        ServiceManagedStackSet(stack, "Workload", template=TEMPLATE, ou_ids=["ou-x"],
                               regions=["mars-1"], failure_tolerance_percentage=120,
                               max_concurrent_percentage=0, region_concurrency="ALL")
    assert str(raised.value).startswith("ServiceManagedStackSet 'Workload' has 5 problems:")
    assert [(p.prop, p.code) for p in raised.value.problems] == [
        ("ou_ids", "notAnOuId"),
        ("regions", "notARegion"),
        ("failure_tolerance_percentage", "notAPercentage"),
        ("max_concurrent_percentage", "deploysNothing"),
        ("region_concurrency", "notAConcurrencyType"),
    ]
    assert stack.node.try_find_child("Workload") is None
