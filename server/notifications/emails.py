"""The words of each email, plain text and HTML, from templates under
templates/notifications/mail/ (Jinja, HTML autoescaped). Rendered when the mail
is recorded in the outbox, so a retry sends exactly what was recorded."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from server.notifications.delivery import Delivery

_TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "notifications" / "mail"
_env = Environment(
    loader=FileSystemLoader(str(_TEMPLATES)),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)

_env.filters["capitalize_first"] = lambda text: text[:1].upper() + text[1:]


@dataclass
class Email:
    subject: str
    text: str
    html: str
    headers: dict


def render(
    template: str, delivery: Delivery, *, user_id: int, kind: str | None, **context
) -> Email:
    """Render `template`.txt and .html. With a kind, the email carries a signed
    one-click unsubscribe link for that kind (body and List-Unsubscribe headers)."""
    headers: dict = {}
    unsubscribe = None
    if kind is not None:
        unsubscribe = delivery.url(f"/unsubscribe/{delivery.unsubscribe_token(user_id, kind)}")
        headers = {
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    context = {
        **context,
        "unsubscribe_url": unsubscribe,
        "settings_url": delivery.url("/notifications/settings"),
        "home_url": delivery.url("/"),
    }
    subject = " ".join(_env.get_template(f"{template}.subject.txt").render(**context).split())
    return Email(
        subject=subject[:290],
        text=_env.get_template(f"{template}.txt").render(**context),
        html=_env.get_template(f"{template}.html").render(subject=subject, **context),
        headers=headers,
    )
