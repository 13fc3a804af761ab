"""A circle's sections: which parts of a circle its members see, and in what order.

A circle's kind (internal, business, community, teaching) gives it a template:
the sections that are on, in order, and a few settings the kind sets at creation
(``KIND_DEFAULTS``). The circle keeps its own list (``circles.sections``, keys
joined by commas); an owner switches sections on and off and reorders them with
``Circles.update(..., {"sections": [...]})``, which reaches every member as
``circle.updated`` like any other setting.

Sections are presentation, not permission: switching ``chat`` off hides the chat
tab in the clients; the protocol, the HTTP routes and the change log work as
before (a member may still be sent messages by an older client, and search still
finds them). The settings page is not a section: it is always there.
"""

from __future__ import annotations

from typing import Any

from .errors import Invalid

# Every section a circle can have (one list for every branch: a new tab adds its key here).
KEYS = (
    "chat",
    "highlights",
    "feed",
    "course",
    "materials",
    "homework",
    "events",
    "challenges",
    "contests",
    "points",
    "search",
)

# Each kind's sections, in order; keys not listed start off (and can be switched on).
TEMPLATES: dict[str, tuple[str, ...]] = {
    # A team at work: talk first, then notices, the staff's events, check-ins and
    # contests (a bank's birthday parties, reading check-ins, photo contest), files.
    "internal": (
        "chat",
        "feed",
        "events",
        "challenges",
        "contests",
        "materials",
        "highlights",
        "search",
    ),
    # A business and its customers: announcements first, then its events.
    "business": ("feed", "chat", "highlights", "events", "materials", "search"),
    # Members among themselves: every activity, points included.
    "community": (
        "chat",
        "highlights",
        "feed",
        "events",
        "challenges",
        "contests",
        "points",
        "materials",
        "search",
    ),
    # A course: notices (the feed), the plan, materials, homework, then the class chat.
    "teaching": ("feed", "course", "materials", "homework", "chat", "highlights", "search"),
}

# Settings a kind sets when a circle of that kind is created (others: the columns' defaults).
KIND_DEFAULTS: dict[str, dict[str, Any]] = {
    # A bank's chat is kept for a year (the default: 90 days).
    "internal": {"retention_days": 365},
    "business": {},
    "community": {},
    # A course's chat lasts its term and more; a late student reads what the class said
    # (history_for_new_members is on by default for every kind: said here so it stays on).
    "teaching": {"retention_days": 365, "history_for_new_members": True},
}


def template(kind: str) -> list[str]:
    """The sections a new circle of ``kind`` starts with."""
    return list(TEMPLATES.get(kind, TEMPLATES["community"]))


def stored(sections: list[str]) -> str:
    """The column's value for a checked list."""
    return ",".join(sections)


def parse(value: str | None, kind: str) -> list[str]:
    """The circle's sections from its column (None: its kind's template). Keys this
    server no longer knows are dropped rather than shown."""
    if value is None:
        return template(kind)
    return [key for key in value.split(",") if key in KEYS]


def check(value: object) -> list[str]:
    """An owner's list of sections: known keys, each once, at least one."""
    if not isinstance(value, list) or not all(isinstance(key, str) for key in value):
        raise Invalid("sections must be a list of section keys")
    unknown = [key for key in value if key not in KEYS]
    if unknown:
        raise Invalid(f"unknown section {unknown[0]!r}: one of {', '.join(KEYS)}")
    if len(set(value)) != len(value):
        raise Invalid("sections must not repeat a key")
    if not value:
        raise Invalid("a circle needs at least one section")
    return list(value)
