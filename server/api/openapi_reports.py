"""The OpenAPI paths, records and bodies of reports, the moderation queue and the
audit log (README.md, "Reports and the audit log")."""

from __future__ import annotations

from server.api.operations import (
    CIRCLE,
    NAME_QUERY,
    V1,
    csv_answer,
    operation,
    page_params,
    path_param,
    query_param,
)
from server.api.reports import LIST_DEFAULT, STATUSES
from server.api.schemas import BOOL, INT, MS, STR, Schema, nullable, obj, ref
from store import (
    AUDIT_PAGE_MAX,
    REPORT_NOTE_MAX,
    REPORT_OUTCOMES,
    REPORT_REASONS,
    REPORT_TARGET_KINDS,
    REPORT_TEXT_MAX,
    REPORTS_PAGE_MAX,
)

_KIND = {**STR, "enum": list(REPORT_TARGET_KINDS)}
_OUTCOME = {**STR, "enum": list(REPORT_OUTCOMES)}
_WHO = obj(["id", "name"], id=STR, name=nullable(STR))
_REPORT_FIELDS: dict[str, Schema] = {
    "id": STR,
    "circle": STR,
    "created": MS,
    "reason": {**STR, "enum": list(REPORT_REASONS)},
    "text": nullable({**STR, "description": "the reporter's words"}),
    "status": {**STR, "enum": list(STATUSES)},
    "outcome": nullable({**_OUTCOME, "description": "what was done, once resolved"}),
    "note": nullable({**STR, "description": "the resolver's note (the reporter sees it)"}),
    "resolved_at": nullable(MS),
}
_REQUIRED = list(_REPORT_FIELDS)

REPORT_SCHEMAS: dict[str, Schema] = {
    "Report": obj(
        [*_REQUIRED, "target"],
        **_REPORT_FIELDS,
        target=obj(
            ["kind", "id"],
            kind=_KIND,
            id={**STR, "description": "a message is `<group>:<seq>`, a member their user id"},
        ),
    ),
    "MyReport": obj(
        [*_REQUIRED, "target", "circle_name"],
        **_REPORT_FIELDS,
        target=obj(["kind", "id"], kind=_KIND, id=STR),
        circle_name=STR,
    ),
    "QueuedReport": obj(
        [*_REQUIRED, "target", "reporter", "resolved_by"],
        **_REPORT_FIELDS,
        reporter=_WHO,
        resolved_by=nullable(_WHO),
        target=obj(
            ["kind", "id", "user", "user_name", "preview", "gone", "open_reports"],
            kind=_KIND,
            id=STR,
            user=nullable({**STR, "description": "who wrote it (the member, for a member)"}),
            user_name=nullable(STR),
            preview=nullable({**STR, "description": "what it says now (its first 300 characters)"}),
            gone={**BOOL, "description": "deleted since (no preview)"},
            open_reports={**INT, "description": "open reports of this target"},
        ),
    ),
    "AuditEntry": obj(
        ["id", "circle", "created", "actor", "action", "target", "reason", "data"],
        id=STR,
        circle=STR,
        created=MS,
        actor=_WHO,
        action={**STR, "description": "`report.resolved`, `member.muted`, … (store/audit.py)"},
        target=obj(
            ["kind", "id"],
            kind=STR,
            id=nullable(STR),
            name={**STR, "description": "the member acted on's name in the circle (members)"},
        ),
        reason=nullable(STR),
        data=nullable({"type": "object", "description": "details of the act"}),
    ),
}

REPORT_BODIES: dict[str, Schema] = {
    "file_report": obj(
        ["target", "reason"],
        target=obj(["kind", "id"], kind=_KIND, id={**STR, "minLength": 1, "maxLength": 80}),
        reason={**STR, "enum": list(REPORT_REASONS)},
        text={**STR, "maxLength": REPORT_TEXT_MAX},
    ),
    "resolve_report": obj(
        ["outcome"],
        outcome={
            **_OUTCOME,
            "description": "what was done (the act itself has its own route); "
            "every open report of the same target is resolved with it",
        },
        note={**STR, "maxLength": REPORT_NOTE_MAX},
    ),
}


def _op(summary: str, answer: Schema | None, status: str = "200", **kw: object) -> Schema:
    return operation(summary, "moderation", answer, status, **kw)  # type: ignore[arg-type]


_REPORT_ANSWER = obj(["report"], report=ref("Report"))
_CSV_EXAMPLE = "\ufefftime,actor_id,actor,action,target_kind,target_id,reason,data\r\n"


def _csv_export() -> Schema:
    op = _op(
        "The whole audit log as CSV (owners): UTF-8 with a byte order mark, newest first, "
        "columns time (ISO 8601, UTC), actor_id, actor, action, target_kind, target_id, "
        "reason, data (JSON); streamed",
        None,
        errors="403 404",
        params=(CIRCLE,),
    )
    return csv_answer(op, "the log", _CSV_EXAMPLE)


REPORT_PATHS: dict[str, dict[str, Schema]] = {
    f"{V1}/circles/{{id}}/reports": {
        "post": _op(
            "Report a message, post, comment or member of the circle (members; "
            "limited per user); reporting the same target again answers 200 with the "
            "first report; oneself or one's own content: 400 `report_own`",
            _REPORT_ANSWER,
            "201",
            body="file_report",
            errors="403 404",
            params=(CIRCLE,),
        ),
        "get": _op(
            "The moderation queue (owners and admins): reports of one status, newest "
            "first, with a preview of each target and `open`, the circle's open count",
            obj(
                ["reports", "next", "open"],
                reports={"type": "array", "items": ref("QueuedReport")},
                next=nullable(STR),
                open={**INT, "description": "open reports of the circle"},
            ),
            errors="403 404",
            params=(
                CIRCLE,
                query_param("status", {**STR, "enum": list(STATUSES), "default": "open"}, "which"),
                NAME_QUERY,
                *page_params(REPORTS_PAGE_MAX, LIST_DEFAULT),
            ),
        ),
    },
    f"{V1}/circles/{{id}}/reports/{{report}}/resolve": {
        "post": _op(
            "Resolve a report and every open report of its target with an outcome "
            "(owners and admins); logged as `report.resolved` or `report.dismissed`; "
            "resolved already: 409 `report_resolved`",
            obj(
                ["report", "resolved"],
                report=ref("Report"),
                resolved={**INT, "description": "how many reports this resolved"},
            ),
            body="resolve_report",
            errors="403 404 409",
            params=(CIRCLE, path_param("report", description="report id")),
        ),
    },
    f"{V1}/me/reports": {
        "get": _op(
            "The caller's reports in every circle, newest first, with status and outcome",
            obj(
                ["reports", "next"],
                reports={"type": "array", "items": ref("MyReport")},
                next=nullable(STR),
            ),
            params=page_params(REPORTS_PAGE_MAX, LIST_DEFAULT),
        ),
    },
    f"{V1}/circles/{{id}}/audit": {
        "get": _op(
            "The circle's audit log, newest first (owners)",
            obj(
                ["entries", "next"],
                entries={"type": "array", "items": ref("AuditEntry")},
                next=nullable(STR),
            ),
            errors="403 404",
            params=(CIRCLE, NAME_QUERY, *page_params(AUDIT_PAGE_MAX, LIST_DEFAULT)),
        ),
    },
    f"{V1}/circles/{{id}}/audit.csv": {"get": _csv_export()},
}
