"""The `earmark` command line."""
