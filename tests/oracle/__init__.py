"""The run-time oracle: the calls each step's job makes, written from AWS's pages alone.

Kept apart from the library on purpose (issue 20, "No proof from the model itself"): nothing
here imports ``sm_pipeline_iam`` (``tests/test_oracle_independence.py`` enforces it), so a
test that evaluates these calls against the deployed roles compares the library with AWS's
documentation, not with itself.

- :mod:`.execution`: one example execution of a definition (execution id, job names,
  parameter values, step properties) with concrete values;
- :mod:`.calls`: the calls each job makes with the role it runs as, per call family, each
  family citing its AWS page; and their neighbours, which no role may be granted.
"""

from __future__ import annotations

from .calls import Call, OracleError, job_calls, neighbour_calls
from .execution import EXECUTION_ID, Execution

__all__ = ["EXECUTION_ID", "Call", "Execution", "OracleError", "job_calls", "neighbour_calls"]
