"""Service-managed StackSets as plain data: validation of targets, regions, templates and
the organization they belong to. No CDK import."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..errors import Problem

#: CloudFormation quotas: a TemplateBody, a template read from S3 (bytes).
TEMPLATE_BODY_LIMIT = 51_200
TEMPLATE_URL_LIMIT = 1_048_576

_OU = re.compile(r"ou-([0-9a-z]{4,32})-[a-z0-9]{8,32}")
_ROOT = re.compile(r"r-([0-9a-z]{4,32})")
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")


def target_problems(ou_ids: Sequence[str], regions: Sequence[str]) -> list[Problem]:
    """Every malformed OU id or region name, and empty lists."""
    problems = []
    if not ou_ids:
        problems.append(Problem(
            "ou_ids", "empty", "ou_ids is empty: name the OUs (ou-...) whose accounts get the stack"
        ))
    if not regions:
        problems.append(Problem(
            "regions", "empty", "regions is empty: name the regions (e.g. 'us-east-1') to deploy to"
        ))
    problems += [
        Problem(
            "ou_ids",
            "notAnOuId",
            f"ou_ids {ou!r} is not an OU id (ou-<root>-<suffix>, e.g. 'ou-ab12-cdefgh34')",
        )
        for ou in ou_ids
        if not _OU.fullmatch(ou)
    ]
    problems += [
        Problem(
            "regions", "notARegion", f"regions {region!r} is not a region name (e.g. 'us-east-1')"
        )
        for region in regions
        if not _REGION.fullmatch(region)
    ]
    duplicates = sorted({r for r in regions if list(regions).count(r) > 1})
    if duplicates:
        problems.append(Problem(
            "regions", "duplicate", f"regions lists {', '.join(duplicates)} more than once"
        ))
    return problems


def template_text(template: Mapping[str, Any] | str) -> str:
    """The template as the compact JSON a StackSet carries."""
    if isinstance(template, str):
        return template
    return json.dumps(template, separators=(",", ":"), sort_keys=True)


def template_problems(text: str) -> list[Problem]:
    """A problem when the template exceeds what CloudFormation reads from S3."""
    size = len(text.encode())
    if size <= TEMPLATE_URL_LIMIT:
        return []
    return [Problem(
        "template",
        "templateTooLarge",
        f"the workload template is {size:,} bytes, over CloudFormation's "
        f"{TEMPLATE_URL_LIMIT:,}: split its roles across stacks",
    )]


def fits_template_body(text: str) -> bool:
    """True when the template may go inline (TemplateBody) rather than by URL."""
    return len(text.encode()) <= TEMPLATE_BODY_LIMIT


def organization_roots(ids: Iterable[str]) -> set[str]:
    """The organization roots that OU and root ids belong to (``ou-ab12-...`` -> ab12)."""
    roots = set()
    for value in ids:
        match = _OU.fullmatch(value) or _ROOT.fullmatch(value)
        if match:
            roots.add(match.group(1))
    return roots


def consistency_problems(
    scp_targets: Sequence[str], stackset_ou_ids: Sequence[str]
) -> list[Problem]:
    """A problem (about ``stackset_ou_ids``) when the SCP and the StackSet target different
    organizations."""
    scp_roots, stackset_roots = organization_roots(scp_targets), organization_roots(stackset_ou_ids)
    if scp_roots and stackset_roots and scp_roots != stackset_roots:
        return [Problem(
            "stackset_ou_ids",
            "differentOrganizations",
            f"the SCP targets organization root(s) {', '.join(sorted(scp_roots))} but the "
            f"StackSet targets {', '.join(sorted(stackset_roots))}: deploy both in one "
            "organization, or the exempt tag is not the one the SCP protects",
        )]
    return []


def hard_coded_accounts(text: str, accounts: Iterable[str]) -> list[str]:
    """The given account ids that appear literally in the template."""
    return sorted({account for account in accounts if account and account in text})
