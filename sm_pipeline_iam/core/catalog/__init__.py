"""The step-type catalog: what each step needs (the table, :mod:`.steps`, written in the
types of :mod:`.schema`), the resources callers name for integration steps (:mod:`.bindings`),
the pipeline-level settings (:mod:`.features`), and the create APIs' request fields
(:mod:`.api_fields`)."""
