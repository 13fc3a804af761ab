"""A circle's sections over HTTP: ``PATCH /circles/{id}`` with ``sections``, an
ordered list of section keys (store/sections.py). The store checks the keys and
that the caller is an owner; here only the shape."""

from __future__ import annotations

from typing import Any

from server.api.inputs import bad

# More than every key there is, each no longer than a key can be.
LIST_MAX, KEY_MAX = 32, 32


def get_sections(body: dict[str, Any]) -> list[str]:
    """``sections``: a list of strings (present: the caller checked ``in body``)."""
    value = body.get("sections")
    if (
        not isinstance(value, list)
        or len(value) > LIST_MAX
        or not all(isinstance(key, str) and len(key) <= KEY_MAX for key in value)
    ):
        raise bad("sections must be a list of section keys")
    return value
