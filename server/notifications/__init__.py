"""Telling members what needs them: notifications in the pages, and by email
through the outbox (issue 13). See docs/notifications.md."""
