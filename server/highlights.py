"""The `highlight` push of protocol v1, derived from the circle events of posts.

Clients written before the `event` push still get what they always got:
`promoted`, `pinned`, `unpinned`, `must_read` and `updated` (an edit, a
deletion, a must-read cleared, each post of a new pin order). A client that
handles `event` can ignore `highlight`.
"""

from __future__ import annotations

from typing import Any

from protocol import CircleEvent, Highlight, HighlightAction
from protocol.events import (
    PinsReordered,
    PostDeleted,
    PostEdited,
    PostMustRead,
    PostPinned,
    PostPromoted,
    PostUnpinned,
)

_ACTIONS: dict[type, HighlightAction] = {
    PostPromoted: "promoted",
    PostPinned: "pinned",
    PostUnpinned: "unpinned",
    PostEdited: "updated",
    PostDeleted: "updated",
}


def highlight_frames(event: CircleEvent) -> list[dict[str, Any]]:
    """The v1 `highlight` pushes an event stands for (none for most kinds)."""
    if isinstance(event, PostMustRead):
        flagged: HighlightAction = "must_read" if event.post.get("must_read") else "updated"
        return [Highlight(circle=event.circle, action=flagged, post=event.post).to_map()]
    if isinstance(event, PinsReordered):
        return [
            Highlight(circle=event.circle, action="updated", post=post).to_map()
            for post in event.posts
        ]
    action = _ACTIONS.get(type(event))
    if action is None:
        return []
    post = event.post  # type: ignore[attr-defined]
    return [Highlight(circle=event.circle, action=action, post=post).to_map()]
