"""What the notification services need from the running server, handed in by the
boundary (web, API, jobs) so the domain stays free of Flask."""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from server.mail.settings import SmtpSettings

UNSUBSCRIBE_DAYS = 90  # a link in an old email still works for about three months


@dataclass(frozen=True)
class Delivery:
    mail: SmtpSettings | None  # None: email is off on this server
    base_url: str  # "https://codraft.example.org", for links in emails
    secret_key: str
    time_zone: str = "Europe/London"

    @property
    def mail_on(self) -> bool:
        return self.mail is not None

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def _signer(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret_key, salt="codraft-unsubscribe")

    def unsubscribe_token(self, user_id: int, kind: str) -> str:
        return self._signer().dumps({"u": user_id, "k": kind})

    def read_unsubscribe_token(self, token: str) -> tuple[int, str]:
        """(user id, kind); raises UnsubscribeLinkBad for a forged or expired link."""
        try:
            data = self._signer().loads(token, max_age=UNSUBSCRIBE_DAYS * 86400)
        except SignatureExpired:
            raise UnsubscribeLinkBad("expired") from None
        except BadSignature:
            raise UnsubscribeLinkBad("forged") from None
        if not isinstance(data, dict) or not isinstance(data.get("u"), int):
            raise UnsubscribeLinkBad("forged")
        return data["u"], str(data.get("k", ""))


class UnsubscribeLinkBad(Exception):
    def __init__(self, why: str):
        super().__init__(why)
        self.why = why  # "expired" or "forged"
