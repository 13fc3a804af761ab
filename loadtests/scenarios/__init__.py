"""The scenarios, by name."""

from __future__ import annotations

from .base import Context, Layout, Scenario
from .durable import Durable
from .fanout import Fanout
from .idle import Idle
from .mixed import Mixed
from .rooms import Rooms
from .storm import Storm

SCENARIOS: dict[str, type[Scenario]] = {
    cls.name: cls for cls in (Fanout, Rooms, Idle, Durable, Mixed, Storm)
}

__all__ = ["SCENARIOS", "Context", "Layout", "Scenario"]
