"""JSON API under /api/v1 (flask-smorest: validation and the OpenAPI document)."""


def register(api) -> None:
    pass
