"""Circle events of homework (store/homework.py).

Assignment events reach every member. Submission events carry their audience,
decided by the store in the write's transaction: `student` (whom it is about)
and the circle's owners and admins always receive them; other members only
when `audience` is null (every member) or lists them. `submission.reviewed`
(the score, grade and comment) has an empty audience: the student and the
teachers only. Reminders to hand in go the one road (store/reminders.py: a
personal `reminder` event, `about.kind` "homework").
The one rule (`audience_sees`) is applied live and when catching up
(server/members.py ``visible_to``). Registered in ``events.EVENT_TYPES`` like
every other kind.

`assignment` is an assignment as the HTTP API shows it; `submission` a
submission (without its review, except in `submission.reviewed`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from .event_base import CircleEvent, Map


@dataclass(frozen=True, slots=True)
class AssignmentCreated(CircleEvent):
    """A teacher set an assignment."""

    kind: ClassVar[str] = "assignment.created"
    assignment: Map


@dataclass(frozen=True, slots=True)
class AssignmentUpdated(CircleEvent):
    """A teacher changed (or closed, or reopened) an assignment."""

    kind: ClassVar[str] = "assignment.updated"
    assignment: Map


@dataclass(frozen=True, slots=True)
class AssignmentDeleted(CircleEvent):
    """A teacher deleted an assignment (`assignment`: its id) and its submissions."""

    kind: ClassVar[str] = "assignment.deleted"
    assignment: str


@dataclass(frozen=True, slots=True)
class SubmissionUpdated(CircleEvent):
    """A submission changed: `action` is `submitted`, `resubmitted`, `edited`,
    `withdrawn`, `reviewed`, `returned` or `excellent`."""

    kind: ClassVar[str] = "submission.updated"
    action: str
    submission: Map
    student: str | None
    audience: list[str] | None


@dataclass(frozen=True, slots=True)
class SubmissionReviewed(CircleEvent):
    """A teacher reviewed a submission or returned it for redo; `submission`
    carries its `review`. The student and the teachers only."""

    kind: ClassVar[str] = "submission.reviewed"
    submission: Map
    student: str | None
    audience: list[str] | None


@dataclass(frozen=True, slots=True)
class SubmissionCommented(CircleEvent):
    """A member commented on a submission (`comment`: {id, submission, author, text, created})."""

    kind: ClassVar[str] = "submission.commented"
    comment: Map
    student: str | None
    audience: list[str] | None


@dataclass(frozen=True, slots=True)
class SubmissionLiked(CircleEvent):
    """`user` liked (or unliked: `liked` false) a submission; `likes` counts them now."""

    kind: ClassVar[str] = "submission.liked"
    submission: str
    assignment: str
    user: str
    liked: bool
    likes: int
    student: str | None
    audience: list[str] | None


HOMEWORK_EVENTS = (
    AssignmentCreated,
    AssignmentUpdated,
    AssignmentDeleted,
    SubmissionUpdated,
    SubmissionReviewed,
    SubmissionCommented,
    SubmissionLiked,
)
# The events that carry an audience (`audience_sees`).
AUDIENCE_EVENTS = (
    SubmissionUpdated,
    SubmissionReviewed,
    SubmissionCommented,
    SubmissionLiked,
)


def audience_sees(event: Any, user_id: str, manager: bool) -> bool:
    """Whether a member receives an event of ``AUDIENCE_EVENTS``: a teacher, its
    student, or a member of its audience (null: every member)."""
    if manager or user_id == event.student:
        return True
    return event.audience is None or user_id in event.audience
