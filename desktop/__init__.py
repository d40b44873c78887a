"""Earmark: read podcast and video episodes on your own machine."""

__version__ = "0.1.0"
