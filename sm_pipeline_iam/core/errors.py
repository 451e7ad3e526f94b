"""One error for all the problems of one construct's input."""

from __future__ import annotations

from collections.abc import Sequence


class InvalidPropsError(ValueError):
    """Raised at construction with every problem of a construct's props.

    Attributes:
        problems: one message per problem, each naming the prop, the bad value, the
            allowed form and the fix.
    """

    def __init__(self, construct: str, construct_id: str, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        count = "1 problem" if len(self.problems) == 1 else f"{len(self.problems)} problems"
        super().__init__(f"{construct} '{construct_id}' has {count}:\n{lines}")


def raise_if_any(construct: str, construct_id: str, problems: Sequence[str]) -> None:
    """Raise :class:`InvalidPropsError` when ``problems`` is not empty."""
    if problems:
        raise InvalidPropsError(construct, construct_id, problems)
