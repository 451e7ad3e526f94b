"""The role both constructs build on: a SageMaker-trusted role whose permissions come
from :class:`~sm_pipeline_iam.core.execution_role.requirements.PipelineRequirements`.

``PipelineExecutionRole`` and ``PrefixedStepRole`` differ only in how they gather the
requirements; validation, sizing, attachment, tagging and warnings live here once.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, Union

import jsii
from aws_cdk import (
    Duration,
    IStableStringProducer,
    Lazy,
    Stack,
    Tags,
    Token,
    Tokenization,
)
from aws_cdk import aws_iam as iam
from constructs import Construct, IValidation

from ..core import naming
from ..core.catalog.steps import SAGEMAKER, StepType
from ..core.errors import Problem, raise_if_any
from ..core.execution_role import policy
from ..core.execution_role.requirements import (
    GivenResources,
    PipelineRequirements,
    role_arn_problems,
    sagemaker_pass_roles,
)
from ..core.execution_role.wildcards import wide_grant_notices
from ..core.locations import S3ObjectPattern
from ..core.notices import DEPLOY_TIME_VALUE, MIXED_CASE_PREFIX
from ..core.organization.tags import tag_problems
from ._private import role_limits, role_policies
from ._private.warnings import add_warning

if TYPE_CHECKING:
    from aws_cdk import aws_s3 as s3

#: Stands for the role's own ARN in statements until the role exists.
OWN_ARN = "${PipelineRole.Arn}"


class RoleOptions(TypedDict, total=False):
    """Options of the IAM role itself, shared by the constructs.

    Keys:
        principal_tag: ``(key, value)`` tagged on the role, for an SCP exception
            (``OrgScpException``). Default: no tag.
        role_name: the role's name. Default: a name CloudFormation generates.
        path: the role's path. Default: ``/``.
        description: the role's description. Default: one naming the step types.
        permissions_boundary: a permissions boundary. Default: none.
        max_session_duration: the longest session. Default: one hour.
    """

    principal_tag: tuple[str, str] | None
    role_name: str | None
    path: str | None
    description: str | None
    permissions_boundary: iam.IManagedPolicy | None
    max_session_duration: Duration | None


#: IAM's rules for a role's name and path, as (pattern, longest, what it takes, example),
#: from the IAM API Reference, CreateRole, Request Parameters (RoleName: ``[\w+=,.@-]+``,
#: 1 to 64 characters; Path: ``(\u002F)|(\u002F[\u0021-\u007E]+\u002F)``, 1 to 512):
#: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html. ``\w`` there is
#: ASCII letters, digits and ``_``.
_IAM_RULES: dict[str, tuple[re.Pattern[str], int, str, str]] = {
    "role_name": (re.compile(r"[\w+=,.@-]+", re.ASCII), 64,
                  "1 to 64 letters, digits and the characters _+=,.@-", "'fraud-pipeline'"),
    "path": (re.compile(r"/|/[\x21-\x7e]+/"), 512,
             "'/' alone, or printable ASCII characters without spaces between a leading and a "
             "trailing '/', 1 to 512 characters in all", "'/ml/fraud/'"),
}


def _iam_rule_problems(key: str, value: str) -> list[Problem]:
    """Why IAM's CreateRole would refuse ``value`` as the role's ``key`` (``role_name``,
    ``path``): checked here so that it is an InvalidPropsError naming the prop, not the
    CDK's own error from inside jsii."""
    pattern, longest, takes, example = _IAM_RULES[key]
    if len(value) <= longest and pattern.fullmatch(value):
        return []
    text = repr(value) if len(value) <= 80 else repr(value[:60]) + "..."
    return [Problem(key, f"invalid{'RoleName' if key == 'role_name' else 'Path'}",
                    f"{key} {text} (length {len(value)}) is not a role "
                    f"{key.removeprefix('role_')} IAM accepts: give {takes}, e.g. {example} "
                    "(IAM CreateRole)")]


def option_problems(options: Mapping[str, object]) -> list[Problem]:
    """Every problem of a role's options: an unknown key (a typo such as
    ``permission_boundary`` would otherwise be ignored) and a value of the wrong type."""
    known = sorted(RoleOptions.__annotations__)
    problems = []
    for key in options:
        if key not in known:
            import difflib  # only for a typo: keeps importing the constructs light

            close = difflib.get_close_matches(key, known, n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            problems.append(Problem(key, "unknownProp", (
                f"{key} is not a prop: {hint}(the role's own options are {', '.join(known)})"
            )))
    tag = options.get("principal_tag")
    if tag is not None:
        if isinstance(tag, tuple | list) and len(tag) == 2 and all(
            isinstance(part, str) for part in tag
        ):
            if any(is_token(part) for part in tag):
                problems.append(Problem("principal_tag", "tokenNotAccepted", (
                    f"principal_tag is {shown(tag)}, which holds a token: an SCP exception "
                    "matches the tag literally and the tag is checked against IAM's rules at "
                    "synth; give the literal key and value"
                )))
            else:
                problems.extend(tag_problems(tag[0], tag[1], prop="principal_tag"))
        else:
            problems.append(Problem("principal_tag", "notAPair", (
                f"principal_tag is {tag!r}: give a (key, value) pair of strings, e.g. "
                "('sm-pipeline-exception', 'true')"
            )))
    for key in ("role_name", "path", "description"):
        value = options.get(key)
        if value is not None and not isinstance(value, str):
            problems.append(Problem(key, "notAString", f"{key} is {value!r}: give a string"))
        elif key in _IAM_RULES and isinstance(value, str) and not is_token(value):
            problems.extend(_iam_rule_problems(key, value))
    boundary = options.get("permissions_boundary")
    if boundary is not None and not isinstance(getattr(boundary, "managed_policy_arn", None), str):
        problems.append(Problem("permissions_boundary", "notAManagedPolicy", (
            f"permissions_boundary is {shown(boundary)}: give an iam.IManagedPolicy "
            "(iam.ManagedPolicy.from_managed_policy_arn(scope, id, arn) for an existing one)"
        )))
    duration = options.get("max_session_duration")
    if duration is not None and not isinstance(duration, Duration):
        problems.append(Problem("max_session_duration", "notADuration", (
            f"max_session_duration is {shown(duration)}: give a Duration (e.g. "
            "Duration.hours(2)), 1 to 12 hours"
        )))
    return problems


# --- props: types, tokens and values known only at synthesis ---------------------------------
#
# Every construct checks the types of its props first (one problem per prop, all at once,
# before any value check could trip over a wrong type), then their values. A CDK token is a
# value the construct cannot see: the props that accept one say so in their docstrings and
# the README; the others refuse it. A token that resolves to a literal at synthesis (a
# ``Lazy``) is checked again then, on its final value (:func:`check_tokens_at_synth`).


def is_token(value: object) -> bool:
    """True when ``value`` is a string that holds a CDK token."""
    return isinstance(value, str) and Token.is_unresolved(value)


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


def _strings(value: object, depth: int = 0) -> Iterator[str]:
    """Every string inside a prop's value (lists, mappings, dataclasses, locations)."""
    if depth > 8:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _strings(key, depth + 1)
            yield from _strings(item, depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item, depth + 1)
    elif isinstance(value, JobRoleLocation):
        yield from _strings([value.bucket_name, value.prefix], depth + 1)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _strings(getattr(value, field.name), depth + 1)


def _is_fake_token(text: str) -> bool:
    """True when ``text`` looks like a token's text but holds no token this process made."""
    if "${Token[" not in text:
        return False
    if not Token.is_unresolved(text):
        return True
    try:
        Tokenization.reverse_string(text)
    except RuntimeError:  # jsii: UnrecognizedTokenKey
        return True
    return False


def fake_token_problems(props: Mapping[str, object]) -> list[Problem]:
    """One problem per prop holding text that looks like a CDK token but is none (a token's
    text copied from a template, a log or another process): it would crash synthesis."""
    problems = []
    for prop, value in props.items():
        fake = next((text for text in _strings(value) if _is_fake_token(text)), None)
        if fake is not None:
            problems.append(Problem(prop, "notAToken", (
                f"{prop} holds {fake!r}, which looks like a CDK token but is not one of this "
                "app (a token's text copied from elsewhere): give the value itself, or the CDK "
                "attribute that stands for it (e.g. bucket.bucket_name)"
            )))
    return problems


class PropTypes:
    """The types of a construct's props, checked before their values: one problem per prop
    whose value has the wrong type, naming the prop, what it got and what it takes."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, prop: str, code: str, message: str) -> None:
        self.problems.append(Problem(prop, code, message))

    def string(self, prop: str, value: object, what: str, *, optional: bool = False,
               refuse_tokens: str | None = None) -> bool:
        """A string (None too when ``optional``); ``refuse_tokens`` says why a token is not
        accepted (None: accepted)."""
        if value is None and optional:
            return True
        if not isinstance(value, str):
            self.fail(prop, "notAString", f"{prop} is {shown(value)}: give {what}")
            return False
        if refuse_tokens is not None and is_token(value):
            self.fail(prop, "tokenNotAccepted", token_refusal(prop, value, refuse_tokens))
            return False
        return True

    def boolean(self, prop: str, value: object) -> bool:
        if isinstance(value, bool):
            return True
        self.fail(prop, "notABool", f"{prop} is {shown(value)}: give True or False")
        return False

    def integer(self, prop: str, value: object, what: str) -> bool:
        """A literal int (not a bool, not a token)."""
        if isinstance(value, int) and not isinstance(value, bool) and not Token.is_unresolved(
            value
        ):
            return True
        if isinstance(value, int | float) and Token.is_unresolved(value):
            self.fail(prop, "tokenNotAccepted", token_refusal(
                prop, value, "the construct checks the number before deployment"))
        else:
            self.fail(prop, "notAnInteger", f"{prop} is {shown(value)}: give {what}")
        return False

    def instance(self, prop: str, value: object, accept: Callable[[object], bool], code: str,
                 what: str, *, optional: bool = True) -> bool:
        if (value is None and optional) or (value is not None and accept(value)):
            return True
        self.fail(prop, code, f"{prop} is {shown(value)}: give {what}")
        return False

    def sequence(self, prop: str, value: object, accept: Callable[[object], bool], code: str,
                 what: str, example: str, *, optional: bool = False,
                 refuse_tokens: str | None = None) -> bool:
        """A list (not a string) whose every item ``accept``s; ``what`` names the items."""
        if value is None and optional:
            return True
        if isinstance(value, str | bytes) or not isinstance(value, Sequence):
            self.fail(prop, "notAList",
                      f"{prop} is {shown(value)}: give a list of {what} (e.g. {example})")
            return False
        bad = [item for item in value if not accept(item)]
        if bad:
            listed = ", ".join(shown(item) for item in bad[:3])
            more = f" and {len(bad) - 3} more" if len(bad) > 3 else ""
            self.fail(prop, code, f"{prop} holds {listed}{more}: give a list of {what} "
                      f"(e.g. {example})")
            return False
        tokens = [item for item in value if is_token(item)]
        if refuse_tokens is not None and tokens:
            self.fail(prop, "tokenNotAccepted", token_refusal(prop, tokens[0], refuse_tokens))
            return False
        return True

    def strings(self, prop: str, value: object, what: str, example: str, *,
                refuse_tokens: str | None = None) -> bool:
        return self.sequence(prop, value, _is_str, "notAString", what, example,
                             refuse_tokens=refuse_tokens)

    def step_types(self, prop: str, value: object, *, optional: bool = False) -> bool:
        return self.sequence(
            prop, value, lambda item: isinstance(item, StepType | str), "notAStepType",
            "step types (StepType members or their 'Type' strings)", "['Processing', 'Training']",
            optional=optional,
        )

    def roles(self, prop: str, value: object) -> bool:
        if not self.sequence(
            prop, value, is_role, "notARole",
            "roles (iam.IRole; an existing role by iam.Role.from_role_arn(scope, id, arn))",
            "[iam.Role.from_role_arn(stack, 'StepRole', 'arn:aws:iam::111122223333:role/step')]",
        ):
            return False
        assert isinstance(value, Sequence)
        # An imported role/* would be passed as every role of the account.
        problems = role_arn_problems(prop, [role.role_arn for role in value])
        self.problems += problems
        return not problems

    def principals(self, prop: str, value: object) -> bool:
        return self.sequence(
            prop, value, is_principal, "notAPrincipal",
            "roles, users or groups (iam.IRole, iam.IUser, iam.IGroup; an existing role by "
            "iam.Role.from_role_arn(scope, id, arn))",
            "[research_group]",
        )

    def locations(self, prop: str, value: object) -> bool:
        return self.sequence(prop, value, is_location, "notAnS3Location", LOCATION_FORMS,
                             "['s3://ml-artifacts/evaluation']")

    def given_resources(self, prop: str, value: object) -> bool:
        """None or a GivenResources whose every field is a list of strings (S3 locations in
        the forms of :data:`LOCATION_FORMS` for ``cleanup_locations``)."""
        if value is None:
            return True
        if not isinstance(value, GivenResources):
            self.fail(prop, "notGivenResources", (
                f"{prop} is {shown(value)}: give GivenResources(lambda_function_arns=[...], "
                "...), from sm_pipeline_iam"
            ))
            return False
        ok = True
        for field in dataclasses.fields(GivenResources):
            items = getattr(value, field.name)
            if field.name == "cleanup_locations":
                ok &= self.sequence(field.name, items, is_location, "notAnS3Location",
                                    LOCATION_FORMS, "['s3://ml-artifacts/tmp']")
            else:
                what, example = _GIVEN_ITEMS.get(field.name, ("strings", "[...]"))
                ok &= self.strings(field.name, items, what, example)
        return ok

    def raise_if_any(self, construct: str, construct_id: str, props: Mapping[str, object],
                     options: Mapping[str, object] | None = None) -> None:
        """Raise :class:`InvalidPropsError` with the type problems, the look-alike tokens of
        the other props and (with any of those) the role options' problems."""
        bad = {problem.prop for problem in self.problems}
        problems = [*self.problems,
                    *fake_token_problems({k: v for k, v in props.items() if k not in bad})]
        if problems and options is not None:
            problems += option_problems(options)
        raise_if_any(construct, construct_id, problems)


#: What each GivenResources field holds, and an example, for messages.
_GIVEN_ITEMS = {
    "lambda_function_arns": (
        "function ARNs", "['arn:aws:lambda:us-east-1:111122223333:function:score']"),
    "callback_queue_arns": ("queue ARNs", "['arn:aws:sqs:us-east-1:111122223333:approvals']"),
    "emr_cluster_ids": ("EMR cluster ids", "['j-1ABCDEFGHIJKL']"),
    "emr_serverless_application_ids": ("EMR Serverless application ids", "['00fabcdefghijk']"),
    "emr_role_arns": ("role ARNs", "['arn:aws:iam::111122223333:role/emr-step']"),
    "emr_serverless_role_arns": ("role ARNs", "['arn:aws:iam::111122223333:role/emr-job']"),
}


def _is_str(value: object) -> bool:
    return isinstance(value, str)


def is_role(value: object) -> bool:
    """Duck-typed ``iam.IRole`` (jsii interfaces cannot be checked with ``isinstance``)."""
    return isinstance(getattr(value, "role_arn", None), str) and hasattr(value, "grant_pass_role")


def is_principal(value: object) -> bool:
    """Duck-typed ``iam.IPrincipal``."""
    return hasattr(value, "add_to_principal_policy") and hasattr(value, "policy_fragment")


def is_bucket(value: object) -> bool:
    """Duck-typed ``s3.IBucket``."""
    return isinstance(getattr(value, "bucket_name", None), str) and hasattr(value, "bucket_arn")


def is_location(value: object) -> bool:
    return isinstance(value, str | JobRoleLocation) or is_bucket(value)


def token_refusal(prop: str, value: object, why: str) -> str:
    """The message of a token in a prop that takes none."""
    return (f"{prop} holds a token ({value!r}), a value CloudFormation or a Lazy fills in "
            f"later: {why}; give the literal value")


#: The forms of an S3 location prop, for messages.
LOCATION_FORMS = ("S3 locations: 's3://bucket/prefix' (the bucket may be a token, e.g. "
                  "f's3://{bucket.bucket_name}/prefix'), an s3.IBucket, or "
                  "JobRoleLocation.bucket(bucket, 'prefix')")


# --- S3 locations ----------------------------------------------------------------------------


class JobRoleLocation:
    """An S3 location: a bucket and a key prefix (the CDK way to give a bucket construct).

    Example::

        JobRoleLocation.bucket(data_bucket, "fraud/train")   # s3.IBucket or bucket name
    """

    def __init__(self, bucket_name: str, prefix: str = "") -> None:
        self.bucket_name = bucket_name
        self.prefix = prefix

    @staticmethod
    def bucket(bucket: s3.IBucket | str, prefix: str = "") -> JobRoleLocation:
        """The objects under ``prefix`` (the whole bucket when empty) of ``bucket``.

        Anything but a bucket or its name is kept as it is, for the construct that takes
        the location to name as the problem."""
        if is_bucket(bucket):
            return JobRoleLocation(bucket.bucket_name, prefix)  # type: ignore[union-attr]
        return JobRoleLocation(bucket, prefix)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        return f"JobRoleLocation({self.bucket_name!r}, {self.prefix!r})"


#: What a location prop takes.
S3Location = Union[str, "s3.IBucket", JobRoleLocation]


def location_uri(prop: str, value: S3Location, problems: list[Problem]) -> str | None:
    """``s3://bucket/prefix`` of a location prop's item (a string, a bucket, a
    ``JobRoleLocation``), or None and a problem. A string that is one token as a whole is
    refused: the bucket and the key prefix cannot be told apart in it at synth."""
    if isinstance(value, JobRoleLocation):
        bucket, prefix = value.bucket_name, value.prefix
        if not isinstance(bucket, str) or not bucket or not isinstance(prefix, str):
            problems.append(Problem(prop, "notAnS3Location",
                                    f"{prop} holds {value!r}: give a bucket (s3.IBucket or "
                                    "its name) and a prefix string"))
            return None
        key = prefix.strip("/")
        return f"s3://{bucket}/{key}" if key else f"s3://{bucket}"
    if is_bucket(value):
        return f"s3://{value.bucket_name}"  # type: ignore[union-attr]
    if not isinstance(value, str):
        problems.append(Problem(prop, "notAnS3Location", f"{prop} holds {shown(value)}: give "
                                f"{LOCATION_FORMS}"))
        return None
    if is_token(value) and not value.startswith("s3://"):
        problems.append(Problem(prop, "tokenLocation", (
            f"{prop} holds {value!r}, one token for the whole location: its bucket and key "
            "prefix cannot be told apart at synth, so the grant could not be scoped; pass the "
            "bucket construct: JobRoleLocation.bucket(bucket, 'prefix') (or "
            "f's3://{bucket.bucket_name}/prefix')"
        )))
        return None
    return value


def location_uris(prop: str, values: Sequence[S3Location], problems: list[Problem],
                  stable: StableTokens) -> list[str]:
    """The ``s3://`` strings of a location prop's items (tokens hinted by ``stable``)."""
    uris = [location_uri(prop, value, problems) for value in values]
    return [stable(uri) for uri in uris if uri is not None]


def given_with_uris(resources: GivenResources | None, problems: list[Problem],
                    stable: StableTokens) -> GivenResources | None:
    """``resources`` with its Cleanup locations as ``s3://`` strings, tokens hinted."""
    if resources is None:
        return None
    changes: dict[str, Any] = {
        field.name: tuple(stable(value) for value in getattr(resources, field.name))
        for field in dataclasses.fields(GivenResources) if field.name != "cleanup_locations"
    }
    changes["cleanup_locations"] = tuple(location_uris(
        "cleanup_locations", resources.cleanup_locations, problems, stable))
    return dataclasses.replace(resources, **changes)


#: A bucket name that stands for a token while the core checks the rest of a location.
_PLACEHOLDER_BUCKET = "sm-pipeline-iam-token-bucket-{}"


class _TokenBuckets:
    """Stands a placeholder bucket in for each S3 location whose bucket is a token, so that
    the core (which reads literal bucket names) checks the rest of the location; the
    tokens go back into the requirements and the problems after."""

    def __init__(self) -> None:
        self._tokens: dict[str, str] = {}

    def hide(self, uri: str) -> str:
        if not uri.startswith("s3://"):
            return uri
        bucket, slash, key = uri.removeprefix("s3://").partition("/")
        if not is_token(bucket):
            return uri
        placeholder = next((p for p, token in self._tokens.items() if token == bucket), None)
        if placeholder is None:
            placeholder = _PLACEHOLDER_BUCKET.format(len(self._tokens))
            self._tokens[placeholder] = bucket
        return f"s3://{placeholder}{slash}{key}"

    def hide_resources(self, resources: GivenResources | None) -> GivenResources | None:
        if resources is None:
            return None
        return dataclasses.replace(resources, cleanup_locations=tuple(
            self.hide(uri) for uri in resources.cleanup_locations))

    def _put_back(self, value: str) -> str:
        bucket, slash, rest = value.partition("/")
        return self._tokens.get(bucket, bucket) + slash + rest

    def restore(self, requirements: PipelineRequirements) -> PipelineRequirements:
        if not self._tokens:
            return requirements
        objects = {S3ObjectPattern(self._tokens.get(o.bucket, o.bucket), o.key_pattern)
                   for o in requirements.json_get_objects}
        given = {binding: tuple(sorted({self._put_back(v) for v in values}))
                 for binding, values in requirements.given.items()}
        return dataclasses.replace(requirements, json_get_objects=tuple(sorted(objects)),
                                   given=given)

    def restore_problems(self, problems: Sequence[Problem]) -> list[Problem]:
        restored = []
        for problem in problems:
            message = problem.message
            for placeholder, token in self._tokens.items():
                message = message.replace(placeholder, token)
            restored.append(dataclasses.replace(problem, message=message))
        return restored


def gather_with_tokens(
    gather: Callable[..., tuple[PipelineRequirements, list[Problem]]],
    *,
    job_prefix: str | None,
    json_get_locations: Sequence[str],
    resources: GivenResources | None,
    **more: Any,
) -> tuple[PipelineRequirements, list[Problem]]:
    """Run a core gatherer (``from_step_types``, ``team_requirements``) on props that may
    hold tokens. A token ``job_prefix`` is used as it is: not validated (its value is
    unknown), not case-folded (a lower-cased token is no token) and without the mixed-case
    warning. An S3 location whose bucket is a token is checked with a placeholder bucket
    (its key prefix still is) and keeps its token."""
    buckets = _TokenBuckets()
    prefix_is_token = is_token(job_prefix)
    requirements, problems = gather(
        job_prefix=job_prefix,
        validate_prefix=not prefix_is_token,
        json_get_locations=[buckets.hide(uri) for uri in json_get_locations],
        resources=buckets.hide_resources(resources),
        **more,
    )
    requirements = buckets.restore(requirements)
    if prefix_is_token and job_prefix is not None:
        requirements = dataclasses.replace(
            requirements,
            name_patterns={
                step_type: tuple(p for p in patterns if job_prefix in p) or patterns
                for step_type, patterns in requirements.name_patterns.items()
            },
            notices=tuple(n for n in requirements.notices if n.id != MIXED_CASE_PREFIX),
        )
    return requirements, buckets.restore_problems(problems)


def token_prefix_problems(given: object, final: object) -> list[Problem]:
    """The problem of a token ``job_prefix`` whose value at synth has upper-case letters:
    the grant holds the token once, in that spelling only."""
    if not is_token(given) or not isinstance(final, str) or is_token(final):
        return []
    if not naming.is_mixed_case(final):
        return []
    return [Problem("job_prefix", "mixedCaseToken", (
        f"job_prefix is a token whose value is {final!r}, with upper-case letters: a prefix "
        "given as a token is granted in that one spelling, and whether SageMaker lower-cases "
        "names inside job ARNs is unconfirmed; give the prefix as a literal string (both "
        f"spellings are then allowed, with a warning) or lower-case it ({final.lower()!r})"
    ))]


def final_given(resources: GivenResources | None,
                final: Callable[[str], str]) -> GivenResources | None:
    """``resources`` with each value replaced by ``final(value)``."""
    if resources is None:
        return None
    return dataclasses.replace(resources, **{
        field.name: tuple(final(v) for v in getattr(resources, field.name))
        for field in dataclasses.fields(GivenResources)
    })


@jsii.implements(IValidation)
class _FinalValues:
    """At synthesis: the props that held tokens, checked again with the values the tokens
    resolve to by then (a ``Lazy`` that produces ``*`` fails here, naming the prop). A token
    that still resolves to a CloudFormation expression (a parameter, an import) is known
    only at deploy time: it stays unchecked, and a ``deployTimeValue`` warning names its
    props."""

    def __init__(self, scope: Construct, construct: str, values: Mapping[str, object],
                 recheck: Callable[[Callable[[str], str]], Sequence[Problem]]) -> None:
        self._scope, self._construct, self._recheck = scope, construct, recheck
        self._values = values

    def validate(self) -> list[str]:
        stack = Stack.of(self._scope)

        def final(text: str) -> str:
            if not is_token(text):
                return text
            value = stack.resolve(text)
            return value if isinstance(value, str) else text

        deploy_time = [prop for prop, value in self._values.items()
                       if any(is_token(final(text)) for text in _strings(value))]
        if deploy_time:
            add_warning(self._scope, DEPLOY_TIME_VALUE, (
                f"{', '.join(deploy_time)} "
                f"{'holds a value' if len(deploy_time) == 1 else 'hold values'} known only "
                "at deploy time (a "
                "CloudFormation parameter, an import, another resource's attribute): the "
                "grants use them as given and nothing checks them; a deploy-time '*', "
                "'pipelines' or another team's prefix would widen this role"))
        return [
            f"{self._construct} '{self._scope.node.path}': {problem.message} (the value its "
            "token has at synth)"
            for problem in self._recheck(final)
        ]


def check_tokens_at_synth(
    scope: Construct,
    construct: str,
    values: Mapping[str, object],
    recheck: Callable[[Callable[[str], str]], Sequence[Problem]],
) -> None:
    """When any of ``values`` (prop -> value) holds a token, run ``recheck(final)`` at
    synthesis, where ``final`` maps a string to the literal it resolves to (or leaves it):
    every problem it returns fails synthesis; props whose tokens resolve only at deploy
    time get a ``deployTimeValue`` warning."""
    if any(is_token(text) for value in values.values() for text in _strings(value)):
        scope.node.add_validation(_FinalValues(scope, construct, values, recheck))


# --- tokens in policies ------------------------------------------------------------------------

#: A CDK token inside a string.
_TOKEN = re.compile(r"\$\{Token\[[^\]]*\]\}")


@jsii.implements(IStableStringProducer)
class _Same:
    """Produces a value unchanged (a token stays a token, resolved as before)."""

    def __init__(self, value: str) -> None:
        self._value = value

    def produce(self) -> str | None:
        return self._value


class StableTokens:
    """Gives each token in the strings it sees a display hint, ``<label>000000`` onwards in
    the order first seen, so that sorting strings that hold tokens (a policy's resources)
    gives the same order in every process: a plain token's number depends on how many
    tokens the process made before it."""

    def __init__(self, label: str) -> None:
        self._label = label
        self._seen: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        return _TOKEN.sub(self._hinted, text)

    def _hinted(self, match: re.Match[str]) -> str:
        token = match.group(0)
        if token not in self._seen:
            hint = f"{self._label}{len(self._seen):06d}"
            self._seen[token] = Lazy.string(_Same(token), display_hint=hint)
        return self._seen[token]


# --- definitions -------------------------------------------------------------------------------


def definition_problems(
    definition: object, parameter_values: object, pipeline_name: object,
    allow_unknown_step_types: object, any_value_parameters: object = (),
) -> list[Problem]:
    """The type problems of the props that read a definition (``from_definition``,
    ``PipelineJobRoles``, ``LeastPrivilegePipeline``), and look-alike tokens among them."""
    checks = PropTypes()
    if not isinstance(definition, str | Path | Mapping):
        checks.fail("definition", "notADefinition",
                    f"definition is {type(definition).__name__}: give the definition JSON "
                    "text, a path to it, or the dict")
    elif is_token(definition):
        checks.fail("definition", "tokenNotAccepted", token_refusal(
            "definition", definition, "the role is derived from the definition at synth"))
    if parameter_values is not None and not (
        isinstance(parameter_values, Mapping)
        and all(isinstance(k, str) and isinstance(v, Sequence) and not isinstance(v, str)
                and all(isinstance(item, str) for item in v)
                for k, v in parameter_values.items())
    ):
        checks.fail("parameter_values", "notAMapping",
                    f"parameter_values is {parameter_values!r}: give "
                    "{'Name': ['value', ...]}")
    checks.string("pipeline_name", pipeline_name, "the pipeline's name", optional=True,
                  refuse_tokens="the role's Experiments records are named after it, in both "
                  "spellings, when the definition is read at synth")
    checks.boolean("allow_unknown_step_types", allow_unknown_step_types)
    checks.strings("any_value_parameters", any_value_parameters, "parameter names",
                   "['InputDataUrl']", refuse_tokens="the parameters are read from the "
                   "definition at synth")
    bad = {problem.prop for problem in checks.problems}
    return [*checks.problems, *fake_token_problems(
        {"parameter_values": parameter_values} if "parameter_values" not in bad else {})]


def grant_pass_to_sagemaker(role: iam.IRole, grantee: iam.IPrincipal) -> iam.Grant:
    """Let ``grantee`` pass ``role`` to SageMaker (``iam:PassedToService``), and to nothing
    else."""
    return iam.Grant.add_to_principal(
        grantee=grantee,
        actions=["iam:PassRole"],
        resource_arns=[role.role_arn],
        conditions={"StringEquals": {"iam:PassedToService": SAGEMAKER}},
    )


def sagemaker_trust(scope: Construct) -> iam.IPrincipal:
    """SageMaker as the trusted service, limited to the stack's account.

    ``aws:SourceAccount`` holds both when the pipeline assumes the role (source: the
    pipeline) and when its jobs do (source: the job), which an ``aws:SourceArn``
    condition would have to list separately (confused-deputy protection).
    """
    return iam.ServicePrincipal(SAGEMAKER).with_conditions(
        {"StringEquals": {"aws:SourceAccount": Stack.of(scope).account}}
    )


def pipeline_execution_source_arns(scope: Construct, pipeline_name: str) -> list[str]:
    """The ``aws:SourceArn`` patterns SageMaker sends when a pipeline named
    ``pipeline_name`` assumes its execution role: its executions,
    ``arn:<partition>:sagemaker:<region>:<account>:pipeline/<name>/*`` (AWS page
    "Cross-service confused deputy prevention", section SageMaker Pipelines: the pattern
    must not be narrowed to one execution). Whether SageMaker lower-cases the name inside
    the ARN is unconfirmed, so a mixed-case name yields both spellings."""
    stack = Stack.of(scope)
    names = [pipeline_name]
    if not Token.is_unresolved(pipeline_name) and pipeline_name.lower() != pipeline_name:
        names.append(pipeline_name.lower())
    return [f"arn:{stack.partition}:sagemaker:{stack.region}:{stack.account}:pipeline/{name}/*"
            for name in names]


def restrict_trust_to_sources(role: iam.Role, source_arns: Sequence[str]) -> None:
    """Let SageMaker assume ``role`` only for the resources of ``source_arns``
    (``ArnLike aws:SourceArn``, beside ``aws:SourceAccount``): no other SageMaker resource
    of the account (a notebook instance, another pipeline) may assume it."""
    cfn_role = role.node.default_child
    assert isinstance(cfn_role, iam.CfnRole)
    # The trust policy's one statement is sagemaker_trust's (the CDK exposes no statement
    # of a made document to change, so the condition is set on the template).
    cfn_role.add_property_override(
        "AssumeRolePolicyDocument.Statement.0.Condition.ArnLike",
        {"aws:SourceArn": list(source_arns)},
    )


class PipelineRoleBase(iam.Role):
    """A SageMaker-trusted role with exactly the permissions of its requirements.

    Not meant to be used directly: use ``PipelineExecutionRole`` or ``PrefixedStepRole``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        construct_name: str,
        default_description: str,
        requirements: PipelineRequirements,
        problems: Sequence[Problem],
        options: RoleOptions,
        pass_self: bool = True,
    ) -> None:
        problems = [*problems, *option_problems(options)]
        principal_tag = options.get("principal_tag")
        if pass_self:
            # The role passes itself: its steps run as it unless given a step role.
            requirements = dataclasses.replace(
                requirements,
                pass_roles=requirements.pass_roles
                | sagemaker_pass_roles(requirements.step_types, [OWN_ARN]),
            )
        try:
            statements = policy.build_statements(requirements)
        except policy.UnnamedResourcesError as error:
            # A prop problem already explains the missing resources; else say it.
            if not problems:
                problems.append(Problem("requirements", "unnamedResources", str(error)))
            statements = []
        longest_own_arn = f"arn:aws-us-gov:iam::123456789012:role{options.get('path') or '/'}"
        own_arn_measure = longest_own_arn + "x" * 64  # the longest role name is 64
        render = role_policies.sizing_render({OWN_ARN: own_arn_measure})
        documents, size_problems = role_policies.plan_documents(statements, render)
        problems.extend(size_problems)
        # Everything is checked before the first construct is added: no half-made stack.
        raise_if_any(construct_name, id, problems)

        super().__init__(
            scope,
            id,
            assumed_by=sagemaker_trust(scope),
            role_name=options.get("role_name"),
            path=options.get("path"),
            description=options.get("description") or default_description,
            permissions_boundary=options.get("permissions_boundary"),
            max_session_duration=options.get("max_session_duration"),
        )
        self._requirements = requirements
        self._statements = tuple(statements)
        values = role_policies.placeholder_values(self, {OWN_ARN: self.role_arn})
        # Each wildcard is acknowledged with its own statement's reason (wildcard_reason).
        self.policies = role_policies.attach_documents(self, documents, values)
        if principal_tag is not None:
            Tags.of(self).add(*principal_tag)
        # Every grant on '*' or a whole resource type is named in a wideGrant warning,
        # whether the requirements come from step types or from a definition.
        role_policies.emit_notices(
            self, tuple(dict.fromkeys((*requirements.notices, *wide_grant_notices(requirements))))
        )
        # What others attach later (grants fill a DefaultPolicy) counts too: checked again
        # on the final tree. CloudFormation's 500 resources per stack the CDK checks itself.
        role_limits.check_at_synthesis(self, own_arn=own_arn_measure)

    @property
    def role(self) -> iam.Role:
        """The role itself (this construct is the ``iam.Role``)."""
        return self

    @property
    def requirements(self) -> PipelineRequirements:
        """What the role allows, as plain data (for reports and tests)."""
        return self._requirements

    @property
    def statements(self) -> tuple[policy.Statement, ...]:
        """The role's statements, with ``${AWS::...}`` placeholders for the environment."""
        return self._statements

    def grant_pass_role(self, grantee: iam.IPrincipal) -> iam.Grant:
        """Let ``grantee`` pass this role to SageMaker, and to nothing else.

        Whoever creates or updates the pipeline needs this.
        """
        return grant_pass_to_sagemaker(self, grantee)
