"""The pipeline's execution role: its requirements, its statements, why each wildcard exists, and a
deployed pipeline's checks and grants."""
