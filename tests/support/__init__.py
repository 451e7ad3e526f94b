"""Test-side helpers: scenarios, template reading, intrinsic resolution."""
