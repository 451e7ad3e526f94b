"""CloudFormation intrinsics in one place: resolved to concrete values, or written as text.

The library's templates use three intrinsics only: ``Ref`` (to pseudo parameters and to
resources), ``Fn::GetAtt`` and ``Fn::Join``. This module gives them two meanings:

- :class:`Resolver` turns them into what CloudFormation would produce, given each
  resource's physical id (the local deploy's read-back passes the deployed ids, the tests
  the ids a synthesized template implies). Anything it cannot resolve fails loudly, so a
  template that starts using another intrinsic is never evaluated silently wrong.
- :func:`render_text` and :func:`render_tree` write them (and ``Fn::ImportValue``, as
  the export's name) as readable text in a
  :class:`TextStyle`: :data:`PLACEHOLDER_STYLE` (``${AWS::Region}``, ``${Role.Arn}``: the
  review report, and the placeholders of :mod:`sm_pipeline_iam.core.execution_role.policy`) or
  :data:`NAG_STYLE` (``<AWS::Partition>``, ``<Role.Arn>``: how cdk-nag names findings).

Pure Python: no CDK import.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "INTRINSICS",
    "NAG_STYLE",
    "PARTITION",
    "PLACEHOLDER_STYLE",
    "REGION",
    "URL_SUFFIX",
    "Resolver",
    "TextStyle",
    "is_intrinsic",
    "render_text",
    "render_tree",
]

#: Rendered (never resolved): ``Fn::ImportValue`` is written as the export's name.
_RENDERED_ONLY = ("Fn::ImportValue",)

#: The default region and partition of a :class:`Resolver`.
REGION = "us-east-1"
PARTITION = "aws"
#: What ``Ref AWS::URLSuffix`` resolves to (the ``aws`` partition's).
URL_SUFFIX = "amazonaws.com"

#: The intrinsics the library emits, and the only ones resolved or rendered.
INTRINSICS = ("Ref", "Fn::GetAtt", "Fn::Join")


def is_intrinsic(value: Any) -> bool:
    """True when ``value`` is one of :data:`INTRINSICS`: a one-key dict naming it."""
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in INTRINSICS


def _getatt_parts(argument: Any) -> tuple[str, str]:
    """``Fn::GetAtt``'s argument as (logical id, attribute): ``[Id, Attr]`` or ``"Id.Attr"``."""
    if isinstance(argument, str):
        logical_id, _, attribute = argument.partition(".")
        return logical_id, attribute
    logical_id, attribute = argument
    return str(logical_id), str(attribute)


@dataclass
class Resolver:
    """Resolves a template's intrinsics as CloudFormation did (or would) in one deployment.

    Only what the library emits: ``Ref`` to pseudo parameters and to resources (their
    physical ids), ``Fn::GetAtt <Role>.Arn`` and ``Fn::Join``; anything else raises
    ``ValueError``.

    Attributes:
        template: the CloudFormation template (its ``Resources`` are looked up).
        physical_ids: logical id -> physical id (a role's physical id is its name).
        account: what ``AWS::AccountId`` resolves to.
        stack_name: what ``AWS::StackName`` resolves to.
        region: what ``AWS::Region`` resolves to.
        partition: what ``AWS::Partition`` resolves to.
    """

    template: Mapping[str, Any]
    physical_ids: Mapping[str, str]
    account: str
    stack_name: str
    region: str = REGION
    partition: str = PARTITION

    def role_name(self, logical_id: str) -> str:
        """The role's name: its physical id (a marked placeholder when not deployed)."""
        return self.physical_ids.get(logical_id, f"<{logical_id} not deployed>")

    def role_arn(self, logical_id: str) -> str:
        """The role's ARN, with the ``Path`` of its template properties."""
        path = self.template["Resources"][logical_id].get("Properties", {}).get("Path", "/")
        return f"arn:{self.partition}:iam::{self.account}:role{path}{self.role_name(logical_id)}"

    def resolve(self, value: Any) -> Any:
        """``value`` (any JSON value of the template) with every intrinsic resolved.

        Raises:
            ValueError: for an intrinsic other than ``Ref`` / ``Fn::GetAtt <Role>.Arn`` /
                ``Fn::Join``, a ``Ref`` to an unknown name, or ``Fn::GetAtt`` of anything
                but a role's ``Arn``.
        """
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if set(value) == {"Ref"}:
            return self._ref(value["Ref"])
        if set(value) == {"Fn::GetAtt"}:
            logical_id, attribute = _getatt_parts(value["Fn::GetAtt"])
            resource = self.template["Resources"].get(logical_id)
            if resource is None or (resource["Type"], attribute) != ("AWS::IAM::Role", "Arn"):
                raise ValueError(f"cannot resolve GetAtt {logical_id}.{attribute}")
            return self.role_arn(logical_id)
        if set(value) == {"Fn::Join"}:
            separator, parts = value["Fn::Join"]
            return str(separator).join(str(self.resolve(part)) for part in parts)
        if any(key.startswith("Fn::") for key in value):
            raise ValueError(f"unexpected intrinsic {sorted(value)}")
        return {key: self.resolve(item) for key, item in value.items()}

    def _ref(self, name: str) -> str:
        pseudo = {
            "AWS::AccountId": self.account,
            "AWS::Region": self.region,
            "AWS::Partition": self.partition,
            "AWS::URLSuffix": URL_SUFFIX,
            "AWS::StackName": self.stack_name,
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.template["Resources"]:
            return self.physical_ids.get(name, f"<{name} not deployed>")
        raise ValueError(f"cannot resolve Ref {name}")


def _json_text(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


@dataclass(frozen=True)
class TextStyle:
    """How :func:`render_text` writes a reference and any other non-string value.

    A ``Ref`` is written ``opening + name + closing``, an ``Fn::GetAtt`` ``opening +
    logical_id.attribute + closing``; ``Fn::Join`` joins its rendered parts; any other
    value (a number, a list, an unknown intrinsic) is written by ``other``.
    """

    opening: str
    closing: str
    other: Callable[[Any], str] = _json_text


#: ``${AWS::Region}``, ``${Role.Arn}``; other values as sorted JSON (the review report).
PLACEHOLDER_STYLE = TextStyle("${", "}", _json_text)
#: ``<AWS::Partition>``, ``<Role.Arn>``; other values with ``str`` (cdk-nag finding names).
NAG_STYLE = TextStyle("<", ">", str)


def _is_import(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in _RENDERED_ONLY


def render_text(value: Any, style: TextStyle = PLACEHOLDER_STYLE) -> str:
    """``value`` as one line of text, its intrinsics written in ``style``.

    A string stays as it is; ``{"Ref": "AWS::Region"}`` becomes ``${AWS::Region}``,
    ``{"Fn::GetAtt": ["Role", "Arn"]}`` ``${Role.Arn}``, ``Fn::Join`` the joined
    rendering of its parts and ``{"Fn::ImportValue": "Shared-Arn"}`` the export's name,
    ``${ImportValue:Shared-Arn}`` (in :data:`PLACEHOLDER_STYLE`); anything else
    ``style.other``.
    """
    if isinstance(value, str):
        return value
    if _is_import(value):
        name = render_text(value["Fn::ImportValue"], style)
        return f"{style.opening}ImportValue:{name}{style.closing}"
    if is_intrinsic(value):
        ((function, argument),) = value.items()
        if function == "Ref":
            return f"{style.opening}{argument}{style.closing}"
        if function == "Fn::GetAtt":
            name = argument if isinstance(argument, str) else ".".join(map(str, argument))
            return f"{style.opening}{name}{style.closing}"
        separator, parts = argument
        return str(separator).join(render_text(part, style) for part in parts)
    return style.other(value)


def render_tree(value: Any, style: TextStyle = PLACEHOLDER_STYLE) -> Any:
    """``value`` (a JSON tree) with each intrinsic replaced by :func:`render_text` of it.

    Lists and other dicts keep their shape (an unknown intrinsic stays a dict); scalars
    stay as they are.
    """
    if isinstance(value, list):
        return [render_tree(item, style) for item in value]
    if isinstance(value, dict):
        if is_intrinsic(value) or _is_import(value):
            return render_text(value, style)
        return {key: render_tree(item, style) for key, item in value.items()}
    return value
