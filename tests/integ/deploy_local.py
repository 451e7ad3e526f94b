#!/usr/bin/env python3
"""Deploy the sample app for real with the CDK CLI, against a local moto server.

    PYTHONPATH=tests .venv/bin/python -m integ.deploy_local [--workdir DIR] [--keep]
    (or make deploy-local DEPLOY_ARGS="--keep")

No AWS account is needed (nor used): everything goes to a moto server started here on a
free loopback port, with the library's adapter loaded (``sm_pipeline_iam.rehearse``: its
``server``, ``patches`` and ``readback`` modules; ``sm-pipeline-iam rehearse`` is the
same for any app), and the server is stopped by its PID whatever happens. This module
holds what is the sample app's own: its deploys, organization and round trip.
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
functions are used by the integration test ``tests/integ/test_deploy_round_trip.py``
(``make integ``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sm_pipeline_iam.core.cfn import REGION
from sm_pipeline_iam.core.definition.reader import all_steps
from sm_pipeline_iam.rehearse._process import CommandFailed, Echo, run
from sm_pipeline_iam.rehearse.cdk_cli import (
    BOOTSTRAP_TIMEOUT,
    DEPLOY_TIMEOUT,
    DESTROY_TIMEOUT,
    cli_env,
    context_args,
)
from sm_pipeline_iam.rehearse.compare import diff, first_difference
from sm_pipeline_iam.rehearse.inventory import Inventory, inventory
from sm_pipeline_iam.rehearse.phases import Phase, report_phases, timed
from sm_pipeline_iam.rehearse.readback import (
    DeployedState,
    check_bootstrap,
    check_deployment,
    check_destroyed,
    check_in_place,
    stack_templates,
)
from sm_pipeline_iam.rehearse.server import MotoServer, moto_server

HERE = Path(__file__).resolve().parent
#: The project root (this file is tests/integ/deploy_local.py): the CLI and the app run here.
ROOT = HERE.parent.parent
CDK = ROOT / "node_modules" / ".bin" / "cdk"

VPC_ENDPOINT_ID = "vpce-0a1b2c3d4e5f60718"


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
            if found := first_difference(new_definition, expected, expected_as="expected"):
                problems.append(
                    f"{where}: the definition changed beyond {change.step}'s "
                    f"{change.path[-1]}: {found}"
                )
            problems += [
                f"{where}: {message}"
                for message in diff(
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


# --- the round trip -------------------------------------------------------------------


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

    def phase(self, name: str) -> contextlib.AbstractContextManager[Phase]:
        return timed(self.phases, name)


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
            cwd=ROOT, env=env, timeout=timeout, echo=echo,
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
            cwd=ROOT, env=env, timeout=timeout, echo=echo,
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
    env = cli_env(server, workdir, CDK)
    try:
        result.account = server.client("sts").get_caller_identity()["Account"]
        with result.phase("bootstrap") as phase:
            run(
                [str(CDK), "bootstrap", f"aws://{result.account}/{REGION}",
                 "--output", str(workdir / "cdk.out.bootstrap"),
                 *context_args({"account": result.account, "region": REGION})],
                cwd=ROOT, env=env, timeout=timeout or BOOTSTRAP_TIMEOUT, echo=echo,
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
    report_phases(result.phases, PHASES, echo)


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
        help="leave one of sm_pipeline_iam/rehearse/patches.py's out, to see what it is for",
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

