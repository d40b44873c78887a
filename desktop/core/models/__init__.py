"""Model files Earmark can fetch when the user asks: what exists, where it comes from,
where it is kept. Downloads themselves go through desktop/core/downloads."""
