"""Circle events of the course plan (store/lessons.py): every member of the
circle receives them, live and when catching up, so the plan, the lesson page
and the "live now" banner follow without reloading. Registered in
``events.EVENT_TYPES`` like every other kind.

`lesson` is a lesson as the HTTP API shows it without the per-viewer fields
(`seen`, `past`, `missed`): `{"id","circle","position","title","description",
"starts_at","starts_local","time_zone","duration_min","ends_at","attachments",
"group","stream_url","stream_embed","replay_url","remind_before_min",
"reminded_at","state","live","created_by","created","updated"}`, where `live`
is null while scheduled, else `{"group","started_at","start_seq","ended_at",
"end_seq"}`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .event_base import CircleEvent, Map


@dataclass(frozen=True, slots=True)
class LessonCreated(CircleEvent):
    """A teacher added a lesson to the plan."""

    kind: ClassVar[str] = "lesson.created"
    lesson: Map


@dataclass(frozen=True, slots=True)
class LessonUpdated(CircleEvent):
    """A teacher changed a lesson (its time, stream, replay, attachments…)."""

    kind: ClassVar[str] = "lesson.updated"
    lesson: Map


@dataclass(frozen=True, slots=True)
class LessonDeleted(CircleEvent):
    """A teacher removed a lesson; `lesson` is its id."""

    kind: ClassVar[str] = "lesson.deleted"
    lesson: str


@dataclass(frozen=True, slots=True)
class LessonsReordered(CircleEvent):
    """A teacher put the plan in a new order: every lesson id, first to last."""

    kind: ClassVar[str] = "lessons.reordered"
    order: list[str]


@dataclass(frozen=True, slots=True)
class LessonLive(CircleEvent):
    """A teacher started a lesson: `lesson.live` says which chat group is the
    live chat and its seq at the start."""

    kind: ClassVar[str] = "lesson.live"
    lesson: Map


@dataclass(frozen=True, slots=True)
class LessonEnded(CircleEvent):
    """A live lesson ended: `lesson.live.end_seq` closes the range of the
    messages said during it."""

    kind: ClassVar[str] = "lesson.ended"
    lesson: Map


LESSON_EVENTS = (
    LessonCreated,
    LessonUpdated,
    LessonDeleted,
    LessonsReordered,
    LessonLive,
    LessonEnded,
)
