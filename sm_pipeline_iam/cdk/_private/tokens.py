"""CDK tokens in props: telling them apart, refusing look-alikes, ordering them stably,
and checking at synthesis the values they resolve to.

Every construct checks the types of its props first (one problem per prop, all at once,
before any value check could trip over a wrong type), then their values. A CDK token is a
value the construct cannot see: the props that accept one say so in their docstrings and
the README; the others refuse it. A token that resolves to a literal at synthesis (a
``Lazy``) is checked again then, on its final value (:func:`check_tokens_at_synth`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator, Mapping, Sequence

import jsii
from aws_cdk import IStableStringProducer, Lazy, Stack, Token, Tokenization
from constructs import Construct, IValidation

from ...core.errors import Problem
from ...core.execution_role.requirements import GivenResources
from ...core.notices import DEPLOY_TIME_VALUE
from ..locations import S3Location
from .warnings import add_warning


def is_token(value: object) -> bool:
    """True when ``value`` is a string that holds a CDK token."""
    return isinstance(value, str) and Token.is_unresolved(value)


def strings_in(value: object, depth: int = 0) -> Iterator[str]:
    """Every string inside a prop's value (lists, mappings, dataclasses, locations)."""
    if depth > 8:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from strings_in(key, depth + 1)
            yield from strings_in(item, depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings_in(item, depth + 1)
    elif isinstance(value, S3Location):
        yield from strings_in([value.bucket_name, value.prefix], depth + 1)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from strings_in(getattr(value, field.name), depth + 1)


def _is_fake_token(text: str) -> bool:
    """True when ``text`` looks like a token's text but holds no token this process made."""
    if "${Token[" not in text:
        return False
    if not Token.is_unresolved(text):
        return True
    try:
        Tokenization.reverse_string(text)
    except RuntimeError:  # jsii: UnrecognizedTokenKey
        return True
    return False


def fake_token_problems(props: Mapping[str, object]) -> list[Problem]:
    """One problem per prop holding text that looks like a CDK token but is none (a token's
    text copied from a template, a log or another process): it would crash synthesis."""
    problems = []
    for prop, value in props.items():
        fake = next((text for text in strings_in(value) if _is_fake_token(text)), None)
        if fake is not None:
            problems.append(Problem(prop, "notAToken", (
                f"{prop} holds {fake!r}, which looks like a CDK token but is not one of this "
                "app (a token's text copied from elsewhere): give the value itself, or the CDK "
                "attribute that stands for it (e.g. bucket.bucket_name)"
            )))
    return problems


def final_given(resources: GivenResources | None,
                final: Callable[[str], str]) -> GivenResources | None:
    """``resources`` with each value replaced by ``final(value)``."""
    if resources is None:
        return None
    return dataclasses.replace(resources, **{
        field.name: tuple(final(v) for v in getattr(resources, field.name))
        for field in dataclasses.fields(GivenResources)
    })


@jsii.implements(IValidation)
class _FinalValues:
    """At synthesis: the props that held tokens, checked again with the values the tokens
    resolve to by then (a ``Lazy`` that produces ``*`` fails here, naming the prop). A token
    that still resolves to a CloudFormation expression (a parameter, an import) is known
    only at deploy time: it stays unchecked, and a ``deployTimeValue`` warning names its
    props."""

    def __init__(self, scope: Construct, construct: str, values: Mapping[str, object],
                 recheck: Callable[[Callable[[str], str]], Sequence[Problem]]) -> None:
        self._scope, self._construct, self._recheck = scope, construct, recheck
        self._values = values

    def validate(self) -> list[str]:
        stack = Stack.of(self._scope)

        def final(text: str) -> str:
            if not is_token(text):
                return text
            value = stack.resolve(text)
            return value if isinstance(value, str) else text

        deploy_time = [prop for prop, value in self._values.items()
                       if any(is_token(final(text)) for text in strings_in(value))]
        if deploy_time:
            add_warning(self._scope, DEPLOY_TIME_VALUE, (
                f"{', '.join(deploy_time)} "
                f"{'holds a value' if len(deploy_time) == 1 else 'hold values'} known only "
                "at deploy time (a "
                "CloudFormation parameter, an import, another resource's attribute): the "
                "grants use them as given and nothing checks them; a deploy-time '*', "
                "'pipelines' or another team's prefix would widen this role"))
        return [
            f"{self._construct} '{self._scope.node.path}': {problem.message} (the value its "
            "token has at synth)"
            for problem in self._recheck(final)
        ]


def check_tokens_at_synth(
    scope: Construct,
    construct: str,
    values: Mapping[str, object],
    recheck: Callable[[Callable[[str], str]], Sequence[Problem]],
) -> None:
    """When any of ``values`` (prop -> value) holds a token, run ``recheck(final)`` at
    synthesis, where ``final`` maps a string to the literal it resolves to (or leaves it):
    every problem it returns fails synthesis; props whose tokens resolve only at deploy
    time get a ``deployTimeValue`` warning."""
    if any(is_token(text) for value in values.values() for text in strings_in(value)):
        scope.node.add_validation(_FinalValues(scope, construct, values, recheck))


# --- tokens in policies ------------------------------------------------------------------------

#: A CDK token inside a string.
_TOKEN = re.compile(r"\$\{Token\[[^\]]*\]\}")


@jsii.implements(IStableStringProducer)
class _Same:
    """Produces a value unchanged (a token stays a token, resolved as before)."""

    def __init__(self, value: str) -> None:
        self._value = value

    def produce(self) -> str | None:
        return self._value


class StableTokens:
    """Gives each token in the strings it sees a display hint, ``<label>000000`` onwards in
    the order first seen, so that sorting strings that hold tokens (a policy's resources)
    gives the same order in every process: a plain token's number depends on how many
    tokens the process made before it."""

    def __init__(self, label: str) -> None:
        self._label = label
        self._seen: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        return _TOKEN.sub(self._hinted, text)

    def _hinted(self, match: re.Match[str]) -> str:
        token = match.group(0)
        if token not in self._seen:
            hint = f"{self._label}{len(self._seen):06d}"
            self._seen[token] = Lazy.string(_Same(token), display_hint=hint)
        return self._seen[token]
