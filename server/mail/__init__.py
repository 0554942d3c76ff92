"""Email: SMTP settings, building a message, and handing it to an SMTP server.
Only the standard library's email and smtplib packages; no MIME by hand."""
