"""A local moto server: started on a free loopback port, always stopped by its PID.

The server runs in its own process (:mod:`._serve`) with the adapter's patches
(:mod:`.patches`) applied; :class:`MotoServer` gives boto3 clients of its accounts.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.cfn import PARTITION, REGION
from ._process import CommandFailed, stop_process

#: Seconds the server has to come up.
START_TIMEOUT = 30
#: The role Organizations creates in each account it creates, for the management account;
#: a client of another account assumes it (moto needs no such role to exist).
MEMBER_ACCESS_ROLE = "OrganizationAccountAccessRole"
#: The package's parent directory: the server process imports this very copy of it.
_LIBRARY_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class MotoServer:
    """A running moto server (started by :func:`moto_server`)."""

    process: subprocess.Popen[bytes]
    port: int
    log_path: Path
    #: account -> credentials of its OrganizationAccountAccessRole
    _member_credentials: dict[str, Mapping[str, str]] = field(default_factory=dict)
    #: (service, account, region) -> client (making one takes ~0.1 s)
    _clients: dict[tuple[str, str | None, str], Any] = field(default_factory=dict)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def endpoint(self) -> str:
        """The endpoint for clients: ``localhost``, so template URLs resolve path-style."""
        return f"http://localhost:{self.port}"

    @property
    def account(self) -> str:
        """The account of the default credentials (moto's default account)."""
        return str(self.client("sts").get_caller_identity()["Account"])

    def credentials(self, account: str | None = None) -> dict[str, str]:
        """boto3's credentials of the default account, or of ``account`` (as an operator
        reaches a member account: through its ``OrganizationAccountAccessRole``)."""
        if account is None:
            return {
                "aws_access_key_id": "testing",
                "aws_secret_access_key": "testing",
                "aws_session_token": "testing",
            }
        if account not in self._member_credentials:
            assumed = self.client("sts").assume_role(
                RoleArn=f"arn:{PARTITION}:iam::{account}:role/{MEMBER_ACCESS_ROLE}",
                RoleSessionName="sm-pipeline-iam-rehearsal",
            )["Credentials"]
            self._member_credentials[account] = {
                "aws_access_key_id": assumed["AccessKeyId"],
                "aws_secret_access_key": assumed["SecretAccessKey"],
                "aws_session_token": assumed["SessionToken"],
            }
        return dict(self._member_credentials[account])

    def client(self, service: str, account: str | None = None, region: str = REGION) -> Any:
        """A client of the default account (moto's, the management account of the
        harness's organization), or of another ``account`` (:meth:`credentials`)."""
        import boto3
        from botocore.config import Config

        key = (service, account, region)
        if key not in self._clients:
            self._clients[key] = boto3.session.Session().client(
                service,
                region_name=region,
                endpoint_url=self.endpoint,
                config=Config(connect_timeout=5, read_timeout=60, retries={"max_attempts": 2}),
                **self.credentials(account),
            )
        return self._clients[key]


def free_port() -> int:
    """A loopback port free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def moto_server(
    log_dir: Path,
    *,
    patched: bool = True,
    skip_patches: Sequence[str] = (),
    stand_in_ids: Path | None = None,
) -> Iterator[MotoServer]:
    """Start moto's server on a free port of 127.0.0.1 (never another interface); always
    stop it, by its PID, on leaving the block. With the adapter's patches unless
    ``patched`` is false, all but ``skip_patches``; ``stand_in_ids``: the file of
    organization ids to hand out (:mod:`._stand_ins`)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"moto_server{'' if patched else '.unpatched'}.log"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(_LIBRARY_ROOT), os.environ.get("PYTHONPATH", "")]))}
    for attempt in range(3):  # the free port may be taken before the server binds it
        port = free_port()
        command = [sys.executable, "-m", "sm_pipeline_iam.rehearse._serve",
                   "--host", "127.0.0.1", "--port", str(port)]
        if not patched:
            command.append("--unpatched")
        for name in skip_patches:
            command += ["--skip", name]
        if stand_in_ids is not None:
            command += ["--stand-in-ids", str(stand_in_ids)]
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                command, cwd=log_dir, env=env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        try:
            if _wait_until_listening(process, port, log_path):
                yield MotoServer(process, port, log_path)
                return
        finally:
            stop_process(process)
        if attempt == 2:
            tail = log_path.read_text(errors="replace")[-2000:]
            raise CommandFailed(f"moto server did not start on port {port}:\n{tail}")


def _wait_until_listening(process: subprocess.Popen[bytes], port: int, log_path: Path) -> bool:
    """Whether *this* server came up on ``port`` (werkzeug logs that it runs there; a
    connection alone could reach another process that took the port)."""
    banner = f"Running on http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        if banner in log_path.read_text(errors="replace"):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                return True
        time.sleep(0.1)
    return False
