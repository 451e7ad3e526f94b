"""The reconciliation as Markdown (people), JSON (machines) and SARIF 2.1.0 (code
scanning), as the review report is written; and whether it fails a CI gate."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from ..report import SARIF_SCHEMA
from .compare import Result

#: SARIF rules: id -> (level, what it means and what to do).
RULES: dict[str, tuple[str, str]] = {
    "deniedCall": ("error", "A call by one of the pipeline's roles was denied. The result "
                   "names the step, the statement that would allow it and what to change."),
    "planMiss": ("warning", "A call the access plan did not predict for its step: a gap in "
                 "the library's knowledge, or a grant from elsewhere."),
    "unusedGrant": ("note", "A grant the recorded executions could have used and did not: "
                    "a candidate to drop once the executions cover the step's paths."),
}


#: The one thing the grant tables do not judge.
GRANTS_NOTE = ("Grants are the (action, resource) pairs of the roles' Allow statements; "
               "their policy conditions are not evaluated, so a call on a grant's action "
               "and resource counts as using it whatever the condition.")


def failed(result: Result, *, unused: bool = False) -> bool:
    """True when the gate fails: a denied call or a plan miss (and, with ``unused``, an
    unused grant)."""
    return any(p.denied or p.plan_misses or (unused and p.unused) for p in result.pipelines)


def to_json(result: Result) -> str:
    """The whole result as JSON."""
    return json.dumps(asdict(result), indent=2, sort_keys=True) + "\n"


def _code(text: str) -> str:
    return f"`{text}`" if text else "-"


def to_markdown(result: Result) -> str:
    """The result as a Markdown document: per pipeline its steps, denied calls with their
    fixes, plan misses and grants by status; then what was and was not visible."""
    lines = ["# sm-pipeline-iam reconcile", "",
             f"Read {result.records:,} records from {result.files:,} files; "
             f"{result.ignored:,} were other principals' (ignored).", ""]
    for pipeline in result.pipelines:
        lines += [f"## Pipeline {pipeline.name}", "",
                  f"From {_code(pipeline.source)}; {pipeline.records:,} records of its "
                  f"roles; executions started in the records: "
                  f"{len(pipeline.executions) or 'none seen'}.", "",
                  "| step | type | ran | records |", "|---|---|---|---|"]
        lines += [f"| {s.name} | {s.type} | {'yes' if s.ran else 'no record'} | {s.records} |"
                  for s in pipeline.steps]
        lines += ["", f"### Denied calls ({len(pipeline.denied)})", ""]
        for d in pipeline.denied:
            lines += [f"- **{d.action}** on {_code(d.resource)} by {_code(d.role)} "
                      f"(step {', '.join(d.steps) or 'unknown'}; {d.error_code}; "
                      f"{d.evidence.count} record(s), e.g. {', '.join(d.evidence.event_ids)})",
                      f"  - fix ({d.fix_kind}): {d.fix}",
                      f"  - statement that allows it: `{json.dumps(d.statement)}`"]
        lines += ["", f"### Plan misses ({len(pipeline.plan_misses)})", ""]
        for m in pipeline.plan_misses:
            lines.append(f"- {m.action} by {_code(m.role)} (step "
                         f"{', '.join(m.steps) or 'unknown'}), {m.outcome}, "
                         f"{m.evidence.count} record(s): **{m.kind}**: {m.explanation}; "
                         f"e.g. {', '.join(_code(r) for r in m.resources) or '-'}")
        by_status: dict[str, list[Any]] = {}
        for grant in pipeline.grants:
            by_status.setdefault(grant.status, []).append(grant)
        titles = (("unused", "Unused grants (may be dropped)"),
                  ("not_exercisable", "Not exercised, and could not have been (keep)"),
                  ("not_visible", "Not visible in these records (keep; see Visibility)"),
                  ("used", "Used"))
        lines += ["", "### Grants", "", GRANTS_NOTE]
        for status, title in titles:
            grants = by_status.get(status, [])
            lines += ["", f"#### {title} ({len(grants)})", ""]
            if grants and status != "used":
                lines += ["| role | action | resource | why |", "|---|---|---|---|"]
                lines += [f"| {g.role} | {g.action} | {_code(g.resource)} | {g.reason} |"
                          for g in grants]
        lines.append("")
    lines += ["## Visibility", ""] + [f"- {note}" for note in result.visibility]
    if result.ignored_principals:
        lines += ["", "## Other principals (ignored)", ""]
        lines += [f"- {_code(p)}: {n:,}" for p, n in sorted(
            result.ignored_principals.items(), key=lambda item: (-item[1], item[0]))]
    return "\n".join(lines) + "\n"


def to_sarif(result: Result) -> str:
    """Denied calls (errors), plan misses (warnings) and unused grants (notes) as one
    SARIF 2.1.0 run, each located at its pipeline (logically) and its first record's
    file."""
    rule_ids = sorted(RULES)
    rules = [{"id": rule, "name": rule,
              "shortDescription": {"text": RULES[rule][1].split(". ")[0] + "."},
              "fullDescription": {"text": RULES[rule][1]},
              "defaultConfiguration": {"level": RULES[rule][0]}} for rule in rule_ids]
    results: list[dict[str, Any]] = []

    def add(rule: str, pipeline: str, text: str, file: str = "") -> None:
        location: dict[str, Any] = {"logicalLocations": [
            {"name": pipeline, "fullyQualifiedName": f"pipeline/{pipeline}",
             "kind": "resource"}]}
        if file:
            location["physicalLocation"] = {"artifactLocation": {"uri": file}}
        results.append({"ruleId": rule, "ruleIndex": rule_ids.index(rule),
                        "level": RULES[rule][0], "message": {"text": text},
                        "locations": [location]})

    for p in result.pipelines:
        for d in p.denied:
            add("deniedCall", p.name, f"{d.action} on {d.resource or '(unknown)'} by "
                f"{d.role} (step {', '.join(d.steps) or 'unknown'}) was denied; fix "
                f"({d.fix_kind}): {d.fix}", d.evidence.files[0] if d.evidence.files else "")
        for m in p.plan_misses:
            add("planMiss", p.name, f"{m.action} by {m.role} ({m.outcome}): {m.kind}: "
                f"{m.explanation}", m.evidence.files[0] if m.evidence.files else "")
        for g in p.unused:
            add("unusedGrant", p.name, f"{g.role} is granted {g.action} on {g.resource}: "
                f"{g.reason}")
    document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "sm-pipeline-iam reconcile", "rules": rules}},
        "results": results}]}
    return json.dumps(document, indent=2) + "\n"
