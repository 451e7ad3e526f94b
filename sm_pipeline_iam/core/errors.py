"""Problems as data, and the two errors that carry them.

Every validation in :mod:`sm_pipeline_iam.core` returns a list of :class:`Problem`; a
construct raises :class:`InvalidPropsError` with all of them at once, and the definition
reader :class:`DefinitionError`. Code that needs to tell problems apart reads their
``prop`` and ``code``, never their text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One reason an input cannot be used.

    Attributes:
        prop: the prop or field the problem is about (``job_prefix``, ``step_types``,
            ``tag``...).
        code: a stable camelCase kind (``empty``, ``unknownStepType``,
            ``prefixTooLong``, ``notAnArn``...), for code that reacts to some kinds.
        message: the whole sentence for people: the prop, the bad value, the allowed
            form and the fix.
    """

    prop: str
    code: str
    message: str

    def __str__(self) -> str:
        return self.message


def format_problems(heading: str, problems: Sequence[Problem]) -> str:
    """``heading:`` then one ``  - message`` line per problem (both errors' text)."""
    lines = "\n".join(f"  - {problem}" for problem in problems)
    return f"{heading}:\n{lines}"


class InvalidPropsError(ValueError):
    """Raised at construction with every problem of a construct's props.

    Attributes:
        problems: one :class:`Problem` per problem, each message naming the prop, the bad
            value, the allowed form and the fix.
    """

    def __init__(self, construct: str, construct_id: str, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        count = "1 problem" if len(self.problems) == 1 else f"{len(self.problems)} problems"
        heading = f"{construct} '{construct_id}' has {count}"
        super().__init__(format_problems(heading, self.problems))


class DefinitionError(ValueError):
    """A pipeline definition is malformed; ``problems`` names each step and field.

    Attributes:
        problems: one :class:`Problem` per problem.
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__(format_problems("the pipeline definition cannot be read", self.problems))


def raise_if_any(construct: str, construct_id: str, problems: Sequence[Problem]) -> None:
    """Raise :class:`InvalidPropsError` when ``problems`` is not empty."""
    if problems:
        raise InvalidPropsError(construct, construct_id, problems)
