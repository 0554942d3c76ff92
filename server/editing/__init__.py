"""Live editing of a section's sentences: the sync engine's decisions, saved."""
