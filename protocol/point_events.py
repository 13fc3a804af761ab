"""Circle events of points (store/points.py): every member receives them, live and
when catching up. Registered in ``events.EVENT_TYPES``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .event_base import CircleEvent, Map


@dataclass(frozen=True, slots=True)
class PointsRules(CircleEvent):
    """An owner or admin changed the circle's points table (from now on):
    `rules` maps actions to points; `exclude_managers`; `updated` stamps it."""

    kind: ClassVar[str] = "points.rules"
    rules: Map
    exclude_managers: bool
    updated: int


POINT_EVENTS = (PointsRules,)
