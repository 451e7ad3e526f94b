#!/usr/bin/env python3
"""Deploy the sample app for real with the CDK CLI, against a local moto server.

    .venv/bin/python scripts/deploy_local.py [--workdir DIR] [--keep]

No AWS account is needed (nor used): everything goes to a moto server started here on a
free loopback port, with the test-side adapter ``tests/deploy/moto_patches.py`` loaded
(``tests/deploy/server.py``), and the server is stopped by its PID whatever happens.
The round trip, with the real CLI from ``node_modules`` and fake credentials:

1. ``cdk bootstrap aws://ACCOUNT/us-east-1`` (ACCOUNT is moto's, read from STS);
2. an organization with a root and two OUs is created in moto (the SCP's targets);
3. ``cdk deploy --all`` of each of ``deployments()``: the first with the OrgStack
   configured, then updates with changed context; after each, the state is read back
   with boto3 and compared with the synthesized templates of that deploy (roles, trust
   policies, paths, tags, inline and managed policy documents and attachments, the SCP's
   content and targets, the stack outputs, nothing else created), and after an update
   every resource must have been updated in place (same RoleId, same physical ids);
4. ``cdk destroy --all --force``, after which nothing the stacks created may be left.

Exits non-zero when a command fails or any read-back check finds a difference. The
functions are used by ``tests/deploy/test_deploy_round_trip.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ROOT = Path(__file__).resolve().parent.parent
NODE_BIN = ROOT / "node_modules" / ".bin"
CDK = NODE_BIN / "cdk"
SERVER = ROOT / "tests" / "deploy" / "server.py"

REGION = "us-east-1"
PARTITION = "aws"
VPC_ENDPOINT_ID = "vpce-0a1b2c3d4e5f60718"
#: The CDK bootstrap version parameter (default qualifier).
BOOTSTRAP_VERSION_PARAMETER = "/cdk-bootstrap/hnb659fds/version"

# Timeouts, in seconds: every subprocess and every request is bounded.
SERVER_START_TIMEOUT = 30
SERVER_STOP_TIMEOUT = 10
BOOTSTRAP_TIMEOUT = 300
DEPLOY_TIMEOUT = 600
DESTROY_TIMEOUT = 600
BOTO_CONFIG = Config(connect_timeout=5, read_timeout=60, retries={"max_attempts": 2})

Echo = Callable[[str], None]


class CommandFailed(RuntimeError):
    """A subprocess failed or timed out."""


# --- the moto server ------------------------------------------------------------------


@dataclass
class MotoServer:
    """A running moto server (started by ``moto_server()``)."""

    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def endpoint(self) -> str:
        """The endpoint for clients: ``localhost``, so template URLs resolve path-style."""
        return f"http://localhost:{self.port}"

    def client(self, service: str) -> Any:
        return boto3.session.Session().client(
            service,
            region_name=REGION,
            endpoint_url=self.endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            aws_session_token="testing",
            config=BOTO_CONFIG,
        )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def moto_server(
    log_dir: Path, *, patched: bool = True, skip_patches: Sequence[str] = ()
) -> Iterator[MotoServer]:
    """Start moto's server on a free loopback port; always stop it, by its PID, on
    leaving the block. With the adapter's patches unless ``patched`` is false, all but
    ``skip_patches``."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"moto_server{'' if patched else '.unpatched'}.log"
    for attempt in range(3):  # the free port may be taken before the server binds it
        port = free_port()
        command = [sys.executable, str(SERVER), "--host", "127.0.0.1", "--port", str(port)]
        if not patched:
            command.append("--unpatched")
        for name in skip_patches:
            command += ["--skip", name]
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
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
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        if banner in log_path.read_text(errors="replace"):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                return True
        time.sleep(0.1)
    return False


def stop_process(process: subprocess.Popen[Any]) -> None:
    """Stop a process this module started, by its PID: SIGTERM, then SIGKILL."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(SERVER_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(SERVER_STOP_TIMEOUT)


# --- the CDK CLI ----------------------------------------------------------------------


def cli_env(server: MotoServer, workdir: Path) -> dict[str, str]:
    """The CLI's environment: fake credentials, every endpoint = the moto server, and no
    inherited AWS/CDK settings (no profile, config or credentials file is read)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CDK_"))}
    env.update(
        PATH=os.pathsep.join([str(NODE_BIN), str(Path(sys.executable).parent), env["PATH"]]),
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_SESSION_TOKEN="testing",
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
    return [arg for key in sorted(context) for arg in ("-c", f"{key}={context[key]}")]


def _shown(command: Sequence[str]) -> str:
    """The command for logs, with very long arguments shortened."""
    return shlex.join(
        arg if len(arg) <= 160 else f"{arg[:120]}...({len(arg)} chars)" for arg in command
    )


def run(command: Sequence[str], *, env: Mapping[str, str], timeout: float, echo: Echo) -> str:
    """Run ``command`` in the project root, echoing its output; fail on non-zero exit or
    timeout (the command's whole process group is killed then: the CLI runs the app)."""
    echo(f"$ {_shown(command)}")
    process = subprocess.Popen(
        list(command),
        cwd=ROOT,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []

    def pump(stream: TextIO) -> None:
        for line in stream:
            lines.append(line)
            echo(line.rstrip("\n"))

    assert process.stdout is not None
    reader = threading.Thread(target=pump, args=(process.stdout,), daemon=True)
    reader.start()
    try:
        process.wait(timeout)
    except BaseException as error:  # timeout, or interrupted (Ctrl-C): stop what we started
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(SERVER_STOP_TIMEOUT)
        reader.join(SERVER_STOP_TIMEOUT)
        if isinstance(error, subprocess.TimeoutExpired):
            raise CommandFailed(f"timed out after {timeout}s: {_shown(command)}") from None
        raise
    reader.join(SERVER_STOP_TIMEOUT)
    output = "".join(lines)
    if process.returncode != 0:
        raise CommandFailed(f"exit code {process.returncode}: {_shown(command)}\n{output[-3000:]}")
    return output


# --- what is deployed -----------------------------------------------------------------


@dataclass(frozen=True)
class Organization:
    root_id: str
    ou_ids: tuple[str, str]


@dataclass(frozen=True)
class Deployment:
    """One ``cdk deploy --all``: a name, what it changes, and its context."""

    name: str
    changes: str
    context: Mapping[str, str]


#: 120 JsonGet folders: more than one inline policy can hold, so the execution role's
#: permissions become managed policies (``Policy1``, ``Policy2``).
MANY_JSON_GET_FOLDERS = ",".join(
    f"s3://sm-pipeline-iam-sample-artifacts/evaluation/run-{number:03d}" for number in range(120)
)


def deployments(account: str, organization: Organization) -> list[Deployment]:
    """The deploys of the round trip, in order (each after the previous one)."""
    first_ou, second_ou = organization.ou_ids
    base = {"account": account, "region": REGION, "vpc_endpoint_ids": VPC_ENDPOINT_ID}
    initial = {**base, "scp_targets": first_ou, "teams": "analytics=Processing"}
    update = {
        **base,
        "job_prefix": "fraud",
        "step_types": "Processing,Training,Tuning,Transform,Model,Condition",
        "teams": "analytics=Processing,Transform",
        "principal_tag": "sm-pipeline-s3-exception=approved",
        "scp_targets": second_ou,
        "json_get_s3": MANY_JSON_GET_FOLDERS,
    }
    reprefix = {**update, "job_prefix": "risk", "scp_targets": f"{first_ou},{second_ou}"}
    return [
        Deployment(
            "initial",
            "OrgStack (SCP on one OU) and PipelineIamStack (execution role, team "
            "'analytics' for Processing), inline policies",
            initial,
        ),
        Deployment(
            "update",
            "job_prefix fraud, step type Tuning added, team step type Transform added, "
            "exception tag renamed (role tags, SCP content), SCP moved to the other OU, "
            "120 JsonGet folders (execution role: inline policy -> 2 managed policies)",
            update,
        ),
        Deployment(
            "reprefix",
            "job_prefix risk (managed policy documents rewritten), SCP on both OUs",
            reprefix,
        ),
    ]


def prepare_organization(server: MotoServer) -> Organization:
    """An organization (this account = management account) with SCPs enabled, two OUs."""
    orgs = server.client("organizations")
    orgs.create_organization(FeatureSet="ALL")
    root_id = orgs.list_roots()["Roots"][0]["Id"]
    with contextlib.suppress(orgs.exceptions.PolicyTypeAlreadyEnabledException):
        orgs.enable_policy_type(RootId=root_id, PolicyType="SERVICE_CONTROL_POLICY")
    ou_ids = tuple(
        orgs.create_organizational_unit(ParentId=root_id, Name=name)["OrganizationalUnit"]["Id"]
        for name in ("ml-workloads", "ml-sandbox")
    )
    return Organization(root_id, (ou_ids[0], ou_ids[1]))


# --- reading the state back -----------------------------------------------------------


def stack_templates(outdir: Path) -> dict[str, dict[str, Any]]:
    """Stack name -> synthesized template, from a cloud assembly."""
    manifest = json.loads((outdir / "manifest.json").read_text())
    templates = {}
    for artifact_id, artifact in manifest["artifacts"].items():
        if artifact["type"] != "aws:cloudformation:stack":
            continue
        properties = artifact["properties"]
        name = properties.get("stackName") or artifact_id
        templates[name] = json.loads((outdir / properties["templateFile"]).read_text())
    return templates


@dataclass
class Resolver:
    """Resolves a template's intrinsics as CloudFormation did in this deployment.

    Only what the app emits: ``Ref`` to pseudo parameters and to resources (their
    physical ids), ``Fn::GetAtt <Role>.Arn``, ``Fn::Join``; anything else fails loudly.
    """

    template: Mapping[str, Any]
    physical_ids: Mapping[str, str]
    account: str
    stack_name: str
    region: str = REGION
    partition: str = PARTITION

    def role_arn(self, logical_id: str) -> str:
        path = self.template["Resources"][logical_id].get("Properties", {}).get("Path", "/")
        name = self.physical_ids.get(logical_id, f"<{logical_id} not deployed>")
        return f"arn:{self.partition}:iam::{self.account}:role{path}{name}"

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if set(value) == {"Ref"}:
            return self._ref(value["Ref"])
        if set(value) == {"Fn::GetAtt"}:
            logical_id, attribute = value["Fn::GetAtt"]
            resource_type = self.template["Resources"][logical_id]["Type"]
            if (resource_type, attribute) != ("AWS::IAM::Role", "Arn"):
                raise ValueError(f"cannot resolve GetAtt {logical_id}.{attribute}")
            return self.role_arn(logical_id)
        if set(value) == {"Fn::Join"}:
            separator, parts = value["Fn::Join"]
            return separator.join(str(self.resolve(part)) for part in parts)
        if any(key.startswith("Fn::") for key in value):
            raise ValueError(f"unexpected intrinsic {sorted(value)}")
        return {key: self.resolve(item) for key, item in value.items()}

    def _ref(self, name: str) -> str:
        pseudo = {
            "AWS::AccountId": self.account,
            "AWS::Region": self.region,
            "AWS::Partition": self.partition,
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": self.stack_name,
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.template["Resources"]:
            return self.physical_ids.get(name, f"<{name} not deployed>")
        raise ValueError(f"cannot resolve Ref {name}")


@dataclass
class StackState:
    """One deployed stack as read back."""

    name: str
    #: logical id -> (resource type, physical id)
    resources: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: role logical id -> RoleId
    role_ids: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Inventory:
    """Everything IAM/Organizations holds that a stack could have created or left."""

    #: role name -> (RoleId, inline policy names, attached managed policy ARNs)
    roles: Mapping[str, tuple[str, frozenset[str], frozenset[str]]]
    #: customer managed policy ARNs
    managed_policies: frozenset[str]
    #: SCP ids
    scps: frozenset[str]
    #: stack names that are not deleted
    stacks: frozenset[str]


def _pages(client: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    items: list[Any] = []
    for page in client.get_paginator(operation).paginate(**kwargs):
        items.extend(page[key])
    return items


def inventory(server: MotoServer) -> Inventory:
    iam, orgs, cfn = (server.client(name) for name in ("iam", "organizations", "cloudformation"))
    roles = {}
    for role in _pages(iam, "list_roles", "Roles"):
        name = role["RoleName"]
        inline = _pages(iam, "list_role_policies", "PolicyNames", RoleName=name)
        attached = _pages(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=name)
        roles[name] = (
            role["RoleId"],
            frozenset(inline),
            frozenset(policy["PolicyArn"] for policy in attached),
        )
    managed = _pages(iam, "list_policies", "Policies", Scope="Local")
    scps = _pages(orgs, "list_policies", "Policies", Filter="SERVICE_CONTROL_POLICY")
    stacks = _pages(cfn, "describe_stacks", "Stacks")
    return Inventory(
        roles=roles,
        managed_policies=frozenset(policy["Arn"] for policy in managed),
        scps=frozenset(policy["Id"] for policy in scps),
        stacks=frozenset(s["StackName"] for s in stacks if s["StackStatus"] != "DELETE_COMPLETE"),
    )


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _diff(what: str, deployed: Any, expected: Any) -> list[str]:
    if deployed == expected:
        return []
    return [f"{what} differs:\n    deployed: {deployed!r}\n    template: {expected!r}"]


def _tags(tags: Sequence[Mapping[str, str]] | None) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in tags or []}


def _as_document(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


class _StackChecker:
    """Compares one deployed stack with its template; collects every difference."""

    ROLE_PROPERTIES = frozenset(
        {
            "AssumeRolePolicyDocument",
            "Description",
            "ManagedPolicyArns",
            "MaxSessionDuration",
            "Path",
            "PermissionsBoundary",
            "Policies",
            "RoleName",
            "Tags",
        }
    )
    POLICY_PROPERTIES = frozenset({"PolicyDocument", "PolicyName", "Roles"})
    MANAGED_POLICY_PROPERTIES = frozenset(
        {"Description", "ManagedPolicyName", "Path", "PolicyDocument", "Roles"}
    )
    SCP_PROPERTIES = frozenset({"Content", "Description", "Name", "Tags", "TargetIds", "Type"})

    def __init__(self, server: MotoServer, name: str, template: Mapping[str, Any]) -> None:
        self.iam = server.client("iam")
        self.orgs = server.client("organizations")
        self.cfn = server.client("cloudformation")
        self.account = server.client("sts").get_caller_identity()["Account"]
        self.name = name
        self.template = template
        self.problems: list[str] = []
        self.state = StackState(name)

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{self.name}/{where}: {message}")

    def check(self) -> None:
        try:
            stack = self.cfn.describe_stacks(StackName=self.name)["Stacks"][0]
        except ClientError as error:
            self.problem("stack", f"not found ({_error_code(error)})")
            return
        if stack["StackStatus"] not in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
            self.problem("stack", f"status {stack['StackStatus']}")
        self._check_resources_listed()
        self.resolver = Resolver(
            self.template,
            {logical: physical for logical, (_, physical) in self.state.resources.items()},
            self.account,
            self.name,
        )
        checks: dict[str, Callable[[str, Mapping[str, Any]], None]] = {
            "AWS::IAM::Role": self._check_role,
            "AWS::IAM::Policy": self._check_inline_policy,
            "AWS::IAM::ManagedPolicy": self._check_managed_policy,
            "AWS::Organizations::Policy": self._check_scp,
        }
        for logical_id, resource in self.template["Resources"].items():
            if logical_id not in self.state.resources:
                continue  # reported as missing already
            check = checks.get(resource["Type"])
            if check is None:
                self.problem(logical_id, f"no read-back check for {resource['Type']}: add one")
                continue
            check(logical_id, resource.get("Properties", {}))
        self._check_outputs(stack)

    def _check_resources_listed(self) -> None:
        listed = _pages(
            self.cfn, "list_stack_resources", "StackResourceSummaries", StackName=self.name
        )
        for summary in listed:
            logical_id = summary.get("LogicalResourceId", "")
            resource = self.template["Resources"].get(logical_id)
            if resource is None:
                self.problem(
                    logical_id or "?",
                    f"the stack lists a resource the template does not have: {summary}",
                )
                continue
            if summary.get("ResourceType") != resource["Type"]:
                self.problem(logical_id, f"type {summary.get('ResourceType')}")
            if not str(summary.get("ResourceStatus", "")).endswith("_COMPLETE"):
                self.problem(logical_id, f"status {summary.get('ResourceStatus')}")
            physical_id = summary.get("PhysicalResourceId") or ""
            if not physical_id:
                self.problem(logical_id, "no physical id")
            self.state.resources[logical_id] = (resource["Type"], physical_id)
        for logical_id in self.template["Resources"]:
            if logical_id not in self.state.resources:
                self.problem(logical_id, "not in the deployed stack's resources")

    def _physical(self, logical_id: str) -> str:
        return self.state.resources.get(logical_id, ("", f"<{logical_id} not deployed>"))[1]

    def _unknown(
        self, logical_id: str, properties: Mapping[str, Any], known: frozenset[str]
    ) -> None:
        if unknown := sorted(set(properties) - known):
            self.problem(logical_id, f"no read-back check for properties {unknown}: add one")

    def _attached_to(self, policy_type: str, role_name: str) -> dict[str, Mapping[str, Any]]:
        """Logical id -> properties of each ``policy_type`` resource attached to the role."""
        return {
            logical_id: resource.get("Properties", {})
            for logical_id, resource in self.template["Resources"].items()
            if resource["Type"] == policy_type
            and role_name in self.resolver.resolve(resource.get("Properties", {}).get("Roles", []))
        }

    def _check_role(self, logical_id: str, properties: Mapping[str, Any]) -> None:
        self._unknown(logical_id, properties, self.ROLE_PROPERTIES)
        name = self._physical(logical_id)
        try:
            role = self.iam.get_role(RoleName=name)["Role"]
        except ClientError as error:
            self.problem(logical_id, f"role {name} not found ({_error_code(error)})")
            return
        self.state.role_ids[logical_id] = role["RoleId"]
        resolve = self.resolver.resolve
        where = f"{logical_id} ({name})"
        for message in [
            *_diff("RoleName", role["RoleName"], properties.get("RoleName", name)),
            *_diff("Arn", role["Arn"], self.resolver.role_arn(logical_id)),
            *_diff("Path", role["Path"], properties.get("Path", "/")),
            *_diff(
                "trust policy (AssumeRolePolicyDocument)",
                _as_document(role.get("AssumeRolePolicyDocument")),
                resolve(properties["AssumeRolePolicyDocument"]),
            ),
            *_diff("Description", role.get("Description", ""), properties.get("Description", "")),
            *_diff("tags", _tags(role.get("Tags")), _tags(resolve(properties.get("Tags", [])))),
            *_diff(
                "MaxSessionDuration",
                role.get("MaxSessionDuration"),
                int(properties.get("MaxSessionDuration", 3600)),
            ),
            *_diff(
                "PermissionsBoundary",
                role.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn"),
                resolve(properties.get("PermissionsBoundary")),
            ),
        ]:
            self.problem(where, message)
        # Inline policies: the AWS::IAM::Policy resources naming the role, and `Policies`.
        expected_inline = {
            resolve(policy["PolicyName"]): resolve(policy["PolicyDocument"])
            for policy in self._attached_to("AWS::IAM::Policy", name).values()
        }
        for policy in properties.get("Policies", []):
            expected_inline[resolve(policy["PolicyName"])] = resolve(policy["PolicyDocument"])
        inline = _pages(self.iam, "list_role_policies", "PolicyNames", RoleName=name)
        for message in _diff("inline policy names", sorted(inline), sorted(expected_inline)):
            self.problem(where, message)
        for policy_name in sorted(set(inline) & set(expected_inline)):
            document = self.iam.get_role_policy(RoleName=name, PolicyName=policy_name)
            for message in _diff(
                f"inline policy {policy_name} document",
                _as_document(document["PolicyDocument"]),
                expected_inline[policy_name],
            ):
                self.problem(where, message)
        # Managed policies: the AWS::IAM::ManagedPolicy resources naming it, and ARNs.
        expected_arns = {
            self._physical(policy_id)
            for policy_id in self._attached_to("AWS::IAM::ManagedPolicy", name)
        } | set(resolve(properties.get("ManagedPolicyArns", [])))
        attached = _pages(
            self.iam, "list_attached_role_policies", "AttachedPolicies", RoleName=name
        )
        for message in _diff(
            "attached managed policies",
            sorted(policy["PolicyArn"] for policy in attached),
            sorted(expected_arns),
        ):
            self.problem(where, message)

    def _check_inline_policy(self, logical_id: str, properties: Mapping[str, Any]) -> None:
        # Its document is compared on each role it names (see _check_role); here: every
        # role it names exists in this stack (no users or groups in our templates).
        self._unknown(logical_id, properties, self.POLICY_PROPERTIES)
        for role in properties.get("Roles", []):
            if not (isinstance(role, dict) and role.get("Ref") in self.state.role_ids):
                self.problem(logical_id, f"attached to {role}, not a role of this stack")

    def _check_managed_policy(self, logical_id: str, properties: Mapping[str, Any]) -> None:
        self._unknown(logical_id, properties, self.MANAGED_POLICY_PROPERTIES)
        arn = self._physical(logical_id)
        try:
            policy = self.iam.get_policy(PolicyArn=arn)["Policy"]
        except ClientError as error:
            self.problem(logical_id, f"managed policy {arn} not found ({_error_code(error)})")
            return
        version = self.iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])
        entities = self.iam.list_entities_for_policy(PolicyArn=arn)
        resolve = self.resolver.resolve
        where = f"{logical_id} ({arn})"
        for message in [
            *_diff("Path", policy["Path"], properties.get("Path", "/")),
            *_diff("Description", policy.get("Description", ""), properties.get("Description", "")),
            *_diff(
                "document (default version)",
                _as_document(version["PolicyVersion"]["Document"]),
                resolve(properties["PolicyDocument"]),
            ),
            *_diff(
                "roles it is attached to",
                sorted(role["RoleName"] for role in entities["PolicyRoles"]),
                sorted(resolve(properties.get("Roles", []))),
            ),
            *_diff(
                "users and groups it is attached to",
                entities["PolicyUsers"] + entities["PolicyGroups"],
                [],
            ),
        ]:
            self.problem(where, message)
        if "ManagedPolicyName" in properties:
            for message in _diff("name", policy["PolicyName"], properties["ManagedPolicyName"]):
                self.problem(where, message)

    def _check_scp(self, logical_id: str, properties: Mapping[str, Any]) -> None:
        self._unknown(logical_id, properties, self.SCP_PROPERTIES)
        policy_id = self._physical(logical_id)
        try:
            policy = self.orgs.describe_policy(PolicyId=policy_id)["Policy"]
        except ClientError as error:
            self.problem(logical_id, f"SCP {policy_id!r} not found ({_error_code(error)})")
            return
        summary = policy["PolicySummary"]
        targets = _pages(self.orgs, "list_targets_for_policy", "Targets", PolicyId=policy_id)
        tags = _pages(self.orgs, "list_tags_for_resource", "Tags", ResourceId=policy_id)
        resolve = self.resolver.resolve
        where = f"{logical_id} ({policy_id})"
        for message in [
            *_diff("Name", summary["Name"], resolve(properties["Name"])),
            *_diff("Type", summary["Type"], properties["Type"]),
            *_diff(
                "Description", summary.get("Description", ""), properties.get("Description", "")
            ),
            *_diff(
                "Content",
                _as_document(policy["Content"]),
                _as_document(resolve(properties["Content"])),
            ),
            *_diff(
                "targets",
                sorted(target["TargetId"] for target in targets),
                sorted(resolve(properties.get("TargetIds", []))),
            ),
            *_diff("tags", _tags(tags), _tags(resolve(properties.get("Tags", [])))),
        ]:
            self.problem(where, message)

    def _check_outputs(self, stack: Mapping[str, Any]) -> None:
        deployed = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs") or []}
        expected = {
            key: str(self.resolver.resolve(output["Value"]))
            for key, output in self.template.get("Outputs", {}).items()
        }
        for message in _diff("outputs", deployed, expected):
            self.problem("Outputs", message)


@dataclass
class DeployedState:
    """What a deploy left, as read back: per stack, and the whole inventory."""

    stacks: dict[str, StackState]
    inventory: Inventory


def check_deployment(
    server: MotoServer, outdir: Path, baseline: Inventory
) -> tuple[DeployedState, list[str]]:
    """Compare the deployed stacks with the templates in ``outdir``: every difference.

    Besides each stack's resources: nothing else was created (the inventory is the
    ``baseline`` plus exactly the stacks' roles, managed policies and SCPs).
    """
    problems: list[str] = []
    stacks = {}
    for name, template in stack_templates(outdir).items():
        checker = _StackChecker(server, name, template)
        try:
            checker.check()
        except Exception as error:  # e.g. an intrinsic the resolver does not know
            checker.problem("read-back", f"failed: {error!r}")
        problems += checker.problems
        stacks[name] = checker.state
    now = inventory(server)
    created = {
        kind: {
            physical
            for state in stacks.values()
            for t, physical in state.resources.values()
            if t == kind
        }
        for kind in ("AWS::IAM::Role", "AWS::IAM::ManagedPolicy", "AWS::Organizations::Policy")
    }
    for what, deployed, expected in (
        ("roles", set(now.roles), set(baseline.roles) | created["AWS::IAM::Role"]),
        (
            "customer managed policies",
            set(now.managed_policies),
            set(baseline.managed_policies) | created["AWS::IAM::ManagedPolicy"],
        ),
        ("SCPs", set(now.scps), set(baseline.scps) | created["AWS::Organizations::Policy"]),
        ("stacks", set(now.stacks), set(baseline.stacks) | set(stacks)),
    ):
        for message in _diff(f"all {what} in the account", sorted(deployed), sorted(expected)):
            problems.append(f"account: {message}")
    for name, before in baseline.roles.items():
        for message in _diff(f"role {name} (not the stacks')", now.roles.get(name), before):
            problems.append(f"account: {message}")
    return DeployedState(stacks, now), problems


def check_in_place(before: DeployedState, after: DeployedState) -> list[str]:
    """Every resource in both deploys was updated in place: same physical id, same RoleId."""
    problems = []
    for name, old in before.stacks.items():
        new = after.stacks.get(name)
        if new is None:
            problems.append(f"{name}: stack gone after the update")
            continue
        for logical_id in sorted(set(old.resources) & set(new.resources)):
            for message in _diff(
                "physical id (replaced, not updated in place?)",
                new.resources[logical_id],
                old.resources[logical_id],
            ):
                problems.append(f"{name}/{logical_id}: {message}")
        for logical_id in sorted(set(old.role_ids) & set(new.role_ids)):
            for message in _diff(
                "RoleId (replaced, not updated in place?)",
                new.role_ids[logical_id],
                old.role_ids[logical_id],
            ):
                problems.append(f"{name}/{logical_id}: {message}")
    return problems


def check_destroyed(server: MotoServer, baseline: Inventory, last: DeployedState) -> list[str]:
    """Nothing the stacks created is left: the inventory is back to ``baseline``."""
    now = inventory(server)
    problems = [
        f"account: {message}"
        for what, deployed, expected in (
            ("roles", now.roles, baseline.roles),
            (
                "customer managed policies",
                sorted(now.managed_policies),
                sorted(baseline.managed_policies),
            ),
            ("SCPs", sorted(now.scps), sorted(baseline.scps)),
            ("stacks", sorted(now.stacks), sorted(baseline.stacks)),
        )
        for message in _diff(f"all {what} after destroy", deployed, expected)
    ]
    iam, orgs = server.client("iam"), server.client("organizations")
    for stack in last.stacks.values():
        for logical_id, (resource_type, physical_id) in stack.resources.items():
            lookups = {
                "AWS::IAM::Role": lambda p: iam.get_role(RoleName=p),
                "AWS::IAM::ManagedPolicy": lambda p: iam.get_policy(PolicyArn=p),
                "AWS::Organizations::Policy": lambda p: orgs.describe_policy(PolicyId=p),
            }
            lookup = lookups.get(resource_type)
            if lookup is None:
                continue
            try:
                lookup(physical_id)
            except ClientError:
                continue
            problems.append(f"{stack.name}/{logical_id}: {physical_id} still exists")
    return problems


def check_bootstrap(server: MotoServer) -> list[str]:
    """The bootstrap version parameter exists (deploys read it) and is recent enough."""
    try:
        value = server.client("ssm").get_parameter(Name=BOOTSTRAP_VERSION_PARAMETER)
    except ClientError as error:
        return [f"bootstrap: {BOOTSTRAP_VERSION_PARAMETER} not found ({_error_code(error)})"]
    version = int(value["Parameter"]["Value"])
    return [] if version >= 6 else [f"bootstrap: version {version} < 6"]


# --- the round trip -------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and not self.problems


@dataclass
class RoundTrip:
    account: str = ""
    phases: dict[str, Phase] = field(default_factory=dict)
    states: dict[str, DeployedState] = field(default_factory=dict)
    templates: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    #: deploy name -> its cloud assembly
    outdirs: dict[str, Path] = field(default_factory=dict)
    #: the account before the first deploy (after bootstrap and the organization)
    baseline: Inventory | None = None
    organization: Organization | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(phase.ok for phase in self.phases.values())

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[Phase]:
        phase = self.phases[name] = Phase(name)
        start = time.monotonic()
        try:
            yield phase
        except CommandFailed as error:
            phase.error = str(error)
            raise
        finally:
            phase.seconds = time.monotonic() - start


#: The phases of ``round_trip``, in order.
PHASES = ("bootstrap", "deploy initial", "deploy update", "deploy reprefix", "destroy")


def round_trip(
    server: MotoServer, workdir: Path, *, echo: Echo = print, timeout: float | None = None
) -> RoundTrip:
    """Bootstrap, deploy each of ``deployments()``, destroy; read back after each step.

    Stops at the first command that fails (recorded in its phase's ``error``); the
    read-back differences are collected in each phase's ``problems``. ``timeout`` bounds
    each CLI command (default: BOOTSTRAP_TIMEOUT, DEPLOY_TIMEOUT, DESTROY_TIMEOUT).
    """
    result = RoundTrip()
    start = time.monotonic()
    env = cli_env(server, workdir)
    try:
        result.account = server.client("sts").get_caller_identity()["Account"]
        with result.phase("bootstrap") as phase:
            run(
                [str(CDK), "bootstrap", f"aws://{result.account}/{REGION}",
                 "--output", str(workdir / "cdk.out.bootstrap"),
                 *context_args({"account": result.account, "region": REGION})],
                env=env, timeout=timeout or BOOTSTRAP_TIMEOUT, echo=echo,
            )  # fmt: skip
            phase.problems += check_bootstrap(server)
        organization = result.organization = prepare_organization(server)
        baseline = result.baseline = inventory(server)
        previous: DeployedState | None = None
        context: Mapping[str, str] = {}
        for deployment in deployments(result.account, organization):
            with result.phase(f"deploy {deployment.name}") as phase:
                echo(f"--- deploy {deployment.name}: {deployment.changes}")
                context = deployment.context
                outdir = workdir / f"cdk.out.{deployment.name}"
                run(
                    [str(CDK), "deploy", "--all", "--require-approval", "never",
                     "--no-previous-parameters", "--output", str(outdir),
                     *context_args(context)],
                    env=env, timeout=timeout or DEPLOY_TIMEOUT, echo=echo,
                )  # fmt: skip
                state, problems = check_deployment(server, outdir, baseline)
                phase.problems += problems
                if previous is not None:
                    phase.problems += check_in_place(previous, state)
                result.states[deployment.name] = previous = state
                result.templates[deployment.name] = stack_templates(outdir)
                result.outdirs[deployment.name] = outdir
        with result.phase("destroy") as phase:
            run(
                [str(CDK), "destroy", "--all", "--force",
                 "--output", str(workdir / "cdk.out.destroy"), *context_args(context)],
                env=env, timeout=timeout or DESTROY_TIMEOUT, echo=echo,
            )  # fmt: skip
            assert previous is not None
            phase.problems += check_destroyed(server, baseline, previous)
    except CommandFailed:
        pass  # recorded in the phase
    finally:
        result.seconds = time.monotonic() - start
    return result


def report(result: RoundTrip, echo: Echo = print) -> None:
    echo(f"=== local deploy round trip (account {result.account}): {result.seconds:.1f}s")
    for name in PHASES:
        phase = result.phases.get(name)
        if phase is None:
            echo(f"  {name}: not run")
            continue
        status = "ok" if phase.ok else ("FAILED" if phase.error else "DIFFERS")
        echo(f"  {name}: {status} ({phase.seconds:.1f}s)")
        if phase.error:
            echo(f"    {phase.error}")
        for problem in phase.problems:
            echo(f"    - {problem}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, help="where cloud assemblies and logs go")
    parser.add_argument("--keep", action="store_true", help="keep the workdir on success")
    parser.add_argument("--timeout", type=float, help="seconds per CLI command (default 300-600)")
    parser.add_argument(
        "--skip-patch",
        action="append",
        default=[],
        metavar="NAME",
        help="leave one of tests/deploy/moto_patches.py's patches out, to see what it is for",
    )
    args = parser.parse_args(argv)
    if not CDK.exists():
        print(f"{CDK} not found: run `make setup` (npm ci) first", file=sys.stderr)
        return 2
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="deploy-local-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        with moto_server(workdir, skip_patches=args.skip_patch) as server:
            print(f"moto server pid {server.pid} at {server.endpoint} (log {server.log_path})")
            result = round_trip(
                server, workdir, echo=lambda line: print(line, flush=True), timeout=args.timeout
            )
    except CommandFailed as error:
        print(f"error: {error}", file=sys.stderr)
        print(f"kept {workdir}", file=sys.stderr)
        return 1
    report(result)
    if result.ok and not args.keep and args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"cloud assemblies and logs kept in {workdir}")
    return 0 if result.ok and len(result.phases) == len(PHASES) else 1


if __name__ == "__main__":
    sys.exit(main())
