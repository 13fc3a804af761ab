"""The OpenAPI path of a whole circle's export (server/api/circle_export.py)."""

from __future__ import annotations

from server.api.operations import CIRCLE, V1, operation
from server.api.schemas import Schema


def _export() -> Schema:
    op = operation(
        "The whole circle as a ZIP, streamed, for its owners (an admin or a member: 403 "
        "`owners_only`; a deleted circle: 404): `README.txt` and `index.json` (what the "
        "files are, counts), `circle.json` (settings and sections), `members.json`/`.csv` "
        "(nicknames, roles), `posts.json` (highlights included) and `comments.json`, "
        "`homework/assignments.json` and `homework/submissions.json` (reviews included), "
        "each challenge's `checkins.json` (texts and files), `checkins.csv` and `completed.csv`, `contests/contests.json` and "
        "each contest's `results.csv`, `events/events.json` and each event's `rsvps.csv`, "
        "`points/rules.json` and `points/ledger.csv` (the same rows as the features' own "
        "CSV downloads: UTF-8 with a byte order mark), `media.json` and the files under "
        "`media/`. Folder and file names keep their Chinese (UTF-8). Audited "
        "(`circle.exported`); limited per user with the account export (429 "
        "`too_many_exports`)",
        "circles",
        None,
        errors="403 404",
        params=(CIRCLE,),
    )
    op["responses"]["200"] = {
        "description": "the ZIP (`Content-Disposition: attachment`)",
        "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
    }
    return op


CIRCLE_EXPORT_PATHS: dict[str, dict[str, Schema]] = {
    f"{V1}/circles/{{id}}/export.zip": {"get": _export()},
}
