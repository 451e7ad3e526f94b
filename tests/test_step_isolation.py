"""Data-flow isolation between the steps of one pipeline, over the whole run-time corpus.

For every definition of tests/support/runtime.py (deployed with ``LeastPrivilegePipeline``)
and every pair of steps with different roles, the oracle's example objects (tests/oracle) of
one step are requested by the other step's role:

- no role may write (``s3:PutObject``) where another step reads or writes, unless the
  definition links the two: one consumes the other's output (a ``Get`` of
  ``Steps.<other>.<...>`` in its arguments);
- no role may read (``s3:GetObject``) another step's output unless its step consumes it;
- no role may plant a file under another step's input, named like its own output folder
  (``abalone/<id>/train/evaluation/poison.csv`` for the role that writes
  ``abalone/<id>/evaluation/``): a run-time ``*`` in its grant would reach it.

The link is read from the definition, never from an allow-list: a chain of ``Get``s from
the consumer to the producer (through a Model step, say), or a location the definition
itself gives both steps (one writes ``s3://b/features/``, the other reads
``s3://b/features/part``). A run-time value is one example value in those locations, so a
wildcard that spans another step's folder is no link. All requests of one
definition go to iam-simulate in one call.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any

import pytest

from iamsim import simulate
from oracle import Call
from support.runtime import cases, deployed, request_of

CASES = {case.name: case for case in cases()}
BUCKET = "arn:aws:s3:::sm-pipeline-iam-sample-111122223333"
READ_FAMILIES = ("s3-input", "code", "model-data")


def _direct_gets(definition: Mapping[str, Any]) -> dict[str, set[str]]:
    """Step name -> the steps whose properties its arguments ``Get``."""
    steps = _all_steps(definition.get("Steps") or [])
    names = [s["Name"] for s in steps]
    return {step["Name"]: {other for other in names if other != step["Name"]
                           and f'"Steps.{other}.' in json.dumps(step)} for step in steps}


def _consumption_paths(definition: Mapping[str, Any]) -> dict[tuple[str, str], str]:
    """(consumer, producer) -> the chain of Gets through which the consumer's arguments
    take the producer's property (a transform Gets a Model step's name, which Gets the
    training step's artifacts: ``Score <- Model <- Train``)."""
    gets = _direct_gets(definition)
    paths: dict[tuple[str, str], str] = {}
    for consumer in gets:
        frontier = [(consumer, consumer)]
        while frontier:
            step, chain = frontier.pop()
            for producer in sorted(gets.get(step, set())):
                if (consumer, producer) not in paths and producer != consumer:
                    paths[(consumer, producer)] = f"{chain} <- {producer}"
                    frontier.append((producer, f"{chain} <- {producer}"))
    return paths


def _all_steps(steps: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The steps, with those nested in Condition branches."""
    found = []
    for step in steps:
        found.append(step)
        arguments = step.get("Arguments")
        if isinstance(arguments, Mapping):
            for branch in ("IfSteps", "ElseSteps"):
                found += _all_steps(arguments.get(branch) or [])
    return found


def _shared_location(writes: list[Call], reads: list[Call]) -> str | None:
    """The locations the definition itself gives both steps, when one holds the other: a
    literal hand-off (one writes s3://b/features/, the other reads s3://b/features/part)."""
    for write in writes:
        for read in reads:
            if write.scope and read.scope and (write.scope.startswith(read.scope)
                                               or read.scope.startswith(write.scope)):
                return f"{write.step} writes {write.scope}, {read.step} reads {read.scope}"
    return None


def _planted(read: Call, own_writes: list[Call]) -> list[str]:
    """Objects under another step's input named like this role's own output folders
    (``abalone/<id>/train/evaluation/poison.csv`` for a role that writes
    ``abalone/<id>/evaluation/``): where a run-time part of the role's grant is ``*``,
    which also matches ``/``, these are what it would reach."""
    if not read.scope.startswith("arn:aws:s3:::") or read.action != "s3:GetObject":
        return []
    under = read.scope if read.scope.endswith("/") else f"{read.scope}/"
    folders = {w.scope.rstrip("/").rsplit("/", 1)[-1] for w in own_writes
               if w.scope.endswith("/") and w.scope.count("/") > 1}
    return [f"{under}{folder}/poison.csv" for folder in sorted(folders) if folder]


def _cross_step_rows(name: str) -> list[tuple[Call, bool, str]]:
    """(request, may it be allowed, why) for each role and each other step's object."""
    case = CASES[name]
    stack = deployed(case)
    calls = stack.calls(case)
    paths = _consumption_paths(stack.definition)
    by_step: dict[str, list[Call]] = {}
    roles: dict[str, set[str]] = {}
    for call in calls:
        roles.setdefault(call.role, set()).add(call.step)
        by_step.setdefault(call.step, []).append(call)

    def writes(step: str) -> list[Call]:
        return [c for c in by_step[step] if c.action == "s3:PutObject"]

    def reads(step: str) -> list[Call]:
        return [c for c in by_step[step] if c.action in ("s3:GetObject", "s3:ListBucket")
                and c.family in READ_FAMILIES]

    def link(reader: str, writer: str) -> str | None:
        """Why ``reader`` may take ``writer``'s data: a chain of Gets, or a location the
        definition gives both."""
        return (paths.get((reader, writer))
                or _shared_location(writes(writer), reads(reader)))

    rows = []
    for role, own_steps in roles.items():
        if role not in stack.policies:
            continue
        own = sorted(own_steps)[0]
        for call in calls:
            if call.role == role or call.step in own_steps or call.action not in (
                    "s3:GetObject", "s3:PutObject"):
                continue
            other = call.step
            if call.action == "s3:GetObject" and call.family in READ_FAMILIES:
                why = next(filter(None, (link(other, s) for s in sorted(own_steps))), None)
                rows.append((Call(own, role, f"write where {other} reads", "s3:PutObject",
                                  call.resource), why))
                rows += [(Call(own, role, f"plant a file in {other}'s input", "s3:PutObject",
                               planted), why)
                         for planted in _planted(call, [w for s in sorted(own_steps)
                                                        for w in writes(s)])]
            elif call.action == "s3:PutObject":
                why = next(filter(None, (link(s, other) for s in sorted(own_steps))), None)
                rows.append((Call(own, role, f"read {other}'s output", "s3:GetObject",
                                  call.resource), why))
                shared = next(filter(None, (
                    paths.get((s, other)) or paths.get((other, s))
                    or _shared_location(writes(s), writes(other))
                    for s in sorted(own_steps))), None)
                rows.append((Call(own, role, f"overwrite {other}'s output", "s3:PutObject",
                                  call.resource), shared))
    return [(call, why is not None, why or "no link")
            for call, why in dict.fromkeys(rows)]


@cache
def _wrong(name: str) -> tuple[str, ...]:
    stack = deployed(CASES[name])
    rows = _cross_step_rows(name)
    requests = {request_of(call, "cross", stack.policies[call.role]).id:
                request_of(call, "cross", stack.policies[call.role]) for call, _, _ in rows}
    decided = simulate(list(requests.values()), identity_policies=[]) if requests else {}
    wrong = []
    for call, linked, why in rows:
        result = decided[f"cross {call.describe()}"].result
        if result == "Allowed" and not linked:
            wrong.append(f"{call.describe()}: Allowed ({why})")
    return tuple(sorted(set(wrong)))


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_step_reaches_another_steps_data_without_a_link(name: str) -> None:
    """GIVEN a corpus definition deployed WHEN each step's role writes where another step
    reads or writes, or reads another step's output THEN it is denied unless the definition
    links the two steps (a Get of the other's property)."""
    wrong = _wrong(name)
    assert not wrong, f"{name}: {len(wrong)} cross-step requests allowed:\n  " + "\n  ".join(
        wrong)


def test_the_evaluation_role_cannot_plant_a_file_in_the_training_input() -> None:
    """GIVEN samples/pipeline.json, whose evaluation writes s3://.../abalone/<execution
    id>/evaluation WHEN its role writes abalone/<id>/train/evaluation/poison.csv (read by
    the training step) THEN denied: the execution id is 12 '?', which cannot span a '/';
    its own evaluation.json stays allowed."""
    case = CASES["samples/pipeline"]
    stack = deployed(case)
    (role,) = {c.role for c in stack.calls(case) if c.step == "EvaluateAbaloneModel"}
    expected = {
        f"{BUCKET}/abalone/x1y2z3a4b5c6/evaluation/evaluation.json": "Allowed",
        f"{BUCKET}/abalone/x1y2z3a4b5c6/train/evaluation/poison.csv": "ImplicitlyDenied",
        f"{BUCKET}/abalone/x1y2z3a4b5c6/x/evaluation/poison.csv": "ImplicitlyDenied",
    }
    requests = {resource: request_of(Call("EvaluateAbaloneModel", role, "poison",
                                          "s3:PutObject", resource), "poison",
                                     stack.policies[role])
                for resource in expected}
    decided = simulate(list(requests.values()), identity_policies=[])
    assert {r: decided[q.id].result for r, q in requests.items()} == expected
