"""Policies and their text: parts, sections (each owned by a sub-group) and sentences."""
