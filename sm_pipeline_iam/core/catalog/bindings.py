"""The resources a caller names for the integration steps: one row per binding.

Lambda, Callback, EMR, EMRServerless and Cleanup steps act on resources that the pipeline
does not make; the caller names them (``GivenResources``) or a definition holds them. A
row says all the library knows of one such binding: what its values are, the
``GivenResources`` field that holds them, the literal form a value must have, and the
runtime roles that the steps using them hand to their service. The requirements' checks,
the constructs' type checks and the explanation read this table; the step types that use
a binding are the catalog's (its groups' ``binding``). No CDK import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum, unique

from ..arns import ACCOUNT, PARTITION
from .services import EMR_SERVERLESS_SERVICE, EMR_SERVICE


@unique
class Binding(Enum):
    """Which caller-given values fill a ``ResourceScope.GIVEN`` group; the value is the
    ``GivenResources`` field that holds them."""

    LAMBDA_FUNCTIONS = "lambda_function_arns"
    CALLBACK_QUEUES = "callback_queue_arns"
    EMR_CLUSTERS = "emr_cluster_ids"
    EMR_SERVERLESS_APPLICATIONS = "emr_serverless_application_ids"
    CLEANUP_OBJECTS = "cleanup_locations"

    @property
    def spec(self) -> BindingSpec:
        """The binding's row in :data:`BINDINGS`."""
        return BINDINGS[self]

    @property
    def description(self) -> str:
        """What the values are, for people (``"Lambda functions invoked"``)."""
        return BINDINGS[self].description


@dataclass(frozen=True)
class GivenField:
    """A ``GivenResources`` field, as messages describe it.

    Attributes:
        name: the field.
        holds: what its items are (``"function ARNs"``).
        example: one well-formed item.
        s3_locations: the items are S3 locations (``s3://bucket/prefix``), which the
            constructs also take as buckets. Default False: strings.
    """

    name: str
    holds: str
    example: str
    s3_locations: bool = False

    @property
    def examples(self) -> str:
        """The example as a list, for messages (``"['j-1ABCDEFGHIJKL']"``)."""
        return f"[{self.example!r}]"


@dataclass(frozen=True)
class LiteralForm:
    """The form a literal value of a binding must have (a CDK token is left to deploy time).

    Attributes:
        pattern: what a value must match as a whole.
        what: the form, for messages (``"a function ARN"``).
        code: the problem's code for a value not in the form.
    """

    pattern: re.Pattern[str]
    what: str
    code: str


@dataclass(frozen=True)
class IntegrationRole:
    """The runtime roles that the steps using a binding's resources hand to their service.

    Attributes:
        field: the ``GivenResources`` field that names them.
        service: the service they are passed to (``iam:PassedToService``), and only it.
        required: the steps cannot run without one. Default False.
    """

    field: GivenField
    service: str
    required: bool = False


@dataclass(frozen=True)
class BindingSpec:
    """Everything about one binding.

    Attributes:
        binding: the binding.
        description: what the values are, for people.
        holds: what a ``GivenResources`` item is, for messages.
        example: one well-formed ``GivenResources`` item.
        form: the literal form of a value; None when the values are S3 locations.
        role: the runtime roles its steps pass, if they pass any.
    """

    binding: Binding
    description: str
    holds: str
    example: str
    form: LiteralForm | None
    role: IntegrationRole | None = None

    @property
    def field(self) -> GivenField:
        """The ``GivenResources`` field that holds the values."""
        return GivenField(self.binding.value, self.holds, self.example,
                          s3_locations=self.form is None)


#: The table: one row per binding, in the order of ``GivenResources``' fields.
BINDINGS: dict[Binding, BindingSpec] = {spec.binding: spec for spec in (
    BindingSpec(
        Binding.LAMBDA_FUNCTIONS,
        description="Lambda functions invoked",
        holds="function ARNs",
        example="arn:aws:lambda:us-east-1:111122223333:function:score",
        # A version or alias may follow the name (AWS Lambda API reference, Invoke).
        form=LiteralForm(
            re.compile(rf"arn:{PARTITION}:lambda:[a-z0-9-]+:{ACCOUNT}:function:"
                       r"[\w-]+(:[\w$-]+)?"),
            "a function ARN", "notAnArn"),
    ),
    BindingSpec(
        Binding.CALLBACK_QUEUES,
        description="Callback queues sent to",
        holds="queue ARNs",
        example="arn:aws:sqs:us-east-1:111122223333:approvals",
        form=LiteralForm(
            re.compile(rf"arn:{PARTITION}:sqs:[a-z0-9-]+:{ACCOUNT}:"
                       r"[\w-]+(\.fifo)?"),
            "a queue ARN", "notAnArn"),
    ),
    BindingSpec(
        Binding.EMR_CLUSTERS,
        description="EMR clusters used",
        holds="EMR cluster ids",
        example="j-1ABCDEFGHIJKL",
        form=LiteralForm(re.compile(r"j-[A-Z0-9]+"), "a cluster id", "notAClusterId"),
        # Optional: without one, the cluster's own role runs the steps.
        role=IntegrationRole(
            GivenField("emr_role_arns", "role ARNs", "arn:aws:iam::111122223333:role/emr-step"),
            EMR_SERVICE),
    ),
    BindingSpec(
        Binding.EMR_SERVERLESS_APPLICATIONS,
        description="EMR Serverless applications used",
        holds="EMR Serverless application ids",
        example="00fabcdefghijk",
        form=LiteralForm(re.compile(r"[0-9a-z]+"), "an application id", "notAnApplicationId"),
        role=IntegrationRole(
            GivenField("emr_serverless_role_arns", "role ARNs",
                       "arn:aws:iam::111122223333:role/emr-job"),
            EMR_SERVERLESS_SERVICE, required=True),
    ),
    BindingSpec(
        Binding.CLEANUP_OBJECTS,
        description="S3 objects Cleanup deletes",
        holds="S3 locations",
        example="s3://ml-artifacts/tmp",
        form=None,
    ),
)}

#: Every ``GivenResources`` field by name, in the class's order: the bindings' values,
#: then the runtime roles.
GIVEN_FIELDS: dict[str, GivenField] = {
    field.name: field
    for field in (
        *(spec.field for spec in BINDINGS.values()),
        *(spec.role.field for spec in BINDINGS.values() if spec.role is not None),
    )
}
