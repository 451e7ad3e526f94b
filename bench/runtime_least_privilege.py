"""Least privilege of the job roles, measured against the run-time oracle (tests/oracle).

The access plan (bench/least_privilege.py) is built from the same job needs as the
policies; this measure is not: the oracle lists, from AWS's pages alone, the calls each
step's job makes. For every definition of the run-time corpus (tests/support/runtime.py:
the SDK-built fixtures, samples/pipeline.json, the corpus definitions with job steps and
tests/fixtures/runtime), deployed with ``LeastPrivilegePipeline``, and for each role some
job runs as:

    ratio = (action, resource pattern) pairs granted / pairs the oracle's calls use

A granted pair is *used* when some oracle call of that role has its action and a resource
the pattern matches (IAM's wildcards; conditions are not compared). The target is 1.00.
Every pair in excess is printed, and so is every oracle call no pair grants (a call the role
will be denied). The execution role is not measured here: the oracle lists job calls only.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from oracle import Call  # noqa: E402
from oracle.calls import SELF  # noqa: E402
from support.runtime import Case, cases, deployed  # noqa: E402

Pair = tuple[str, str]


@cache
def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c)
                              for c in pattern))


def _listed(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def granted_pairs(documents: Iterable[Mapping[str, Any]]) -> set[Pair]:
    """Every (action, resource) an Allow statement of the documents names."""
    return {(action, resource) for document in documents for statement in
            document["Statement"] if statement["Effect"] == "Allow"
            for action in _listed(statement.get("Action", []))
            for resource in _listed(statement.get("Resource", []))}


def _uses(pair: Pair, call: Call) -> bool:
    action, pattern = pair
    resource = call.role if call.resource == SELF else call.resource
    return bool(_glob(action.lower()).fullmatch(call.action.lower())) and bool(
        _glob(pattern).fullmatch(resource))


def measure(case: Case) -> list[dict[str, Any]]:
    """One row per role of the case that some oracle call runs as."""
    stack = deployed(case)
    calls = stack.calls(case)
    rows = []
    for role in sorted({c.role for c in calls}):
        own = [c for c in calls if c.role == role]
        granted = granted_pairs(stack.policies.get(role, []))
        used = {p for p in granted if any(_uses(p, c) for c in own)}
        rows.append({
            "case": case.name, "role": role.rsplit("/", 1)[-1],
            "steps": sorted({c.step for c in own}), "granted": len(granted),
            "used": len(used), "excess": sorted(granted - used),
            "ungranted": [c for c in own if not any(_uses(p, c) for p in granted)],
        })
    return rows


def _ratio(granted: int, used: int) -> str:
    return f"{granted / used:.2f}" if used else "n/a"


def _table(rows: Sequence[dict[str, Any]]) -> None:
    header = ("case", "role", "granted", "used", "ratio", "calls denied")
    table = [header] + [(r["case"], r["role"], str(r["granted"]), str(r["used"]),
                         _ratio(r["granted"], r["used"]), str(len(r["ungranted"])))
                        for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    for line in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))


def main() -> None:
    rows = [row for case in cases() for row in measure(case)]
    _table(rows)
    granted = sum(r["granted"] for r in rows)
    used = sum(r["used"] for r in rows)
    calls_denied = sum(len(r["ungranted"]) for r in rows)
    print(f"\nall job roles: {granted} pairs granted, {used} used by the oracle's calls "
          f"(LP ratio against the oracle {_ratio(granted, used)}, target 1.00); "
          f"{calls_denied} oracle calls no pair grants")
    print(f"\nPairs granted that no oracle call uses: {granted - used}")
    for row in rows:
        for action, resource in row["excess"]:
            print(f"  {row['case']} {row['role']} ({', '.join(row['steps'])}): {action} on "
                  f"{resource}")
    print(f"\nOracle calls no pair grants: {calls_denied}")
    for row in rows:
        for call in row["ungranted"]:
            print(f"  {row['case']} {row['role']}: {call.describe()}")


if __name__ == "__main__":
    main()
