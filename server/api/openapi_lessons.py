"""The OpenAPI paths, records and bodies of the course plan and live lessons
(README.md, "Course plan and live lessons")."""

from __future__ import annotations

from server.api.operations import CIRCLE, V1, operation, path_param
from server.api.schemas import BOOL, INT, MS, STR, Schema, nullable, obj, ref
from store import LESSON_DESCRIPTION_MAX as DESCRIPTION_MAX
from store import LESSON_DURATION_MAX_MIN as DURATION_MAX_MIN
from store import LESSON_REMIND_MAX_MIN as REMIND_MAX_MIN
from store import LESSON_TITLE_MAX as TITLE_MAX
from store import LESSON_URL_MAX as URL_MAX

_LESSON = path_param("id", description="lesson id")
_LOCAL: Schema = {
    **STR,
    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$",
    "description": "YYYY-MM-DDTHH:MM, a time of the circle's zone",
}
_URL: Schema = {**STR, "maxLength": URL_MAX, "description": "an http or https address"}
_ATTACHMENTS = {"type": "array", "items": ref("Attachment")}


def _op(summary: str, answer: Schema | None, status: str = "200", **kw: object) -> Schema:
    return operation(summary, "lessons", answer, status, **kw)  # type: ignore[arg-type]


_LESSON_FIELDS = [
    "id",
    "circle",
    "position",
    "title",
    "description",
    "starts_at",
    "starts_local",
    "time_zone",
    "duration_min",
    "ends_at",
    "attachments",
    "group",
    "stream_url",
    "stream_embed",
    "replay_url",
    "remind_before_min",
    "reminded_at",
    "state",
    "live",
    "created_by",
    "created",
    "updated",
]

LESSON_SCHEMAS: dict[str, Schema] = {
    "LessonLive": obj(
        ["group", "started_at", "start_seq", "ended_at", "end_seq"],
        group={**STR, "description": "the live chat (the circle's id: its general group)"},
        started_at=MS,
        start_seq={**INT, "description": "the live chat's seq at the start"},
        ended_at=nullable(MS),
        end_seq=nullable(
            {**INT, "description": "said during the lesson: start_seq < seq <= end_seq"}
        ),
    ),
    "Lesson": obj(
        _LESSON_FIELDS,
        id=STR,
        circle=STR,
        position={**INT, "description": "its place in the plan, from 1"},
        title=STR,
        description=STR,
        starts_at=MS,
        starts_local=_LOCAL,
        time_zone={**STR, "description": "the circle's IANA zone"},
        duration_min=nullable(INT),
        ends_at={**MS, "description": "starts_at plus the duration"},
        attachments=_ATTACHMENTS,
        group=nullable({**STR, "description": "the live chat group; null: the general group"}),
        stream_url=nullable(_URL),
        stream_embed={**BOOL, "description": "an embeddable player (a frame), else a link"},
        replay_url=nullable(_URL),
        remind_before_min={**INT, "description": "0: no reminder"},
        reminded_at=nullable(MS),
        state={"type": "string", "enum": ["scheduled", "live", "ended"]},
        live={"anyOf": [ref("LessonLive"), {"type": "null"}]},
        created_by=STR,
        created=MS,
        updated=MS,
        seen={**BOOL, "description": "the caller opened it (lists and pages only)"},
        past=BOOL,
        missed={**BOOL, "description": "past and not seen by the caller"},
        highlights={
            "type": "array",
            "items": ref("Post"),
            "description": "a lesson's page only: highlights of messages said during it",
        },
        circle_name={**STR, "description": "GET /me/live-lessons only"},
    ),
    "LessonMaterials": obj(
        ["id", "title", "position", "starts_at", "starts_local", "attachments"],
        id=STR,
        title=STR,
        position=INT,
        starts_at=MS,
        starts_local=_LOCAL,
        attachments=_ATTACHMENTS,
    ),
}

_FIELDS: dict[str, Schema] = {
    "title": {**STR, "minLength": 1, "maxLength": TITLE_MAX},
    "description": {**STR, "maxLength": DESCRIPTION_MAX},
    "starts_at": {
        "oneOf": [_LOCAL, {**INT, "minimum": 1, "maximum": 2**53 - 1, "description": "ms"}]
    },
    "duration_min": nullable({**INT, "minimum": 1, "maximum": DURATION_MAX_MIN}),
    "attachments": {"type": "array", "items": STR, "maxItems": 9},
    "group": nullable({**STR, "maxLength": 32, "description": "a chat group of the circle"}),
    "stream_url": nullable(_URL),
    "stream_embed": {
        **BOOL,
        "description": "show it in a frame: only players of the server's frame_sources "
        "(400 `embed_not_allowed`)",
    },
    "replay_url": nullable(_URL),
    "remind_before_min": {**INT, "minimum": 0, "maximum": REMIND_MAX_MIN, "default": 15},
}

LESSON_BODIES: dict[str, Schema] = {
    "create_lesson": {**obj(["title", "starts_at"], **_FIELDS), "additionalProperties": False},
    "edit_lesson": {**obj([], **_FIELDS), "additionalProperties": False},
    "reorder_lessons": obj(["order"], order={"type": "array", "items": STR}),
}

LESSON_PATHS: dict[str, Schema] = {
    f"{V1}/circles/{{id}}/lessons": {
        "get": _op(
            "The course plan in order (members), each lesson with the caller's `seen`, "
            "`past`, `missed`; `next`: the live lesson, else the upcoming one first to start",
            obj(
                ["lessons", "next"],
                lessons={"type": "array", "items": ref("Lesson")},
                next=nullable(STR),
            ),
            errors="403 404",
            params=(CIRCLE,),
        ),
        "post": _op(
            "Add a lesson at the end of the plan (owners and admins); `lesson.created`",
            ref("Lesson"),
            "201",
            body="create_lesson",
            errors="403 404 409",
            params=(CIRCLE,),
        ),
    },
    f"{V1}/circles/{{id}}/lessons/order": {
        "put": _op(
            "Reorder the plan (owners and admins): every lesson id once; `lessons.reordered`",
            obj(["order"], order={"type": "array", "items": STR}),
            body="reorder_lessons",
            errors="403 404",
            params=(CIRCLE,),
        ),
    },
    f"{V1}/circles/{{id}}/attachments/by-lesson": {
        "get": _op(
            "The materials grouped by lesson: the plan's lessons that carry attachments",
            obj(["lessons"], lessons={"type": "array", "items": ref("LessonMaterials")}),
            errors="403 404",
            params=(CIRCLE,),
        ),
    },
    f"{V1}/lessons/{{id}}": {
        "get": _op(
            "A lesson's page (members), with the highlights of its live chat",
            ref("Lesson"),
            errors="403 404",
            params=(_LESSON,),
        ),
        "patch": _op(
            "Change a lesson (owners and admins; null clears an optional field); `lesson.updated`",
            ref("Lesson"),
            body="edit_lesson",
            errors="403 404 409",
            params=(_LESSON,),
        ),
        "delete": _op(
            "Remove a lesson (owners and admins); `lesson.deleted`",
            None,
            "204",
            errors="403 404",
            params=(_LESSON,),
        ),
    },
    f"{V1}/lessons/{{id}}/seen": {
        "post": _op(
            "The caller opened the lesson: it is no longer missed (idempotent)",
            None,
            "204",
            errors="403 404",
            params=(_LESSON,),
        ),
    },
    f"{V1}/lessons/{{id}}/start": {
        "post": _op(
            "Go live (owners and admins): 409 `no_stream`, `lesson_live`, `lesson_ended`; "
            "`lesson.live`",
            ref("Lesson"),
            errors="403 404 409",
            params=(_LESSON,),
        ),
    },
    f"{V1}/lessons/{{id}}/end": {
        "post": _op(
            "End the live lesson (owners and admins): 409 `lesson_not_live`; `lesson.ended`",
            ref("Lesson"),
            errors="403 404 409",
            params=(_LESSON,),
        ),
    },
    f"{V1}/me/live-lessons": {
        "get": _op(
            "The live lessons of the caller's circles, with `circle_name` (the banner)",
            obj(["lessons"], lessons={"type": "array", "items": ref("Lesson")}),
        ),
    },
}
