"""Who is connected: which policy they have open, which section they look at, which
sentence they edit. Kept in the database so every server process sees the same."""
