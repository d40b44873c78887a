"""Insight payloads (TL;DR, Key Insights, Q&A, Summary, Takeaways) and their engines."""

from desktop.core.insights.payload import Insights, KeyInsight, QuestionAnswer, Takeaway

__all__ = ["Insights", "KeyInsight", "QuestionAnswer", "Takeaway"]
