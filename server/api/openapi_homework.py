"""The OpenAPI paths, records and bodies of homework (README.md, "Homework";
the rules and reason codes in store/homework.py)."""

from __future__ import annotations

from server.api.homework import COMMENT_MAX, GRADE_MAX, PAGE_MAX, TEXT_MAX
from server.api.operations import (
    CIRCLE,
    V1,
    csv_answer,
    operation,
    page_params,
    path_param,
    query_param,
)
from server.api.schemas import BOOL, INT, LOCAL_TIME, MS, STR, Schema, nullable, obj, ref

_ASSIGNMENT = path_param("id", description="assignment id")
_SUBMISSION = path_param("id", description="submission id")
_PAGE = page_params(PAGE_MAX)
_STATE: Schema = {
    "type": "string",
    "enum": ["assigned", "submitted", "reviewed", "returned", "resubmitted"],
}
_VISIBILITY: Schema = {
    "type": "string",
    "enum": ["hidden", "after_submit", "after_review", "always"],
    "description": "which classmates see a submission: none, those who handed in, "
    "everyone once it is reviewed, everyone",
}
_IDS: Schema = {"type": "array", "items": STR, "maxItems": 60}
_NUM: Schema = {"type": "number"}
_LIMITS = obj(
    [],
    text={**INT, "minimum": 0, "description": "characters (default 2000)"},
    visual={**INT, "minimum": 0, "description": "images and videos in all (default 9)"},
    video={**INT, "minimum": 0, "description": "videos (default 3)"},
    audio={**INT, "minimum": 0, "description": "audio clips (default 10)"},
    files={**INT, "description": "files (9; read only)"},
)
_ATTACHMENTS = {"type": "array", "items": ref("Attachment")}


def _op(summary: str, answer: Schema | None, status: str = "200", **kw: object) -> Schema:
    return operation(summary, "homework", answer, status, **kw)  # type: ignore[arg-type]


HOMEWORK_SCHEMAS: dict[str, Schema] = {
    "Assignment": obj(
        [
            "id",
            "circle",
            "title",
            "instructions",
            "attachments",
            "due_at",
            "due_local",
            "allow_late",
            "limits",
            "peer_visibility",
            "lesson_id",
            "closed",
            "created_by",
            "created",
            "updated",
        ],
        id=STR,
        circle=STR,
        title=STR,
        instructions=STR,
        attachments=_ATTACHMENTS,
        due_at=nullable(MS),
        due_local=nullable(
            {**STR, "description": "due_at on the circle's clock, YYYY-MM-DDTHH:MM"}
        ),
        allow_late=BOOL,
        limits=_LIMITS,
        peer_visibility=_VISIBILITY,
        lesson_id=nullable(STR),
        closed=BOOL,
        created_by=STR,
        created=MS,
        updated=MS,
        mine=obj(
            ["id", "state", "late", "submitted"],
            id=nullable(STR),
            state=_STATE,
            late=BOOL,
            submitted=nullable(MS),
        ),
        counts=obj(
            ["to_review", "reviewed", "returned", "late", "students"],
            to_review=INT,
            reviewed=INT,
            returned=INT,
            late=INT,
            students=INT,
        ),
    ),
    "Submission": obj(
        [
            "id",
            "assignment",
            "circle",
            "user",
            "name",
            "state",
            "text",
            "attachments",
            "submitted",
            "edited",
            "late",
            "excellent",
            "post",
            "likes",
            "comments",
        ],
        id=STR,
        assignment=STR,
        circle=STR,
        user=STR,
        name=nullable(STR),
        state=_STATE,
        text=STR,
        attachments=_ATTACHMENTS,
        submitted=nullable(MS),
        edited=nullable(MS),
        late=BOOL,
        excellent=BOOL,
        post=nullable({**STR, "description": "the highlight it became"}),
        likes=INT,
        comments=INT,
        liked=BOOL,
        review={
            "anyOf": [
                obj(
                    ["score", "grade", "comment", "attachments", "reviewer", "reviewed"],
                    score=nullable(_NUM),
                    grade=nullable(STR),
                    comment=STR,
                    attachments=_ATTACHMENTS,
                    reviewer=STR,
                    reviewed=MS,
                ),
                {"type": "null"},
            ],
            "description": "for its student and the teachers only",
        },
    ),
    "SubmissionComment": obj(
        ["id", "submission", "author", "text", "created"],
        id=STR,
        submission=STR,
        author=obj(["id", "name"], id=STR, name=nullable(STR)),
        text=STR,
        created=MS,
    ),
    "RosterEntry": obj(
        [
            "user",
            "name",
            "state",
            "late",
            "submitted",
            "submission",
            "score",
            "grade",
            "excellent",
        ],
        user=STR,
        name=nullable(STR),
        state=_STATE,
        late=BOOL,
        submitted=nullable(MS),
        submission=nullable(STR),
        score=nullable(_NUM),
        grade=nullable(STR),
        excellent=BOOL,
    ),
}

_FIELDS = {
    "title": {**STR, "minLength": 1, "maxLength": 100},
    "instructions": {**STR, "maxLength": 10_000},
    "attachments": _IDS,
    "due_at": {"anyOf": [LOCAL_TIME, {"type": "null"}]},
    "allow_late": {**BOOL, "default": True},
    "limits": _LIMITS,
    "peer_visibility": {**_VISIBILITY, "default": "hidden"},
    "lesson_id": nullable({**STR, "maxLength": 32}),
}

HOMEWORK_BODIES: dict[str, Schema] = {
    "create_assignment": obj(["title"], **_FIELDS),
    "update_assignment": obj([], **_FIELDS, closed=BOOL),
    "submit": obj([], text={**STR, "maxLength": TEXT_MAX}, attachments=_IDS),
    "review": obj(
        [],
        score=nullable({**_NUM, "minimum": 0}),
        grade=nullable({**STR, "maxLength": GRADE_MAX}),
        comment={**STR, "maxLength": COMMENT_MAX},
        attachments=_IDS,
        redo={**BOOL, "description": "return it for redo instead (no score needed)"},
    ),
    "submission_comment": obj(["text"], text={**STR, "minLength": 1, "maxLength": COMMENT_MAX}),
}

_SUBMISSION_ANSWER = obj(["submission"], submission=ref("Submission"))
_REFUSED = (
    "409 `not_submitted`, `already_submitted`, `already_reviewed`, `returned_for_redo` "
    "(the state machine)"
)

HOMEWORK_PATHS: dict[str, Schema] = {
    f"{V1}/circles/{{id}}/assignments": {
        "get": _op(
            "The circle's assignments, newest first, with the caller's own state (`mine`) "
            "and, for teachers, the counts",
            obj(
                ["assignments", "next"],
                assignments={"type": "array", "items": ref("Assignment")},
                next=nullable(STR),
            ),
            errors="403 404",
            params=(CIRCLE, *_PAGE),
        ),
        "post": _op(
            "Set an assignment (owners and admins); `assignment.created`",
            ref("Assignment"),
            "201",
            body="create_assignment",
            errors="403 404",
            params=(CIRCLE,),
        ),
    },
    f"{V1}/assignments/{{id}}": {
        "get": _op("An assignment", ref("Assignment"), errors="403 404", params=(_ASSIGNMENT,)),
        "patch": _op(
            "Change, close or reopen an assignment (teachers); `assignment.updated`",
            ref("Assignment"),
            body="update_assignment",
            errors="403 404",
            params=(_ASSIGNMENT,),
        ),
        "delete": _op(
            "Delete an assignment and its submissions (teachers); `assignment.deleted`",
            obj(["deleted"], deleted=BOOL),
            errors="403 404",
            params=(_ASSIGNMENT,),
        ),
    },
    f"{V1}/assignments/{{id}}/submissions": {
        "get": _op(
            "The handed-in submissions the caller may see (peer visibility), oldest first; "
            "`state` filters (the review queue), `excellent=true` is the showcase",
            obj(
                ["submissions", "next"],
                submissions={"type": "array", "items": ref("Submission")},
                next=nullable(STR),
            ),
            errors="403 404",
            params=(
                _ASSIGNMENT,
                query_param("state", _STATE, "only this state"),
                query_param("excellent", BOOL, "only excellent ones"),
                *_PAGE,
            ),
        ),
        "post": _op(
            "Hand in (again after a return): 403 `assignment_closed`, `past_due`, `muted`; "
            "400 `empty_submission`, `text_too_long`, `too_many_media`, `too_many_videos`, "
            "`too_many_audio`, `too_many_documents`; " + _REFUSED,
            _SUBMISSION_ANSWER,
            "201",
            body="submit",
            optional_body=True,
            errors="403 404 409",
            params=(_ASSIGNMENT,),
        ),
    },
    f"{V1}/assignments/{{id}}/mine": {
        "get": _op(
            "The caller's own submission (null: not started)",
            obj(["submission"], submission={"anyOf": [ref("Submission"), {"type": "null"}]}),
            errors="403 404",
            params=(_ASSIGNMENT,),
        ),
    },
    f"{V1}/assignments/{{id}}/roster": {
        "get": _op(
            "Every student's state: who handed in, who has not, who is late (teachers)",
            obj(
                ["assignment", "students", "handed_in", "missing", "late"],
                assignment=STR,
                students={"type": "array", "items": ref("RosterEntry")},
                handed_in=INT,
                missing=INT,
                late=INT,
            ),
            errors="403 404",
            params=(_ASSIGNMENT,),
        ),
    },
    f"{V1}/assignments/{{id}}/remind": {
        "post": _op(
            "Remind the students who have not handed in (teachers): a personal `reminder` each",
            obj(["reminded"], reminded={"type": "array", "items": STR}),
            errors="403 404",
            params=(_ASSIGNMENT,),
        ),
    },
    f"{V1}/assignments/{{id}}/grades.csv": {
        "get": {
            **_op(
                "The grades as CSV (teachers): UTF-8 with a byte order mark, one row per "
                "student: student_id, student, state, late, submitted (ISO 8601, UTC), score, "
                "grade, excellent; formulas defused",
                None,
                errors="403 404",
                params=(_ASSIGNMENT,),
            ),
        },
    },
    f"{V1}/submissions/{{id}}": {
        "get": _op(
            "A submission the caller may see (403 `submission_hidden`)",
            _SUBMISSION_ANSWER,
            errors="403 404",
            params=(_SUBMISSION,),
        ),
        "patch": _op(
            "Edit one's submission until it is reviewed; " + _REFUSED,
            _SUBMISSION_ANSWER,
            body="submit",
            errors="403 404 409",
            params=(_SUBMISSION,),
        ),
        "delete": _op(
            "Withdraw one's submission until it is reviewed; " + _REFUSED,
            _SUBMISSION_ANSWER,
            errors="403 404 409",
            params=(_SUBMISSION,),
        ),
    },
    f"{V1}/submissions/{{id}}/review": {
        "post": _op(
            "Review (score or grade: 400 `score_or_grade_required`) or return for redo "
            "(`redo`), with a comment and attachments (teachers); " + _REFUSED,
            _SUBMISSION_ANSWER,
            body="review",
            errors="403 404 409",
            params=(_SUBMISSION,),
        ),
    },
    f"{V1}/submissions/{{id}}/excellent": {
        "post": _op(
            "Mark excellent (teachers): a highlight of the circle with its provenance, once "
            "(`post.promoted`; again: `promoted` false)",
            obj(
                ["submission", "post", "promoted"],
                submission=ref("Submission"),
                post=ref("Post"),
                promoted=BOOL,
            ),
            errors="403 404 409",
            params=(_SUBMISSION,),
        ),
    },
    f"{V1}/submissions/{{id}}/comments": {
        "get": _op(
            "A submission's comments, oldest first (403 `submission_hidden`)",
            obj(["comments"], comments={"type": "array", "items": ref("SubmissionComment")}),
            errors="403 404",
            params=(_SUBMISSION,),
        ),
        "post": _op(
            "Comment on a submission one may see; `submission.commented`",
            obj(["comment"], comment=ref("SubmissionComment")),
            "201",
            body="submission_comment",
            errors="403 404",
            params=(_SUBMISSION,),
        ),
    },
    f"{V1}/submissions/{{id}}/like": {
        "put": _op(
            "Like a submission one may see; `submission.liked`",
            obj(["likes", "liked"], likes=INT, liked=BOOL),
            errors="403 404",
            params=(_SUBMISSION,),
        ),
        "delete": _op(
            "Take one's like back",
            obj(["likes", "liked"], likes=INT, liked=BOOL),
            errors="403 404",
            params=(_SUBMISSION,),
        ),
    },
}
csv_answer(HOMEWORK_PATHS[f"{V1}/assignments/{{id}}/grades.csv"]["get"], "the grades")
