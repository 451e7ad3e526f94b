#!/usr/bin/env python3
"""Sample app: a SageMaker pipeline's roles (or the pipeline itself), its teams' roles, and
the organization's exception, built from context keys.

The context keys (defaults in cdk.json; override with ``cdk synth -c key=value``) are a
stable interface, documented in the README ("The sample app") and in
``sm_pipeline_iam.app_context``: ``AppSettings.from_context`` reads and checks every key
before any stack is made, and ``cdk synth`` fails with all the problems, one line each (no
traceback).

The stacks:

- ``PipelineIamStack``: the workload account's pipeline execution role (from step types,
  or derived from ``pipeline_definition`` with its job roles, or the deployed pipeline
  with ``pipeline_name``) and the first teams' roles;
- ``PipelineIamTeams2``, ...: more teams' roles (at most 200 teams a stack, so that no
  stack reaches CloudFormation's 500 resources: ``AppSettings.team_groups``);
- ``OrgStack`` (with ``scp_targets``): the management account's SCP exception, which
  exempts every workload role, and the RCP beside it;
- ``PipelineIamStackSet`` (with ``stackset_ou_ids``): the workload stack as a StackSet,
  instead of the workload stacks.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from sm_pipeline_iam import (
    AppSettings,
    LeastPrivilegePipeline,
    OrgRcpException,
    OrgScpException,
    PipelineExecutionRole,
    PipelineJobRoles,
    PrefixedStepRole,
    ReviewPlugin,
    ServiceManagedStackSet,
    stackset_template,
)

#: The review that `cdk synth` writes next to the templates (ReviewPlugin's default name).
REPORT_FILE = "sm-pipeline-iam-report.md"
#: The sample's accepted findings (the wide grants of the Experiments records that deploying
#: the sample pipeline needs), applied to the report the app writes.
ACCEPT_FILE = Path(__file__).resolve().parent / "samples" / "accept.json"

#: Teams as the settings hold them: (name, its step types).
Teams = Sequence[tuple[str, tuple[str, ...]]]


class PipelineIamStack(cdk.Stack):
    """A workload account's pipeline execution role (and job roles, or the pipeline), and
    the first teams' roles."""

    def __init__(self, scope: Construct, id: str, *, settings: AppSettings, teams: Teams = (),
                 **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        self.job_roles: PipelineJobRoles | None = None
        self.pipeline: LeastPrivilegePipeline | None = None
        if settings.pipeline_definition and settings.pipeline_name:
            # The pipeline itself, run by its execution role, each job step by its role.
            self.pipeline = LeastPrivilegePipeline(
                self,
                "Pipeline",
                definition=Path(settings.pipeline_definition),
                pipeline_name=settings.pipeline_name,
                per_step_roles=settings.per_step_roles,
                keep_roles_for=settings.keep_roles_for,
                parameter_values=settings.parameter_mapping,
                any_value_parameters=settings.any_value_parameters,
                principal_tag=settings.principal_tag,
            )
            self.job_roles = self.pipeline.job_roles
            self.execution_role = self.pipeline.execution_role
            cdk.CfnOutput(self, "PipelineName", value=self.pipeline.pipeline_name)
        elif settings.pipeline_definition:
            # The roles only: the pipeline is deployed by other means (the SDK's upsert).
            definition = Path(settings.pipeline_definition)
            if settings.generates_job_roles:
                self.job_roles = PipelineJobRoles.if_needed(
                    self,
                    "JobRoles",
                    definition=definition,
                    per_step_roles=settings.per_step_roles,
                    principal_tag=settings.principal_tag,
                    parameter_values=settings.parameter_mapping,
                    any_value_parameters=settings.any_value_parameters,
                    keep_roles_for=settings.keep_roles_for,
                )
            self.execution_role = PipelineExecutionRole.from_definition(
                self,
                "PipelineExecutionRole",
                definition,
                job_roles=self.job_roles,
                principal_tag=settings.principal_tag,
                parameter_values=settings.parameter_mapping,
                any_value_parameters=settings.any_value_parameters,
            )
        else:
            self.execution_role = PipelineExecutionRole(
                self,
                "PipelineExecutionRole",
                step_types=settings.step_types,
                job_prefix=settings.job_prefix,
                json_get_locations=settings.json_get_locations,
                principal_tag=settings.principal_tag,
            )
            # The sample's step types name no inputs, outputs or images to grant job
            # roles: its jobs run as the execution role, knowingly.
            cdk.Annotations.of(self.execution_role).acknowledge_warning(
                "sm-pipeline-iam:executionRoleRunsJobs",
                "the sample app's step-types mode has no job data to grant; give "
                "pipeline_definition for job roles",
            )
        cdk.CfnOutput(self, "PipelineExecutionRoleArn", value=self.execution_role.role_arn)
        for role in self._job_roles():
            cdk.CfnOutput(self, f"JobRoleArn{role.node.id}", value=role.role_arn)
        self.team_roles = add_team_roles(self, settings, teams)

    def _job_roles(self) -> list[iam.Role]:
        """The generated job roles, once each (a shared role serves every step)."""
        return list(dict.fromkeys(self.job_roles.roles.values())) if self.job_roles else []

    @property
    def workload_roles(self) -> list[iam.Role]:
        """Every role of the stack that the SCP exception must exempt."""
        return [self.execution_role, *self._job_roles(), *self.team_roles]


class TeamsStack(cdk.Stack):
    """More teams' roles, when they do not fit the workload stack."""

    def __init__(self, scope: Construct, id: str, *, settings: AppSettings, teams: Teams,
                 **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        self.team_roles = add_team_roles(self, settings, teams)


def add_team_roles(stack: cdk.Stack, settings: AppSettings, teams: Teams
                   ) -> list[PrefixedStepRole]:
    """One PrefixedStepRole per team, the team name as its job prefix."""
    return [
        PrefixedStepRole(
            stack,
            f"TeamRole-{name}",
            job_prefix=name,
            step_types=step_types,
            json_get_locations=settings.json_get_locations,
        )
        for name, step_types in teams
    ]


class OrgStack(cdk.Stack):
    """The management account's side: the SCP that exempts the tagged pipeline roles, and
    (``rcp``, on by default) the RCP that keeps the tag and the S3 data from outsiders."""

    def __init__(self, scope: Construct, id: str, *, settings: AppSettings,
                 **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        key, value = settings.exception_tag
        self.scp = OrgScpException(
            self,
            "PipelineS3Exception",
            tag_key=key,
            tag_value=value,
            vpc_ids=settings.vpc_ids,
            vpc_endpoint_ids=settings.vpc_endpoint_ids,
            target_ids=settings.scp_targets,
            tag_admin_principal_arns=settings.tag_admin_principal_arns,
        )
        self.rcp = OrgRcpException(
            self, "PipelineS3Perimeter", scp=self.scp, organization_id=settings.organization_id,
        ) if settings.rcp and settings.organization_id else None


class PipelineIamStackSetStack(cdk.Stack):
    """The management account's StackSet that deploys the workload stack to OUs."""

    def __init__(self, scope: Construct, id: str, *, settings: AppSettings,
                 exempt: OrgScpException | None, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)

        def workload(scope: Construct, id: str, **props: Any) -> cdk.Stack:
            stack = PipelineIamStack(scope, id, settings=settings, teams=settings.teams,
                                     **props)
            if exempt is not None:
                for role in stack.workload_roles:
                    exempt.exempt(role)
            return stack

        self.stack_set = ServiceManagedStackSet(
            self,
            "Workload",
            template=stackset_template(workload, stack_id="PipelineIamStack",
                                       literal_accounts=[settings.account]),
            ou_ids=settings.stackset_ou_ids,
            regions=settings.stackset_regions or (settings.region,),
        )


def build_app(context: dict[str, Any] | None = None, outdir: str | None = None) -> cdk.App:
    """The sample app; ``context`` overrides cdk.json's keys (for tests)."""
    app = cdk.App(context=context, outdir=outdir)
    settings = AppSettings.from_context(app.node)
    env = cdk.Environment(account=settings.account, region=settings.region)
    org = None
    if settings.scp_targets:
        # The SCP first: invalid SCP settings fail before any workload role is made.
        org = OrgStack(app, "OrgStack", settings=settings, env=env).scp
    if settings.stackset_ou_ids:
        PipelineIamStackSetStack(app, "PipelineIamStackSet", settings=settings, exempt=org,
                                 env=env)
        return app
    first, *more = settings.team_groups
    workload = PipelineIamStack(app, "PipelineIamStack", settings=settings, teams=first,
                                env=env)
    roles = workload.workload_roles
    for number, teams in enumerate(more, start=2):
        roles += TeamsStack(app, f"PipelineIamTeams{number}", settings=settings, teams=teams,
                            env=env).team_roles
    if org is not None:
        for role in roles:
            org.exempt(role)
    return app


def synth_with_report(app: cdk.App) -> Path:
    """Synthesize ``app`` with the review as a validation plugin (the one line a team app
    adds): it writes the report into the assembly directory and fails the synth on an
    error finding that :data:`ACCEPT_FILE` does not accept."""
    cdk.Validations.of(app).add_plugins(ReviewPlugin(app, accept=ACCEPT_FILE))
    return Path(app.synth().directory)


def main() -> int:
    """``cdk synth``'s entry point: a bad input (``ValueError``: the context, a construct's
    props, the definition) is printed as its message alone, without a traceback, on
    stderr, where the CDK CLI shows it; exit 1."""
    try:
        synth_with_report(build_app())
    except ValueError as error:
        print(f"app.py: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
