"""The options of the IAM roles the constructs make (the keyword arguments they pass on
to ``iam.Role``)."""

from __future__ import annotations

from typing import TypedDict

from aws_cdk import Duration
from aws_cdk import aws_iam as iam

__all__ = ["CommonRoleOptions", "RoleOptions"]


class CommonRoleOptions(TypedDict, total=False):
    """Options that every role a construct makes takes alike: what constructs that make
    several roles (``LeastPrivilegePipeline``) accept. All of :class:`RoleOptions` but
    ``role_name``, which names one role.

    Keys:
        principal_tag: ``(key, value)`` tagged on the role, for an SCP exception
            (``OrgScpException``). Default: no tag.
        path: the role's path. Default: ``/``.
        description: the role's description. Default: one naming the step types.
        permissions_boundary: a permissions boundary. Default: none.
        max_session_duration: the longest session. Default: one hour.
    """

    principal_tag: tuple[str, str] | None
    path: str | None
    description: str | None
    permissions_boundary: iam.IManagedPolicy | None
    max_session_duration: Duration | None


class RoleOptions(CommonRoleOptions, total=False):
    """Options of the IAM role itself, shared by the constructs: those of
    :class:`CommonRoleOptions`, and

    Keys:
        role_name: the role's name. Default: a name CloudFormation generates.
    """

    role_name: str | None
