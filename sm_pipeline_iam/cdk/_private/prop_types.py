"""The types of a construct's props, checked before their values (one problem per prop,
all at once, before any value check could trip over a wrong type)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from aws_cdk import Token

from ...core.catalog.bindings import GIVEN_FIELDS
from ...core.catalog.schema import StepType
from ...core.errors import Problem, raise_if_any
from ...core.execution_role.requirements import GivenResources, role_arn_problems
from .duck_types import is_principal, is_role
from .messages import shown, token_refusal
from .role_option_checks import option_problems
from .s3_locations import LOCATION_FORMS, is_location
from .tokens import fake_token_problems, is_token


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
            given = GIVEN_FIELDS[field.name]
            if given.s3_locations:
                ok &= self.sequence(field.name, items, is_location, "notAnS3Location",
                                    LOCATION_FORMS, given.examples)
            else:
                ok &= self.strings(field.name, items, given.holds, given.examples)
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




def _is_str(value: object) -> bool:
    return isinstance(value, str)


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
