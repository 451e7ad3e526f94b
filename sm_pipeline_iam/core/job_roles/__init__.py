"""The roles the steps' jobs run as: what each job needs, its statements, and which role each job
runs as."""

from typing import Any


def __getattr__(name: str) -> Any:
    # The names of the module this package replaced, kept one release (deprecated).
    from ..._deprecated import forward_attribute

    return forward_attribute(__name__, name)
