"""Wide grants: each is named in a wideGrant warning, and every wildcard is acknowledged
for cdk-nag with the reason it exists, never with another grant's reason."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Annotations, Match
from cdk_nag import AwsSolutionsChecks

from sm_pipeline_iam import GivenResources, PipelineExecutionRole
from sm_pipeline_iam.core.catalog.schema import ResourceScope, StepType
from sm_pipeline_iam.core.catalog.steps import CATALOG
from sm_pipeline_iam.core.definition.reader import read_definition
from sm_pipeline_iam.core.execution_role import wildcards
from sm_pipeline_iam.core.execution_role.policy import Statement, build_statements
from sm_pipeline_iam.core.execution_role.requirements import PipelineRequirements, from_step_types
from sm_pipeline_iam.core.notices import EXECUTION_ROLE_RUNS_JOBS, WIDE_GRANT
from support.cfn import ACCOUNT, REGION

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "definitions"
ACKNOWLEDGED = cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY

#: The groups of the EMR and EMR Serverless steps that create their cluster/application.
NEW_CLUSTER_AND_APPLICATION_GROUPS = [
    "EmrNewClusters",
    "EmrNewClusterSteps",
    "EmrServerlessNewApplications",
    "EmrServerlessNewApplicationRuns",
    "EmrServerlessNewApplicationJobRuns",
]


def _labels(notices: tuple[Any, ...]) -> list[str]:
    """The catalog label each wideGrant warning names, in order."""
    labels = []
    for notice in notices:
        assert notice.id == WIDE_GRANT
        match = re.search(r" \((\w+)\): ", notice.message)
        assert match, notice.message
        labels.append(match.group(1))
    return labels


def _step_types(*names: str, **kw: Any) -> PipelineRequirements:
    requirements, problems = from_step_types(names, **kw)
    assert problems == []
    return requirements


# --- the wideGrant warnings (core) ----------------------------------------------------


def test_a_definition_creating_its_cluster_and_application_warns_per_wide_group() -> None:
    """GIVEN the integrations definition (an EMR step with ClusterConfig, an EMRServerless
    step with ApplicationConfig) WHEN its wide grants are listed THEN one wideGrant per
    group, naming step type, actions, resource pattern and reason."""
    requirements = read_definition(FIXTURES / "integrations.json").requirements
    # The steps' own: pipeline-level settings of the definition may add theirs.
    notices = tuple(
        n for n in wildcards.wide_grant_notices(requirements) if n.message.startswith("EMR")
    )
    assert _labels(notices) == NEW_CLUSTER_AND_APPLICATION_GROUPS
    terminate = notices[1].message
    assert terminate.startswith("EMR steps with ClusterConfig are granted ")
    for part in (
        "elasticmapreduce:TerminateJobFlows",
        "elasticmapreduce:CancelSteps",
        "elasticmapreduce:AddJobFlowSteps",
        "arn:<partition>:elasticmapreduce:<region>:<account>:cluster/*",
        "the cluster the step creates gets its id only when it runs",
    ):
        assert part in terminate
    delete = notices[3].message
    assert delete.startswith("EMRServerless steps with ApplicationConfig are granted ")
    for part in (
        "emr-serverless:DeleteApplication",
        "emr-serverless:StopApplication",
        "arn:<partition>:emr-serverless:<region>:<account>:/applications/*",
        "the application the step creates gets its id only when it runs",
    ):
        assert part in delete
    assert "on * (EmrNewClusters): IAM gives RunJobFlow no resource type" in notices[0].message


def test_automl_and_lineage_step_types_warn_about_their_wide_groups() -> None:
    """GIVEN AutoML and Lineage in step-types mode WHEN listed THEN their wide groups."""
    notices = wildcards.wide_grant_notices(_step_types("AutoML", "Lineage", "Training"))
    assert _labels(notices) == ["AutoMLCandidates", "LineageArtifacts"]
    assert "sagemaker:ListCandidatesForAutoMLJob on * " in notices[0].message
    assert ":artifact/* (LineageArtifacts)" in notices[1].message


def test_pipelines_without_wide_groups_get_no_warning() -> None:
    """GIVEN job steps and EMR/EMRServerless steps on given clusters and applications
    (their variants off) WHEN listed THEN no wideGrant at all."""
    step_types = ("Processing", "Training", "EMR", "EMRServerless", "Endpoint")
    requirements = PipelineRequirements(step_types=frozenset(map(StepType, step_types)))
    assert wildcards.wide_grant_notices(requirements) == ()


def test_every_wide_group_of_the_catalog_warns_when_in_force() -> None:
    """GIVEN every step type with every variant WHEN listed THEN one warning per catalog
    group with a wide_reason; each statement on '*' or '.../*' alone has one."""
    variants = frozenset(
        t.variant for spec in CATALOG.values() for t in spec.variant_triggers
    )
    requirements = PipelineRequirements(step_types=frozenset(StepType), variants=variants)
    expected = [
        group.label
        for step_type in sorted(StepType, key=lambda s: s.value)
        for group in CATALOG[step_type].action_groups
        if group.wide_reason
    ]
    assert _labels(wildcards.wide_grant_notices(requirements)) == expected
    wide_scopes = {ResourceScope.NO_RESOURCE, ResourceScope.FIXED}
    for spec in CATALOG.values():
        for group in spec.action_groups:
            if group.scope in wide_scopes and (
                group.arn_template == "*" or any("*" in n for n in group.fixed_names)
            ):
                assert group.wide_reason, f"{spec.step_type.value} {group.label}"


# --- each statement's wildcard reason (core) ------------------------------------------


def _reasons(requirements: PipelineRequirements) -> dict[str, str]:
    return {s.sid: s.wildcard_reason for s in build_statements(requirements)}


def test_reasons_follow_the_groups_merged_into_each_statement() -> None:
    """GIVEN job, user-named, JsonGet, Cleanup and wide groups WHEN built THEN each
    statement says why its own wildcards exist; literal resources need no reason."""
    reasons = _reasons(_step_types(
        "Training", "Endpoint", "AutoML", "Cleanup", "Lambda",
        job_prefix="fraud",
        json_get_locations=["s3://ml-artifacts-111122223333/evaluation"],
        resources=GivenResources(
            cleanup_locations=["s3://ml-artifacts-111122223333/tmp"],
            lambda_function_arns=[f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:score"],
        ),
    ))
    assert reasons["TrainingJobs"] == wildcards.JOB_NAME_REASON
    assert reasons["Endpoints"] == wildcards.USER_NAME_REASON
    assert reasons["JsonGetReads"] == wildcards.JSON_GET_REASON
    assert reasons["CleanupObjects"] == wildcards.CLEANUP_FOLDER_REASON
    assert reasons["AutoMLCandidates"] == (
        "IAM gives ListCandidatesForAutoMLJob no resource type (see warning wideGrant)"
    )
    assert reasons["LambdaFunctions"] == ""


def test_unresolved_definition_values_get_the_unresolved_reason() -> None:
    """GIVEN a Callback queue URL from a parameter opted in to any value and a role from a
    parameter bound to one role WHEN built THEN the queue 'sqs:...:*' is acknowledged as
    unresolved, never as a job name; the role is passed as itself, with no reason."""
    requirements = read_definition(_callback_definition(), any_value_parameters=ANY_VALUE,
                                   parameter_values=ROLE_VALUES).requirements
    reasons = _reasons(requirements)
    assert reasons["CallbackQueues"] == wildcards.UNRESOLVED_REASON
    assert reasons["PassRoleToSagemaker"] == ""
    assert "job name" not in reasons["CallbackQueues"]


def test_a_split_statement_keeps_its_reason_and_it_is_not_part_of_the_grant() -> None:
    """GIVEN a statement with a reason WHEN split or compared THEN the parts keep it; IAM
    JSON and equality ignore it."""
    statement = Statement("S", ("s3:GetObject",), ("arn:aws:s3:::b/*",), wildcard_reason="why")
    assert statement.with_resources(["arn:aws:s3:::b/*"], 1).wildcard_reason == "why"
    assert "why" not in str(statement.to_json())
    assert statement == Statement("S", ("s3:GetObject",), ("arn:aws:s3:::b/*",))


# --- the constructs: warnings and cdk-nag acknowledgements -----------------------------


def _stack(app: cdk.App | None = None) -> cdk.Stack:
    return cdk.Stack(
        app or cdk.App(), "Stack", env=cdk.Environment(account=ACCOUNT, region=REGION)
    )


#: The parameters of :func:`_callback_definition`, opted in to any value (no default).
ANY_VALUE = ["QueueUrl"]
ROLE_VALUES = {"ProcessingRole": ["arn:aws:iam::111122223333:role/prepare"]}


def _callback_definition() -> dict[str, Any]:
    """A Callback step whose queue URL, and a Processing step whose role, are parameters."""
    return {
        "Version": "2020-12-01",
        "Parameters": [
            {"Name": "QueueUrl", "Type": "String"},
            {"Name": "ProcessingRole", "Type": "String"},
        ],
        "Steps": [
            {
                "Name": "WaitForApproval",
                "Type": "Callback",
                "Arguments": {},
                "SqsQueueUrl": {"Get": "Parameters.QueueUrl"},
                "OutputParameters": [],
            },
            {
                "Name": "Prepare",
                "Type": "Processing",
                "Arguments": {"RoleArn": {"Get": "Parameters.ProcessingRole"}},
            },
        ],
    }


def _acknowledgments(stack: cdk.Stack) -> dict[str, str]:
    """Every cdk-nag acknowledgement in the stack: finding id -> reason."""
    found: dict[str, str] = {}
    for construct in stack.node.find_all():
        for entry in construct.node.metadata:
            if entry.type == ACKNOWLEDGED:
                found.update(entry.data)
    return found


def test_definition_and_step_type_roles_both_emit_the_wide_grant_warnings() -> None:
    """GIVEN a definition-derived role and a step-types role WHEN synthesized THEN each
    carries its wideGrant warnings, which acknowledging the id silences."""
    stack = _stack()
    PipelineExecutionRole.from_definition(stack, "Derived", FIXTURES / "integrations.json")
    PipelineExecutionRole(stack, "Listed", step_types=["AutoML"], job_prefix="fraud")
    annotations = Annotations.from_stack(stack)
    derived = annotations.find_warning("/Stack/Derived", Match.string_like_regexp(WIDE_GRANT))
    for label in NEW_CLUSTER_AND_APPLICATION_GROUPS:
        assert sum(f"({label}): " in str(w.entry.data) for w in derived) == 1, label
    listed = annotations.find_warning("/Stack/Listed", Match.string_like_regexp(WIDE_GRANT))
    assert len(listed) == 1 and "(AutoMLCandidates)" in str(listed[0].entry.data)

    acknowledged = _stack()
    role = PipelineExecutionRole(acknowledged, "Listed", step_types=["AutoML"], job_prefix="fraud")
    cdk.Annotations.of(role).acknowledge_warning(WIDE_GRANT)
    # (Its jobs run as it: that warning is the subject of another test.)
    cdk.Annotations.of(role).acknowledge_warning(EXECUTION_ROLE_RUNS_JOBS)
    assert Annotations.from_stack(acknowledged).find_warning("*", Match.any_value()) == []


def test_an_unresolved_queue_is_acknowledged_as_unresolved_not_as_a_job_name(
    tmp_path: Any,
) -> None:
    """GIVEN a Callback queue from a parameter opted in to any value WHEN synthesized under
    AwsSolutions
    THEN no finding is left, and 'sqs:...:*' is acknowledged with the unresolved reason;
    job names keep the job-name reason."""
    app = cdk.App(outdir=str(tmp_path))
    stack = _stack(app)
    PipelineExecutionRole.from_definition(stack, "Role", _callback_definition(),
                                          any_value_parameters=ANY_VALUE,
                                          parameter_values=ROLE_VALUES)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    app.synth()  # fails on any unacknowledged finding
    acknowledgments = _acknowledgments(stack)
    queue = [reason for finding, reason in acknowledgments.items() if ":sqs:" in finding]
    assert queue == [f"{wildcards.UNRESOLVED_REASON} (CallbackQueues)"]
    assert not [finding for finding in acknowledgments if ":role/" in finding]
    jobs = [r for f, r in acknowledgments.items() if ":processing-job/" in f]
    assert jobs and all(r.startswith(wildcards.JOB_NAME_REASON) for r in jobs)


def test_wide_grants_are_acknowledged_with_their_own_reason(tmp_path: Any) -> None:
    """GIVEN the integrations definition WHEN synthesized under AwsSolutions THEN the
    new-cluster grant on cluster/* is acknowledged with its catalog reason."""
    app = cdk.App(outdir=str(tmp_path))
    stack = _stack(app)
    PipelineExecutionRole.from_definition(stack, "Role", FIXTURES / "integrations.json")
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    app.synth()
    acknowledgments = _acknowledgments(stack)
    cluster = [r for f, r in acknowledgments.items() if f.endswith(":cluster/*]")]
    assert cluster == [
        "the cluster the step creates gets its id only when it runs (see warning wideGrant) "
        "(EmrNewClusterSteps)"
    ]
    assert not any("job names" in r for f, r in acknowledgments.items() if ":s3:::" in f)


def test_a_wildcard_without_a_reason_is_never_acknowledged() -> None:
    """GIVEN a statement with a wildcard and no reason WHEN acknowledged THEN an error."""
    from sm_pipeline_iam.cdk._private import role_policies
    stack = _stack()
    with pytest.raises(ValueError, match="no wildcard_reason"):
        role_policies.acknowledge_wildcards(
            stack, [Statement("S", ("s3:GetObject",), ("arn:aws:s3:::b/*",))], {}
        )
