"""The `highlight` push: what changed on the durable side of a circle.

One push is encoded once and sent to every connected member of the circle, so
the post in it cannot carry what only one viewer knows (`liked`, `acked`);
clients keep their own or read the post over HTTP.
"""

from __future__ import annotations

from typing import Any, Literal

from protocol import Highlight

Action = Literal["promoted", "pinned", "unpinned", "must_read", "updated"]
# Per-viewer fields of a post record: wrong for everyone but one viewer.
VIEWER_FIELDS = ("liked", "acked")


def shared_view(post: dict[str, Any]) -> dict[str, Any]:
    """The post as every member may see it (a tombstone passes unchanged)."""
    return {key: value for key, value in post.items() if key not in VIEWER_FIELDS}


def highlight_event(action: Action, post: dict[str, Any]) -> dict[str, Any]:
    """The broker event of a post change: small, and the same for every node."""
    return {"k": "highlight", "circle": post["circle"], "action": action, "post": shared_view(post)}


def highlight_frame(event: dict[str, Any]) -> dict[str, Any]:
    return Highlight(circle=event["circle"], action=event["action"], post=event["post"]).to_map()
