"""Pure-Python heart of Earmark: domain types, storage, importers, exporters.

Nothing here imports Qt or anything from the layers above (services, cli, ui).
"""
