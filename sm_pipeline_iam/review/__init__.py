"""The review side: reading a synthesized cloud assembly, the review report, ``explain``
and the ``sm-pipeline-iam`` command line. No CDK import: it reads JSON files."""
