"""The Settings dialog (Ctrl+,): one tab per area, each a page that edits part of a
`Settings` value; the dialog saves them together on OK."""
