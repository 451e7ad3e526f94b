"""Rehearse a deploy of any CDK app, offline: the real CDK CLI against a local moto server.

:func:`rehearse` synthesizes the app (or takes a synthesized cloud assembly), then:

1. **bootstrap**: ``cdk bootstrap`` of every environment its stacks name (an account the
   app leaves open is moto's default one, which also deploys). Each account is
   bootstrapped with its own credentials; the others trust the default account (``--trust``
   and ``--cloudformation-execution-policies``, as a CI account deploys to workload
   accounts), and the CLI reaches them through their deploy roles;
2. **organization**: for each account whose stacks hold an SCP or RCP, a stand-in
   organization whose root, OUs and accounts have the ids the templates target;
3. **deploy**: ``cdk deploy '**'`` (every stack, those of stages too) of the assembly; then
   every stack is read back against its template (:mod:`.readback`), and nothing else was
   created in any account;
4. **destroy**: ``cdk destroy '**' --force``; nothing the stacks created is left.

What moto cannot model is said with the result (:mod:`.limits`).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..core.cfn import PARTITION, REGION
from . import _stand_ins
from ._process import CommandFailed, Echo, run
from .cdk_cli import BOOTSTRAP_TIMEOUT, DEPLOY_TIMEOUT, DESTROY_TIMEOUT, cli_env
from .inventory import Inventory, inventory
from .limits import cannot_model, unmodelled_types
from .phases import Phase, report_phases, timed
from .readback import (
    DeployedState,
    StackArtifact,
    check_bootstrap,
    check_deployment,
    check_destroyed,
    stack_artifacts,
)
from .server import MotoServer

#: The phases of a rehearsal, in order.
PHASES = ("synth", "bootstrap", "organization", "deploy", "destroy")
#: What the accounts the default account deploys to let its deployment roles do.
EXECUTION_POLICY = f"arn:{PARTITION}:iam::aws:policy/AdministratorAccess"
#: The ids an SCP or RCP may target.
_ROOT, _OU, _ACCOUNT = (re.compile(p) for p in (
    r"r-[a-z0-9]{4,32}", r"ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}", r"[0-9]{12}"))


@dataclass
class Rehearsal:
    """A rehearsal's result."""

    #: the default account (moto's): it deploys, and holds the stacks the app left open
    account: str = ""
    #: the cloud assembly deployed
    assembly: Path | None = None
    stacks: list[StackArtifact] = field(default_factory=list)
    phases: dict[str, Phase] = field(default_factory=dict)
    #: the state read back after the deploy
    deployed: DeployedState | None = None
    #: what moto cannot model, for this app
    limits: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Every phase ran, and none failed or found a difference."""
        return list(self.phases) == list(PHASES) and all(p.ok for p in self.phases.values())


def _environments(stacks: Sequence[StackArtifact], default: str) -> list[tuple[str, str]]:
    """Every (account, region) the stacks deploy to, the default account for open ones."""
    return sorted({(s.account or default, s.region or REGION) for s in stacks})


def _targets(stacks: Sequence[StackArtifact], default: str) -> dict[str, list[str]]:
    """Account -> the literal target ids of the SCPs and RCPs of its stacks."""
    found: dict[str, list[str]] = {}
    for stack in stacks:
        for resource in stack.template.get("Resources", {}).values():
            if resource.get("Type") != "AWS::Organizations::Policy":
                continue
            targets = found.setdefault(stack.account or default, [])
            for target in resource.get("Properties", {}).get("TargetIds", []):
                if isinstance(target, str) and target not in targets:
                    targets.append(target)
    return found


def _stand_in_organization(
    server: MotoServer, account: str, targets: Sequence[str], ids_file: Path, default: str
) -> str:
    """An organization in ``account`` (SCPs and RCPs enabled) whose root, OUs and member
    accounts have the ``targets``' ids; a line saying what it holds."""
    ous = [t for t in targets if _OU.fullmatch(t)]
    # One root: the one targeted, else the one the first OU's id names.
    roots = [t for t in targets if _ROOT.fullmatch(t)] or (
        [f"r-{ous[0].split('-')[1]}"] if ous else [])
    members = [t for t in targets if _ACCOUNT.fullmatch(t) and t != account]
    orgs = server.client("organizations", None if account == default else account)
    # Each kind of id is offered only while its kind is made: moto makes an OU id for
    # the root and an account id for the management account too.
    ids_file.write_text(json.dumps(_stand_ins.wanted_ids(roots[:1], [], [])))
    orgs.create_organization(FeatureSet="ALL")
    root_id = orgs.list_roots()["Roots"][0]["Id"]
    for policy_type in ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"):
        orgs.enable_policy_type(RootId=root_id, PolicyType=policy_type)
    ids_file.write_text(json.dumps(_stand_ins.wanted_ids([], ous, [])))
    for number, _ in enumerate(ous):
        orgs.create_organizational_unit(ParentId=root_id, Name=f"stand-in-{number + 1}")
    ids_file.write_text(json.dumps(_stand_ins.wanted_ids([], [], members)))
    for member in members:
        orgs.create_account(Email=f"{member}@example.com", AccountName=f"stand-in-{member}")
    return (f"account {account}: a stand-in organization, root {root_id}, OUs "
            f"{', '.join(ous) or 'none'}, member accounts {', '.join(members) or 'none'}")


def rehearse(
    server: MotoServer,
    workdir: Path,
    *,
    cdk: Path,
    app: str | None = None,
    assembly: Path | None = None,
    cwd: Path,
    stand_in_ids: Path,
    echo: Echo = print,
    timeout: float | None = None,
) -> Rehearsal:
    """Rehearse the deploy of ``app`` (a command, as ``cdk --app`` takes it, run in
    ``cwd``) or of the synthesized ``assembly`` with the CDK CLI ``cdk``. ``workdir``
    gets the assembly and logs; ``stand_in_ids`` is the server's stand-in ids file.
    Stops at the first command that fails (its phase's ``error``). ``timeout`` bounds each
    CLI command (default: BOOTSTRAP_TIMEOUT, DEPLOY_TIMEOUT, DESTROY_TIMEOUT)."""
    result = Rehearsal()
    start = time.monotonic()
    env = cli_env(server, workdir, cdk)
    try:
        result.account = default = server.account
        with timed(result.phases, "synth"):
            if app is not None:
                assembly = workdir / "cdk.out"
                run([str(cdk), "synth", "--app", app, "--output", str(assembly), "--quiet",
                     "--no-notices"], cwd=cwd, env=env, timeout=timeout or DEPLOY_TIMEOUT,
                    echo=echo)
            assert assembly is not None
            result.assembly = assembly.resolve()
            result.stacks = stack_artifacts(result.assembly)
            echo(f"--- {len(result.stacks)} stacks: "
                 f"{', '.join(s.name for s in result.stacks)}")
        with timed(result.phases, "bootstrap") as phase:
            for account, region in _environments(result.stacks, default):
                own = account == default
                trust = [] if own else ["--trust", default,
                                        "--cloudformation-execution-policies", EXECUTION_POLICY]
                run([str(cdk), "bootstrap", f"aws://{account}/{region}", "--app",
                     str(result.assembly), *trust, "--no-notices"], cwd=cwd,
                    env=cli_env(server, workdir, cdk,
                                server.credentials(None if own else account)),
                    timeout=timeout or BOOTSTRAP_TIMEOUT, echo=echo)
                phase.problems += check_bootstrap(server, None if own else account, region)
        with timed(result.phases, "organization"):
            for account, targets in _targets(result.stacks, default).items():
                echo("--- " + _stand_in_organization(
                    server, account, targets, stand_in_ids, default))
        others = sorted({a for a, _ in _environments(result.stacks, default)} - {default})
        baseline = inventory(server)
        members: dict[str, Inventory] = {a: inventory(server, a) for a in others}
        kinds = {f"{s.name}/{logical_id}": str(resource.get("Type"))
                 for s in result.stacks
                 for logical_id, resource in s.template.get("Resources", {}).items()}
        unmodelled = unmodelled_types(kinds.values())
        with timed(result.phases, "deploy") as phase:
            run([str(cdk), "deploy", "**", "--app", str(result.assembly),
                 "--require-approval", "never", "--no-notices"], cwd=cwd, env=env,
                timeout=timeout or DEPLOY_TIMEOUT, echo=echo)
            result.deployed, found = check_deployment(
                server, result.assembly, baseline, members, strict=False,
                unmodelled=unmodelled)
            phase.problems += found
        unchecked = {f"{state.name}/{logical_id}": kind
                     for state in result.deployed.stacks.values()
                     for logical_id, kind in state.unchecked.items()}
        result.limits = cannot_model(kinds, unmodelled, unchecked)
        with timed(result.phases, "destroy") as phase:
            run([str(cdk), "destroy", "**", "--app", str(result.assembly), "--force",
                 "--no-notices"], cwd=cwd, env=env, timeout=timeout or DESTROY_TIMEOUT,
                echo=echo)
            phase.problems += check_destroyed(server, baseline, result.deployed, members)
    except CommandFailed:
        pass  # recorded in its phase
    finally:
        result.seconds = time.monotonic() - start
    return result


def report(result: Rehearsal, echo: Echo = print) -> None:
    """The result: each phase, the stacks deployed and read back, what moto cannot model."""
    echo(f"=== rehearsal (deploying account {result.account}): {result.seconds:.1f}s")
    report_phases(result.phases, PHASES, echo)
    if result.deployed is not None:
        echo("stacks deployed, read back and destroyed:" if result.ok else "stacks deployed:")
        for label, state in result.deployed.stacks.items():
            echo(f"  {label}: {len(state.resources)} resources")
    if result.limits:
        echo("what moto cannot model (not rehearsed here):")
        for line in result.limits:
            echo(f"  - {line}")
