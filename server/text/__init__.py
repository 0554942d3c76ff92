"""Text handling shared by every domain: cleaning user input, splitting sentences."""
