"""Compare the recorded calls with the access plan and the grants: denied calls and their
fixes, plan misses, and grants the executions never used.

:class:`Reconciler` takes one record at a time and keeps counts and a few examples per
finding, never the records: memory grows with the number of distinct findings, not with
the trail.
"""

from __future__ import annotations

import fnmatch
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from ...core.notices import MANIFEST_UNDECLARED
from ...core.plan import EXECUTION_ROLE, PlannedCall
from .calls import Call, action_of, calls_of
from .grants import Grant
from .matching import Owner, owner_of, planned_steps, predicted, steps_of
from .pipelines import PipelineModel, RoleModel
from .trail import Record

#: How many example event ids and resources each finding keeps.
EXAMPLES = 3
#: Distinct other principals counted by name; the rest are counted together.
PRINCIPAL_LIMIT = 200

#: Actions CloudTrail records only as data events, which a trail logs only when asked
#: (AWS pages "Logging data events",
#: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html,
#: and "Logging Amazon S3 API calls using AWS CloudTrail",
#: https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html).
S3_DATA_ACTIONS = frozenset({"s3:getobject", "s3:putobject", "s3:abortmultipartupload",
                             "s3:deleteobject", "s3:listbucket", "s3:getobjectversion"})
LAMBDA_DATA_ACTIONS = frozenset({"lambda:invokefunction"})
#: High-volume calls a trail may hold only as data events, or not at all; no AWS page is
#: relied on for which: a family counts as not visible only when the records hold no event
#: of it at all, from any principal (then its grants are kept apart, never "unused"), and
#: is judged like any other call where they do. Action -> the resources whose data events
#: would show it.
DATA_EVENT_CANDIDATES = {"logs:PutLogEvents": "CloudWatch Logs log streams",
                         "cloudwatch:PutMetricData": "CloudWatch metrics"}
_CANDIDATES = {action.lower(): action for action in DATA_EVENT_CANDIDATES}
#: Their event names, looked at before the action is worked out (every record passes).
_CANDIDATE_NAMES = frozenset(("PutLogEvents", "PutMetricData"))
#: Where the data-event resource types are listed.
DATA_EVENTS_PAGE = ("https://docs.aws.amazon.com/awscloudtrail/latest/userguide/"
                    "logging-data-events-with-cloudtrail.html")

#: What the user changes for a denied call (``condition``: the role's statement allows
#: the call under a condition, which the reconciliation does not evaluate).
FIX_KINDS = ("parameter_values", "manifest_locations", "keep_roles_for", "kept_role",
             "condition", "other_policy", "library_defect")


@dataclass
class Evidence:
    """How many records show a finding, and the first few."""

    count: int = 0
    event_ids: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    first_time: str = ""

    def add(self, record: Record) -> None:
        self.count += 1
        if len(self.event_ids) < EXAMPLES:
            self.event_ids.append(record.event_id)
            if record.file not in self.files:
                self.files.append(record.file)
        if not self.first_time or (record.time and record.time < self.first_time):
            self.first_time = record.time


@dataclass
class Denial:
    """A refused call by one of the pipeline's roles, and its fix."""

    pipeline: str
    role: str
    steps: list[str]
    action: str
    resource: str
    error_code: str
    because: str
    planned: bool
    fix_kind: str
    fix: str
    statement: dict[str, str]
    evidence: Evidence = field(default_factory=Evidence)


@dataclass
class PlanMiss:
    """A call the access plan did not predict for its step."""

    pipeline: str
    role: str
    steps: list[str]
    action: str
    outcome: str
    kind: str
    explanation: str
    resources: list[str] = field(default_factory=list)
    evidence: Evidence = field(default_factory=Evidence)


@dataclass
class GrantUse:
    """One (action, resource) pair a role is granted, and what the records say of it.

    ``status``: ``used``; ``unused`` (its steps ran and never made the call: a candidate
    to drop); ``not_exercisable`` (its steps did not run, or the call is made only when an
    execution stops or an upload fails); ``not_visible`` (the records cannot show the
    call: S3 or Lambda data events off for its resource, or no event of its kind in the
    records at all).
    """

    pipeline: str
    role: str
    action: str
    resource: str
    sid: str
    status: str
    reason: str
    steps: list[str]
    count: int = 0


@dataclass
class StepRun:
    name: str
    type: str
    ran: bool
    records: int


@dataclass
class PipelineResult:
    name: str
    source: str
    roles: list[dict[str, object]]
    steps: list[StepRun]
    executions: list[str]
    records: int
    denied: list[Denial]
    plan_misses: list[PlanMiss]
    grants: list[GrantUse]

    @property
    def unused(self) -> list[GrantUse]:
        """The grants the recorded executions could have used and did not."""
        return [g for g in self.grants if g.status == "unused"]


@dataclass
class Result:
    """The reconciliation of every pipeline with the records read."""

    files: int
    records: int
    ignored: int
    ignored_principals: dict[str, int]
    data_event_buckets: list[str]
    lambda_data_events: bool
    visibility: list[str]
    pipelines: list[PipelineResult]


class Reconciler:
    """Feed records with :meth:`add`; read the result with :meth:`result`."""

    def __init__(self, models: Sequence[PipelineModel]) -> None:
        self.models = list(models)
        self.files = 0
        self.records = 0
        self.ignored = 0
        self.principals: Counter[str] = Counter()
        self.buckets: set[str] = set()
        self.lambda_data = False
        #: The data-event candidate families any record shows.
        self.families: set[str] = set()
        self.executions: dict[str, set[str]] = {m.name: set() for m in models}
        self.pipeline_records: Counter[str] = Counter()
        self.step_records: dict[str, Counter[str]] = {m.name: Counter() for m in models}
        self.used: dict[int, Counter[int]] = {}
        self.denied: dict[tuple[str, str, str, str], Denial] = {}
        self.misses: dict[tuple[str, str, str, str], PlanMiss] = {}
        self._owners: dict[str, list[Owner]] = {}

    # -- feeding ----------------------------------------------------------------------

    def add(self, record: Record) -> None:
        """Take one record into account."""
        self.records += 1
        self._visibility(record)
        self._execution(record)
        owners = self._owners.get(record.role_arn)
        if owners is None:
            owners = owner_of(self.models, record.role_arn)
            if len(self._owners) < PRINCIPAL_LIMIT:
                self._owners[record.role_arn] = owners
        if not owners:
            self.ignored += 1
            key = record.principal if (record.principal in self.principals or len(
                self.principals) < PRINCIPAL_LIMIT) else "(other principals)"
            self.principals[key] += 1
            return
        self.pipeline_records[owners[0].pipeline.name] += 1
        for call in calls_of(record):
            owner = self._owner(owners, call)
            self._take(owner, record, call)

    def _visibility(self, record: Record) -> None:
        if record.name in _CANDIDATE_NAMES:
            family = _CANDIDATES.get(action_of(record).lower())
            if family is not None:
                self.families.add(family)
        if record.category != "Data":
            return
        if record.source.startswith("lambda."):
            self.lambda_data = True
        for kind, arn in record.resources:
            if kind == "AWS::S3::Bucket":
                self.buckets.add(arn.rsplit(":", 1)[-1])
        bucket = record.request.get("bucketName")
        if isinstance(bucket, str):
            self.buckets.add(bucket)

    def _execution(self, record: Record) -> None:
        if record.name != "StartPipelineExecution" or record.error_code:
            return
        name = str(record.request.get("pipelineName", "")).rsplit("/", 1)[-1]
        arn = record.response.get("pipelineExecutionArn")
        if name in self.executions and isinstance(arn, str):
            self.executions[name].add(arn)

    @staticmethod
    def _owner(owners: list[Owner], call: Call) -> Owner:
        # A role pipelines share: the pipeline whose step scopes hold the call.
        for owner in owners:
            if steps_of(owner.pipeline, owner.role, call) and predicted(
                    owner.pipeline, owner.role, call):
                return owner
        return owners[0]

    def _take(self, owner: Owner, record: Record, call: Call) -> None:
        model, role = owner.pipeline, owner.role
        steps = steps_of(model, role, call)
        for step in steps if len(steps) == 1 or EXECUTION_ROLE not in role.serves else ():
            self.step_records[model.name][step] += 1
        allowing = [i for i, grant in enumerate(role.grants)
                    if grant.allows(call.action, call.resource)]
        if not call.denied:
            used = self.used.setdefault(id(role), Counter())
            for index in allowing:
                used[index] += 1
        planned = predicted(model, role, call) if not call.implied else None
        if call.denied:
            self._deny(model, role, steps, record, call, planned is not None,
                       [role.grants[i] for i in allowing])
        if planned is None and not call.implied:
            self._miss(model, role, steps, record, call, [role.grants[i] for i in allowing])

    def _deny(self, model: PipelineModel, role: RoleModel, steps: list[str], record: Record,
              call: Call, planned: bool, allowing: list[Grant]) -> None:
        key = (model.name, role.label, call.action, call.resource)
        denial = self.denied.get(key)
        if denial is None:
            kind, fix = _fix(model, role, steps, call, planned, allowing)
            denial = Denial(model.name, role.label, steps, call.action, call.resource,
                            record.error_code, call.because, planned, kind, fix,
                            {"Effect": "Allow", "Action": call.action,
                             "Resource": call.resource or "*"})
            self.denied[key] = denial
        denial.evidence.add(record)

    def _miss(self, model: PipelineModel, role: RoleModel, steps: list[str], record: Record,
              call: Call, allowing: list[Grant]) -> None:
        outcome = "denied" if call.denied else ("failed: " + record.error_code
                                                 if record.error_code else "succeeded")
        key = (model.name, role.label, call.action, outcome)
        miss = self.misses.get(key)
        if miss is None:
            kind, explanation = _miss_kind(model, role, call, allowing)
            miss = PlanMiss(model.name, role.label, steps, call.action, outcome, kind,
                            explanation)
            self.misses[key] = miss
        if call.resource and call.resource not in miss.resources and len(
                miss.resources) < EXAMPLES:
            miss.resources.append(call.resource)
        miss.evidence.add(record)

    # -- the result -------------------------------------------------------------------

    def result(self) -> Result:
        """What the records fed so far show."""
        pipelines = [self._pipeline(model) for model in self.models]
        return Result(self.files, self.records, self.ignored, dict(self.principals),
                      sorted(self.buckets), self.lambda_data, self._visibility_notes(),
                      pipelines)

    def _visibility_notes(self) -> list[str]:
        notes = ["Visible: management events (SageMaker create, describe and stop calls, "
                 "ECR, CloudWatch Logs groups and streams, KMS, EC2, IAM); a job role's "
                 "calls as its AssumedRole sessions."]
        if self.buckets:
            notes.append("S3 data events were recorded for: " + ", ".join(
                sorted(self.buckets)) + "; object calls on other buckets are not visible.")
        else:
            notes.append("No S3 data events: S3 object calls (GetObject, PutObject, "
                         "ListBucket...) are not visible. Turn on data events for the "
                         "pipeline's buckets (an advanced event selector with "
                         "eventCategory Data and resources.type AWS::S3::Object) to see "
                         "them.")
        if not self.lambda_data:
            notes.append("No Lambda data events: lambda:InvokeFunction (Lambda steps) is "
                         "not visible; turn on data events for resources.type "
                         "AWS::Lambda::Function to see it.")
        for family, resources in DATA_EVENT_CANDIDATES.items():
            if family not in self.families:
                notes.append(f"No {family} events: the trail holds no such "
                             "events: CloudTrail may record them only as data events, or "
                             f"not at all; turn on data events for {resources} to see them "
                             f"({DATA_EVENTS_PAGE}).")
        return notes

    def _pipeline(self, model: PipelineModel) -> PipelineResult:
        ran = self.step_records[model.name]
        steps = [StepRun(name, kind.value, ran[name] > 0, ran[name])
                 for name, kind in model.steps]
        grants = [use for role in model.roles for use in self._grants(model, role, ran)]
        return PipelineResult(
            model.name, model.source,
            [{"role": role.label, "plays": role.serves, "made_by_library": role.library,
              "grants": len(role.grants)} for role in model.roles],
            steps, sorted(self.executions[model.name]), self.pipeline_records[model.name],
            [d for d in self.denied.values() if d.pipeline == model.name],
            [m for m in self.misses.values() if m.pipeline == model.name], grants)

    def _grants(self, model: PipelineModel, role: RoleModel, ran: Counter[str]
                ) -> list[GrantUse]:
        used = self.used.get(id(role), Counter())
        seen: set[tuple[str, str]] = set()
        uses = []
        for index, grant in enumerate(role.grants):
            if (grant.action, grant.resource) in seen:
                continue
            seen.add((grant.action, grant.resource))
            planned = [p for p in model.plan if p.role in role.serves
                       and grant.allows(p.action, p.resource)]
            steps = list(dict.fromkeys(s for p in planned for s in planned_steps(model, p)))
            if not steps:
                steps = [s for r in role.serves if r != EXECUTION_ROLE
                         for s in model.plan_role_steps(r)]
            status, reason = self._status(grant, used[index], planned, steps, ran)
            uses.append(GrantUse(model.name, role.label, grant.action, grant.resource,
                                 grant.sid, status, reason, steps, used[index]))
        return uses

    def _status(self, grant: Grant, count: int, planned: list[PlannedCall], steps: list[str],
                ran: Counter[str]) -> tuple[str, str]:
        if count:
            return "used", f"{count} recorded call(s)"
        action = grant.action.lower()
        family = _CANDIDATES.get(action)
        if family is not None and family not in self.families:
            return "not_visible", ("the trail holds no such events: CloudTrail may record "
                                   "them only as data events, or not at all; turn on data "
                                   f"events for {DATA_EVENT_CANDIDATES[family]} to see them")
        if action in S3_DATA_ACTIONS and not self._bucket_visible(grant.resource):
            return "not_visible", ("an S3 data event: no data events recorded for this "
                                   "bucket; turn them on to see it")
        if action in LAMBDA_DATA_ACTIONS and not self.lambda_data:
            return "not_visible", "a Lambda data event: no Lambda data events recorded"
        if steps and not any(ran[s] for s in steps):
            return "not_exercisable", (f"no record shows step {', '.join(steps)} ran (a "
                                       "branch not taken, or a step that did not run)")
        if planned and all(p.alternate_spelling for p in planned):
            return "not_exercisable", ("the lower-cased spelling of a name, kept while "
                                       "whether SageMaker lower-cases names in ARNs is "
                                       "unconfirmed")
        whys = [p.why for p in planned]
        if whys and all("when the execution stops" in w for w in whys):
            return "not_exercisable", "made only when an execution is stopped"
        if whys and all("failed multipart upload" in w for w in whys):
            return "not_exercisable", "made only when a multipart upload fails"
        return "unused", "its step ran and never made this call"

    def _bucket_visible(self, resource: str) -> bool:
        bucket = resource.split(":::", 1)[-1].split("/", 1)[0]
        return any(_wild_match(bucket, seen) for seen in self.buckets)


def _wild_match(pattern: str, name: str) -> bool:
    return fnmatch.fnmatchcase(name, pattern.replace("${AWS::AccountId}", "*"))


_OTHER_POLICIES = ("explicit deny", "service control policy", "resource control policy",
                   "resource-based policy", "permissions boundary", "session policy")


def _fix(model: PipelineModel, role: RoleModel, steps: list[str], call: Call, planned: bool,
         allowing: list[Grant]) -> tuple[str, str]:
    """What the user changes to get a denied call: (one of :data:`FIX_KINDS`, in words)."""
    statement = json.dumps({"Effect": "Allow", "Action": call.action,
                            "Resource": call.resource or "*"})
    if any(words in call.because for words in _OTHER_POLICIES):
        return "other_policy", (f"not the role's policy: the message says {call.because}; "
                                "change that policy (an SCP or RCP: exempt the role, as "
                                "OrgScp's exempt() does)")
    if not role.library:
        return "kept_role", (f"the role {role.label} is yours (kept, not made by "
                             f"sm-pipeline-iam): add {statement} to it")
    conditioned = [grant for grant in allowing if grant.condition]
    if allowing and len(conditioned) == len(allowing):
        grant = conditioned[0]
        keys = ", ".join(condition_keys(grant.condition))
        return "condition", (
            f"the role's statement {grant.sid or '(no sid)'} allows {grant.action} on "
            f"{grant.resource} only when its condition holds ({grant.condition}); the "
            f"record does not say which condition failed, nor whether another policy "
            f"denied it: check the request's {keys} against it, then the SCPs, RCPs, "
            "resource policies and permissions boundaries")
    if allowing:
        return "other_policy", (f"the role's statement {allowing[0].sid or '(no sid)'} "
                                f"allows {allowing[0].action} on {allowing[0].resource} "
                                "without a condition: another policy denied it (an SCP, "
                                "RCP, resource policy or permissions boundary)")
    if planned:
        s3_read = call.action in ("s3:GetObject", "s3:ListBucket")
        for job in model.reading.jobs:
            if job.step in steps and s3_read and any(
                    n.id == MANIFEST_UNDECLARED for n in job.notices):
                folder = _s3_folder(call.resource)
                return "manifest_locations", (
                    f"step {job.step} reads a manifest's objects: declare where they lie, "
                    f'manifest_locations={{"{job.step}": ["{folder}"]}}')
        for parameter in model.reading.parameters:
            if parameter.scope in ("default", "bound") and any(
                    f"step '{step}'" in text for step in steps for text in parameter.fields):
                value = _s3_uri(call.resource) or call.resource
                values = json.dumps([*parameter.values, value])
                return "parameter_values", (
                    f"parameter {parameter.name} is scoped to {', '.join(parameter.values)}"
                    f"; bind the values executions use: "
                    f'parameter_values={{"{parameter.name}": {values}}}')
        return "library_defect", ("the plan predicts this call but the role's grant does "
                                  "not cover this resource: report it to sm-pipeline-iam "
                                  "with this record")
    if EXECUTION_ROLE not in role.serves and not _library_service(model, role, call):
        return "keep_roles_for", (
            f"the job's own code calls {call.action.split(':')[0]}: give step "
            f"{', '.join(steps)} a role of yours that grants {statement}, with "
            f"keep_roles_for={json.dumps(steps)}")
    return "library_defect", ("the library does not know this call: report it to "
                              f"sm-pipeline-iam with this record; meanwhile add {statement} "
                              "to the role")


def condition_keys(condition: str) -> list[str]:
    """The condition keys of a grant's condition text (``StringEquals
    iam:PassedToService = sagemaker.amazonaws.com; ...``), in order, once each."""
    return list(dict.fromkeys(part.split()[1] for part in condition.split("; ")
                              if len(part.split()) > 1))


def _library_service(model: PipelineModel, role: RoleModel, call: Call) -> bool:
    service = call.action.split(":", 1)[0]
    return any(p.role in role.serves and p.action.split(":", 1)[0] == service
               for p in model.plan)


def _miss_kind(model: PipelineModel, role: RoleModel, call: Call, allowing: list[Grant]
               ) -> tuple[str, str]:
    if call.denied:
        return "library_gap", ("the run needed a call the plan does not hold: a gap in the "
                               "library's knowledge (or the job's own code)")
    if allowing:
        return "grant_from_elsewhere", (
            f"allowed by the role's statement {allowing[0].sid or '(no sid)'} "
            f"({allowing[0].action} on {allowing[0].resource}), which the plan does not "
            "account for" + ("" if role.library else " (a role of yours)"))
    return "grant_from_elsewhere", ("no grant of the role in the input allows it: a "
                                    "resource-based policy (bucket, key, repository) or a "
                                    "policy attached outside it")


def _s3_uri(resource: str) -> str:
    return "s3://" + resource.split(":::", 1)[1] if resource.startswith("arn:aws") and (
        ":s3:::" in resource) else ""


def _s3_folder(resource: str) -> str:
    uri = _s3_uri(resource)
    return uri.rsplit("/", 1)[0] + "/" if uri.count("/") > 3 else uri
