"""The roles a pipeline passes: each step's role fields (``RoleArn``, ``ExecutionRoleArn``,
EMR's runtime roles...) as the one role each names and the service it is passed to, for the
execution role's ``iam:PassRole``; a field that names no single role is refused.

Which fields hold roles, and for which service, is the catalog's ``role_fields``; passing a
role to a service needs ``iam:PassRole`` on it (AWS page "How to use SageMaker AI execution
roles", https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html).
"""

from __future__ import annotations

from typing import Any

from ..catalog.schema import StepSpec
from ..catalog.services import SAGEMAKER
from ..execution_role.policy import PLACEHOLDERS
from ..execution_role.requirements import PassRoleTarget, wide_role_arns
from .expressions import Pattern
from .paths import values_at
from .state import ReadState
from .values import FieldValues


class RoleFields:
    """Reads the roles steps pass into the requirements.

    Args:
        state: the reading in progress.
        values: reads the fields' values.
    """

    def __init__(self, state: ReadState, values: FieldValues) -> None:
        self._state = state
        self._values = values

    def read(self, name: str, spec: StepSpec, step: dict[str, Any]) -> None:
        """The roles one step's role fields pass, each with its service."""
        for role_field in spec.role_fields:
            if role_field.service == SAGEMAKER and name in self._state.replaced_role_steps:
                continue  # the caller hands the step's job a role of its own
            for field_name, value in values_at(step, role_field.path):
                if value is None:
                    continue
                if not isinstance(value, (str, dict)):
                    self._state.problem(
                        f"{name}.{field_name}", "notAnArn",
                        f"step {name!r} field {field_name}: {value!r} is not a role ARN string"
                    )
                    continue
                if not self._values.wildcard_free(name, field_name, value):
                    continue
                for pattern in self._values.patterns(name, field_name, value):
                    arn = self._role_arn(name, field_name, pattern)
                    if arn is not None:
                        self._state.out.pass_roles.add(PassRoleTarget(arn, role_field.service))

    def _role_arn(self, name: str, field_name: str, pattern: Pattern) -> str | None:
        """The ARN of the one role a role field names, or None (with a problem) when it
        names no single role: passing ``role/*`` would let whoever starts the pipeline run
        the step as any role that trusts the service, so no opt-in widens a role field."""
        problem = self._state.problem
        where = f"{name}.{field_name}"
        if pattern.is_literal:
            if not pattern.text.startswith("arn:"):
                # A role name: SageMaker takes it in the pipeline's own account.
                return (f"arn:{PLACEHOLDERS.partition}:iam::{PLACEHOLDERS.account}:role/"
                        f"{pattern.text}")
            # requirements.role_arn_problems' test: the one check of a role ARN.
            if wide_role_arns([pattern.text]):
                problem(
                    where, "notAnArn",
                    f"step {name!r} field {field_name}: {pattern.text!r} is not an IAM "
                    "role ARN (arn:aws:iam::111122223333:role/name)"
                )
                return None
            return pattern.text
        parameters = [p.removeprefix("Parameters.") for p in pattern.unbound
                      if p.startswith("Parameters.")]
        if parameters:
            opted = [p for p in parameters if p in self._state.parameters.any_value]
            why = (f"parameter {opted[0]!r} is opted in to any value (any_value_parameters), "
                   "which a role field cannot be" if opted else
                   f"parameter {parameters[0]!r} has no DefaultValue and no parameter_values")
            problem(
                where, "anyRole" if opted else "unboundParameter",
                f"step {name!r} field {field_name}: {why}: the execution role would pass "
                "every role ('role/*'), so whoever starts the pipeline could run the step as "
                "any role that trusts SageMaker; bind it to the exact role ARNs with "
                f"parameter_values={{{parameters[0]!r}: "
                "['arn:aws:iam::111122223333:role/name']}",
            )
        else:
            problem(
                where, "anyRole",
                f"step {name!r} field {field_name}: the role ARN is known only at run time "
                f"({', '.join(pattern.run_time) or pattern.text}), so the execution role would "
                "pass every role ('role/*'): give the exact role ARN, or a parameter bound "
                "to exact role ARNs with parameter_values",
            )
        return None
