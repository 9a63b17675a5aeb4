"""The loopback server: a real, deterministic, fault-injectable OpenAI-compatible server for tests.

Import from ``tests.loopback.server``; its module docstring is the manual.
"""
