"""How the whole group shapes text it does not own and decides: comments,
proposals, votes and agreed sections."""
