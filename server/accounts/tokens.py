"""Random secrets for links, sessions and API tokens. Only a SHA-256 of each is
stored: the secrets are long and random, so a slow hash would add nothing."""

from __future__ import annotations

import hashlib
import secrets


def new_secret(prefix: str = "") -> tuple[str, str]:
    """Return (secret to hand out once, hash to store)."""
    token = prefix + secrets.token_urlsafe(32)
    return token, digest(token)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
