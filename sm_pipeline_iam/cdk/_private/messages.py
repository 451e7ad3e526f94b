"""How the constructs' messages show a prop's value and refuse a token."""

from __future__ import annotations


def shown(value: object) -> str:
    """``value`` for a message: short values as written, with their type; objects by type."""
    if value is None or isinstance(value, bool):
        return repr(value)
    text = repr(value)
    if isinstance(value, str | int | float | list | tuple | dict) and len(text) <= 80:
        return f"{text} ({type(value).__name__})"
    if isinstance(value, str):
        return f"{text[:60]}...' (str)"
    return f"a {type(value).__name__}"


def token_refusal(prop: str, value: object, why: str) -> str:
    """The message of a token in a prop that takes none."""
    return (f"{prop} holds a token ({value!r}), a value CloudFormation or a Lazy fills in "
            f"later: {why}; give the literal value")
