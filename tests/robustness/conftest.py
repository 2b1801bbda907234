"""Fixtures of the robustness tests (defined in robust_support, shared by several modules)."""

from robust_support import tiny_model  # noqa: F401
