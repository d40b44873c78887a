"""Qt widgets (filled in by later work)."""
