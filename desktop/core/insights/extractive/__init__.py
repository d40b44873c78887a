"""The extractive insight engine (the embedded default)."""

from desktop.core.insights.extractive.engine import ExtractiveEngine

__all__ = ["ExtractiveEngine"]
