"""Search a group's policies: current text, section titles, comments and suggestions."""
