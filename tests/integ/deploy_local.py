#!/usr/bin/env python3
"""Deploy the sample app for real with the CDK CLI, against a local moto server.

    PYTHONPATH=tests .venv/bin/python -m integ.deploy_local [--workdir DIR] [--keep]
    (or make deploy-local DEPLOY_ARGS="--keep")

No AWS account is needed (nor used): everything goes to a moto server started here on a
free loopback port, with the test-side adapter ``tests/integ/moto_patches.py`` loaded
(``tests/integ/server.py``), and the server is stopped by its PID whatever happens.
The round trip, with the real CLI from ``node_modules`` and fake credentials:

1. ``cdk bootstrap aws://ACCOUNT/us-east-1`` (ACCOUNT is moto's, read from STS);
2. an organization with a root and two OUs is created in moto (the SCP's, the RCP's and
   the StackSet's targets; both policy types enabled), with member accounts in each OU
   (``MEMBER_ACCOUNTS``); its id is the sample app's ``organization_id``, so the OrgStack
   holds the RCP beside the SCP (``rcp`` is on by default);
3. ``cdk deploy --all`` of each of ``deployments()``: the first with the OrgStack
   configured, then updates with changed context; after each, the state is read back
   with boto3 and compared with the synthesized templates of that deploy (roles, trust
   policies, paths, tags, inline and managed policy documents and attachments, the SCP's
   and RCP's content and targets, the stack outputs, nothing else created in any account), and
   after an update every resource must have been updated in place (same RoleId, same
   physical ids);
4. ``cdk destroy --all --force``, after which nothing the stacks created may be left;
5. the StackSet phase, ``stackset_deployments()``: the app with ``stackset_ou_ids``
   (OrgStack and ``PipelineIamStackSet``, a service-managed ``AWS::CloudFormation::StackSet``
   instead of the workload stack), then an update (changed roles, a second OU). Read back:
   the stack set (ACTIVE, TemplateBody, permission model, capabilities, auto-deployment,
   OUs, regions, operation preferences), one stack instance per account of the OUs and
   region, and each instance's stack in its member account (read with the member's
   ``OrganizationAccountAccessRole``) compared with the TemplateBody like any stack;
   then auto-deployment (an account moved into a target OU gets the stack, moved out
   loses it) and ``cdk destroy``: the stack set, its instances and their stacks and roles
   are gone;
6. the pipeline phase, ``pipeline_deployments()``: the app with the sample pipeline
   (``samples/pipeline.json`` as ``sample-abalone``: a ``LeastPrivilegePipeline`` with its
   execution role and one job role per job step), then an update of one step
   (``EvaluateAbaloneModel``'s image, written as a changed copy of the definition into the
   workdir). Read back: the pipeline (DescribePipeline, ListTags) as the template says,
   its definition as the template's resolved body, each step's role field the deployed
   job role of that step (by construct path, ``<pipeline>/JobRoles/Step<step>``), its
   role the deployed execution role; after the update, the pipeline and every role
   updated in place and only the changed step's role policy changed; then ``cdk destroy``:
   no pipeline, role or policy left.

Exits non-zero when a command fails or any read-back check finds a difference. The
functions are used by the integration tests ``tests/integ/test_deploy_round_trip.py`` and
``tests/integ/test_moto_gaps.py`` (``make integ``).
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
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from sm_pipeline_iam.core.cfn import PARTITION, REGION, Resolver
from sm_pipeline_iam.core.definition.reader import all_steps
from sm_pipeline_iam.core.definition.rewrite import role_slots
from sm_pipeline_iam.core.job_roles.assignment import SHARED_ROLE_ID, role_id

HERE = Path(__file__).resolve().parent
#: The project root (this file is tests/integ/deploy_local.py): the CLI and the app run here.
ROOT = HERE.parent.parent
NODE_BIN = ROOT / "node_modules" / ".bin"
CDK = NODE_BIN / "cdk"
SERVER = HERE / "server.py"

VPC_ENDPOINT_ID = "vpce-0a1b2c3d4e5f60718"
#: The CDK bootstrap version parameter (default qualifier).
BOOTSTRAP_VERSION_PARAMETER = "/cdk-bootstrap/hnb659fds/version"
#: The role Organizations creates in each account it creates, for the management account.
MEMBER_ACCESS_ROLE = "OrganizationAccountAccessRole"

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
    #: member account -> credentials of its OrganizationAccountAccessRole
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

    def client(self, service: str, account: str | None = None, region: str = REGION) -> Any:
        """A client of the management account (moto's default one), or of a member
        ``account`` of its organization: as an operator reads a member account, through
        the ``OrganizationAccountAccessRole`` that Organizations creates in it."""
        key = (service, account, region)
        if key in self._clients:
            return self._clients[key]
        credentials = {
            "aws_access_key_id": "testing",
            "aws_secret_access_key": "testing",
            "aws_session_token": "testing",
        }
        if account is not None:
            if account not in self._member_credentials:
                assumed = self.client("sts").assume_role(
                    RoleArn=f"arn:{PARTITION}:iam::{account}:role/{MEMBER_ACCESS_ROLE}",
                    RoleSessionName="deploy-local-read-back",
                )["Credentials"]
                self._member_credentials[account] = {
                    "aws_access_key_id": assumed["AccessKeyId"],
                    "aws_secret_access_key": assumed["SecretAccessKey"],
                    "aws_session_token": assumed["SessionToken"],
                }
            credentials = dict(self._member_credentials[account])
        client = self._clients[key] = boto3.session.Session().client(
            service,
            region_name=region,
            endpoint_url=self.endpoint,
            config=BOTO_CONFIG,
            **credentials,
        )
        return client


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
    #: OU id -> the member accounts created in it
    accounts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: the organization's id (o-...), the sample app's organization_id
    organization_id: str = ""

    @property
    def member_accounts(self) -> list[str]:
        return [account for ou in self.ou_ids for account in self.accounts.get(ou, ())]


#: Member accounts created in each OU (by OU name): two workload accounts, one sandbox.
MEMBER_ACCOUNTS = {"ml-workloads": ("workload-a", "workload-b"), "ml-sandbox": ("sandbox-a",)}


@dataclass(frozen=True)
class Deployment:
    """One ``cdk deploy --all``: a name, what it changes, and its context."""

    name: str
    changes: str
    context: Mapping[str, str]
    #: what this deploy must have changed, and nothing else: (previous, this) -> problems
    check_change: Callable[[DeployedState, DeployedState], list[str]] | None = field(
        default=None, compare=False
    )


#: 112 JsonGet folders: more than the execution role's inline policy can hold, so its
#: permissions become managed policies (``Policy1``, ``Policy2``), while the team role,
#: which reads the same folders with fewer statements, keeps its inline policy: the round
#: trip then reads back both kinds (the window is about 106 to 119 folders since the team
#: role's transform jobs are scoped to its own models with ``sagemaker:ModelArn``).
MANY_JSON_GET_FOLDERS = ",".join(
    f"s3://sm-pipeline-iam-sample-artifacts/evaluation/run-{number:03d}" for number in range(112)
)


def deployments(account: str, organization: Organization) -> list[Deployment]:
    """The deploys of the round trip, in order (each after the previous one)."""
    first_ou, second_ou = organization.ou_ids
    base = {"account": account, "region": REGION, "vpc_endpoint_ids": VPC_ENDPOINT_ID,
            "organization_id": organization.organization_id}
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
            "OrgStack (SCP and RCP on one OU) and PipelineIamStack (execution role, team "
            "'analytics' for Processing), inline policies",
            initial,
        ),
        Deployment(
            "update",
            "job_prefix fraud, step type Tuning added, team step type Transform added, "
            "exception tag renamed (role tags, SCP content), SCP moved to the other OU, "
            "112 JsonGet folders (execution role: inline policy -> 2 managed policies)",
            update,
        ),
        Deployment(
            "reprefix",
            "job_prefix risk (managed policy documents rewritten), SCP on both OUs",
            reprefix,
        ),
    ]


def stackset_deployments(account: str, organization: Organization) -> list[Deployment]:
    """The deploys of the StackSet phase, in order (after the workload stack's destroy)."""
    first_ou, second_ou = organization.ou_ids
    base = {
        "account": account,
        "region": REGION,
        "vpc_endpoint_ids": VPC_ENDPOINT_ID,
        "stackset_regions": REGION,
        "organization_id": organization.organization_id,
    }
    initial = {
        **base,
        "scp_targets": first_ou,
        "stackset_ou_ids": first_ou,
        "teams": "analytics=Processing",
    }
    update = {
        **base,
        "job_prefix": "fraud",
        "step_types": "Processing,Training,Tuning,Transform,Model,Condition",
        "teams": "analytics=Processing,Transform",
        "principal_tag": "sm-pipeline-s3-exception=approved",
        "scp_targets": f"{first_ou},{second_ou}",
        "stackset_ou_ids": f"{first_ou},{second_ou}",
    }
    return [
        Deployment(
            "stackset",
            "OrgStack (SCP and RCP on one OU) and PipelineIamStackSet: a service-managed StackSet "
            "of the workload stack (execution role, team 'analytics') to one OU's accounts",
            initial,
        ),
        Deployment(
            "stackset-update",
            "job_prefix fraud, step type Tuning and team step type Transform added, "
            "exception tag renamed (role tags, SCP content): the instances' roles updated "
            "in place; the second OU added (its account gets an instance)",
            update,
        ),
    ]


#: The sample pipeline (``samples/build_pipeline.py`` writes it), deployed as this pipeline.
SAMPLE_DEFINITION = ROOT / "samples" / "pipeline.json"
SAMPLE_PIPELINE_NAME = "sample-abalone"


@dataclass(frozen=True)
class StepChange:
    """One value of one step of a definition changed: ``path`` under the step."""

    step: str
    path: tuple[str, ...]
    value: Any

    def applied(self, definition: Mapping[str, Any]) -> dict[str, Any]:
        """A copy of ``definition`` with the change made (the step and path must exist)."""
        changed: dict[str, Any] = json.loads(json.dumps(definition))
        [step] = [s for s in all_steps(changed.get("Steps")) if s.get("Name") == self.step]
        holder = step
        for key in self.path[:-1]:
            holder = holder[key]
        if holder[self.path[-1]] == self.value:
            raise ValueError(f"{self.step} {'.'.join(self.path)} is {self.value!r} already")
        holder[self.path[-1]] = self.value
        return changed

    def found_in(self, definition: Mapping[str, Any]) -> Any:
        """The value at the change's path in ``definition`` (None if absent)."""
        for step in all_steps(definition.get("Steps")):
            if step.get("Name") == self.step:
                value: Any = step
                for key in self.path:
                    value = value.get(key) if isinstance(value, dict) else None
                return value
        return None


def pipeline_update_change(account: str) -> StepChange:
    """The pipeline update: the evaluation job runs a custom image of the account's ECR
    (its job role may pull that repository instead of the SageMaker XGBoost image's)."""
    return StepChange(
        "EvaluateAbaloneModel",
        ("Arguments", "AppSpecification", "ImageUri"),
        f"{account}.dkr.ecr.{REGION}.amazonaws.com/abalone-evaluate:2",
    )


def pipeline_deployments(
    account: str, organization: Organization, workdir: Path
) -> list[Deployment]:
    """The deploys of the pipeline phase, in order (after the StackSet phase's destroy).
    Writes the updated definition into ``workdir``."""
    change = pipeline_update_change(account)
    updated = workdir / "pipeline-update.json"
    updated.write_text(
        json.dumps(change.applied(json.loads(SAMPLE_DEFINITION.read_text())), indent=1) + "\n"
    )
    initial = {
        "account": account,
        "region": REGION,
        "vpc_endpoint_ids": VPC_ENDPOINT_ID,
        "scp_targets": organization.ou_ids[0],
        "organization_id": organization.organization_id,
        "pipeline_definition": str(SAMPLE_DEFINITION.relative_to(ROOT)),
        "pipeline_name": SAMPLE_PIPELINE_NAME,
        "parameter_values": f"InputDataUrl=s3://sm-pipeline-iam-sample-{account}/abalone/input",
    }
    return [
        Deployment(
            "pipeline",
            f"OrgStack (SCP and RCP on one OU) and PipelineIamStack with the sample pipeline "
            f"{SAMPLE_PIPELINE_NAME} (samples/pipeline.json, InputDataUrl bound): the "
            "pipeline, its execution role and one job role per job step",
            initial,
        ),
        Deployment(
            "pipeline-update",
            f"{change.step}'s {change.path[-1]} changed to {change.value} (a copy of the "
            "definition in the workdir): the pipeline and that step's job role policy "
            "updated in place, nothing else changed",
            {**initial, "pipeline_definition": str(updated)},
            check_change=lambda before, after: check_pipeline_update(change, before, after),
        ),
    ]


def create_member_account(orgs: Any, name: str, parent_id: str, root_id: str) -> str:
    """A new account of the organization (created in the root), moved to ``parent_id``."""
    status = orgs.create_account(Email=f"{name}@example.com", AccountName=name)
    account = str(status["CreateAccountStatus"]["AccountId"])
    if parent_id != root_id:
        orgs.move_account(AccountId=account, SourceParentId=root_id, DestinationParentId=parent_id)
    return account


def prepare_organization(server: MotoServer) -> Organization:
    """An organization (this account = management account) with SCPs enabled, two OUs,
    and the ``MEMBER_ACCOUNTS`` in them."""
    orgs = server.client("organizations")
    organization_id = orgs.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    root_id = orgs.list_roots()["Roots"][0]["Id"]
    for policy_type in ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"):
        with contextlib.suppress(orgs.exceptions.PolicyTypeAlreadyEnabledException):
            orgs.enable_policy_type(RootId=root_id, PolicyType=policy_type)
    ou_ids = tuple(
        orgs.create_organizational_unit(ParentId=root_id, Name=name)["OrganizationalUnit"]["Id"]
        for name in MEMBER_ACCOUNTS
    )
    accounts = {
        ou_id: tuple(create_member_account(orgs, name, ou_id, root_id) for name in names)
        for ou_id, names in zip(ou_ids, MEMBER_ACCOUNTS.values(), strict=True)
    }
    return Organization(root_id, (ou_ids[0], ou_ids[1]), accounts, organization_id)


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
class StackState:
    """One deployed stack as read back."""

    name: str
    #: logical id -> (resource type, physical id)
    resources: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: role logical id -> RoleId
    role_ids: dict[str, str] = field(default_factory=dict)
    #: the member account it is in (a StackSet instance's stack), None: management's
    account: str | None = None
    #: its StackId
    stack_id: str = ""
    #: every policy document as read back, as JSON text: "<role logical id>/<policy name>"
    #: for inline policies, the logical id for managed policies
    documents: dict[str, str] = field(default_factory=dict)
    #: pipeline logical id -> the pipeline as read back
    pipelines: dict[str, PipelineState] = field(default_factory=dict)


@dataclass(frozen=True)
class PipelineState:
    """One deployed SageMaker pipeline as read back."""

    name: str
    arn: str
    created: datetime
    modified: datetime
    #: the definition as DescribePipeline returns it
    definition: str
    #: the role it runs as (RoleArn)
    role_arn: str
    #: the logical id of its execution role (by construct path), "" when not found
    execution_role: str
    #: step name -> the logical id of its generated job role (by construct path), which
    #: its role field was checked to name
    job_roles: Mapping[str, str]


@dataclass(frozen=True)
class Inventory:
    """Everything IAM/Organizations/CloudFormation/SageMaker holds that a stack could have
    created or left, in one account (SCPs and stack sets: the management account's only)."""

    #: role name -> (RoleId, inline policy names, attached managed policy ARNs)
    roles: Mapping[str, tuple[str, frozenset[str], frozenset[str]]]
    #: customer managed policy ARNs
    managed_policies: frozenset[str]
    #: SCP and RCP ids
    scps: frozenset[str]
    #: stack names that are not deleted
    stacks: frozenset[str]
    #: ids of the stack sets that are not deleted
    stack_sets: frozenset[str] = frozenset()
    #: names of the SageMaker pipelines
    pipelines: frozenset[str] = frozenset()


def _pages(client: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    items: list[Any] = []
    for page in client.get_paginator(operation).paginate(**kwargs):
        items.extend(page[key])
    return items


def inventory(server: MotoServer, account: str | None = None) -> Inventory:
    """The management account's inventory, or a member ``account``'s."""
    iam, cfn = (server.client(name, account) for name in ("iam", "cloudformation"))
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
    stacks = _pages(cfn, "describe_stacks", "Stacks")
    pipelines = _pages(server.client("sagemaker", account), "list_pipelines", "PipelineSummaries")
    scps: list[Any] = []
    stack_sets: list[Any] = []
    if account is None:
        orgs = server.client("organizations")
        scps = [policy for kind in ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY")
                for policy in _pages(orgs, "list_policies", "Policies", Filter=kind)]
        stack_sets = _pages(cfn, "list_stack_sets", "Summaries")
    return Inventory(
        roles=roles,
        managed_policies=frozenset(policy["Arn"] for policy in managed),
        scps=frozenset(policy["Id"] for policy in scps),
        stacks=frozenset(s["StackName"] for s in stacks if s["StackStatus"] != "DELETE_COMPLETE"),
        stack_sets=frozenset(s["StackSetId"] for s in stack_sets if s["Status"] != "DELETED"),
        pipelines=frozenset(pipeline["PipelineName"] for pipeline in pipelines),
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


def _first_difference(
    deployed: Any, expected: Any, at: str = "", *, expected_as: str = "template"
) -> str | None:
    """Where two JSON values first differ (``Steps[2].Arguments.RoleArn``), None if equal;
    ``expected_as`` names the expected value in the message."""
    if isinstance(deployed, dict) and isinstance(expected, dict):
        for key in [*expected, *(k for k in deployed if k not in expected)]:
            if key not in deployed or key not in expected:
                return f"{at}.{key}".lstrip(".") + (" missing" if key in expected else " extra")
            if found := _first_difference(
                deployed[key], expected[key], f"{at}.{key}", expected_as=expected_as
            ):
                return found
        return None
    if isinstance(deployed, list) and isinstance(expected, list):
        for index, (left, right) in enumerate(zip(deployed, expected, strict=False)):
            if found := _first_difference(left, right, f"{at}[{index}]", expected_as=expected_as):
                return found
        if len(deployed) != len(expected):
            return f"{at.lstrip('.')} has {len(deployed)} items, not {len(expected)}"
        return None
    if deployed == expected and type(deployed) is type(expected):
        return None
    return f"{at.lstrip('.')}: deployed {deployed!r}, {expected_as} {expected!r}"


def _definition_diff(deployed: str, expected: str) -> list[str]:
    """A pipeline definition's text compared with the template's, briefly (the texts are
    long): where their JSON first differs."""
    if deployed == expected:
        return []
    try:
        where = _first_difference(json.loads(deployed), json.loads(expected))
    except ValueError as error:
        where = f"not JSON ({error})"
    return [f"PipelineDefinition differs: {where or 'same JSON, other text'}"]


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
    STACK_SET_PROPERTIES = frozenset(
        {
            "AutoDeployment",
            "Capabilities",
            "Description",
            "OperationPreferences",
            "Parameters",
            "PermissionModel",
            "StackInstancesGroup",
            "StackSetName",
            "Tags",
            "TemplateBody",
        }
    )
    PIPELINE_PROPERTIES = frozenset(
        {
            "ParallelismConfiguration",
            "PipelineDefinition",
            "PipelineDescription",
            "PipelineDisplayName",
            "PipelineName",
            "RoleArn",
            "Tags",
        }
    )

    def __init__(
        self,
        server: MotoServer,
        name: str,
        template: Mapping[str, Any],
        *,
        account: str | None = None,
        region: str = REGION,
    ) -> None:
        """Check stack ``name`` of the management account, or of member ``account``."""
        self.server = server
        self.iam = server.client("iam", account, region)
        self.orgs = server.client("organizations")
        self.cfn = server.client("cloudformation", account, region)
        self.sagemaker = server.client("sagemaker", account, region)
        self.s3 = server.client("s3", account, region)
        self.account = server.client("sts", account, region).get_caller_identity()["Account"]
        self.region = region
        self.name = name
        self.label = name if account is None else f"{account}:{name}"
        self.template = template
        self.problems: list[str] = []
        self.state = StackState(name, account=account)
        #: the stacks of its StackSets' instances, read back: "account/region" -> state
        self.instance_states: dict[str, StackState] = {}

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{self.label}/{where}: {message}")

    def check(self) -> None:
        try:
            stack = self.cfn.describe_stacks(StackName=self.name)["Stacks"][0]
        except ClientError as error:
            self.problem("stack", f"not found ({_error_code(error)})")
            return
        self.state.stack_id = stack["StackId"]
        if stack["StackStatus"] not in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
            self.problem("stack", f"status {stack['StackStatus']}")
        self._check_resources_listed()
        self.resolver = Resolver(
            self.template,
            {logical: physical for logical, (_, physical) in self.state.resources.items()},
            self.account,
            self.name,
            region=self.region,
        )
        checks: dict[str, Callable[[str, Mapping[str, Any]], None]] = {
            "AWS::IAM::Role": self._check_role,
            "AWS::IAM::Policy": self._check_inline_policy,
            "AWS::IAM::ManagedPolicy": self._check_managed_policy,
            "AWS::Organizations::Policy": self._check_scp,
            "AWS::CloudFormation::StackSet": self._check_stack_set,
            "AWS::SageMaker::Pipeline": self._check_pipeline,
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
        for policy_name in sorted(inline):
            document = _as_document(
                self.iam.get_role_policy(RoleName=name, PolicyName=policy_name)["PolicyDocument"]
            )
            self.state.documents[f"{logical_id}/{policy_name}"] = json.dumps(document)
            if policy_name not in expected_inline:
                continue
            for message in _diff(
                f"inline policy {policy_name} document",
                document,
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
        document = _as_document(version["PolicyVersion"]["Document"])
        self.state.documents[logical_id] = json.dumps(document)
        entities = self.iam.list_entities_for_policy(PolicyArn=arn)
        resolve = self.resolver.resolve
        where = f"{logical_id} ({arn})"
        for message in [
            *_diff("Path", policy["Path"], properties.get("Path", "/")),
            *_diff("Description", policy.get("Description", ""), properties.get("Description", "")),
            *_diff("document (default version)", document, resolve(properties["PolicyDocument"])),
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

    def _check_stack_set(self, logical_id: str, properties: Mapping[str, Any]) -> None:
        """The stack set, its operations and instances, and each instance's stack in its
        member account (compared with the TemplateBody like any stack)."""
        self._unknown(logical_id, properties, self.STACK_SET_PROPERTIES)
        stack_set_id = self._physical(logical_id)
        where = f"{logical_id} ({stack_set_id})"
        try:
            stack_set = self.cfn.describe_stack_set(StackSetName=stack_set_id)["StackSet"]
        except ClientError as error:
            self.problem(logical_id, f"stack set {stack_set_id!r} not found ({_error_code(error)})")
            return
        resolve = self.resolver.resolve
        groups = resolve(properties.get("StackInstancesGroup", []))
        ou_ids = sorted(
            {ou for g in groups for ou in g["DeploymentTargets"]["OrganizationalUnitIds"]}
        )
        regions = sorted({region for group in groups for region in group["Regions"]})
        name = resolve(properties.get("StackSetName", stack_set["StackSetName"]))
        for message in [
            *_diff("Status", stack_set["Status"], "ACTIVE"),
            *_diff("StackSetId", stack_set["StackSetId"], stack_set_id),
            *_diff("StackSetName", stack_set["StackSetName"], name),
            *_diff("TemplateBody", stack_set.get("TemplateBody"), properties.get("TemplateBody")),
            *_diff(
                "PermissionModel",
                stack_set.get("PermissionModel"),
                properties.get("PermissionModel", "SELF_MANAGED"),
            ),
            *_diff(
                "Capabilities",
                sorted(stack_set.get("Capabilities", [])),
                sorted(properties.get("Capabilities", [])),
            ),
            *_diff(
                "AutoDeployment",
                stack_set.get("AutoDeployment"),
                resolve(properties.get("AutoDeployment")),
            ),
            *_diff(
                "OrganizationalUnitIds", sorted(stack_set.get("OrganizationalUnitIds", [])), ou_ids
            ),
            *_diff("Regions", sorted(stack_set.get("Regions", [])), regions),
            *_diff("Description", stack_set.get("Description"), properties.get("Description")),
            *_diff(
                "Parameters",
                {p["ParameterKey"]: p["ParameterValue"] for p in stack_set.get("Parameters", [])},
                {p["ParameterKey"]: p["ParameterValue"] for p in properties.get("Parameters", [])},
            ),
            *_diff(
                "tags", _tags(stack_set.get("Tags")), _tags(resolve(properties.get("Tags", [])))
            ),
        ]:
            self.problem(where, message)
        self._check_stack_set_operations(where, stack_set_id, properties)
        self._check_stack_instances(where, stack_set, groups, properties["TemplateBody"])

    def _check_stack_set_operations(
        self, where: str, stack_set_id: str, properties: Mapping[str, Any]
    ) -> None:
        """Every operation succeeded; the latest ran with the template's preferences."""
        operations = _pages(
            self.cfn, "list_stack_set_operations", "Summaries", StackSetName=stack_set_id
        )
        if not operations:
            self.problem(where, "no stack set operation")
            return
        for operation in operations:
            if operation["Status"] != "SUCCEEDED":
                self.problem(
                    where,
                    f"operation {operation['OperationId']} ({operation['Action']}): "
                    f"{operation['Status']} {operation.get('StatusReason', '')}",
                )
        latest = max(operations, key=lambda operation: operation["CreationTimestamp"])
        for message in _diff(
            f"OperationPreferences of the latest operation ({latest['Action']})",
            latest.get("OperationPreferences"),
            self.resolver.resolve(properties.get("OperationPreferences")),
        ):
            self.problem(where, message)

    def _accounts_under(self, parent_id: str) -> list[str]:
        """The active accounts in an OU (or root) and, recursively, in its child OUs."""
        accounts = [
            account["Id"]
            for account in _pages(
                self.orgs, "list_accounts_for_parent", "Accounts", ParentId=parent_id
            )
            if account["Status"] == "ACTIVE"
        ]
        for child in _pages(
            self.orgs, "list_organizational_units_for_parent", "OrganizationalUnits",
            ParentId=parent_id,
        ):  # fmt: skip
            accounts += self._accounts_under(child["Id"])
        return accounts

    def _check_stack_instances(
        self,
        where: str,
        stack_set: Mapping[str, Any],
        groups: Sequence[Mapping[str, Any]],
        template_body: str,
    ) -> None:
        """One instance per account of the targeted OUs and region, each current, each
        with its stack in the member account as the template's ``template_body`` says."""
        stack_set_id = stack_set["StackSetId"]
        expected = sorted(
            {
                (account, region, ou)
                for group in groups
                for ou in group["DeploymentTargets"]["OrganizationalUnitIds"]
                for account in self._accounts_under(ou)
                for region in group["Regions"]
            }
        )
        instances = _pages(self.cfn, "list_stack_instances", "Summaries", StackSetName=stack_set_id)
        deployed = sorted(
            (i["Account"], i["Region"], i.get("OrganizationalUnitId")) for i in instances
        )
        for message in _diff("stack instances (account, region, OU)", deployed, expected):
            self.problem(where, message)
        template = json.loads(template_body)
        for instance in instances:
            account, region = instance["Account"], instance["Region"]
            at = f"{where} instance {account}/{region}"
            for message in [
                *_diff("StackSetId", instance["StackSetId"], stack_set_id),
                *_diff("Status", instance["Status"], "CURRENT"),
                *_diff(
                    "DetailedStatus",
                    instance.get("StackInstanceStatus", {}).get("DetailedStatus"),
                    "SUCCEEDED",
                ),
            ]:
                self.problem(at, message)
            stack_id = instance.get("StackId", "")
            arn = stack_id.split(":")
            stack_name = arn[5].split("/")[1] if len(arn) == 6 and "/" in arn[5] else ""
            if arn[3:5] != [region, account] or not stack_name.startswith(
                f"StackSet-{stack_set['StackSetName']}-"
            ):
                self.problem(at, f"StackId {stack_id!r} is not a stack of the instance")
                continue
            checker = _StackChecker(
                self.server, stack_name, template, account=account, region=region
            )
            try:
                checker.check()
            except Exception as error:  # e.g. an intrinsic the resolver does not know
                checker.problem("read-back", f"failed: {error!r}")
            for message in _diff("its stack's StackId", checker.state.stack_id, stack_id):
                self.problem(at, message)
            self.problems += checker.problems
            self.instance_states[f"{account}/{region}"] = checker.state

    def _construct_paths(self) -> dict[str, str]:
        """Construct path (``aws:cdk:path`` metadata, which the CLI writes) -> logical id."""
        return {
            resource["Metadata"]["aws:cdk:path"]: logical_id
            for logical_id, resource in self.template["Resources"].items()
            if "aws:cdk:path" in resource.get("Metadata", {})
        }

    def _deployed_role_arn(self, logical_id: str) -> str:
        """The role's ARN as IAM has it (not as the template implies)."""
        name = self._physical(logical_id)
        try:
            return str(self.iam.get_role(RoleName=name)["Role"]["Arn"])
        except ClientError as error:
            return f"<role {name} not found ({_error_code(error)})>"

    def _expected_definition(self, definition: Mapping[str, Any]) -> str:
        """The definition text the template gives: its body resolved, or the S3 object."""
        resolved = self.resolver.resolve(definition)
        if "PipelineDefinitionBody" in resolved:
            return str(resolved["PipelineDefinitionBody"])
        location = resolved["PipelineDefinitionS3Location"]
        version = {"VersionId": location["Version"]} if "Version" in location else {}
        body = self.s3.get_object(Bucket=location["Bucket"], Key=location["Key"], **version)
        return str(body["Body"].read().decode("utf-8"))

    def _check_pipeline(self, logical_id: str, properties: Mapping[str, Any]) -> None:
        """The pipeline as the template says (name, ARN, role, display name, description,
        parallelism, tags, the definition text), and the roles it runs as: its role is the
        deployed execution role of its construct, each step's role field the deployed job
        role of that step (``<construct>/JobRoles/Step<step>``, or ``Shared``), and every
        job role of the construct is some step's."""
        self._unknown(logical_id, properties, self.PIPELINE_PROPERTIES)
        name = self._physical(logical_id)
        where = f"{logical_id} ({name})"
        try:
            described = self.sagemaker.describe_pipeline(PipelineName=name)
        except ClientError as error:
            self.problem(logical_id, f"pipeline {name!r} not found ({_error_code(error)})")
            return
        arn = described["PipelineArn"]
        resolve = self.resolver.resolve
        tags = _pages(self.sagemaker, "list_tags", "Tags", ResourceArn=arn)
        parallelism = resolve(properties.get("ParallelismConfiguration"))
        if parallelism is not None:
            parallelism = {
                "MaxParallelExecutionSteps": int(parallelism["MaxParallelExecutionSteps"])
            }
        deployed_text = str(described.get("PipelineDefinition", ""))
        for message in [
            *_diff("PipelineName", described["PipelineName"], resolve(properties["PipelineName"])),
            *_diff(
                "PipelineArn",
                arn,
                f"arn:{self.resolver.partition}:sagemaker:{self.region}:{self.account}"
                f":pipeline/{name}",
            ),
            *_diff("PipelineStatus", described.get("PipelineStatus"), "Active"),
            *_diff("RoleArn", described.get("RoleArn"), resolve(properties["RoleArn"])),
            *_diff(
                "PipelineDisplayName",
                described.get("PipelineDisplayName"),
                resolve(properties.get("PipelineDisplayName", name)),
            ),
            *_diff(
                "PipelineDescription",
                described.get("PipelineDescription"),
                resolve(properties.get("PipelineDescription")),
            ),
            *_diff(
                "ParallelismConfiguration", described.get("ParallelismConfiguration"), parallelism
            ),
            *_diff("tags", _tags(tags), _tags(resolve(properties.get("Tags", [])))),
            *_definition_diff(
                deployed_text, self._expected_definition(properties["PipelineDefinition"])
            ),
        ]:
            self.problem(where, message)
        try:
            definition = json.loads(deployed_text)
        except ValueError as error:
            self.problem(where, f"its definition is not JSON: {error}")
            return
        paths = self._construct_paths()
        construct = next(
            (path.removesuffix("/Resource") for path, lid in paths.items() if lid == logical_id),
            None,
        )
        if construct is None:
            self.problem(where, "no aws:cdk:path metadata: its roles cannot be found")
            return
        execution_role = paths.get(f"{construct}/ExecutionRole/Resource", "")
        if not execution_role:
            self.problem(where, f"no execution role at {construct}/ExecutionRole")
        else:
            for message in _diff(
                f"RoleArn (the execution role {execution_role})",
                described.get("RoleArn"),
                self._deployed_role_arn(execution_role),
            ):
                self.problem(where, message)
        job_roles: dict[str, str] = {}
        slots = role_slots(definition)
        for slot in slots:
            role = paths.get(f"{construct}/JobRoles/{role_id(slot.step)}/Resource") or paths.get(
                f"{construct}/JobRoles/{SHARED_ROLE_ID}/Resource"
            )
            if role is None:
                # A step that keeps the definition's role (keep_roles_for): the template's
                # body names it literally. (With a Shared role, such a step is not told
                # apart: the round trip deploys per-step roles.)
                continue
            job_roles[slot.step] = role
            for message in _diff(
                f"step {slot.step} {slot.field} (its job role {role})",
                slot.value,
                self._deployed_role_arn(role),
            ):
                self.problem(where, message)
        generated = {
            lid
            for path, lid in paths.items()
            if path.startswith(f"{construct}/JobRoles/")
            and path.count("/") == construct.count("/") + 3
            and path.endswith("/Resource")
            and self.template["Resources"][lid]["Type"] == "AWS::IAM::Role"
        }
        named = {slot.value for slot in slots}
        if unused := sorted(lid for lid in generated if self._deployed_role_arn(lid) not in named):
            self.problem(where, f"job roles that no step's role field names: {unused}")
        self.state.pipelines[logical_id] = PipelineState(
            name=name,
            arn=arn,
            created=described["CreationTime"],
            modified=described["LastModifiedTime"],
            definition=deployed_text,
            role_arn=str(described.get("RoleArn", "")),
            execution_role=execution_role,
            job_roles=job_roles,
        )

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
    #: the stacks of StackSet instances, "account/region" -> state
    instances: dict[str, StackState] = field(default_factory=dict)
    #: member account -> its inventory
    member_inventories: dict[str, Inventory] = field(default_factory=dict)


#: Resource types that create what ``Inventory`` lists: (type, its field).
_INVENTORIED = (
    ("AWS::IAM::Role", "roles"),
    ("AWS::IAM::ManagedPolicy", "managed_policies"),
    ("AWS::Organizations::Policy", "scps"),
    ("AWS::CloudFormation::StackSet", "stack_sets"),
    ("AWS::SageMaker::Pipeline", "pipelines"),
)


def _inventory_problems(
    where: str, now: Inventory, baseline: Inventory, stacks: Sequence[StackState]
) -> list[str]:
    """``now`` is exactly ``baseline`` plus what ``stacks`` created, and the roles that
    were there before are unchanged."""
    created = {
        kind: {
            physical
            for state in stacks
            for t, physical in state.resources.values()
            if t == resource_type
        }
        for resource_type, kind in _INVENTORIED
    }
    problems = []
    for what, kind in (
        ("roles", "roles"),
        ("customer managed policies", "managed_policies"),
        ("SCPs", "scps"),
        ("stack sets", "stack_sets"),
        ("SageMaker pipelines", "pipelines"),
    ):
        deployed, before = set(getattr(now, kind)), set(getattr(baseline, kind))
        for message in _diff(
            f"all {what} in the account", sorted(deployed), sorted(before | created[kind])
        ):
            problems.append(f"{where}: {message}")
    names = {state.name for state in stacks}
    for message in _diff(
        "all stacks in the account", sorted(now.stacks), sorted(set(baseline.stacks) | names)
    ):
        problems.append(f"{where}: {message}")
    for name, before_role in baseline.roles.items():
        for message in _diff(f"role {name} (not the stacks')", now.roles.get(name), before_role):
            problems.append(f"{where}: {message}")
    return problems


def _checked_stack(server: MotoServer, name: str, template: Mapping[str, Any]) -> _StackChecker:
    checker = _StackChecker(server, name, template)
    try:
        checker.check()
    except Exception as error:  # e.g. an intrinsic the resolver does not know
        checker.problem("read-back", f"failed: {error!r}")
    return checker


def check_stack(
    server: MotoServer, name: str, template: Mapping[str, Any]
) -> tuple[StackState, list[str]]:
    """Compare the management account's stack ``name`` with ``template`` (a template of
    any deploy, deployed under any name): its resources only, not the inventory."""
    checker = _checked_stack(server, name, template)
    return checker.state, checker.problems


def check_deployment(
    server: MotoServer,
    outdir: Path,
    baseline: Inventory,
    member_baselines: Mapping[str, Inventory] | None = None,
    *,
    only: Collection[str] | None = None,
) -> tuple[DeployedState, list[str]]:
    """Compare the deployed stacks with the templates in ``outdir``: every difference.

    Besides each stack's resources (and each StackSet's instances' stacks in the member
    accounts): nothing else was created (the management account's inventory is the
    ``baseline`` plus exactly the stacks' roles, managed policies, SCPs and stack sets;
    each member account's is its ``member_baselines`` entry plus what its instances'
    stacks created). ``only``: check these stacks of ``outdir``, not all.
    """
    problems: list[str] = []
    stacks = {}
    instances: dict[str, StackState] = {}
    for name, template in stack_templates(outdir).items():
        if only is not None and name not in only:
            continue
        checker = _checked_stack(server, name, template)
        problems += checker.problems
        stacks[name] = checker.state
        instances.update(checker.instance_states)
    now = inventory(server)
    problems += _inventory_problems("account", now, baseline, list(stacks.values()))
    member_inventories = {}
    for account, before in (member_baselines or {}).items():
        member_inventories[account] = inventory(server, account)
        problems += _inventory_problems(
            f"account {account}",
            member_inventories[account],
            before,
            [state for state in instances.values() if state.account == account],
        )
    strays = {state.account or "" for state in instances.values()} - set(member_baselines or {})
    if member_baselines is not None and strays:
        problems.append(f"stack instances in accounts without a baseline: {sorted(strays)}")
    return DeployedState(stacks, now, instances, member_inventories), problems


def check_in_place(before: DeployedState, after: DeployedState) -> list[str]:
    """Every resource in both deploys was updated in place: same physical id, same RoleId,
    same pipeline (ARN and CreationTime; the stacks of StackSet instances in both too)."""
    problems = []
    pairs = [(name, old, after.stacks.get(name)) for name, old in before.stacks.items()]
    pairs += [
        (f"instance {key}", old, after.instances.get(key)) for key, old in before.instances.items()
    ]
    for name, old, new in pairs:
        if new is None:
            problems.append(f"{name}: stack gone after the update")
            continue
        for message in _diff("StackId (replaced?)", new.stack_id, old.stack_id):
            problems.append(f"{name}: {message}")
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
        for logical_id in sorted(set(old.pipelines) & set(new.pipelines)):
            was, now = old.pipelines[logical_id], new.pipelines[logical_id]
            for message in _diff(
                "pipeline (ARN, CreationTime; replaced, not updated in place?)",
                (now.arn, now.created),
                (was.arn, was.created),
            ):
                problems.append(f"{name}/{logical_id}: {message}")
    return problems


def check_pipeline_update(
    change: StepChange, before: DeployedState, after: DeployedState
) -> list[str]:
    """After a deploy that changed one step of a pipeline's definition: the pipeline was
    updated (in place: ``check_in_place``) and its definition differs from the previous
    one in that step's changed value only; that step's job role's policies changed and no
    other policy of any stack did (the other job roles' and the execution role's are the
    same text); every step still runs as the same role."""
    problems = []
    for name, old in before.stacks.items():
        new = after.stacks.get(name)
        if new is None or not old.pipelines:
            continue
        for logical_id, was in old.pipelines.items():
            now = new.pipelines.get(logical_id)
            where = f"{name}/{logical_id}"
            if now is None:
                problems.append(f"{where}: pipeline not read back after the update")
                continue
            if not now.modified > was.modified:
                problems.append(
                    f"{where}: LastModifiedTime {now.modified} not after {was.modified} "
                    "(the pipeline was not updated?)"
                )
            old_definition, new_definition = json.loads(was.definition), json.loads(now.definition)
            if change.found_in(new_definition) != change.value:
                problems.append(
                    f"{where}: step {change.step} {'.'.join(change.path)} is "
                    f"{change.found_in(new_definition)!r}, not the update's {change.value!r}"
                )
            try:
                expected = change.applied(old_definition)
            except (ValueError, KeyError, TypeError) as error:
                problems.append(f"{where}: the previous definition takes no such change: {error}")
                expected = old_definition
            if found := _first_difference(new_definition, expected, expected_as="expected"):
                problems.append(
                    f"{where}: the definition changed beyond {change.step}'s "
                    f"{change.path[-1]}: {found}"
                )
            problems += [
                f"{where}: {message}"
                for message in _diff(
                    "role of each step (step -> job role)", dict(now.job_roles), dict(was.job_roles)
                )
            ]
            role = now.job_roles.get(change.step)
            if role is None:
                problems.append(f"{where}: step {change.step} has no job role")
                continue
            changed = sorted(
                key
                for key in set(old.documents) | set(new.documents)
                if old.documents.get(key) != new.documents.get(key)
            )
            own = [key for key in changed if key.startswith(f"{role}/")]
            if not own:
                problems.append(f"{name}/{role}: its policy did not change with step {change.step}")
            if others := [key for key in changed if key not in own]:
                problems.append(f"{name}: policies changed besides {role}'s: {others}")
    for name, new in after.stacks.items():
        if name not in before.stacks:
            problems.append(f"{name}: a new stack")
        elif new.documents != before.stacks[name].documents and not new.pipelines:
            problems.append(f"{name}: policies changed in a stack without the pipeline")
    return problems


def check_destroyed(
    server: MotoServer,
    baseline: Inventory,
    last: DeployedState,
    member_baselines: Mapping[str, Inventory] | None = None,
) -> list[str]:
    """Nothing the stacks created is left: every inventory is back to its baseline, the
    stack sets are gone, and their instances' stacks deleted."""
    now = inventory(server)
    problems = _inventory_problems("account after destroy", now, baseline, [])
    for account, before in (member_baselines or {}).items():
        problems += _inventory_problems(
            f"account {account} after destroy", inventory(server, account), before, []
        )
    iam, orgs, cfn, sagemaker = (
        server.client(name) for name in ("iam", "organizations", "cloudformation", "sagemaker")
    )
    lookups: dict[str, Callable[[str], Any]] = {
        "AWS::IAM::Role": lambda p: iam.get_role(RoleName=p),
        "AWS::IAM::ManagedPolicy": lambda p: iam.get_policy(PolicyArn=p),
        "AWS::Organizations::Policy": lambda p: orgs.describe_policy(PolicyId=p),
        "AWS::CloudFormation::StackSet": lambda p: cfn.describe_stack_set(StackSetName=p),
        "AWS::SageMaker::Pipeline": lambda p: sagemaker.describe_pipeline(PipelineName=p),
    }
    for stack in last.stacks.values():
        for logical_id, (resource_type, physical_id) in stack.resources.items():
            lookup = lookups.get(resource_type)
            if lookup is None:
                continue
            try:
                lookup(physical_id)
            except ClientError:
                continue
            problems.append(f"{stack.name}/{logical_id}: {physical_id} still exists")
            if resource_type == "AWS::CloudFormation::StackSet":
                instances = _pages(
                    cfn, "list_stack_instances", "Summaries", StackSetName=physical_id
                )
                problems += [f"{stack.name}/{logical_id}: instance {i} left" for i in instances]
    for key, state in last.instances.items():
        account, region = key.split("/")
        member = server.client("cloudformation", account, region)
        try:
            status = member.describe_stacks(StackName=state.stack_id)["Stacks"][0]["StackStatus"]
        except ClientError:
            continue  # not found: deleted
        if status != "DELETE_COMPLETE":
            problems.append(f"instance {key}: its stack {state.name} is {status}")
        member_iam = server.client("iam", account, region)
        for logical_id, (resource_type, physical_id) in state.resources.items():
            if resource_type != "AWS::IAM::Role":
                continue
            with contextlib.suppress(ClientError):
                member_iam.get_role(RoleName=physical_id)
                problems.append(f"instance {key}/{logical_id}: role {physical_id} still exists")
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
    #: each member account before the first deploy (or, if created later, on creation)
    member_baselines: dict[str, Inventory] = field(default_factory=dict)
    organization: Organization | None = None
    #: the account created and moved into and out of a StackSet's OU (auto-deployment)
    late_account: str = ""
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
PHASES = (
    "bootstrap",
    "deploy initial",
    "deploy update",
    "deploy reprefix",
    "destroy",
    "deploy stackset",
    "deploy stackset-update",
    "stackset auto-deployment",
    "destroy stackset",
    "deploy pipeline",
    "deploy pipeline-update",
    "destroy pipeline",
)


def _deploy(
    server: MotoServer,
    workdir: Path,
    result: RoundTrip,
    deployment: Deployment,
    previous: DeployedState | None,
    *,
    env: Mapping[str, str],
    timeout: float,
    echo: Echo,
) -> DeployedState:
    """One ``cdk deploy --all``, read back (and checked in place against ``previous``)."""
    assert result.baseline is not None
    with result.phase(f"deploy {deployment.name}") as phase:
        echo(f"--- deploy {deployment.name}: {deployment.changes}")
        outdir = workdir / f"cdk.out.{deployment.name}"
        run(
            [str(CDK), "deploy", "--all", "--require-approval", "never",
             "--no-previous-parameters", "--output", str(outdir),
             *context_args(deployment.context)],
            env=env, timeout=timeout, echo=echo,
        )  # fmt: skip
        state, problems = check_deployment(server, outdir, result.baseline, result.member_baselines)
        phase.problems += problems
        if previous is not None:
            phase.problems += check_in_place(previous, state)
            if deployment.check_change is not None:
                phase.problems += deployment.check_change(previous, state)
        result.states[deployment.name] = state
        result.templates[deployment.name] = stack_templates(outdir)
        result.outdirs[deployment.name] = outdir
    return state


def _destroy(
    server: MotoServer,
    workdir: Path,
    result: RoundTrip,
    name: str,
    context: Mapping[str, str],
    last: DeployedState,
    *,
    env: Mapping[str, str],
    timeout: float,
    echo: Echo,
) -> None:
    assert result.baseline is not None
    with result.phase(name) as phase:
        run(
            [str(CDK), "destroy", "--all", "--force",
             "--output", str(workdir / f"cdk.out.{name.replace(' ', '-')}"),
             *context_args(context)],
            env=env, timeout=timeout, echo=echo,
        )  # fmt: skip
        phase.problems += check_destroyed(server, result.baseline, last, result.member_baselines)


def check_auto_deployment(server: MotoServer, result: RoundTrip, outdir: Path) -> list[str]:
    """An account created and moved into a StackSet's OU gets its stack (read back like the
    others); moved out again, it loses the stack and its roles (not retained)."""
    assert result.baseline is not None and result.organization is not None
    organization = result.organization
    orgs = server.client("organizations")
    target_ou = organization.ou_ids[0]
    late = result.late_account = create_member_account(
        orgs, "workload-late", organization.root_id, organization.root_id
    )
    result.member_baselines[late] = inventory(server, late)
    problems = []
    for destination, source, wanted in (
        (target_ou, organization.root_id, True),
        (organization.root_id, target_ou, False),
    ):
        orgs.move_account(AccountId=late, SourceParentId=source, DestinationParentId=destination)
        state, found = check_deployment(server, outdir, result.baseline, result.member_baselines)
        moved = "into" if wanted else "out of"
        problems += [f"account {late} moved {moved} {target_ou}: {p}" for p in found]
        has_instance = any(s.account == late for s in state.instances.values())
        if has_instance != wanted:
            problems.append(
                f"account {late} moved {moved} {target_ou}: "
                f"{'no' if wanted else 'still a'} stack instance"
            )
    return problems


def round_trip(
    server: MotoServer, workdir: Path, *, echo: Echo = print, timeout: float | None = None
) -> RoundTrip:
    """Bootstrap; deploy each of ``deployments()``, destroy; deploy each of
    ``stackset_deployments()``, check auto-deployment, destroy; deploy each of
    ``pipeline_deployments()``, destroy; read back after each step.

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
        result.baseline = inventory(server)
        result.member_baselines = {
            account: inventory(server, account) for account in organization.member_accounts
        }
        for sequence, destroy in (
            (deployments(result.account, organization), "destroy"),
            (stackset_deployments(result.account, organization), "destroy stackset"),
            (pipeline_deployments(result.account, organization, workdir), "destroy pipeline"),
        ):
            previous: DeployedState | None = None
            for deployment in sequence:
                previous = _deploy(
                    server, workdir, result, deployment, previous,
                    env=env, timeout=timeout or DEPLOY_TIMEOUT, echo=echo,
                )  # fmt: skip
            assert previous is not None
            if destroy == "destroy stackset":
                with result.phase("stackset auto-deployment") as phase:
                    echo("--- stackset auto-deployment: an account moved into and out of an OU")
                    phase.problems += check_auto_deployment(
                        server, result, result.outdirs[sequence[-1].name]
                    )
            _destroy(
                server, workdir, result, destroy, sequence[-1].context, previous,
                env=env, timeout=timeout or DESTROY_TIMEOUT, echo=echo,
            )  # fmt: skip
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
        help="leave one of tests/integ/moto_patches.py's patches out, to see what it is for",
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
