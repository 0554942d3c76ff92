"""Whole-group sessions (meetings): scheduling, starting with a checkpoint, the
agenda of what awaits a decision, minutes, and each member's review of what
changed since the last session.

Called "meetings" in code because "session" already means a database session and
a sign-in session here; pages and the API say "session", as people do.
"""
