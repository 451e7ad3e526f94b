"""The pure core: the step catalog, naming, definition reading and policy building.

Nothing in this package imports the CDK (a test imports every module with ``aws_cdk``
blocked), so the constructs, the command line and the review report share it and it
imports in milliseconds.
"""
