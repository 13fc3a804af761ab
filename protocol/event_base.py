"""What every circle event has (protocol/events.py holds the kinds): its circle,
its place in the circle's log (`rev`) and its time."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar

Map = dict[str, Any]


@dataclass(frozen=True, slots=True)
class CircleEvent:
    """What every event has: its circle, its place in the circle's log, its time."""

    kind: ClassVar[str] = ""
    circle: str
    rev: int
    ts: int

    def to_map(self) -> Map:
        m: Map = {"t": "event", "kind": self.kind}
        for f in fields(self):
            m[f.name] = getattr(self, f.name)
        return m
