"""Notes and corrections in the window: the dialogs, and the flow from a click to the stack."""
