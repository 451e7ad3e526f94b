"""The review report's Mermaid diagrams, sized to be read on one screen.

One per pipeline: who may act on it (start, update, read, delete, pass its role), the role
it runs as, the role each step's jobs run as, and per role an edge to one node per service
with the resources it may act on there, the actions on the edge (a few by name, else their
count and verbs); roles with the same resources on a service share its node, which keeps
a pipeline of many job roles on one screen. A stack without a pipeline gets one of its
principals the same way. Names are the report's (construct paths, never logical ids). No
CDK import.

Mermaid's flowchart syntax: https://mermaid.js.org/syntax/flowchart.html
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .report import PipelineReview, PrincipalReview, StackReview, StatementRow

#: Resources listed by name on a service's node; beyond, they are counted by kind.
MAX_SCOPES = 3
#: Actions named on an edge; beyond, their count and their verbs.
MAX_ACTIONS = 3
#: Verbs named after the count, the most frequent first.
MAX_VERBS = 3
#: Characters per line of an edge label or a list in a node before it wraps.
WRAP = 48

#: A reference as the report renders it: ``${Logical}``, ``${Logical.Arn}``.
_REFERENCE = re.compile(r"\$\{([A-Za-z0-9]+)(\.[A-Za-z0-9.]+)?\}")
#: One ARN field, which may hold a rendered reference (``${AWS::Partition}``).
_FIELD = r"(?:\$\{[^}]*\}|[^:$])*"
#: ``arn:<partition>:<service>:<region>:<account>:``; what follows names the resource.
_ARN_HEAD = re.compile(rf"^arn:{_FIELD}:{_FIELD}:{_FIELD}:{_FIELD}:")
#: A resource type opening the resource part: ``repository/``, ``log-group:``.
_TYPE = re.compile(r"^([A-Za-z][A-Za-z0-9-]*)[/:]")
#: The action's verb: ``Create`` of ``CreateTrainingJob``.
_VERB = re.compile(r"^[A-Z][a-z]*|^\*")


def _escape(text: str) -> str:
    """``text`` safe inside a quoted Mermaid label: its quotes, brackets of HTML, pipes and
    backticks as entity codes (``#` first: the codes start with it)."""
    for character, code in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"),
                            ("|", "#124;"), ("`", "#96;")):
        text = text.replace(character, code)
    return text


def _label(lines: Sequence[str]) -> str:
    return "<br>".join(_escape(line) for line in lines)


def _wrap(prefix: str, items: Sequence[str]) -> list[str]:
    """``prefix`` and ``items`` joined by commas, in lines of about :data:`WRAP` characters."""
    lines = [prefix]
    for index, item in enumerate(items):
        text = item + ("," if index < len(items) - 1 else "")
        if len(lines[-1]) + len(text) + 1 > WRAP and lines[-1] != prefix:
            lines.append(text)
        else:
            lines[-1] = f"{lines[-1]} {text}" if lines[-1] else text
    return lines


@dataclass
class Graph:
    """A deterministic Mermaid flowchart: nodes numbered in the order they are added, one
    edge per (source, target) carrying every label given for it."""

    labels: dict[str, list[str]] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    edges: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def node(self, key: str, *lines: str) -> str:
        """The node ``key`` identifies (added with ``lines`` as its label the first time)."""
        if key not in self.ids:
            self.ids[key] = f"n{len(self.ids)}"
            self.labels[key] = list(lines) or [key]
        return key

    def edge(self, source: str, target: str, lines: Sequence[str]) -> None:
        """An edge from node ``source`` to node ``target``; ``lines`` join its label."""
        self.edges.setdefault((source, target), []).extend(lines)

    @property
    def size(self) -> tuple[int, int]:
        """(nodes, edges)."""
        return len(self.ids), len(self.edges)

    def lines(self) -> list[str]:
        body = [f'  {self.ids[key]}["{_label(lines)}"]' for key, lines in self.labels.items()]
        for (source, target), label in self.edges.items():
            arrow = f' -->|"{_label(label)}"| ' if label else " --> "
            body.append(f"  {self.ids[source]}{arrow}{self.ids[target]}")
        return ["```mermaid", "flowchart LR", *body, "```", ""]


@dataclass
class _Names:
    """How the diagram names what a stack's statements reference."""

    principals: Mapping[str, PrincipalReview]
    paths: Mapping[str, str]

    def role(self, reference: str) -> tuple[str, PrincipalReview | None]:
        """The label of the role ``reference`` names, and its review when in the stack."""
        match = _REFERENCE.fullmatch(reference)
        principal = self.principals.get(match.group(1)) if match else None
        if principal is not None:
            return f"role {principal.name}", principal
        return f"role {self.text(reference)}", None

    def text(self, value: str) -> str:
        """``value`` with each reference to a resource of the stack by its construct path:
        ``${Stack/Data/Bucket.Arn}`` for ``${DataBucket1A2B3C4D.Arn}``."""
        def named(match: re.Match[str]) -> str:
            principal = self.principals.get(match.group(1))
            name = principal.name if principal else self.paths.get(match.group(1))
            return f"${{{name}{match.group(2) or ''}}}" if name else match.group(0)

        return _REFERENCE.sub(named, value)


@dataclass
class _Service:
    """What one principal may do with one service: its actions, and where."""

    actions: list[str] = field(default_factory=list)
    scopes: list[str] = field(default_factory=list)


def _scope(resource: str, row: StatementRow, names: _Names) -> str:
    """A resource as a node lists it: the ARN's resource part, a role by name."""
    match = _REFERENCE.fullmatch(resource)
    if match and match.group(1) in names.principals:
        shown = names.role(resource)[0]
    else:
        shown = _ARN_HEAD.sub("", names.text(resource))
    if shown == "*" and row.condition:
        shown = "* (with a condition)"
    return f"every resource but {shown}" if row.not_resources else shown


def _services(principal: PrincipalReview, names: _Names) -> dict[str, _Service]:
    """Service -> its actions and resources, over the principal's ``Allow`` statements
    (``NotAction`` as the service ``*``: every service but those actions)."""
    services: dict[str, _Service] = {}
    for row in principal.statements:
        if row.effect != "Allow":
            continue
        by_service: dict[str, list[str]] = {}
        if row.not_actions:
            by_service["*"] = [f"every action but {', '.join(row.actions)}"]
        for action in [] if row.not_actions else row.actions:
            service, _, name = action.rpartition(":")
            by_service.setdefault(service.lower() or "*", []).append(name)
        for service, actions in by_service.items():
            entry = services.setdefault(service, _Service())
            entry.actions += [a for a in actions if a not in entry.actions]
            entry.scopes += [s for s in (_scope(r, row, names) for r in row.resources)
                             if s not in entry.scopes]
    return services


def _kind(service: str, scope: str) -> str:
    """What a resource is, for counting: ``bucket``, ``object pattern``, ``log stream``,
    its ARN's resource type (``processing-job``), ``role``."""
    if scope.startswith("role "):
        return "role"
    if service == "s3":
        return "object pattern" if "/" in scope else "bucket"
    if ":log-stream:" in scope:
        return "log stream"
    match = _TYPE.match(scope)
    return match.group(1).replace("-", " ") if match else "resource"


def _scopes_label(service: str, scopes: Sequence[str]) -> list[str]:
    """The service's node: the service and each resource, or how many of each kind."""
    if len(scopes) <= MAX_SCOPES:
        return [service, *scopes]
    kinds = Counter(_kind(service, scope) for scope in scopes)
    counted = [f"{n} {kind}{'s' if n > 1 else ''}" for kind, n in kinds.items()]
    buckets = {scope.split("/", 1)[0] for scope in scopes} if service == "s3" else set()
    where = [f"in {buckets.pop()}"] if len(buckets) == 1 else []
    return [*_wrap(f"{service}:", counted), *where]


def _actions_label(actions: Sequence[str]) -> list[str]:
    """The edge to a service's node: its actions by name, or their count and verbs."""
    if len(actions) <= MAX_ACTIONS:
        return _wrap("", sorted(actions))
    verbs = Counter(m.group(0) for a in actions if (m := _VERB.match(a)))
    main = [verb for verb, _ in sorted(verbs.items(), key=lambda item: (-item[1], item[0]))]
    # "+1 more" would take the room of the verb it hides.
    shown = main if len(main) <= MAX_VERBS + 1 else [
        *main[:MAX_VERBS], f"+{len(main) - MAX_VERBS} more"]
    return _wrap(f"{len(actions)} actions:", shown)


def service_key(service: str, label: Sequence[str]) -> str:
    """The key of a service's node: the service and the resources it lists, so that roles
    that may act on the same resources of a service point at one node (each with its own
    edge and actions), and two services never share one."""
    return " / ".join((service, *label))


def _draw_permissions(graph: Graph, node: str, principal: PrincipalReview,
                      names: _Names) -> None:
    """One edge per service the principal may use, to that service's node for the
    resources it may act on there (a node the roles with the same resources share)."""
    for service, entry in sorted(_services(principal, names).items()):
        label = _scopes_label(service, entry.scopes)
        target = graph.node(service_key(service, label), *label)
        graph.edge(node, target, _actions_label(entry.actions))


def pipeline_graph(pipeline: PipelineReview, review: StackReview) -> Graph:
    """The diagram of one pipeline of ``review``'s stack."""
    names = _Names({p.logical_id: p for p in review.principals}, review.construct_paths)
    graph = Graph()
    node = graph.node("pipeline", f"pipeline {pipeline.name}")
    for grantee in pipeline.grantees:
        label = f"{grantee.kind} {grantee.name}"
        # Keyed as its role's node when it is one of the pipeline's roles, in its stack.
        key = label if grantee.stack == review.name else f"{grantee.stack}: {label}"
        elsewhere = not (grantee.stack == review.name
                         or grantee.name.startswith(f"{grantee.stack}/"))
        source = graph.node(key, label, *([f"in stack {grantee.stack}"] if elsewhere else []))
        graph.edge(source, node, _wrap("", grantee.verbs))
    roles: dict[str, PrincipalReview | None] = {}

    def role(reference: str) -> str:
        label, principal = names.role(reference)
        roles.setdefault(label, principal)
        return graph.node(label, label, *([] if principal else ["not in this stack"]))

    graph.edge(node, role(pipeline.role), ["runs as"])
    steps: dict[str, list[str]] = {}
    for step in pipeline.steps:
        # A step without a job role: SageMaker acts for it as the pipeline's role.
        for reference in step.roles or [pipeline.role]:
            steps.setdefault(role(reference), []).append(step.name)
    for label, step_names in steps.items():
        graph.edge(node, label, _wrap("step" if len(step_names) == 1 else "steps", step_names))
    for label, principal in roles.items():
        if principal is not None:
            _draw_permissions(graph, label, principal, names)
    return graph


def stack_graph(review: StackReview) -> Graph:
    """The diagram of a stack without a pipeline: each principal and its services."""
    names = _Names({p.logical_id: p for p in review.principals}, review.construct_paths)
    graph = Graph()
    for principal in review.principals:
        node = graph.node(f"{principal.kind} {principal.name}")
        _draw_permissions(graph, node, principal, names)
    return graph


def diagrams(review: StackReview) -> list[str]:
    """The Markdown of the stack's diagrams: one per pipeline, else one of its principals
    (none without any)."""
    if review.pipelines:
        return [line for pipeline in review.pipelines
                for line in (f"**Diagram of pipeline {pipeline.name}**", "",
                             *pipeline_graph(pipeline, review).lines())]
    if not review.principals:
        return []
    return [f"**Diagram of stack {review.name}**", "", *stack_graph(review).lines()]
