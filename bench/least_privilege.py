"""Least privilege, measured against the access plan (core.plan).

Per SDK-built fixture (tests/fixtures/definitions, each S3 parameter bound to its default
and the pipeline's name given, as the permission tests read them) and per role (the
execution role: ``policy.build_statements``; each job role: ``job_policy.job_statements``,
a model step's merged with the Transform jobs that run its model):

    ratio = (action, resource pattern) pairs granted / pairs the access plan uses

where a granted pair is *used* when some planned call of the role has its action and a
resource the pattern matches (IAM's wildcards). The target is 1.00: every pair granted is
one a planned call needs. A pair is *subsumed* when every call that uses it is granted by
another pair too (removing it would deny nothing). A second ratio counts only the
*confirmed* calls: documented actions (not ``inferred``) on names as the definition spells
them (not the lower-cased ``alternate_spelling``). Every pair in excess is listed with its reason:

- ``inferred action``: only calls no AWS document lists use it (the catalog's inferred
  groups, the jobs' multipart-upload aborts);
- ``unconfirmed ARN spelling``: only the lower-cased spelling of a name uses it (whether
  SageMaker lower-cases names inside ARNs is unconfirmed);
- ``no resource type``: the pair is on ``*`` (IAM gives the action no resource type);
- ``not in the access plan``: no planned call uses it at all (a grant nothing needs).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from sm_pipeline_iam.core.definition.reader import DefinitionReading, read_definition
from sm_pipeline_iam.core.execution_role.policy import (
    PLACEHOLDERS,
    ArnEnvironment,
    Statement,
    build_statements,
    policy_document,
)
from sm_pipeline_iam.core.job_roles.needs import JobNeeds, merge_needs
from sm_pipeline_iam.core.job_roles.policy import job_statements
from sm_pipeline_iam.core.plan import EXECUTION_ROLE, PlannedCall, access_plan, job_role

ROOT = Path(__file__).resolve().parent.parent
DEFINITIONS = ROOT / "tests" / "fixtures" / "definitions"
ENV = ArnEnvironment("aws", "us-east-1", "111122223333")
PIPELINE_NAMES = {
    "training_eval_register": "fraud-training",
    "integrations": "fraud-integrations",
    "tuning_transform_foreach": "fraud-tuning",
    "other_steps": "fraud-other-steps",
}

INFERRED = "inferred action"
SPELLING = "unconfirmed ARN spelling"
NO_RESOURCE = "no resource type"
UNUSED = "not in the access plan"

Pair = tuple[str, str]


def reading_of(name: str) -> DefinitionReading:
    definition = json.loads((DEFINITIONS / f"{name}.json").read_text())
    values = {
        p["Name"]: [p["DefaultValue"]] for p in definition.get("Parameters", [])
        if str(p.get("DefaultValue", "")).startswith("s3://")
    }
    return read_definition(definition, parameter_values=values,
                           pipeline_name=PIPELINE_NAMES[name.removesuffix("_prefixed")])


def _render(statements: Iterable[Statement]) -> dict[str, Any]:
    text = json.dumps(policy_document(statements))
    for placeholder, value in ((PLACEHOLDERS.partition, ENV.partition),
                               (PLACEHOLDERS.region, ENV.region),
                               (PLACEHOLDERS.account, ENV.account)):
        text = text.replace(placeholder, value)
    document: dict[str, Any] = json.loads(text)
    return document


def roles_of(reading: DefinitionReading) -> dict[str, dict[str, Any]]:
    """Each role -> its policy document, in the plan's environment."""
    grouped: dict[str, list[JobNeeds]] = {}
    for job in reading.jobs:
        grouped.setdefault(job_role(job.runs_as_step or job.step), []).append(job)
    policies = {EXECUTION_ROLE: _render(build_statements(reading.requirements))}
    for role, needs in grouped.items():
        policies[role] = _render(job_statements(merge_needs(needs) if len(needs) > 1
                                                else needs[0]))
    return policies


@cache
def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c)
                              for c in pattern))


def granted_pairs(document: dict[str, Any]) -> set[Pair]:
    return {(action, resource) for statement in document["Statement"]
            for action in statement["Action"] for resource in statement["Resource"]}


def users(pair: Pair, calls: Iterable[PlannedCall]) -> list[PlannedCall]:
    """The planned calls that use a granted pair."""
    action, pattern = pair
    return [c for c in calls if c.action == action and _glob(pattern).fullmatch(c.resource)]


def reason(pair: Pair, using: list[PlannedCall]) -> str:
    """Why a pair no confirmed call uses is granted."""
    reasons = []
    if using and all(c.inferred for c in using):
        reasons.append(INFERRED)
    if using and all(c.alternate_spelling for c in using) and not reasons:
        reasons.append(SPELLING)
    if using and not reasons:
        reasons.append(f"{INFERRED}, {SPELLING}")  # inferred calls on a lower-cased name
    if pair[1] == "*":
        reasons.append(NO_RESOURCE)
    if not using:
        reasons.append(UNUSED)
    return "; ".join(reasons)


def measure(name: str) -> list[dict[str, Any]]:
    """One row per role of fixture ``name``."""
    reading = reading_of(name)
    plan = access_plan(reading, ENV)
    rows = []
    for role, document in roles_of(reading).items():
        calls = [c for c in plan if c.role == role]
        granted = granted_pairs(document)
        using = {pair: users(pair, calls) for pair in granted}
        used = {p for p, u in using.items() if u}
        confirmed = {p for p, u in using.items()
                     if any(not c.inferred and not c.alternate_spelling for c in u)}
        # Used, but every call using it is granted by another pair too: removing it denies
        # nothing (the mutation check of tests/test_plan.py finds the same).
        subsumed = {p for p in used if all(
            any(q != p and c in using[q] for q in granted if q[0] == p[0]) for c in using[p])}
        rows.append({
            "fixture": name, "role": role, "granted": len(granted), "used": len(used),
            "confirmed": len(confirmed),
            "unused": sorted((p, reason(p, using[p])) for p in granted - used),
            "subsumed": sorted(subsumed),
            "beyond_confirmed": sorted((p, reason(p, using[p])) for p in granted - confirmed),
            "uncovered": [c for c in calls if not any(
                c.action == a and _glob(r).fullmatch(c.resource) for a, r in granted)],
        })
    return rows


def _ratio(granted: int, used: int) -> str:
    return f"{granted / used:.2f}" if used else "n/a"


def main() -> None:
    names = sorted(path.stem for path in DEFINITIONS.glob("*.json"))
    rows = [row for name in names for row in measure(name)]
    header = ("fixture", "role", "granted", "used", "ratio", "confirmed", "ratio (confirmed)",
              "subsumed")
    table = [header] + [
        (r["fixture"], r["role"], str(r["granted"]), str(r["used"]),
         _ratio(r["granted"], r["used"]), str(r["confirmed"]),
         _ratio(r["granted"], r["confirmed"]), str(len(r["subsumed"])))
        for r in rows
    ]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    for line in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
    total_granted = sum(r["granted"] for r in rows)
    total_used = sum(r["used"] for r in rows)
    total_confirmed = sum(r["confirmed"] for r in rows)
    print(f"\nall roles: {total_granted} pairs granted, {total_used} used by the access plan "
          f"(ratio {_ratio(total_granted, total_used)}, target 1.00), {total_confirmed} by "
          f"confirmed calls (ratio {_ratio(total_granted, total_confirmed)})")
    unused = [(row, pair, why) for row in rows for pair, why in row["unused"]]
    print(f"\nPairs in excess of the access plan: {len(unused)}")
    for row, (action, resource), why in unused:
        print(f"  {row['fixture']} {row['role']}: {action} on {resource}: {why}")
    subsumed = [(row, pair) for row in rows for pair in row["subsumed"]]
    print(f"\nPairs used, but only by calls another pair grants too: {len(subsumed)}")
    for row, (action, resource) in subsumed:
        print(f"  {row['fixture']} {row['role']}: {action} on {resource}")
    counts: dict[str, int] = {}
    print("\nPairs in excess of the confirmed calls, with the reason (actions on one "
          "resource together):")
    for row in rows:
        grouped: dict[tuple[str, str], list[str]] = {}
        for (action, resource), why in row["beyond_confirmed"]:
            counts[why] = counts.get(why, 0) + 1
            grouped.setdefault((resource, why), []).append(action)
        for (resource, why), actions in sorted(grouped.items()):
            print(f"  {row['fixture']} {row['role']}: {', '.join(actions)} on {resource}: "
                  f"{why}")
    print("\nBy reason (pairs): " + ", ".join(f"{why}: {n}" for why, n in sorted(
        counts.items())))
    for row in rows:
        for call in row["uncovered"]:
            print(f"  not granted: {row['fixture']} {row['role']}: {call.action} "
                  f"{call.resource}")


if __name__ == "__main__":
    main()
