"""Parla — a native desktop assistant for OpenAI-compatible APIs."""

__version__ = "0.1.0"
