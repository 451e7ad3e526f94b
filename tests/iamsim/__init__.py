"""Evaluate IAM requests offline with ``@cloud-copilot/iam-simulate``, from pytest.

Test-only bridge. :func:`simulate` sends every request in one JSON document to
``tests/iamsim/simulate.mjs``, which runs on the repository's own Node 22
(``node_modules/.bin/node``, never the ``node`` on ``PATH``) and makes one real
``runSimulation(..., {simulationMode: 'Strict'})`` call per request. No policy
evaluation happens in this package or in the script.

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

import json
import subprocess
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


def _run_node(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    if not NODE.exists():
        raise RuntimeError(f"{NODE} not found; run `npm ci` in {REPO_ROOT}")
    try:
        completed = subprocess.run(
            [str(NODE), str(SCRIPT)],
            input=json.dumps(document, default=_to_json),
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"simulate.mjs timed out after {TIMEOUT_SECONDS}s") from exc
    if completed.returncode != 0:
        raise RuntimeError(
            f"simulate.mjs exited with status {completed.returncode}:\n{completed.stderr.strip()}"
        )
    try:
        results = json.loads(completed.stdout)["results"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        output = completed.stdout[:500]
        raise RuntimeError(f"simulate.mjs wrote unexpected output: {output!r}") from exc
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
