"""The feature flags a new CDK app should set: those of the installed aws-cdk-lib.

Without them, ``cdk synth`` of a team app says "85 feature flags are not configured" (the
count grows with aws-cdk-lib), and prints above each of the app's own warnings where it was
raised, which in a Python app is the jsii runtime (``.../lib/program.js:1:5591``). The
project's own ``cdk.json`` holds exactly these (``tests/test_cdk_json.py`` checks it
against this function).
"""

from __future__ import annotations

import importlib.util
import json
import tarfile
from functools import cache
from pathlib import Path
from typing import Any

#: The file of aws-cdk-lib that ``cdk init`` copies into a new app's cdk.json ``context``.
_RECOMMENDED = "package/recommended-feature-flags.json"


@cache
def _text() -> str:
    spec = importlib.util.find_spec("aws_cdk")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("aws-cdk-lib is not installed", name="aws_cdk")
    # The Python package carries the JavaScript library as one jsii bundle.
    (bundle,) = (Path(spec.origin).parent / "_jsii").glob("aws-cdk-lib@*.jsii.tgz")
    with tarfile.open(bundle) as archive:
        member = archive.extractfile(_RECOMMENDED)
        if member is None:
            raise FileNotFoundError(f"{bundle} holds no {_RECOMMENDED}")
        return member.read().decode()


def recommended_feature_flags() -> dict[str, Any]:
    """The installed aws-cdk-lib's recommended feature flags, flag -> value: what ``cdk
    init`` writes into a new app's ``cdk.json`` ``context``, and what this project's
    ``cdk.json`` holds. Give them to a team app's ``cdk.json`` (or to
    ``cdk.App(context=recommended_feature_flags())``) so that ``cdk synth`` stops saying
    that feature flags are not configured. A fresh copy each call.

    Raises:
        ModuleNotFoundError: aws-cdk-lib is not installed.
    """
    flags: dict[str, Any] = json.loads(_text())
    return flags
