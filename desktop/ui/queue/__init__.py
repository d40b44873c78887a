"""The Queue tab and the transcription queue behind it."""
