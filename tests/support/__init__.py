"""Test support that production code never imports (and ``pip install`` does not ship)."""
