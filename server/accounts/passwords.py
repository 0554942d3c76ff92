"""Password hashing with argon2 (argon2-cffi's recommended parameters)."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server.errors import InvalidInput

MIN_LENGTH = 10
MAX_LENGTH = 256


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash("not a real password, used to spend the same time")


def check_strength(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        raise InvalidInput(
            f"Choose a password of at least {MIN_LENGTH} characters.",
            fields={"password": [f"At least {MIN_LENGTH} characters."]},
        )
    if len(password) > MAX_LENGTH:
        raise InvalidInput(
            "That password is too long.", fields={"password": [f"At most {MAX_LENGTH} characters."]}
        )


def hash_password(password: str) -> str:
    check_strength(password)
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password. With no hash (unknown email) still spend a verify's time, so
    response time does not tell whether an account exists."""
    try:
        return _hasher().verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False
