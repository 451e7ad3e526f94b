"""Reading a pipeline definition: its steps, names, references and expressions, and rewriting its
role fields."""

from typing import Any


def __getattr__(name: str) -> Any:
    # The names of the module this package replaced, kept one release (deprecated).
    from ..._deprecated import forward_attribute

    return forward_attribute(__name__, name)
