"""What a CloudTrail record says was asked: the IAM action, the resource it is authorized
on, whether it was denied and by what.

The action is the event source's service prefix and the event name, with the few
spellings where they differ (S3 data events' ``ListObjects`` is ``s3:ListBucket``,
Lambda's ``Invoke`` is ``lambda:InvokeFunction``...). The resource is read from the
record's ``resources`` where CloudTrail lists it (S3 data events, KMS, Lambda), else built
from the request's name fields (a SageMaker job's name, a log group and stream, an ECR
repository); for a denied call, from the error message, which names the action and
resource IAM refused (AWS page "Troubleshoot access denied error messages",
https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html), so a
refused ``iam:PassRole`` inside a ``CreateTrainingJob`` is seen as what it is. Where
neither tells the resource, it is ``""`` and only the action is compared.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .trail import Record

#: The error codes services use for "access denied" (lower case, without a ``Client.``
#: prefix or an ``Exception`` suffix): ``AccessDenied`` (IAM, STS, S3, CloudWatch),
#: ``AccessDeniedException`` (SageMaker, KMS, ECR, Lambda, Logs, Glue, EMR, Step
#: Functions), ``Client.UnauthorizedOperation`` (EC2), ``AuthorizationError`` (SNS),
#: ``UnauthorizedAccess``/``NotAuthorized``/``Forbidden`` (others).
DENIED_CODES = frozenset({"accessdenied", "unauthorizedoperation", "unauthorized",
                          "authorizationerror", "unauthorizedaccess", "notauthorized",
                          "forbidden", "unauthorizedexception"})


def is_denied(code: str) -> bool:
    """True for an access-denied ``errorCode`` in any service's spelling."""
    if not code:
        return False
    plain = code.lower().removeprefix("client.").removeprefix("aws.")
    return plain in DENIED_CODES or plain.removesuffix("exception") in DENIED_CODES


#: IAM's access-denied message: the action and resource refused, and by which policy type.
_REFUSED = re.compile(r"not authorized to perform: (?P<action>[A-Za-z0-9-]+:[A-Za-z0-9*]+)"
                      r"(?: on resource: (?P<resource>[^ ]+?))?(?:\s|$|\.\s|\.$|,)")
_BECAUSE = re.compile(r"because (?P<why>(?:no|an explicit deny in an?) [a-z -]*?policy"
                      r"(?: allows the [^ ]+ action)?)(?:\.|$|\s*$)")

#: Event source service prefix -> IAM's, where they differ.
_SERVICE = {"monitoring": "cloudwatch", "elasticmapreduce": "elasticmapreduce",
            "api.ecr": "ecr", "ecr": "ecr"}
#: (service, event name) -> the IAM action, where the names differ.
_ACTION = {
    ("s3", "ListObjects"): "ListBucket", ("s3", "ListObjectsV2"): "ListBucket",
    ("s3", "ListObjectVersions"): "ListBucketVersions", ("s3", "HeadBucket"): "ListBucket",
    ("s3", "HeadObject"): "GetObject", ("s3", "CreateMultipartUpload"): "PutObject",
    ("s3", "UploadPart"): "PutObject", ("s3", "CompleteMultipartUpload"): "PutObject",
    ("s3", "UploadPartCopy"): "PutObject", ("s3", "CopyObject"): "PutObject",
    ("s3", "DeleteObjects"): "DeleteObject", ("lambda", "Invoke"): "InvokeFunction",
}
#: Lambda's event names carry an API version (``CreateFunction20150331``).
_API_VERSION = re.compile(r"\d{8}(v\d+)?$")

#: SageMaker request fields naming the resource -> its ARN resource type (API reference;
#: "Actions, resources, and condition keys for Amazon SageMaker AI").
_SAGEMAKER_NAMES = (
    ("trainingJobName", "training-job"), ("processingJobName", "processing-job"),
    ("transformJobName", "transform-job"),
    ("hyperParameterTuningJobName", "hyper-parameter-tuning-job"),
    ("autoMLJobName", "automl-job"), ("compilationJobName", "compilation-job"),
    ("endpointConfigName", "endpoint-config"), ("endpointName", "endpoint"),
    ("modelPackageGroupName", "model-package-group"), ("modelName", "model"),
    ("trialComponentName", "experiment-trial-component"), ("trialName", "experiment-trial"),
    ("experimentName", "experiment"), ("pipelineName", "pipeline"),
)
#: Request fields that hand a role to the service: the call also exercises iam:PassRole.
_PASSED_ROLES = ("roleArn", "executionRoleArn")
#: S3 object actions (resource: the object), others act on the bucket.
_S3_BUCKET_ACTIONS = frozenset({"ListBucket", "ListBucketVersions", "GetBucketLocation",
                                "ListBucketMultipartUploads"})


@dataclass(frozen=True)
class Call:
    """One authorization a record shows.

    Attributes:
        action: the IAM action (``sagemaker:CreateTrainingJob``).
        resource: the ARN it is authorized on, ``"*"`` for none, ``""`` when the record
            does not say.
        denied: the call was refused.
        because: for a refusal, the policy type IAM names (``no identity-based policy
            allows the ... action``, ``an explicit deny in a service control policy``), or
            ``""`` when the message does not say.
        implied: the record shows the call only through another (the ``iam:PassRole`` of
            a create call naming a role).
    """

    action: str
    resource: str
    denied: bool = False
    because: str = ""
    implied: bool = False


def action_of(record: Record) -> str:
    """The IAM action of the record's API call."""
    service = record.source.split(".amazonaws.com")[0]
    service = _SERVICE.get(service, service.rsplit(".", 1)[-1])
    name = _API_VERSION.sub("", record.name) if service == "lambda" else record.name
    return f"{service}:{_ACTION.get((service, name), name)}"


def calls_of(record: Record) -> Iterator[Call]:
    """The authorizations the record shows: its call (the refused one for a denial,
    which may be another action, such as ``iam:PassRole``) and, for a create call that
    succeeded naming a role, the ``iam:PassRole`` it implies."""
    action = action_of(record)
    if is_denied(record.error_code):
        refused = _REFUSED.search(record.error_message)
        because = _BECAUSE.search(record.error_message)
        if refused:
            yield Call(refused.group("action"),
                       refused.group("resource") or resource_of(record, action), True,
                       because.group("why") if because else "")
        else:
            yield Call(action, resource_of(record, action), True,
                       because.group("why") if because else "")
        return
    yield Call(action, resource_of(record, action))
    if record.error_code:
        return  # failed for another reason: no role was handed over
    for key in _PASSED_ROLES:
        role = record.request.get(key)
        if isinstance(role, str) and role.startswith("arn:"):
            yield Call("iam:PassRole", role, implied=True)


def _arn(record: Record, service: str, resource: str) -> str:
    partition = "aws"
    for _, arn in record.resources:
        partition = arn.split(":", 2)[1] if arn.startswith("arn:") else partition
    if record.role_arn.startswith("arn:"):
        partition = record.role_arn.split(":", 2)[1]
    return f"arn:{partition}:{service}:{record.region}:{record.account}:{resource}"


def resource_of(record: Record, action: str) -> str:
    """The ARN the call is authorized on, as far as the record tells (``""`` if not)."""
    service, _, verb = action.partition(":")
    request = record.request
    if service == "s3":
        return _s3_resource(record, verb)
    if service == "kms" or service == "lambda":
        for _, arn in record.resources:
            return arn
        function = request.get("functionName")
        if service == "lambda" and isinstance(function, str):
            return function if function.startswith("arn:") else _arn(
                record, "lambda", f"function:{function}")
        return ""
    if service == "sagemaker":
        for key, kind in _SAGEMAKER_NAMES:
            if verb == "CreateModelPackage" and key == "modelPackageGroupName":
                continue  # authorized on the package (group/version), not on its group
            name = request.get(key)
            if isinstance(name, str) and name:
                return name if name.startswith("arn:") else _arn(record, "sagemaker",
                                                                  f"{kind}/{name}")
        for key, value in record.response.items():
            # The ARN the service answers with (a model package's, with its version,
            # which the request does not hold).
            if key.endswith("Arn") and isinstance(value, str) and ":sagemaker:" in value:
                return value
        return ""
    if service == "logs":
        group = request.get("logGroupName")
        stream = request.get("logStreamName")
        if not isinstance(group, str):
            return ""
        if isinstance(stream, str) and verb in ("CreateLogStream", "PutLogEvents"):
            return _arn(record, "logs", f"log-group:{group}:log-stream:{stream}")
        return _arn(record, "logs", f"log-group:{group}:*")
    if service == "ecr":
        if verb == "GetAuthorizationToken":
            return "*"
        repository = request.get("repositoryName")
        if not isinstance(repository, str):
            return ""
        registry = str(request.get("registryId") or record.account)
        return _arn(record, "ecr", f"repository/{repository}").replace(
            f":{record.account}:repository/", f":{registry}:repository/")
    if action in ("cloudwatch:PutMetricData", "ecr:GetAuthorizationToken") or (
            service == "ec2" and verb.startswith("Describe")):
        return "*"
    if action == "ec2:CreateNetworkInterface" and isinstance(request.get("subnetId"), str):
        return _arn(record, "ec2", f"subnet/{request['subnetId']}")
    for _, arn in record.resources:
        return arn
    return ""


def _s3_resource(record: Record, verb: str) -> str:
    wanted = "AWS::S3::Bucket" if verb in _S3_BUCKET_ACTIONS else "AWS::S3::Object"
    for kind, arn in record.resources:
        if kind == wanted:
            return arn
    bucket = record.request.get("bucketName")
    key = record.request.get("key")
    if not isinstance(bucket, str):
        return ""
    if wanted == "AWS::S3::Object" and isinstance(key, str):
        return f"arn:aws:s3:::{bucket}/{key}"
    return f"arn:aws:s3:::{bucket}"
