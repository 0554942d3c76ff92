"""Building one email and handing it to the SMTP server.

The message is built with `email.message.EmailMessage` (plain text first, an HTML
alternative second) and sent with `smtplib`, one connection per batch."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate

from server.mail.settings import SmtpSettings


def build(
    settings: SmtpSettings,
    *,
    to: str,
    subject: str,
    text: str,
    html: str,
    headers: dict | None = None,
    message_id: str | None = None,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    if message_id:
        msg["Message-ID"] = message_id  # the same on a retry, so a receiver can drop a repeat
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg


class Connection:
    """An open SMTP session; `with Connection(settings) as smtp: smtp.send(msg)`."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Connection:
        s = self.settings
        if s.security == "ssl":
            self.smtp = smtplib.SMTP_SSL(
                s.host, s.port, timeout=s.timeout, context=ssl.create_default_context()
            )
        else:
            self.smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.security == "starttls":
                self.smtp.starttls(context=ssl.create_default_context())
        if s.username:
            self.smtp.login(s.username, s.password or "")
        return self

    def send(self, msg: EmailMessage) -> None:
        assert self.smtp is not None
        self.smtp.send_message(msg)

    def __exit__(self, *_exc) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
