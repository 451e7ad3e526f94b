"""Stand-in ids: the organization a rehearsal creates has the ids the app's templates name.

An app's SCP targets its real organization's OUs (``ou-ab12-cdefgh34``); moto makes up
random ids, so an SCP attached to that OU would fail to deploy. Loaded into the moto
server process only (``_serve --stand-in-ids FILE``): moto's id makers for roots, OUs and
accounts hand out the ids listed in ``FILE`` (JSON ``{"roots": [...], "ous": [...],
"accounts": [...]}``, read on each call, so the rehearsal writes it after the app is
synthesized and before it creates each organization), each once, then random ones.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any


def wanted_ids(roots: list[str], ous: list[str], accounts: list[str]) -> dict[str, list[str]]:
    """The content of the stand-in ids file."""
    return {"roots": roots, "ous": ous, "accounts": accounts}


def apply(path: Path) -> None:
    """Make moto's organizations id makers hand out the ids of ``path`` first."""
    from moto.organizations import utils

    handed_out: set[str] = set()

    def listed(kind: str) -> list[str]:
        try:
            found = json.loads(path.read_text()).get(kind, [])
        except (OSError, ValueError):
            return []
        return [str(item) for item in found if str(item) not in handed_out]

    def first(candidates: list[str], fallback: Callable[[], str]) -> str:
        chosen = candidates[0] if candidates else fallback()
        handed_out.add(chosen)
        return chosen

    make_root, make_ou, make_account = (
        utils.make_random_root_id, utils.make_random_ou_id, utils.make_random_account_id)

    def root_id() -> str:
        return first(listed("roots"), make_root)

    def ou_id(root: str) -> str:
        # An OU id carries its root's (``ou-<root>-<suffix>``).
        suffix = root.partition("-")[2]
        ours = [ou for ou in listed("ous") if ou.split("-")[1:2] == [suffix]]
        return first(ours, lambda: make_ou(root))

    def account_id() -> str:
        return first(listed("accounts"), make_account)

    replaced: dict[str, Any] = {"make_random_root_id": root_id, "make_random_ou_id": ou_id,
                                "make_random_account_id": account_id}
    for name, function in replaced.items():
        setattr(utils, name, function)
