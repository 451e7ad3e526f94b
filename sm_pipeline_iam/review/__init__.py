"""The review side: reading a synthesized cloud assembly, the review report, ``explain``,
the ``sm-pipeline-iam`` command line, and the warnings page (docs/warnings.md) generated
from the warning registry. No CDK import: it reads JSON files."""
