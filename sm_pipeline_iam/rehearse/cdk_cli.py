"""The real CDK CLI, pointed at the local moto server: where it is, its environment."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

from ..core.cfn import REGION
from .server import MotoServer

#: Seconds per CLI command, by default.
BOOTSTRAP_TIMEOUT = 300
DEPLOY_TIMEOUT = 600
DESTROY_TIMEOUT = 600
#: The CDK bootstrap version parameter (default qualifier).
BOOTSTRAP_VERSION_PARAMETER = "/cdk-bootstrap/hnb659fds/version"
#: Where the CLI is looked for: the project's ``node_modules``, then ``PATH``.
WHERE = "node_modules/.bin/cdk (npm install aws-cdk) or cdk on PATH"


def find_cdk(*directories: Path) -> Path | None:
    """The CDK CLI: ``node_modules/.bin/cdk`` of the first of ``directories`` that has
    one, else ``cdk`` on ``PATH``; None when there is none."""
    for directory in directories:
        candidate = directory / "node_modules" / ".bin" / "cdk"
        if candidate.exists():
            return candidate
    found = shutil.which("cdk")
    return Path(found) if found else None


def cli_env(server: MotoServer, workdir: Path, cdk: Path,
            credentials: Mapping[str, str] | None = None) -> dict[str, str]:
    """The CLI's environment: fake credentials (the default account's, or boto3-style
    ``credentials`` of another), every endpoint = the moto server, and no inherited
    AWS/CDK settings (no profile, config or credentials file is read). ``cdk``'s
    directory comes first on ``PATH`` (``node_modules/.bin`` holds the Node it needs),
    then this Python's (an app run as ``python app.py`` gets it)."""
    given = dict(credentials or server.credentials())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CDK_"))}
    env.update(
        PATH=os.pathsep.join(
            [str(cdk.parent), str(Path(sys.executable).parent), env.get("PATH", "")]),
        AWS_ACCESS_KEY_ID=given["aws_access_key_id"],
        AWS_SECRET_ACCESS_KEY=given["aws_secret_access_key"],
        AWS_SESSION_TOKEN=given["aws_session_token"],
        AWS_REGION=REGION,
        AWS_DEFAULT_REGION=REGION,
        AWS_ENDPOINT_URL=server.endpoint,
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=str(workdir / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(workdir / "no-aws-credentials"),
        CDK_DISABLE_CLI_TELEMETRY="true",
        FORCE_COLOR="0",
        NO_COLOR="1",
    )
    return env


def context_args(context: Mapping[str, str]) -> list[str]:
    """``-c key=value`` for each context key, in key order."""
    return [arg for key in sorted(context) for arg in ("-c", f"{key}={context[key]}")]
