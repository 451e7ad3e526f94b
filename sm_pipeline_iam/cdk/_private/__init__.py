"""Internals of the constructs (as aws-iam keeps ``lib/private/``): not public API, may change in
any release."""
