"""The Chapters tab: the open episode's outline, the playing chapter marked, jumps."""
