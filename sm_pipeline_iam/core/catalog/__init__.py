"""The step-type catalog: what each step needs, and the create APIs' request fields."""
