"""``PrefixedStepRole``: a team's role, allowed only its step types under its prefix."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from aws_cdk import Stack, Token
from aws_cdk import aws_iam as iam
from constructs import Construct, IConstruct

from ..core import team
from ..core.catalog.schema import StepType
from ..core.catalog.steps import step_names
from ..core.errors import Problem
from ..core.execution_role.requirements import GivenResources, PipelineRequirements
from ..core.notices import PRINCIPAL_WITHOUT_POLICY
from ._private import role_policies
from ._private.gathering import gather_with_tokens, token_prefix_problems
from ._private.prop_types import PropTypes
from ._private.s3_locations import given_with_uris, location_uris
from ._private.tokens import StableTokens, check_tokens_at_synth, final_given, is_token
from ._private.warnings import add_warning
from .locations import S3LocationLike
from .pipeline_role import PipelineRoleBase
from .role_options import RoleOptions

if TYPE_CHECKING:
    from typing_extensions import Unpack

#: Per app (its root construct), the teams made so far: no two may share names.
_TEAMS: weakref.WeakKeyDictionary[IConstruct, team.TeamPrefixes] = weakref.WeakKeyDictionary()


def _teams_of(scope: Construct) -> team.TeamPrefixes:
    return _TEAMS.setdefault(scope.node.root, team.TeamPrefixes())


def _foreign_account(scope: Construct, grantee: iam.IGrantable) -> str | None:
    """The grantee's account when it is known and not the stack's, else None."""
    account, own = grantee.grant_principal.principal_account, Stack.of(scope).account
    if account is None or Token.is_unresolved(account) or Token.is_unresolved(own):
        return None
    return account if account != own else None


class PrefixedStepRole(PipelineRoleBase):
    """A team's pipeline role: only its step types, only jobs named ``<job_prefix>-*``.

    SageMaker Pipelines runs the team's pipelines as this role (trust:
    ``sagemaker.amazonaws.com`` with ``aws:SourceAccount``). Its job permissions are the
    catalog's actions for ``step_types`` on ``<resource-type>/<job_prefix>-*`` ARNs in the
    stack's account and region, and nothing for other prefixes, ``pipelines-*`` or other
    job types. The steps that create no SageMaker job (``shared_step_types``) are what
    every team may run.

    ``team_principals`` (roles, users, groups) may pass this role to SageMaker and work
    on their own pipelines, ``pipeline/<job_prefix>-*`` and its executions, only. A
    principal of another account gets nothing (and a warning): it cannot pass this
    account's roles, and IAM would attach the grant to a same-named principal here.

    Within an app, each team's names are its own: no two teams' prefixes are equal
    ignoring case, or one the other followed by a hyphen (``rsch`` and ``rsch-a``:
    ``rsch-*`` matches ``rsch-a-...``), and ``pipelines`` (any case, alone or before a
    hyphen) is reserved for the default job naming. Either is an error naming both teams.

    The team must turn on ``PipelineDefinitionConfig(use_custom_job_prefix=True)`` and
    put the prefix into each step's job name: :meth:`usage` says where.

    Example::

        research = PrefixedStepRole(
            stack, "ResearchRole",
            job_prefix="rsch",
            step_types=[StepType.TRAINING, StepType.MODEL],
            team_principals=[research_group],
        )
        print(research.usage())

    Raises:
        InvalidPropsError: (a ``ValueError``) listing every problem of the props, e.g. a
            prefix longer than a chosen step type allows (38, or 6 for Tuning and AutoML).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        job_prefix: str,
        step_types: Sequence[StepType | str],
        team_principals: Sequence[iam.IPrincipal] = (),
        shared_step_types: Sequence[StepType | str] | None = None,
        step_roles: Sequence[iam.IRole] = (),
        json_get_locations: Sequence[S3LocationLike] = (),
        integration_resources: GivenResources | None = None,
        **role_options: Unpack[RoleOptions],
    ) -> None:
        """Create the role and grant the team's principals.

        Args:
            scope: the parent construct.
            id: the construct id (a public contract: changing it replaces the role).
            job_prefix: the team's prefix: its jobs and pipelines are named
                ``<job_prefix>-...``. Validated against every chosen step type and the
                other teams of the app. A token is granted as it is (``<token>-*``, one
                spelling); a ``Lazy`` one is checked at synth, a deploy-time one cannot be.
            step_types: the job step types the team may run (:class:`StepType` members or
                ``Type`` strings).
            team_principals: the team's roles, users and groups: they get
                :meth:`grant_pass_role` and :meth:`grant_pipeline_access`. Default: none.
            shared_step_types: steps every team may run; only steps that create no
                SageMaker job. Default: Condition, Fail, ForEach, plus each of Lambda,
                Callback, EMR, EMRServerless and Cleanup whose resources
                ``integration_resources`` names.
            step_roles: other roles the team's pipelines hand to their jobs. Default:
                none (the jobs run as this role).
            json_get_locations: the folders whose objects ``JsonGet`` reads
                (``s3://bucket/prefix``, an ``s3.IBucket`` or ``S3Location``, as for
                ``PipelineExecutionRole``). Default: none.
            integration_resources: the resources of the shared integration steps.
                Default: none.
            role_options: the role's own options (:class:`RoleOptions`).
        """
        checks = PropTypes()
        checks.string("job_prefix", job_prefix, "the team's prefix, e.g. 'rsch'")
        checks.step_types("step_types", step_types)
        checks.principals("team_principals", team_principals)
        checks.step_types("shared_step_types", shared_step_types, optional=True)
        checks.roles("step_roles", step_roles)
        checks.locations("json_get_locations", json_get_locations)
        checks.given_resources("integration_resources", integration_resources)
        checks.raise_if_any("PrefixedStepRole", id, {
            "job_prefix": job_prefix, "step_types": step_types,
            "shared_step_types": shared_step_types, "json_get_locations": json_get_locations,
            "integration_resources": integration_resources,
        }, role_options)
        problems: list[Problem] = []
        stable = StableTokens("PipelineValue")
        locations = location_uris("json_get_locations", json_get_locations, problems, stable)
        resources = given_with_uris(integration_resources, problems, stable)

        def gather(prefix: str, final: Callable[[str], str]) -> tuple[
            PipelineRequirements, list[Problem]
        ]:
            return gather_with_tokens(
                team.team_requirements,
                job_prefix=prefix,
                step_types=step_types,
                shared_step_types=shared_step_types,
                step_role_arns=[role.role_arn for role in step_roles],
                json_get_locations=[final(uri) for uri in locations],
                resources=final_given(resources, final),
            )

        requirements, more = gather(job_prefix, _unchanged)
        # A location refused above is not missing as well.
        refused = {problem.prop for problem in problems}
        problems += [p for p in more if not (p.code == "empty" and p.prop in refused)]
        teams = _teams_of(scope)
        path = f"{scope.node.path}/{id}".lstrip("/")
        checkable = bool(job_prefix) and not is_token(job_prefix)
        if checkable:
            problems += teams.problems(job_prefix, path)

        def recheck(final: Callable[[str], str]) -> list[Problem]:
            prefix = final(job_prefix)
            found = gather(prefix, final)[1] + token_prefix_problems(job_prefix, prefix)
            if is_token(job_prefix) and not is_token(prefix):
                # Known now: no other team may share its names (checked once per team).
                others = [(p, t) for p, t in teams.overlapping(prefix) if t != self.node.path]
                found += [team.overlap_problem(prefix, self.node.path, p, t) for p, t in others]
                if not others and (prefix, self.node.path) not in teams.overlapping(prefix):
                    teams.add(prefix, self.node.path)
            return found

        self._job_prefix = job_prefix
        own = [t for t in requirements.step_types if t.value in {str(s) for s in step_types}]
        self._own_step_types = tuple(sorted(own, key=lambda s: s.value))
        super().__init__(
            scope,
            id,
            construct_name="PrefixedStepRole",
            default_description=f"SageMaker pipeline role of team '{job_prefix}' for "
            f"{step_names(own)} steps (sm-pipeline-iam)",
            requirements=requirements,
            problems=problems,
            options=role_options,
        )
        if checkable:
            teams.add(job_prefix, self.node.path)
        # A Lazy prefix or location that resolves to '*' fails synthesis, naming it; a Lazy
        # prefix that another team's overlaps too.
        check_tokens_at_synth(self, "PrefixedStepRole", {
            "job_prefix": job_prefix, "json_get_locations": locations,
            "integration_resources": resources}, recheck)
        for principal in team_principals:
            account = _foreign_account(self, principal)
            if account is not None:
                add_warning(
                    self, PRINCIPAL_WITHOUT_POLICY,
                    f"team principal {principal} is in account {account}, not this stack's "
                    f"account {Stack.of(self).account}: it cannot hold an identity policy "
                    "here, so nothing was granted to it (it could not pass this account's "
                    "roles, and IAM would attach the grant to a same-named principal of this "
                    "account); give a role, user or group of this account, or let its own "
                    "account assume one",
                )
                continue
            for grant in (self.grant_pass_role(principal), self.grant_pipeline_access(principal)):
                if not grant.success:
                    add_warning(
                        self, PRINCIPAL_WITHOUT_POLICY,
                        f"team principal {principal} cannot hold an identity policy, so it "
                        "was not granted pass-role and pipeline access: grant them in its "
                        "own account, or give a role, user or group",
                    )

    @property
    def job_prefix(self) -> str:
        """The team's prefix."""
        return self._job_prefix

    @property
    def prefix_guide(self) -> dict[StepType, str]:
        """Per chosen step type, the SDK argument that must carry :attr:`job_prefix`."""
        return team.prefix_guide(self._own_step_types)

    def usage(self) -> str:
        """Instructions for the team: the SDK switch, where the prefix goes, and which
        SDK steps ignore it today (their jobs would be denied)."""
        return team.usage_text(self._job_prefix, self._own_step_types)

    def grant_pipeline_access(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` create, update, run, watch, stop and retry the team's own
        pipelines (``pipeline/<job_prefix>-*`` and their executions), and no others.

        A principal of another account gets nothing (the grant is not ``success``)."""
        if _foreign_account(self, grantee) is not None:
            return iam.Grant.drop(grantee, "the team's pipeline access (another account)")
        statement = team.pipeline_access_statement(
            self._job_prefix, role_policies.stack_environment(self)
        )
        resources = statement.resources
        if is_token(self._job_prefix):
            # A token prefix is granted as it is, once: its lower-cased text is no token.
            resources = tuple(r for r in resources if self._job_prefix in r)
        # No cdk-nag acknowledgement here: the grantee is the user's, and so is the review
        # of what it is granted (the library acknowledges only what it creates).
        return iam.Grant.add_to_principal(
            grantee=grantee,
            actions=list(statement.actions),
            resource_arns=list(resources),
        )


def _unchanged(text: str) -> str:
    return text
