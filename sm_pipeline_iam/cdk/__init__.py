"""The CDK constructs: the only modules of the library that import ``aws_cdk``.

They gather requirements and statements from :mod:`sm_pipeline_iam.core` and turn them
into IAM and Organizations resources.
"""
