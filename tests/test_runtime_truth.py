"""Run-time truth: every call the oracle (tests/oracle) says a job makes is allowed to the
role ``LeastPrivilegePipeline`` deploys for that step, and every neighbour is denied.

For each definition of the corpus (tests/support/runtime.py: the SDK-built fixtures,
samples/pipeline.json, the corpus definitions with job steps and the public-style cases of
tests/fixtures/runtime), the pipeline is synthesized once, its definition resolved as
SageMaker gets it, and the oracle run on that definition: each call names the role the
deployed step hands its job. All calls of one definition, allowed rows and neighbours, go
to iam-simulate in one ``simulate`` call (each Node start costs seconds).
"""

from __future__ import annotations

from functools import cache

import pytest

from iamsim import Decision, simulate
from oracle import Call
from support.runtime import cases, deployed, request_of

CASES = {case.name: case for case in cases()}


@cache
def _decisions(name: str) -> tuple[list[tuple[Call, Decision | None]],
                                   list[tuple[Call, Decision | None]]]:
    """(allowed rows, neighbour rows), each with iam-simulate's decision, or None when the
    role the call runs as is not one the stack makes."""
    case = CASES[name]
    stack = deployed(case)
    calls, neighbours = stack.calls(case), stack.neighbours(case)
    requests = {}
    for tag, rows in (("use", calls), ("neighbour", neighbours)):
        for call in rows:
            if call.role in stack.policies:
                request = request_of(call, tag, stack.policies[call.role])
                requests[request.id] = request
    decided = simulate(list(requests.values()), identity_policies=[]) if requests else {}

    def paired(tag: str, rows: list[Call]) -> list[tuple[Call, Decision | None]]:
        return [(c, decided.get(f"{tag} {c.describe()}")) for c in rows]

    return paired("use", calls), paired("neighbour", neighbours)


def _report(rows: list[tuple[Call, Decision | None]], expected: str) -> list[str]:
    wrong = []
    for call, decision in rows:
        if decision is None:
            wrong.append(f"{call.describe()}: runs as {call.role}, a role the stack does "
                         "not make")
        elif decision.result != expected:
            wrong.append(f"{call.describe()}: {decision.result}")
    return sorted(set(wrong))


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_call_of_each_job_is_allowed(name: str) -> None:
    """GIVEN a corpus definition deployed with LeastPrivilegePipeline WHEN each step's job
    makes the calls AWS's pages say it makes (the oracle) THEN the role the deployed step
    hands the job allows every one."""
    allowed, _ = _decisions(name)
    assert allowed, f"{name}: the oracle lists no job call"
    wrong = _report(allowed, "Allowed")
    assert not wrong, f"{name}: {len(wrong)} run-time calls not allowed:\n  " + "\n  ".join(
        wrong)


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_neighbour_is_denied(name: str) -> None:
    """GIVEN the same deployment WHEN a job's role touches another bucket, repository, key,
    log group, or another step's output the definition does not link THEN it is denied."""
    _, neighbours = _decisions(name)
    wrong = _report(neighbours, "ImplicitlyDenied")
    assert not wrong, f"{name}: {len(wrong)} neighbours not denied:\n  " + "\n  ".join(wrong)


def test_a_manifest_reads_its_declared_folder_only() -> None:
    """GIVEN the manifest case deployed with its step's declared manifest_locations
    (cases.json: fraud/images) WHEN the training job's role reads what the manifests list
    THEN it is allowed, and the same object in a neighbouring folder (fraud/images-raw,
    fraud/labels) or the bucket's top level is denied."""
    case = CASES["runtime/manifest_input"]
    stack = deployed(case)
    (role,) = {c.role for c in stack.calls(case) if c.step == "TrainFromManifest"}
    bucket = "arn:aws:s3:::ml-artifacts-111122223333"
    expected = {f"{bucket}/fraud/images/0001.jpg": "Allowed",
                f"{bucket}/fraud/images/0003.jpg": "Allowed",
                f"{bucket}/fraud/images-raw/0001.jpg": "ImplicitlyDenied",
                f"{bucket}/fraud/labels/0001.jpg": "ImplicitlyDenied",
                f"{bucket}/0001.jpg": "ImplicitlyDenied"}
    requests = {resource: request_of(Call("TrainFromManifest", role, "manifest", "s3:GetObject",
                                          resource), "manifest", stack.policies[role])
                for resource in expected}
    decided = simulate(list(requests.values()), identity_policies=[])
    assert {r: decided[q.id].result for r, q in requests.items()} == expected


def test_the_corpus_covers_every_call_family() -> None:
    """GIVEN the whole corpus WHEN the oracle lists its calls THEN every call family of the
    oracle occurs, and every neighbour kind."""
    families = set()
    for case in CASES.values():
        stack = deployed(case)
        families |= {c.family for c in stack.calls(case)}
        families |= {c.family for c in stack.neighbours(case)}
    assert {"s3-input", "s3-output", "code", "model-data", "image", "logs", "metrics", "vpc",
            "kms-volume", "kms-output", "kms-input", "clarify-endpoint", "automl",
            "data-capture", "remote-function", "debugger-rule", "another step's output",
            "s3-input (another bucket)", "image (another repository)",
            "kms-output (another key)", "logs (another log group)", "logs (another endpoint)",
            "vpc (another network)", "clarify-endpoint (another endpoint)",
            "clarify-endpoint (another model)"} <= families


def test_runtime_cases_are_in_the_corpus() -> None:
    """GIVEN tests/fixtures/runtime WHEN the corpus is listed THEN each case is in it (none
    dropped for having no job call)."""
    assert {name for name in CASES if name.startswith("runtime/")} == {
        f"runtime/{case}" for case in _runtime_names()}


def _runtime_names() -> list[str]:
    import json

    from support.runtime import RUNTIME

    return sorted(json.loads((RUNTIME / "cases.json").read_text()))

