"""Evaluate IAM requests offline with ``@cloud-copilot/iam-simulate``, from pytest.

Test-only bridge. :func:`simulate` sends every request in one JSON document to
``tests/iamsim/simulate.mjs``, which runs on the repository's own Node 22
(``node_modules/.bin/node``, never the ``node`` on ``PATH``) and makes one real
``runSimulation(..., {simulationMode: 'Strict'})`` call per request. One Node process
serves the whole session, document after document. No policy evaluation happens in this
package or in the script.

A simulated decision only proves something if the simulator really evaluated the
request that the test meant to send. :func:`simulate` therefore raises
``AssertionError`` when any request:

* was rejected by iam-simulate's validation (unknown service or action, a resource
  ARN that matches none of the action's resource types, a non-``*`` resource for an
  action that only supports ``*``, invalid policy documents, ...);
* carried context keys that iam-simulate dropped because they do not apply to the
  action and resource type (``ignoredContextKeys``);
* carried context values that iam-simulate would not evaluate as given (a list for a
  single-valued key, which it silently truncates; non-boolean ``Bool`` values;
  non-numeric ``Numeric`` values);
* used a resource containing ``*`` for an action that has resource types, which makes
  iam-simulate answer "is some resource matching this pattern allowed?" instead of
  evaluating one concrete request. Use concrete ARNs; use ``"*"`` only for actions
  that support no resource type (for example ``sagemaker:ListTrainingJobs``).

Things iam-simulate does *not* do for you (as of 0.1.173):

* Request context is exactly what you pass. Keys that AWS derives from the caller,
  such as ``aws:PrincipalArn``, ``aws:PrincipalAccount`` or ``aws:PrincipalTag/*``,
  are absent unless you put them in :attr:`Request.context`.
* Unknown actions or condition keys *inside policies* are not reported; a misspelt
  action in a policy just never matches.

Example::

    decisions = simulate(
        [Request("ok", ROLE_ARN, "sagemaker:CreateTrainingJob", JOB_ARN)],
        identity_policies=[policy_document],
    )
    assert decisions["ok"].result == "Allowed"
"""

from __future__ import annotations

import atexit
import json
import os
import select
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["RESULTS", "Decision", "Request", "simulate"]

_HERE = Path(__file__).resolve().parent
REPO_ROOT = _HERE.parents[1]
NODE = REPO_ROOT / "node_modules" / ".bin" / "node"
SCRIPT = _HERE / "simulate.mjs"
TIMEOUT_SECONDS = 600

#: The decisions iam-simulate can reach.
RESULTS = frozenset({"Allowed", "ExplicitlyDenied", "ImplicitlyDenied"})


@dataclass(frozen=True)
class Request:
    """One API request to evaluate.

    ``resource`` is the ARN the request touches, or ``"*"`` for actions that support
    no resource type. ``resource_account`` is the account that owns the resource; it
    defaults to the principal's account and must agree with the account in
    ``resource`` when the ARN has one. ``literal`` says that the ``*`` in ``resource`` is
    the service's own, not a pattern (CloudWatch Logs authorizes log-group actions on
    ``...:log-group:<name>:*``): the decision is iam-simulate's evaluation of that exact
    string, after its usual validation of the request.
    """

    id: str
    principal: str
    action: str
    resource: str
    context: Mapping[str, str | list[str]] = field(default_factory=dict)
    resource_account: str | None = None
    literal: bool = False
    #: The resource's own policy for this request alone (default: ``simulate``'s): a key
    #: policy, or the repository policy of an image another account owns.
    resource_policy: Mapping[str, Any] | None = None
    #: The principal's policies for this request alone (default: ``simulate``'s), so that
    #: the requests of several roles go to one Node process.
    identity_policies: Sequence[Mapping[str, Any]] | None = None


@dataclass(frozen=True)
class Decision:
    """What iam-simulate decided for one :class:`Request`.

    :func:`simulate` only returns decisions whose ``errors`` is ``None`` and whose
    ``ignored_context_keys`` and ``context_problems`` are empty; the fields are kept so
    that a failure message (or a debugging session) can show them.
    """

    result: str
    errors: Any
    ignored_context_keys: list[str]
    result_type: str = "single"
    resource_types: list[str] = field(default_factory=list)
    blocked_by: list[str] = field(default_factory=list)
    context_problems: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return self.result == "Allowed"


def simulate(
    requests: Sequence[Request],
    *,
    identity_policies: Sequence[Mapping[str, Any]],
    service_control_policies: Sequence[Sequence[Mapping[str, Any]]] = (),
    permission_boundary: Sequence[Mapping[str, Any]] | None = None,
    resource_policy: Mapping[str, Any] | None = None,
    resource_control_policies: Sequence[Sequence[Mapping[str, Any]]] = (),
) -> dict[str, Decision]:
    """Evaluate ``requests`` against the same policies in one Node process.

    ``identity_policies`` are the policy documents attached to the principal.
    ``service_control_policies`` has one entry per organization level, root first,
    account last; each entry lists that level's SCP documents (include FullAWSAccess
    where the real organization has it). ``permission_boundary`` is ``None`` for no
    boundary, otherwise the boundary's policy document(s). ``resource_policy`` is the
    resource's own policy, if any (KMS authorizes a key only through its key policy).
    ``resource_control_policies`` has one entry per organization level of the resource's
    account, root first; iam-simulate adds AWS's RCPFullAWSAccess to every level itself.

    Returns the decisions keyed by :attr:`Request.id`. Raises ``RuntimeError`` if the
    bridge itself fails and ``AssertionError`` if any request was not really evaluated
    (see the module docstring).
    """
    ids = [request.id for request in requests]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"duplicate request ids: {duplicates}")
    if permission_boundary is not None and len(permission_boundary) == 0:
        raise ValueError("permission_boundary=[] is ambiguous; use None for 'no boundary'")

    cases = [
        _case(request, identity_policies, service_control_policies, permission_boundary,
              resource_policy, resource_control_policies)
        for request in requests
    ]
    raw_results = _run_node({"cases": cases})
    if [r.get("id") for r in raw_results] != ids:
        raise RuntimeError("simulate.mjs returned results that do not match the requests")

    decisions: dict[str, Decision] = {}
    problems: list[str] = []
    for request, raw in zip(requests, raw_results, strict=True):
        decision = Decision(
            result=raw["result"],
            errors=raw["errors"],
            ignored_context_keys=list(raw["ignoredContextKeys"]),
            result_type=raw["resultType"],
            resource_types=list(raw["resourceTypes"]),
            blocked_by=list(raw["blockedBy"]),
            context_problems=list(raw["contextProblems"]),
        )
        problems.extend(f"request {request.id!r}: {p}" for p in _problems(request, decision))
        decisions[request.id] = decision
    if problems:
        raise AssertionError(
            "iam-simulate did not evaluate these requests as written:\n  " + "\n  ".join(problems)
        )
    return decisions


def _case(
    request: Request,
    identity_policies: Sequence[Mapping[str, Any]],
    service_control_policies: Sequence[Sequence[Mapping[str, Any]]],
    permission_boundary: Sequence[Mapping[str, Any]] | None,
    resource_policy: Mapping[str, Any] | None = None,
    resource_control_policies: Sequence[Sequence[Mapping[str, Any]]] = (),
) -> dict[str, Any]:
    case: dict[str, Any] = {
        "id": request.id,
        "principal": request.principal,
        "action": request.action,
        "resource": request.resource,
        "context": {k: v if isinstance(v, str) else list(v) for k, v in request.context.items()},
        "identityPolicies": list(request.identity_policies if request.identity_policies
                                 is not None else identity_policies),
        "serviceControlPolicies": [list(level) for level in service_control_policies],
        "resourceControlPolicies": [list(level) for level in resource_control_policies],
    }
    if request.resource_account is not None:
        case["resourceAccount"] = request.resource_account
    if request.literal:
        case["literalResource"] = True
    if permission_boundary is not None:
        case["permissionBoundary"] = list(permission_boundary)
    own_policy = request.resource_policy if request.resource_policy is not None else (
        resource_policy)
    if own_policy is not None:
        case["resourcePolicy"] = dict(own_policy)
    return case


def _to_json(value: object) -> object:
    """``json.dumps`` fallback for read-only mappings and other non-list sequences."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return list(value)
    raise TypeError(f"cannot send {type(value).__name__} to simulate.mjs: {value!r}")


class _Node:
    """One ``simulate.mjs`` process for the whole test session, started on first use, that
    answers document after document: iam-simulate loads once instead of once per call (a
    quarter of a second each, hundreds of calls). Each case is still one ``runSimulation``
    call of its own."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None

    def answer(self, line: bytes) -> dict[str, Any]:
        """The process's answer (one JSON line) to ``line`` (one JSON document)."""
        process = self._started()
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(line + b"\n")
            process.stdin.flush()
        except BrokenPipeError:
            raise self._died() from None
        answer = bytearray()
        deadline = time.monotonic() + TIMEOUT_SECONDS
        while not answer.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([process.stdout], [], [], remaining)[0]:
                self.stop()
                raise RuntimeError(f"simulate.mjs timed out after {TIMEOUT_SECONDS}s")
            chunk = os.read(process.stdout.fileno(), 1 << 20)
            if not chunk:
                raise self._died()
            answer += chunk
        try:
            parsed = json.loads(answer)
        except json.JSONDecodeError as exc:
            raise RuntimeError(f"simulate.mjs wrote unexpected output: {bytes(answer[:500])!r}"
                               ) from exc
        if not isinstance(parsed, dict):
            raise RuntimeError(f"simulate.mjs wrote unexpected output: {parsed!r:.500}")
        return parsed

    def _started(self) -> subprocess.Popen[bytes]:
        if self._process is None:
            if not NODE.exists():
                raise RuntimeError(f"{NODE} not found; run `npm ci` in {REPO_ROOT}")
            # stderr is read once the process has ended: the script writes there only when
            # it fails as a whole (a document's failure is its answer).
            self._process = subprocess.Popen(
                [str(NODE), str(SCRIPT)], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO_ROOT, bufsize=0)
        return self._process

    def _died(self) -> RuntimeError:
        """The error of a process that ended mid-session, with what it printed."""
        process, self._process = self._process, None
        assert process is not None and process.stderr is not None
        status = process.wait()
        printed = process.stderr.read().decode(errors="replace").strip()
        return RuntimeError(f"simulate.mjs exited with status {status}:\n{printed}")

    def stop(self) -> None:
        """End the process (closing its stdin ends it; killed if it does not)."""
        process, self._process = self._process, None
        if process is None:
            return
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


_NODE = _Node()
atexit.register(_NODE.stop)


def _run_node(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    answer = _NODE.answer(json.dumps(document, default=_to_json).encode())
    if "error" in answer:
        raise RuntimeError(f"simulate.mjs failed with status {answer.get('status')}:\n"
                           f"{answer['error']}")
    results = answer.get("results")
    if not isinstance(results, list):
        raise RuntimeError("simulate.mjs wrote unexpected output: 'results' is not a list")
    return results


def _problems(request: Request, decision: Decision) -> list[str]:
    """Reasons why ``decision`` says nothing about ``request`` as the test wrote it."""
    problems: list[str] = []
    if decision.errors is not None:
        problems.append(f"rejected by iam-simulate validation: {json.dumps(decision.errors)}")
    if decision.ignored_context_keys:
        problems.append(
            f"context keys ignored because they do not apply to {request.action} on "
            f"{request.resource}: {decision.ignored_context_keys}"
        )
    problems.extend(decision.context_problems)
    if decision.result_type == "wildcard":
        problems.append(
            f"resource {request.resource!r} contains '*' but {request.action} has resource "
            f"types {decision.resource_types}; use a concrete ARN"
        )
    if decision.errors is None and decision.result not in RESULTS:
        problems.append(f"unexpected result {decision.result!r}")
    return problems
