"""The services a pipeline's steps hand roles to (``iam:PassedToService``), by principal."""

from __future__ import annotations

SAGEMAKER = "sagemaker.amazonaws.com"
EMR_SERVICE = "elasticmapreduce.amazonaws.com"
EMR_SERVERLESS_SERVICE = "emr-serverless.amazonaws.com"
EC2_SERVICE = "ec2.amazonaws.com"
