"""The organization's side: the SCP and RCP of the JsonGet exception, S3 actions classified, tag
rules and service-managed StackSets."""
