"""Chapters as a reader navigates them: which one is playing, how long each is."""

from desktop.core.chapters.outline import (
    OutlineEntry,
    chapter_at,
    heading_rows,
    neighbour,
    outline,
)

__all__ = ["OutlineEntry", "chapter_at", "heading_rows", "neighbour", "outline"]
