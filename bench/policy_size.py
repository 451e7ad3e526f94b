"""Size of the execution role's policy for all job step types at once, vs IAM's limits.

Measured as IAM counts (no whitespace) with the longest partition, region and account,
so the figures are upper bounds.
"""

from __future__ import annotations

from sm_pipeline_iam.core.catalog.steps import CATALOG, NAME_SCOPED_STEP_TYPES
from sm_pipeline_iam.core.execution_role import policy, requirements

OWN_ARN = "arn:aws-us-gov:iam::123456789012:role/" + "x" * 64


def measure(job_prefix: str | None) -> int:
    named = [s for s in NAME_SCOPED_STEP_TYPES if not any(
        g.binding for g in CATALOG[s].action_groups)]
    reqs, problems = requirements.from_step_types(
        named, job_prefix=job_prefix, step_role_arns=[OWN_ARN],
        json_get_locations=["s3://ml-artifacts-111122223333/evaluation"],
    )
    assert not problems, problems
    return policy.policy_size(policy.build_statements(reqs))


def main() -> None:
    for label, prefix in (("default naming", None), ("prefix 'fraud'", "fraud"),
                          ("mixed-case prefix 'Fraud'", "Fraud")):
        size = measure(prefix)
        inline = size / policy.INLINE_POLICIES_LIMIT
        managed = size / policy.MANAGED_POLICY_LIMIT
        print(f"all job step types, {label}: {size} characters = {inline:.0%} of the "
              f"{policy.INLINE_POLICIES_LIMIT:,} inline limit ({managed:.0%} of one "
              f"{policy.MANAGED_POLICY_LIMIT:,} managed policy)")


if __name__ == "__main__":
    main()
