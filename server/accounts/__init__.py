"""People: accounts, sign-in sessions, API tokens and password resets."""
