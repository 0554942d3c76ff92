"""The group's glossary: terms with a plain explanation, suggested by anyone in the
group and accepted by a facilitator; every change kept in a history list."""
