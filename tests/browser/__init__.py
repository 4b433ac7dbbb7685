"""Real-browser tests of the built site (a package, so its conftest.py and modules get unique names)."""
