"""The role both pipeline role constructs build on: a SageMaker-trusted role whose
permissions come from
:class:`~sm_pipeline_iam.core.execution_role.requirements.PipelineRequirements`.

``PipelineExecutionRole`` and ``PrefixedStepRole`` differ only in how they gather the
requirements; validation, sizing, attachment, tagging and warnings live in their base
(:class:`~sm_pipeline_iam.cdk._private.role_base.SageMakerRole`), which job roles share.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING

from aws_cdk import aws_iam as iam
from constructs import Construct

from .. import _deprecated
from ..core.errors import Problem
from ..core.execution_role import policy
from ..core.execution_role.requirements import PipelineRequirements, sagemaker_pass_roles
from ..core.execution_role.wildcards import wide_grant_notices
from ._private.role_base import RoleGrants, SageMakerRole

if TYPE_CHECKING:
    # Imported for the annotations only: its old path here warns (see __getattr__).
    from .role_options import RoleOptions

#: Stands for the role's own ARN in statements until the role exists.
OWN_ARN = "${PipelineRole.Arn}"


def _requirement_grants(requirements: PipelineRequirements) -> RoleGrants:
    """The statements of ``requirements``; every grant on '*' or a whole resource type is
    named in a wideGrant warning, whether the requirements come from step types or from a
    definition."""
    try:
        statements = policy.build_statements(requirements)
    except policy.UnnamedResourcesError as error:
        # A prop problem already explains the missing resources; else say it.
        return RoleGrants((), OWN_ARN, nothing_granted=Problem(
            "requirements", "unnamedResources", str(error)))
    notices = tuple(dict.fromkeys((*requirements.notices, *wide_grant_notices(requirements))))
    return RoleGrants(tuple(statements), OWN_ARN, notices=notices)


class PipelineRoleBase(SageMakerRole):
    """A SageMaker-trusted role with exactly the permissions of its requirements.

    Not meant to be used directly: use ``PipelineExecutionRole`` or ``PrefixedStepRole``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        construct_name: str,
        default_description: str,
        requirements: PipelineRequirements,
        problems: Sequence[Problem],
        options: RoleOptions,
        pass_self: bool = True,
    ) -> None:
        if pass_self:
            # The role passes itself: its steps run as it unless given a step role.
            requirements = dataclasses.replace(
                requirements,
                pass_roles=requirements.pass_roles
                | sagemaker_pass_roles(requirements.step_types, [OWN_ARN]),
            )
        super().__init__(
            scope,
            id,
            construct_name=construct_name,
            default_description=default_description,
            grants=_requirement_grants(requirements),
            problems=problems,
            options=options,
        )
        self._requirements = requirements

    @property
    def role(self) -> iam.Role:
        """Deprecated: the construct itself is the ``iam.Role``; use it directly."""
        _deprecated.warn_member("PipelineRoleBase.role")
        return self

    @property
    def requirements(self) -> PipelineRequirements:
        """What the role allows, as plain data (for reports and tests)."""
        return self._requirements


def __getattr__(name: str) -> object:
    # The helpers that lived here moved into cdk/_private and cdk/locations, role_options.
    return _deprecated.forward_moved_name(__name__, name)
