"""SMTP settings, read from CODRAFT_SMTP_URL (or CODRAFT_SMTP_HOST and friends)
and checked once at start, so a typo is a clear message then, not a crash at the
first mail. No SMTP host: email is off and nothing else changes."""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr
from urllib.parse import unquote, urlsplit

SCHEMES = {"smtp": "plain", "smtp+starttls": "starttls", "smtps": "ssl"}
DEFAULT_PORTS = {"plain": 25, "starttls": 587, "ssl": 465}


class MailSettingsError(ValueError):
    """The message says which setting is wrong and what it should look like."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # "plain", "starttls" or "ssl"
    username: str | None
    password: str | None
    mail_from: str
    timeout: float = 20.0


def parse(
    url: str | None,
    *,
    host: str | None = None,
    port: str | int | None = None,
    username: str | None = None,
    password: str | None = None,
    security: str | None = None,
    mail_from: str | None = None,
    base_url: str | None = None,
) -> SmtpSettings | None:
    """The SMTP settings, or None when email is off (no URL and no host)."""
    if url:
        parts = urlsplit(url)
        if parts.scheme not in SCHEMES:
            raise MailSettingsError(
                "CODRAFT_SMTP_URL must start with smtp://, smtp+starttls:// or smtps:// "
                f"(for example smtp+starttls://user:password@mail.example.org:587), got {url!r}"
            )
        if not parts.hostname:
            raise MailSettingsError("CODRAFT_SMTP_URL has no host name in it")
        try:
            url_port = parts.port
        except ValueError:
            raise MailSettingsError("CODRAFT_SMTP_URL has a port that is not a number") from None
        security = SCHEMES[parts.scheme]
        host, port = parts.hostname, url_port or DEFAULT_PORTS[security]
        username = unquote(parts.username) if parts.username else None
        password = unquote(parts.password) if parts.password else None
    elif host:
        security = (security or "starttls").lower()
        if security not in DEFAULT_PORTS:
            raise MailSettingsError("CODRAFT_SMTP_SECURITY must be plain, starttls or ssl")
        try:
            port = int(port) if port not in (None, "") else DEFAULT_PORTS[security]
        except ValueError:
            raise MailSettingsError(f"CODRAFT_SMTP_PORT must be a number, got {port!r}") from None
    else:
        return None
    if not 0 < int(port) < 65536:
        raise MailSettingsError(f"The SMTP port must be between 1 and 65535, got {port}")
    if bool(username) != bool(password):
        raise MailSettingsError("Give both an SMTP user name and a password, or neither")
    name, address = parseaddr(mail_from or "")
    if not address or "@" not in address:
        raise MailSettingsError(
            "Email is on (an SMTP server is set), so CODRAFT_MAIL_FROM must be the address "
            "mail comes from, for example 'Codraft <codraft@example.org>'"
        )
    if not base_url or not base_url.startswith(("http://", "https://")):
        raise MailSettingsError(
            "Email is on, so CODRAFT_BASE_URL must be the address people open Codraft at "
            "(for example https://codraft.example.org), for the links in emails"
        )
    return SmtpSettings(host, int(port), security, username, password, mail_from)
