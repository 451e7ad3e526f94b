"""A role's grants as (action, resource) pairs, and whether a call falls under one.

IAM matches actions without regard to case and resources with ``*`` (any characters) and
``?`` (one character) case-sensitively (AWS page "IAM JSON policy elements: Resource",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html).
The assembly's grants are rendered from CloudFormation: ``${AWS::Partition}``,
``${AWS::Region}`` and ``${AWS::AccountId}`` (and the library's ``<partition>``...
placeholders) match one ARN field; any other reference (another resource's ARN, an
import) matches anything, and the grant says so (:attr:`Grant.approximate`). Conditions
are not evaluated: a grant is what its action and resource allow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: Placeholders that stand for one ARN field.
_FIELD = re.compile(r"\$\{AWS::(?:Partition|Region|AccountId|URLSuffix)\}|<partition>|<region>"
                    r"|<account>")
#: Any other reference, rendered as ``${...}``.
_REFERENCE = re.compile(r"\$\{[^}]*\}")


def _pattern(text: str, *, ignore_case: bool = False) -> re.Pattern[str]:
    parts: list[str] = []
    position = 0
    for match in re.finditer(r"\$\{[^}]*\}|<partition>|<region>|<account>|[*?]", text):
        parts.append(re.escape(text[position:match.start()]))
        token = match.group(0)
        if token == "*":
            parts.append(".*")
        elif token == "?":
            parts.append(".")
        elif _FIELD.fullmatch(token):
            parts.append("[^:]*")
        else:
            parts.append(".*")
        position = match.end()
    parts.append(re.escape(text[position:]))
    return re.compile("".join(parts), re.IGNORECASE if ignore_case else 0)


@dataclass(frozen=True)
class Grant:
    """One (action, resource) pair an Allow statement of a role grants.

    Attributes:
        action: as written (``s3:GetObject``, ``sagemaker:Describe*``).
        resource: as written, rendered (``arn:${AWS::Partition}:s3:::bucket/*``).
        sid: the statement's Sid (``""`` when it has none).
        condition: the statement's condition, as text (not evaluated).
    """

    action: str
    resource: str
    sid: str = ""
    condition: str = ""
    _action: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _resource: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_action", _pattern(self.action, ignore_case=True))
        object.__setattr__(self, "_resource", _pattern(self.resource))

    @property
    def approximate(self) -> bool:
        """True when the resource holds a reference the reconciliation cannot resolve
        (matched as any text)."""
        return bool(_REFERENCE.search(_FIELD.sub("", self.resource)))

    def allows_action(self, action: str) -> bool:
        """True when the grant's action covers ``action``."""
        return bool(self._action.fullmatch(action))

    def allows(self, action: str, resource: str) -> bool:
        """True when the grant covers ``action`` on ``resource``; a resource the record
        does not tell (``""``) is covered by any resource of the action."""
        if not self.allows_action(action):
            return False
        if not resource or self.resource == "*":
            return True
        return bool(self._resource.fullmatch(resource))

    def to_data(self) -> dict[str, str]:
        """The grant as plain data."""
        return {"action": self.action, "resource": self.resource, "sid": self.sid,
                "condition": self.condition}
