"""Homework (COMMUNITY-OPS.md rules 7–9): assignments, submissions, review,
peer comments and likes, "excellent" work as a highlight.

Teachers are the circle's owners and admins (``lookups.require_manager``).
An assignment has a title, instructions with attachments, ``due_at`` (ms, or
none), ``allow_late`` (late work is accepted and marked ``late``; without it,
refused), media limits (rule 8 defaults: text ≤ 2,000 characters, ≤ 9 images
and videos in all, ≤ 3 videos, ≤ 10 audio clips; files ≤ 9), a peer visibility
(``hidden``, ``after_submit``, ``after_review``, ``always``) and optionally a
``lesson_id`` (a lesson of the same circle: store/lessons.py).

A submission moves through the states of rule 8, in this one table
(``TRANSITIONS``); every other move is refused with a reason code naming the
state it is in (``not_submitted``, ``already_submitted``, ``already_reviewed``,
``returned_for_redo``)::

    submit    assigned → submitted       returned → resubmitted
    edit      submitted → submitted      resubmitted → resubmitted
    withdraw  submitted → assigned       resubmitted → returned
    review    submitted | resubmitted → reviewed
    return    submitted | resubmitted → returned

Other refusals: ``assignment_closed``, ``past_due``, ``empty_submission``,
``text_too_long``, ``too_many_media`` / ``too_many_videos`` /
``too_many_audio`` / ``too_many_documents`` (params ``max``),
``score_or_grade_required``, ``submission_hidden``; a read-only or muted
member may not submit, comment or like (``lookups.require_voice``).

Who sees a submission (``may_see``: the one check of HTTP reads, of comments
and likes, and of the events' audience): its student, the teachers, and
classmates as the peer visibility allows (``peer_may_see``) — a submission
marked excellent is everyone's (it is a highlight). The review (score, grade,
comment) is only the student's and the teachers'. Every event about a
submission carries its audience (``audience_of``), computed in the write's
transaction, so the live push and the catch-up apply the same rule
(server/members.py ``visible_to``).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Select, and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from . import attachment_uses, validation
from .calendar import DEFAULT_ZONE, local_time_text, parse_local_time
from .changes import record
from .engine import Service
from .errors import Conflict, Forbidden, Invalid, NotFound
from .ids import decode_cursor, encode_cursor, new_id, now_ms
from .lessons import lesson_row
from .lookups import (
    circle_row,
    newest_first,
    next_cursor,
    read_post,
    require_manager,
    require_visible,
    require_voice,
    role_of,
)
from .models import (
    ASSIGNMENTS,
    ATTACHMENT_USES,
    CIRCLES,
    MEMBERSHIPS,
    SUBMISSION_COMMENTS,
    SUBMISSION_LIKES,
    SUBMISSIONS,
    USERS,
)
from .promotion import promote_once, work_source
from .records import (
    DISPLAY_NAME,
    MANAGER_ROLES,
    AnyRow,
    Record,
    decode_attachments,
    encode_attachments,
)
from .reminders import about, remind

TITLE_MAX = 100
INSTRUCTIONS_MAX = 10_000
TEXT_LIMIT_MAX = 20_000
VISIBILITY = ("hidden", "after_submit", "after_review", "always")
STATES = ("assigned", "submitted", "reviewed", "returned", "resubmitted")
# A submission that was handed in (a returned one was, too: its student submitted).
HANDED_IN = ("submitted", "reviewed", "returned", "resubmitted")
# Rule 8's defaults; a teacher may lower or raise them up to the caps.
DEFAULT_LIMITS = {"text": 2000, "visual": 9, "video": 3, "audio": 10}
LIMIT_CAPS = {"text": TEXT_LIMIT_MAX, "visual": 30, "video": 30, "audio": 30}
FILES_MAX = 9
ATTACHMENTS_MAX = 60
GRADE_MAX = 20
COMMENT_MAX = 2000
SCORE_MAX = 1_000_000
PAGE_MAX = 100
# Rule 7: non-submitters are reminded at these offsets before due_at (ms).
REMIND_OFFSETS = (24 * 3_600_000, 3_600_000)

TRANSITIONS: dict[str, dict[str, str]] = {
    "submit": {"assigned": "submitted", "returned": "resubmitted"},
    "edit": {"submitted": "submitted", "resubmitted": "resubmitted"},
    "withdraw": {"submitted": "assigned", "resubmitted": "returned"},
    "review": {"submitted": "reviewed", "resubmitted": "reviewed"},
    "return": {"submitted": "returned", "resubmitted": "returned"},
}
_REFUSALS = {
    "assigned": ("not_submitted", "nothing is submitted"),
    "submitted": ("already_submitted", "it is submitted already (edit it instead)"),
    "resubmitted": ("already_submitted", "it is submitted already (edit it instead)"),
    "reviewed": ("already_reviewed", "it has been reviewed"),
    "returned": ("returned_for_redo", "it was returned for redo (submit it again)"),
}


def transition(state: str, action: str) -> str:
    """The state after ``action`` from ``state``; ``Conflict`` with the reason
    code of the state when the move is not in ``TRANSITIONS``."""
    after = TRANSITIONS[action].get(state)
    if after is None:
        reason, why = _REFUSALS[state]
        raise Conflict(f"cannot {action} this submission: {why}", reason=reason)
    return after


def peer_may_see(visibility: str, state: str, excellent: bool, viewer_handed_in: bool) -> bool:
    """Whether a classmate sees a submission in ``state``: never before it is
    handed in; always once it is excellent (a highlight); else as the
    assignment's peer visibility says."""
    if state == "assigned":
        return False
    if excellent or visibility == "always":
        return True
    if visibility == "after_submit":
        return viewer_handed_in
    if visibility == "after_review":
        return state == "reviewed"
    return False


def may_see(
    assignment: AnyRow, submission: AnyRow, viewer_id: str, role: str | None, handed_in: bool
) -> bool:
    """The one check: the student, the teachers, classmates as ``peer_may_see``."""
    if role is None:
        return False
    if role in MANAGER_ROLES or viewer_id == submission.user_id:
        return True
    return peer_may_see(
        assignment.peer_visibility, submission.state, bool(submission.excellent), handed_in
    )


async def audience_of(
    conn: AsyncConnection, assignment: AnyRow, submission: AnyRow
) -> list[str] | None:
    """Who besides the student and the teachers may see the submission now: None
    for every member, else the classmates who may (``may_see``'s rule)."""
    vis, state, best = assignment.peer_visibility, submission.state, bool(submission.excellent)
    if peer_may_see(vis, state, best, False):
        return None
    if not peer_may_see(vis, state, best, True):
        return []
    rows = await conn.execute(
        select(SUBMISSIONS.c.user_id).where(
            SUBMISSIONS.c.assignment_id == assignment.id,
            SUBMISSIONS.c.state.in_(HANDED_IN),
            SUBMISSIONS.c.user_id != submission.user_id,
        )
    )
    return sorted(r.user_id for r in rows)


def _union(a: list[str] | None, b: list[str] | None) -> list[str] | None:
    return None if a is None or b is None else sorted({*a, *b})


def assignment_record(row: AnyRow) -> Record:
    return {
        "id": row.id,
        "circle": row.circle_id,
        "title": row.title,
        "instructions": row.instructions,
        "attachments": decode_attachments(row.attachments),
        "due_at": row.due_at,
        # The due time on the circle's clock (YYYY-MM-DDTHH:MM), as teachers set it.
        "due_local": (
            None
            if row.due_at is None
            else local_time_text(row.due_at, row.time_zone or DEFAULT_ZONE)
        ),
        "allow_late": bool(row.allow_late),
        "limits": {
            "text": row.text_max,
            "visual": row.visual_max,
            "video": row.video_max,
            "audio": row.audio_max,
            "files": FILES_MAX,
        },
        "peer_visibility": row.peer_visibility,
        "lesson_id": row.lesson_id,
        "closed": bool(row.closed),
        "created_by": row.created_by,
        "created": row.created,
        "updated": row.updated,
    }


def submission_record(row: AnyRow, with_review: bool) -> Record:
    """A submission; its review only for its student and the teachers."""
    found: Record = {
        "id": row.id,
        "assignment": row.assignment_id,
        "circle": row.circle_id,
        "user": row.user_id,
        "name": getattr(row, "display_name", None),
        "state": row.state,
        "text": row.text,
        "attachments": decode_attachments(row.attachments),
        "submitted": row.submitted,
        "edited": row.edited,
        "late": bool(row.late),
        "excellent": bool(row.excellent),
        "post": row.post_id,
        "likes": row.like_count,
        "comments": row.comment_count,
    }
    if with_review:
        found["review"] = (
            None
            if row.reviewed is None
            else {
                "score": row.score,
                "grade": row.grade,
                "comment": row.comment,
                "attachments": decode_attachments(row.comment_attachments),
                "reviewer": row.reviewer_id,
                "reviewed": row.reviewed,
            }
        )
    return found


def _ids(value: object, field: str = "attachments") -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(
        isinstance(item, str) and 0 < len(item) <= attachment_uses.ID_MAX for item in value
    ):
        raise Invalid(f"{field} must be a list of attachment ids")
    if len(value) > ATTACHMENTS_MAX:
        raise Invalid(f"at most {ATTACHMENTS_MAX} {field}")
    if len(set(value)) != len(value):
        raise Invalid("an attachment is listed twice")
    return list(value)


def _check_media(assignment: AnyRow, words: str, carried: list[Record]) -> None:
    """Rule 8's media limits of the assignment."""
    if len(words) > assignment.text_max:
        raise Invalid(
            f"write at most {assignment.text_max} characters",
            reason="text_too_long",
            params={"max": assignment.text_max},
        )
    kinds = [a["kind"] for a in carried]
    checks = (
        (kinds.count("image") + kinds.count("video"), assignment.visual_max, "too_many_media"),
        (kinds.count("video"), assignment.video_max, "too_many_videos"),
        (kinds.count("audio"), assignment.audio_max, "too_many_audio"),
        (kinds.count("file"), FILES_MAX, "too_many_documents"),
    )
    for count, most, reason in checks:
        if count > most:
            raise Invalid(f"at most {most} ({reason})", reason=reason, params={"max": most})
    if not words and not carried:
        raise Invalid("write something or attach your work", reason="empty_submission")


def _limits(fields: dict[str, Any], base: dict[str, int]) -> dict[str, int]:
    given = fields.get("limits")
    if given is None:
        return base
    if not isinstance(given, dict) or set(given) - set(DEFAULT_LIMITS):
        raise Invalid(f"limits may set {', '.join(DEFAULT_LIMITS)}")
    out = dict(base)
    for key, value in given.items():
        out[key] = validation.integer(value, f"limits.{key}", 0, LIMIT_CAPS[key])
    return out


_FIELDS = {
    "title",
    "instructions",
    "attachments",
    "due_at",
    "allow_late",
    "limits",
    "peer_visibility",
    "lesson_id",
    "closed",
}


def _with_names(circle_id: Any) -> Any:
    return (
        select(*SUBMISSIONS.c, DISPLAY_NAME)
        .join(USERS, USERS.c.id == SUBMISSIONS.c.user_id)
        .outerjoin(
            MEMBERSHIPS,
            and_(
                MEMBERSHIPS.c.circle_id == circle_id,
                MEMBERSHIPS.c.user_id == SUBMISSIONS.c.user_id,
            ),
        )
    )


def _assignments() -> Select[Any]:
    """Assignments with their circle's time zone (``due_local``)."""
    return select(ASSIGNMENTS, CIRCLES.c.time_zone).join(
        CIRCLES, CIRCLES.c.id == ASSIGNMENTS.c.circle_id
    )


async def assignment_row(conn: AsyncConnection, assignment_id: object) -> AnyRow:
    if not isinstance(assignment_id, str):
        raise NotFound("no such assignment")
    row = (await conn.execute(_assignments().where(ASSIGNMENTS.c.id == assignment_id))).first()
    if row is None:
        raise NotFound("no such assignment")
    await circle_row(conn, row.circle_id)
    return row


async def submission_row(conn: AsyncConnection, submission_id: object) -> AnyRow:
    if not isinstance(submission_id, str):
        raise NotFound("no such submission")
    query = select(SUBMISSIONS.c.circle_id).where(SUBMISSIONS.c.id == submission_id)
    circle_id = (await conn.execute(query)).scalar()
    if circle_id is None:
        raise NotFound("no such submission")
    row = (
        await conn.execute(_with_names(circle_id).where(SUBMISSIONS.c.id == submission_id))
    ).first()
    assert row is not None
    return row


async def _mine(conn: AsyncConnection, assignment_id: str, user_id: str) -> AnyRow | None:
    query = select(SUBMISSIONS).where(
        SUBMISSIONS.c.assignment_id == assignment_id, SUBMISSIONS.c.user_id == user_id
    )
    return (await conn.execute(query)).first()


async def _handed_in(conn: AsyncConnection, assignment_id: str, user_id: str) -> bool:
    mine = await _mine(conn, assignment_id, user_id)
    return mine is not None and mine.state in HANDED_IN


async def _students(conn: AsyncConnection, circle_id: str) -> list[AnyRow]:
    """The circle's members who are not its teachers, with their names."""
    query = (
        select(MEMBERSHIPS.c.user_id, DISPLAY_NAME)
        .join(USERS, USERS.c.id == MEMBERSHIPS.c.user_id)
        .where(
            MEMBERSHIPS.c.circle_id == circle_id,
            MEMBERSHIPS.c.role.not_in(list(MANAGER_ROLES)),
        )
        .order_by(DISPLAY_NAME, MEMBERSHIPS.c.user_id)
    )
    return list((await conn.execute(query)).all())


class Homework(Service):
    """Assignments, submissions and their review, peers' comments and likes."""

    # -- assignments ------------------------------------------------------------------

    async def create(
        self, circle_id: str, actor_id: str, fields: dict[str, Any], now: int | None = None
    ) -> Record:
        """A new assignment (teachers). ``fields``: ``title``; optionally
        ``instructions``, ``attachments`` (ids), ``due_at``, ``allow_late``
        (true), ``limits`` ({text, visual, video, audio}), ``peer_visibility``
        (hidden), ``lesson_id``."""
        if not isinstance(fields, dict):
            raise Invalid("an assignment must be an object")
        at = now_ms() if now is None else now
        async with self._db.write() as conn:
            circle = await circle_row(conn, circle_id, lock=True)
            await require_manager(conn, circle_id, actor_id)
            values = self._values(fields, None, circle.time_zone or DEFAULT_ZONE)
            if "title" not in values:
                raise Invalid("title must be a string")
            await _check_lesson(conn, circle_id, values.get("lesson_id"))
            ids = values.pop("attachment_ids", [])
            carried = await attachment_uses.resolve(conn, circle_id, ids)
            assignment_id = new_id()
            await conn.execute(
                ASSIGNMENTS.insert().values(
                    {
                        "text_max": DEFAULT_LIMITS["text"],
                        "visual_max": DEFAULT_LIMITS["visual"],
                        "video_max": DEFAULT_LIMITS["video"],
                        "audio_max": DEFAULT_LIMITS["audio"],
                        "allow_late": True,
                        "peer_visibility": "hidden",
                        "instructions": "",
                        **values,
                        "id": assignment_id,
                        "circle_id": circle_id,
                        "attachments": encode_attachments(carried),
                        "closed": False,
                        "created_by": actor_id,
                        "created": at,
                        "updated": at,
                        "reminded": "[]",
                    }
                )
            )
            await attachment_uses.use(conn, assignment_id, 0, carried)
            found = assignment_record(await assignment_row(conn, assignment_id))
            await record(conn, circle_id, "assignment.created", {"assignment": found})
        return found

    def _values(self, fields: dict[str, Any], row: AnyRow | None, zone: str) -> dict[str, Any]:
        unknown = set(fields) - _FIELDS
        if unknown:
            raise Invalid(f"an assignment cannot have {', '.join(sorted(map(str, unknown)))}")
        values: dict[str, Any] = {}
        if "title" in fields or row is None:
            values["title"] = validation.display_name(fields.get("title"), "title", TITLE_MAX)
        if "instructions" in fields:
            values["instructions"] = validation.text(
                fields["instructions"] or "", "instructions", 0, INSTRUCTIONS_MAX, strip=False
            )
        if "attachments" in fields:
            values["attachment_ids"] = _ids(fields["attachments"])
        if "due_at" in fields:
            due = fields["due_at"]
            values["due_at"] = None if due is None else parse_local_time(due, "due_at", zone)
        if "allow_late" in fields:
            values["allow_late"] = validation.boolean(fields["allow_late"], "allow_late")
        if "peer_visibility" in fields:
            values["peer_visibility"] = validation.choice(
                fields["peer_visibility"], "peer_visibility", VISIBILITY
            )
        if "lesson_id" in fields:
            lesson = fields["lesson_id"]
            values["lesson_id"] = (
                None if lesson is None else validation.text(lesson, "lesson_id", 1, 32)
            )
        if "closed" in fields:
            if row is None:
                raise Invalid("a new assignment is open")
            values["closed"] = validation.boolean(fields["closed"], "closed")
        base = (
            DEFAULT_LIMITS
            if row is None
            else {
                "text": row.text_max,
                "visual": row.visual_max,
                "video": row.video_max,
                "audio": row.audio_max,
            }
        )
        if "limits" in fields:
            limits = _limits(fields, base)
            values.update(
                text_max=limits["text"],
                visual_max=limits["visual"],
                video_max=limits["video"],
                audio_max=limits["audio"],
            )
        return values

    async def update(self, assignment_id: str, actor_id: str, fields: dict[str, Any]) -> Record:
        """Change an assignment (teachers): any field of ``create``, and ``closed``
        (a closed assignment takes no more submissions or edits)."""
        if not isinstance(fields, dict):
            raise Invalid("an assignment must be an object")
        async with self._db.write() as conn:
            row = await assignment_row(conn, assignment_id)
            await circle_row(conn, row.circle_id, lock=True)
            await require_manager(conn, row.circle_id, actor_id)
            values = self._values(fields, row, row.time_zone or DEFAULT_ZONE)
            await _check_lesson(conn, row.circle_id, values.get("lesson_id"))
            if "attachment_ids" in values:
                carried = await attachment_uses.resolve(
                    conn, row.circle_id, values.pop("attachment_ids")
                )
                await attachment_uses.release(conn, [row.id])
                await attachment_uses.use(conn, row.id, 0, carried)
                values["attachments"] = encode_attachments(carried)
            if "due_at" in values:
                values["reminded"] = "[]"
            values["updated"] = now_ms()
            await conn.execute(update(ASSIGNMENTS).where(ASSIGNMENTS.c.id == row.id).values(values))
            found = assignment_record(await assignment_row(conn, row.id))
            await record(conn, row.circle_id, "assignment.updated", {"assignment": found})
        return found

    async def delete(self, assignment_id: str, actor_id: str) -> None:
        """Delete an assignment and its submissions (teachers). Highlights made of
        its excellent work stay posts of the circle."""
        async with self._db.write() as conn:
            row = await assignment_row(conn, assignment_id)
            await circle_row(conn, row.circle_id, lock=True)
            await require_manager(conn, row.circle_id, actor_id)
            subs = [
                r.id
                for r in await conn.execute(
                    select(SUBMISSIONS.c.id).where(SUBMISSIONS.c.assignment_id == row.id)
                )
            ]
            if subs:
                await conn.execute(
                    delete(SUBMISSION_COMMENTS).where(SUBMISSION_COMMENTS.c.submission_id.in_(subs))
                )
                await conn.execute(
                    delete(SUBMISSION_LIKES).where(SUBMISSION_LIKES.c.submission_id.in_(subs))
                )
                await conn.execute(delete(SUBMISSIONS).where(SUBMISSIONS.c.id.in_(subs)))
                await attachment_uses.release(conn, subs)
                await attachment_uses.release(conn, [f"{s}:review" for s in subs])
            await attachment_uses.release(conn, [row.id])
            await conn.execute(delete(ASSIGNMENTS).where(ASSIGNMENTS.c.id == row.id))
            await record(conn, row.circle_id, "assignment.deleted", {"assignment": row.id})

    async def page(
        self, circle_id: str, viewer_id: str, cursor: str | None = None, limit: int = 20
    ) -> tuple[list[Record], str | None]:
        """The circle's assignments, newest first, each with the viewer's own
        submission state (``mine``) and, for teachers, the counts (``counts``)."""
        limit = validation.limit(limit, high=PAGE_MAX)
        async with self._db.read() as conn:
            circle = await circle_row(conn, circle_id)
            await require_visible(conn, circle, viewer_id)
            role = await role_of(conn, circle_id, viewer_id)
            query = _assignments().where(ASSIGNMENTS.c.circle_id == circle_id)
            rows = (await conn.execute(newest_first(query, ASSIGNMENTS, cursor, limit))).all()
            items = [await self._view(conn, row, viewer_id, role) for row in rows[:limit]]
        return items, next_cursor(rows, limit, "created", "id")

    async def get(self, assignment_id: str, viewer_id: str) -> Record:
        async with self._db.read() as conn:
            row = await assignment_row(conn, assignment_id)
            await require_visible(conn, await circle_row(conn, row.circle_id), viewer_id)
            role = await role_of(conn, row.circle_id, viewer_id)
            return await self._view(conn, row, viewer_id, role)

    async def _view(
        self, conn: AsyncConnection, row: AnyRow, viewer_id: str, role: str | None
    ) -> Record:
        found = assignment_record(row)
        mine = await _mine(conn, row.id, viewer_id)
        found["mine"] = {
            "id": None if mine is None else mine.id,
            "state": "assigned" if mine is None else mine.state,
            "late": False if mine is None else bool(mine.late),
            "submitted": None if mine is None else mine.submitted,
        }
        if role in MANAGER_ROLES:
            counts = await conn.execute(
                select(SUBMISSIONS.c.state, func.count().label("n"))
                .where(SUBMISSIONS.c.assignment_id == row.id)
                .group_by(SUBMISSIONS.c.state)
            )
            by = {r.state: int(r.n) for r in counts}
            late = (
                await conn.execute(
                    select(func.count()).where(
                        SUBMISSIONS.c.assignment_id == row.id,
                        SUBMISSIONS.c.late,
                        SUBMISSIONS.c.state.in_(HANDED_IN),
                    )
                )
            ).scalar_one()
            found["counts"] = {
                "to_review": by.get("submitted", 0) + by.get("resubmitted", 0),
                "reviewed": by.get("reviewed", 0),
                "returned": by.get("returned", 0),
                "late": int(late),
                "students": len(await _students(conn, row.circle_id)),
            }
        return found

    # -- submissions ------------------------------------------------------------------

    async def submit(
        self,
        assignment_id: str,
        user_id: str,
        text: object = "",
        attachments: object = None,
        now: int | None = None,
    ) -> Record:
        """Hand in (or in again after a return). See the module for refusals."""
        ids = _ids(attachments)
        words = validation.text(text if text is not None else "", "text", 0, TEXT_LIMIT_MAX)
        at = now_ms() if now is None else now
        try:
            async with self._db.write() as conn:
                row = await assignment_row(conn, assignment_id)
                await circle_row(conn, row.circle_id, lock=True)
                await require_voice(conn, row.circle_id, user_id)
                late = self._check_open(row, at)
                mine = await _mine(conn, row.id, user_id)
                state = transition("assigned" if mine is None else mine.state, "submit")
                carried = await attachment_uses.resolve(conn, row.circle_id, ids)
                _check_media(row, words, carried)
                content = {
                    "state": state,
                    "text": words,
                    "attachments": encode_attachments(carried),
                    "submitted": at,
                    "edited": None,
                    "late": late,
                }
                if mine is None:
                    submission_id = new_id()
                    await conn.execute(
                        SUBMISSIONS.insert().values(
                            id=submission_id,
                            assignment_id=row.id,
                            circle_id=row.circle_id,
                            user_id=user_id,
                            comment="",
                            excellent=False,
                            like_count=0,
                            comment_count=0,
                            **content,
                        )
                    )
                else:
                    submission_id = mine.id
                    await attachment_uses.release(conn, [submission_id])
                    await conn.execute(
                        update(SUBMISSIONS).where(SUBMISSIONS.c.id == submission_id).values(content)
                    )
                await attachment_uses.use(conn, submission_id, 0, carried)
                return await self._changed(conn, row, submission_id, state, None)
        except IntegrityError:
            # Two first submissions of one student in the same instant: one won.
            raise Conflict(
                "cannot submit this submission: it is submitted already",
                reason="already_submitted",
            ) from None

    @staticmethod
    def _check_open(row: AnyRow, at: int) -> bool:
        """Refuse a closed assignment, or late work when it is not allowed; returns
        whether the work is late."""
        if row.closed:
            raise Forbidden("this assignment is closed", reason="assignment_closed")
        late = row.due_at is not None and at > row.due_at
        if late and not row.allow_late:
            raise Forbidden("the due date has passed", reason="past_due")
        return late

    async def edit(
        self,
        submission_id: str,
        user_id: str,
        text: object = "",
        attachments: object = None,
        now: int | None = None,
    ) -> Record:
        """Change one's submission until it is reviewed (or returned)."""
        ids = _ids(attachments)
        words = validation.text(text if text is not None else "", "text", 0, TEXT_LIMIT_MAX)
        at = now_ms() if now is None else now
        async with self._db.write() as conn:
            found = await submission_row(conn, submission_id)
            if found.user_id != user_id:
                raise Forbidden("only its student edits a submission")
            row = await assignment_row(conn, found.assignment_id)
            await circle_row(conn, row.circle_id, lock=True)
            await require_voice(conn, row.circle_id, user_id)
            state = transition(found.state, "edit")
            if row.closed:
                raise Forbidden("this assignment is closed", reason="assignment_closed")
            carried = await attachment_uses.resolve(conn, row.circle_id, ids)
            _check_media(row, words, carried)
            await attachment_uses.release(conn, [found.id])
            await conn.execute(
                update(SUBMISSIONS)
                .where(SUBMISSIONS.c.id == found.id)
                .values(text=words, attachments=encode_attachments(carried), edited=at)
            )
            await attachment_uses.use(conn, found.id, 0, carried)
            return await self._changed(conn, row, found.id, state, found, action="edited")

    async def withdraw(self, submission_id: str, user_id: str) -> Record:
        """Take one's submission back until it is reviewed (its content goes)."""
        async with self._db.write() as conn:
            found = await submission_row(conn, submission_id)
            if found.user_id != user_id:
                raise Forbidden("only its student withdraws a submission")
            row = await assignment_row(conn, found.assignment_id)
            await circle_row(conn, row.circle_id, lock=True)
            state = transition(found.state, "withdraw")
            await attachment_uses.release(conn, [found.id])
            await conn.execute(
                update(SUBMISSIONS)
                .where(SUBMISSIONS.c.id == found.id)
                .values(
                    state=state,
                    text="",
                    attachments=None,
                    late=False,
                    edited=None,
                    submitted=None if state == "assigned" else found.submitted,
                )
            )
            return await self._changed(conn, row, found.id, state, found, action="withdrawn")

    async def review(
        self,
        submission_id: str,
        actor_id: str,
        score: object = None,
        grade: object = None,
        comment: object = "",
        attachments: object = None,
        *,
        redo: bool = False,
    ) -> Record:
        """Review (teachers): a score (a number) or a grade (short text), and a
        comment with attachments (a voice comment is common); ``redo`` returns it
        for redo instead (no score needed), which reopens it."""
        ids = _ids(attachments)
        said = validation.text(comment if comment is not None else "", "comment", 0, COMMENT_MAX)
        if score is not None:
            if isinstance(score, bool) or not isinstance(score, int | float):
                raise Invalid("score must be a number")
            if not 0 <= score <= SCORE_MAX:
                raise Invalid(f"score must be 0 to {SCORE_MAX}")
        if grade is not None:
            grade = validation.text(grade, "grade", 1, GRADE_MAX)
        if not redo and score is None and grade is None:
            raise Invalid("give a score or a grade", reason="score_or_grade_required")
        async with self._db.write() as conn:
            found = await submission_row(conn, submission_id)
            row = await assignment_row(conn, found.assignment_id)
            await circle_row(conn, row.circle_id, lock=True)
            await require_manager(conn, row.circle_id, actor_id)
            state = transition(found.state, "return" if redo else "review")
            carried = await attachment_uses.resolve(conn, row.circle_id, ids)
            review_uses = f"{found.id}:review"
            await attachment_uses.release(conn, [review_uses])
            await attachment_uses.use(conn, review_uses, 0, carried)
            await conn.execute(
                update(SUBMISSIONS)
                .where(SUBMISSIONS.c.id == found.id)
                .values(
                    state=state,
                    reviewer_id=actor_id,
                    reviewed=now_ms(),
                    score=None if score is None else float(score),
                    grade=grade,
                    comment=said,
                    comment_attachments=encode_attachments(carried),
                )
            )
            return await self._changed(conn, row, found.id, state, found)

    async def _changed(
        self,
        conn: AsyncConnection,
        assignment: AnyRow,
        submission_id: str,
        state: str,
        before: AnyRow | None,
        action: str | None = None,
    ) -> Record:
        """Record a submission's change for its audience (the one before and after
        it, so a withdrawn one leaves the lists of those who saw it); the review
        events go to the student and the teachers only."""
        after = await submission_row(conn, submission_id)
        audience = await audience_of(conn, assignment, after)
        if before is not None:
            audience = _union(audience, await audience_of(conn, assignment, before))
        data = {
            "action": action or state,
            "submission": submission_record(after, False),
            "student": after.user_id,
            "audience": audience,
        }
        await record(conn, assignment.circle_id, "submission.updated", data)
        if state in ("reviewed", "returned") and action is None:
            await record(
                conn,
                assignment.circle_id,
                "submission.reviewed",
                {
                    "submission": submission_record(after, True),
                    "student": after.user_id,
                    "audience": [],
                },
            )
        return submission_record(after, True)

    async def excellent(self, submission_id: str, actor_id: str) -> tuple[Record, Record, bool]:
        """Mark a submission excellent (teachers): it becomes a highlight of the
        circle with its provenance (``promotion.promote``, the one road), once —
        again is a no-op; a highlight taken down is revived. Returns the
        submission, its post and whether this call made it."""
        async with self._db.write() as conn:
            found = await submission_row(conn, submission_id)
            row = await assignment_row(conn, found.assignment_id)
            await circle_row(conn, row.circle_id, lock=True)
            await require_manager(conn, row.circle_id, actor_id)
            if found.state not in ("submitted", "resubmitted", "reviewed"):
                reason, why = _REFUSALS[found.state]
                raise Conflict(f"cannot mark this submission excellent: {why}", reason=reason)
            source = work_source("submission", found, row, found.submitted)
            post_id, fresh = await promote_once(self._db, conn, row.circle_id, source)
            if fresh or not found.excellent:
                await conn.execute(
                    update(SUBMISSIONS)
                    .where(SUBMISSIONS.c.id == found.id)
                    .values(excellent=True, post_id=post_id)
                )
                await self._changed(conn, row, found.id, found.state, found, action="excellent")
            made = await read_post(conn, post_id, actor_id)
            after = await submission_row(conn, found.id)
            return submission_record(after, True), made, fresh

    async def read(self, submission_id: str, viewer_id: str) -> Record:
        """A submission, if the viewer may see it (``submission_hidden``); its
        review for its student and the teachers; ``liked`` for the viewer."""
        async with self._db.read() as conn:
            found, _, role = await self._visible(conn, submission_id, viewer_id)
            return await self._present(conn, found, viewer_id, role)

    async def _present(
        self, conn: AsyncConnection, found: AnyRow, viewer_id: str, role: str | None
    ) -> Record:
        out = submission_record(found, role in MANAGER_ROLES or found.user_id == viewer_id)
        liked = await conn.execute(
            select(SUBMISSION_LIKES.c.user_id).where(
                SUBMISSION_LIKES.c.submission_id == found.id,
                SUBMISSION_LIKES.c.user_id == viewer_id,
            )
        )
        out["liked"] = liked.first() is not None
        return out

    async def _visible(
        self, conn: AsyncConnection, submission_id: str, viewer_id: str
    ) -> tuple[AnyRow, AnyRow, str | None]:
        found = await submission_row(conn, submission_id)
        row = await assignment_row(conn, found.assignment_id)
        role = await role_of(conn, row.circle_id, viewer_id)
        if role is None:
            await require_visible(conn, await circle_row(conn, row.circle_id), viewer_id)
        handed_in = await _handed_in(conn, row.id, viewer_id)
        if not may_see(row, found, viewer_id, role, handed_in):
            raise Forbidden("this submission is not visible to you yet", reason="submission_hidden")
        return found, row, role

    async def mine(self, assignment_id: str, user_id: str) -> Record | None:
        """The viewer's own submission of an assignment (None: not started)."""
        async with self._db.read() as conn:
            row = await assignment_row(conn, assignment_id)
            await require_visible(conn, await circle_row(conn, row.circle_id), user_id)
            mine = await _mine(conn, row.id, user_id)
            if mine is None:
                return None
            found = await submission_row(conn, mine.id)
            return await self._present(conn, found, user_id, None)

    async def submissions(
        self,
        assignment_id: str,
        viewer_id: str,
        state: str | None = None,
        excellent: bool = False,
        cursor: str | None = None,
        limit: int = 50,
    ) -> tuple[list[Record], str | None]:
        """The handed-in submissions the viewer may see, oldest submitted first
        (the teachers' review queue with ``state``); ``excellent``: the showcase."""
        limit = validation.limit(limit, high=PAGE_MAX)
        if state is not None:
            state = validation.choice(state, "state", STATES)
        async with self._db.read() as conn:
            row = await assignment_row(conn, assignment_id)
            circle = await circle_row(conn, row.circle_id)
            await require_visible(conn, circle, viewer_id)
            role = await role_of(conn, row.circle_id, viewer_id)
            handed_in = await _handed_in(conn, row.id, viewer_id)
            query = _with_names(row.circle_id).where(
                SUBMISSIONS.c.assignment_id == row.id, SUBMISSIONS.c.state != "assigned"
            )
            if state is not None:
                query = query.where(SUBMISSIONS.c.state == state)
            if excellent:
                query = query.where(SUBMISSIONS.c.excellent)
            if cursor is not None:
                at, key = decode_cursor(cursor)
                query = query.where(
                    (SUBMISSIONS.c.submitted > at)
                    | ((SUBMISSIONS.c.submitted == at) & (SUBMISSIONS.c.id > key))
                )
            query = query.order_by(SUBMISSIONS.c.submitted, SUBMISSIONS.c.id)
            out: list[Record] = []
            last: AnyRow | None = None
            more = False
            for found in await conn.execute(query):
                if not may_see(row, found, viewer_id, role, handed_in):
                    continue
                if len(out) == limit:
                    more = True
                    break
                out.append(await self._present(conn, found, viewer_id, role))
                last = found
        nxt = encode_cursor(last.submitted, last.id) if more and last is not None else None
        return out, nxt

    # -- the teachers' views ------------------------------------------------------------

    async def roster(self, assignment_id: str, actor_id: str) -> Record:
        """Every student (members who are not teachers) with their state:
        ``students`` [{user, name, state, late, submitted, submission}], and the
        counts ``handed_in``, ``missing`` (assigned or returned), ``late``."""
        async with self._db.read() as conn:
            row = await assignment_row(conn, assignment_id)
            await require_manager(conn, row.circle_id, actor_id)
            return await self._roster(conn, row)

    async def _roster(self, conn: AsyncConnection, row: AnyRow) -> Record:
        subs = {
            r.user_id: r
            for r in await conn.execute(
                select(SUBMISSIONS).where(SUBMISSIONS.c.assignment_id == row.id)
            )
        }
        students = []
        for member in await _students(conn, row.circle_id):
            sub = subs.get(member.user_id)
            students.append(
                {
                    "user": member.user_id,
                    "name": member.display_name,
                    "state": "assigned" if sub is None else sub.state,
                    "late": sub is not None and bool(sub.late),
                    "submitted": None if sub is None else sub.submitted,
                    "submission": None if sub is None else sub.id,
                    "score": None if sub is None else sub.score,
                    "grade": None if sub is None else sub.grade,
                    "excellent": sub is not None and bool(sub.excellent),
                }
            )
        missing = [s for s in students if s["state"] in ("assigned", "returned")]
        return {
            "assignment": row.id,
            "students": students,
            "handed_in": len(students) - len(missing),
            "missing": len(missing),
            "late": sum(1 for s in students if s["late"]),
        }

    async def remind(self, assignment_id: str, actor_id: str | None) -> list[str]:
        """Remind the students who have not handed in (or were returned for redo)
        through the one road (store/reminders.py: a personal ``reminder`` each);
        returns who. ``actor_id`` None: the housekeeping job."""
        async with self._db.write() as conn:
            row = await assignment_row(conn, assignment_id)
            await circle_row(conn, row.circle_id, lock=True)
            if actor_id is not None:
                await require_manager(conn, row.circle_id, actor_id)
            return await self._remind(conn, row)

    async def _remind(self, conn: AsyncConnection, row: AnyRow) -> list[str]:
        found = await self._roster(conn, row)
        users = [s["user"] for s in found["students"] if s["state"] in ("assigned", "returned")]
        # The one road for reminders: a personal `reminder` event per student.
        await remind(
            conn, row.circle_id, users, about("homework", row.id, row.title, at=row.due_at)
        )
        return users

    async def remind_due(self, now: int | None = None, batch: int = 100) -> int:
        """Rule 7's automatic reminders: at each offset before ``due_at``
        (``REMIND_OFFSETS``), once, the non-submitters of open assignments.
        Returns how many assignments reminded."""
        at = now_ms() if now is None else now
        horizon = at + max(REMIND_OFFSETS)
        done = 0
        async with self._db.read() as conn:
            due = (
                await conn.execute(
                    select(ASSIGNMENTS.c.id)
                    .where(
                        ASSIGNMENTS.c.due_at.is_not(None),
                        ASSIGNMENTS.c.due_at > at,
                        ASSIGNMENTS.c.due_at <= horizon,
                        ~ASSIGNMENTS.c.closed,
                    )
                    .limit(batch)
                )
            ).all()
        for item in due:
            async with self._db.write() as conn:
                row = (
                    await conn.execute(select(ASSIGNMENTS).where(ASSIGNMENTS.c.id == item.id))
                ).first()
                if row is None or row.due_at is None:
                    continue
                sent = set(json.loads(row.reminded))
                now_due = [o for o in REMIND_OFFSETS if row.due_at - o <= at and o not in sent]
                if not now_due:
                    continue
                await circle_row(conn, row.circle_id, lock=True)
                await self._remind(conn, row)
                await conn.execute(
                    update(ASSIGNMENTS)
                    .where(ASSIGNMENTS.c.id == row.id)
                    .values(reminded=json.dumps(sorted(sent | set(now_due))))
                )
                done += 1
        return done

    async def grades(self, assignment_id: str, actor_id: str) -> tuple[Record, list[Record]]:
        """The assignment and its roster for the grades CSV (teachers)."""
        async with self._db.read() as conn:
            row = await assignment_row(conn, assignment_id)
            await require_manager(conn, row.circle_id, actor_id)
            return assignment_record(row), (await self._roster(conn, row))["students"]

    # -- peers ----------------------------------------------------------------------------

    async def comment(self, submission_id: str, user_id: str, text: object) -> Record:
        """A comment on a submission one may see (``submission_hidden``)."""
        words = validation.text(text, "text", 1, COMMENT_MAX)
        async with self._db.write() as conn:
            found, row, _ = await self._visible(conn, submission_id, user_id)
            await circle_row(conn, row.circle_id, lock=True)
            await require_voice(conn, row.circle_id, user_id)
            comment_id, at = new_id(), now_ms()
            await conn.execute(
                SUBMISSION_COMMENTS.insert().values(
                    id=comment_id,
                    submission_id=found.id,
                    circle_id=row.circle_id,
                    author_id=user_id,
                    text=words,
                    created=at,
                )
            )
            await conn.execute(
                update(SUBMISSIONS)
                .where(SUBMISSIONS.c.id == found.id)
                .values(comment_count=SUBMISSIONS.c.comment_count + 1)
            )
            made = (await self._comments(conn, found, comment_id))[0]
            await record(
                conn,
                row.circle_id,
                "submission.commented",
                {
                    "comment": made,
                    "student": found.user_id,
                    "audience": await audience_of(conn, row, found),
                },
            )
        return made

    async def comments(self, submission_id: str, viewer_id: str) -> list[Record]:
        """A submission's comments, oldest first (the newest 200)."""
        async with self._db.read() as conn:
            found, _, _ = await self._visible(conn, submission_id, viewer_id)
            return await self._comments(conn, found)

    async def _comments(
        self, conn: AsyncConnection, found: AnyRow, comment_id: str | None = None
    ) -> list[Record]:
        query = (
            select(*SUBMISSION_COMMENTS.c, DISPLAY_NAME)
            .join(USERS, USERS.c.id == SUBMISSION_COMMENTS.c.author_id)
            .outerjoin(
                MEMBERSHIPS,
                and_(
                    MEMBERSHIPS.c.circle_id == found.circle_id,
                    MEMBERSHIPS.c.user_id == SUBMISSION_COMMENTS.c.author_id,
                ),
            )
            .where(SUBMISSION_COMMENTS.c.submission_id == found.id)
            .order_by(SUBMISSION_COMMENTS.c.created.desc(), SUBMISSION_COMMENTS.c.id.desc())
            .limit(200)
        )
        if comment_id is not None:
            query = query.where(SUBMISSION_COMMENTS.c.id == comment_id)
        rows = (await conn.execute(query)).all()
        return [
            {
                "id": r.id,
                "submission": r.submission_id,
                "author": {"id": r.author_id, "name": r.display_name},
                "text": r.text,
                "created": r.created,
            }
            for r in reversed(rows)
        ]

    async def like(self, submission_id: str, user_id: str, liked: bool) -> Record:
        """Like (or unlike) a submission one may see; ``{"likes","liked"}``."""
        async with self._db.write() as conn:
            found, row, _ = await self._visible(conn, submission_id, user_id)
            await circle_row(conn, row.circle_id, lock=True)
            await require_voice(conn, row.circle_id, user_id)
            if liked:
                changed = await conn.execute(
                    self._db.insert_ignore(SUBMISSION_LIKES).values(
                        submission_id=found.id, user_id=user_id, created=now_ms()
                    )
                )
            else:
                changed = await conn.execute(
                    delete(SUBMISSION_LIKES).where(
                        SUBMISSION_LIKES.c.submission_id == found.id,
                        SUBMISSION_LIKES.c.user_id == user_id,
                    )
                )
            count = (
                await conn.execute(
                    select(func.count()).where(SUBMISSION_LIKES.c.submission_id == found.id)
                )
            ).scalar_one()
            if changed.rowcount:
                await conn.execute(
                    update(SUBMISSIONS).where(SUBMISSIONS.c.id == found.id).values(like_count=count)
                )
                await record(
                    conn,
                    row.circle_id,
                    "submission.liked",
                    {
                        "submission": found.id,
                        "assignment": row.id,
                        "user": user_id,
                        "liked": liked,
                        "likes": int(count),
                        "student": found.user_id,
                        "audience": await audience_of(conn, row, found),
                    },
                )
        return {"likes": int(count), "liked": liked}


__all__ = [
    "DEFAULT_LIMITS",
    "HANDED_IN",
    "STATES",
    "TRANSITIONS",
    "VISIBILITY",
    "Homework",
    "assignment_record",
    "audience_of",
    "may_see",
    "peer_may_see",
    "submission_record",
    "transition",
]


async def erase_author(conn: AsyncConnection, user_id: str, batch: int) -> int:
    """A deleted account's homework words and media (store/account_deletion.py):
    a batch of their submissions emptied (the state and the review stay, for
    the grades) and of their comments deleted. Returns how many."""
    said = (
        (
            await conn.execute(
                select(SUBMISSIONS.c.id)
                .where(
                    SUBMISSIONS.c.user_id == user_id,
                    (SUBMISSIONS.c.text != "") | SUBMISSIONS.c.attachments.is_not(None),
                )
                .limit(batch)
            )
        )
        .scalars()
        .all()
    )
    if said:
        await attachment_uses.release(conn, list(said))
        await conn.execute(
            update(SUBMISSIONS).where(SUBMISSIONS.c.id.in_(said)).values(text="", attachments=None)
        )
    comments = (
        await conn.execute(
            select(SUBMISSION_COMMENTS.c.id, SUBMISSION_COMMENTS.c.submission_id)
            .where(SUBMISSION_COMMENTS.c.author_id == user_id)
            .limit(batch)
        )
    ).all()
    for comment in comments:
        await conn.execute(
            delete(SUBMISSION_COMMENTS).where(SUBMISSION_COMMENTS.c.id == comment.id)
        )
        await conn.execute(
            update(SUBMISSIONS)
            .where(SUBMISSIONS.c.id == comment.submission_id)
            .values(comment_count=SUBMISSIONS.c.comment_count - 1)
        )
    return len(said) + len(comments)


def purge_steps(circle_id: str) -> list[tuple[Any, Any]]:
    """What a deleted circle's purge (store/deleted_circles.py) deletes of its
    homework, as (table, where-clause), in order."""
    subs = select(SUBMISSIONS.c.id).where(SUBMISSIONS.c.circle_id == circle_id)
    tasks = select(ASSIGNMENTS.c.id).where(ASSIGNMENTS.c.circle_id == circle_id)
    return [
        (
            ATTACHMENT_USES,
            or_(
                ATTACHMENT_USES.c.owner.in_(subs),
                ATTACHMENT_USES.c.owner.in_(tasks),
                ATTACHMENT_USES.c.owner.in_(
                    select(SUBMISSIONS.c.id.concat(":review")).where(
                        SUBMISSIONS.c.circle_id == circle_id
                    )
                ),
            ),
        ),
        (SUBMISSION_LIKES, SUBMISSION_LIKES.c.submission_id.in_(subs)),
        (SUBMISSION_COMMENTS, SUBMISSION_COMMENTS.c.circle_id == circle_id),
        (SUBMISSIONS, SUBMISSIONS.c.circle_id == circle_id),
        (ASSIGNMENTS, ASSIGNMENTS.c.circle_id == circle_id),
    ]


async def _check_lesson(conn: AsyncConnection, circle_id: str, lesson_id: str | None) -> None:
    """An assignment tied to a lesson names one of its own circle's (``NotFound``)."""
    if lesson_id is not None and (await lesson_row(conn, lesson_id)).circle_id != circle_id:
        raise NotFound("no such lesson")
