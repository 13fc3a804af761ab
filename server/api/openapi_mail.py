"""The OpenAPI paths and schemas of email (README.md, "Email"; server/api/mail.py)."""

from __future__ import annotations

from server.api.mail import TOKEN_MAX
from server.api.operations import CIRCLE, V1, operation, query_param
from server.api.schemas import BOOL, STR, Schema, nullable, obj, ref
from store import EMAIL_ADDRESS_MAX as ADDRESS_MAX
from store import MAIL_DIGESTS

_DIGEST = {**STR, "enum": list(MAIL_DIGESTS)}

MAIL_SCHEMAS: dict[str, Schema] = {
    "EmailSettings": obj(
        ["address", "verified", "digest", "enabled"],
        address=nullable({**STR, "description": "the caller's address (none: no mail)"}),
        verified={**BOOL, "description": "its confirmation link was followed"},
        digest={**_DIGEST, "description": "what they missed, mailed daily, weekly or never"},
        enabled={**BOOL, "description": "whether this server sends mail at all (SMTP set up)"},
    ),
    "CircleMail": obj(
        ["must_reads"],
        must_reads={**BOOL, "description": "must-reads are mailed to members at once"},
    ),
}

MAIL_BODIES: dict[str, Schema] = {
    "email_settings": obj(
        [],
        address={
            **STR,
            "maxLength": ADDRESS_MAX,
            "description": 'a new address (unconfirmed until its link is followed); "" forgets it',
        },
        digest=_DIGEST,
    ),
    "circle_mail": obj(["must_reads"], must_reads=BOOL),
}

_TOKEN = query_param(
    "token", {**STR, "maxLength": TOKEN_MAX}, "the signed token of the mail's link"
)
_HTML = {"text/html": {"schema": STR}}


def _page(summary: str, **kw: object) -> Schema:
    op = operation(summary, "accounts", None, public=True, params=(_TOKEN,), **kw)  # type: ignore[arg-type]
    op["responses"]["200"] = {"description": "a small page saying what happened", "content": _HTML}
    op["responses"]["400"] = {"description": "the link is not valid (any more)", "content": _HTML}
    return op


MAIL_PATHS: dict[str, dict[str, Schema]] = {
    f"{V1}/me/email": {
        "get": operation("The caller's email settings", "accounts", ref("EmailSettings")),
        "patch": operation(
            "Change the address and/or the digest. A new address gets a confirmation link "
            "by mail (when mail is on); digests and must-read mails go only to a confirmed "
            "address. 400 `email_invalid`",
            "accounts",
            ref("EmailSettings"),
            body="email_settings",
        ),
    },
    f"{V1}/me/email/confirmation": {
        "post": operation(
            "Mail the confirmation link again; 409 `email_not_pending` when no address waits",
            "accounts",
            ref("EmailSettings"),
            errors="409",
        )
    },
    f"{V1}/mail/verify": {"get": _page("Confirm an address (the link of the confirmation mail)")},
    f"{V1}/mail/unsubscribe": {
        "get": _page("The digest's unsubscribe link: a page with one button that POSTs here"),
        "post": _page(
            "Unsubscribe from digests in one click (RFC 8058 `List-Unsubscribe-Post`; any body)"
        ),
    },
    f"{V1}/circles/{{id}}/mail": {
        "get": operation(
            "The circle's email settings (members)",
            "circles",
            ref("CircleMail"),
            errors="403 404",
            params=(CIRCLE,),
        ),
        "put": operation(
            "Owners: mail must-reads to members at once (members with a confirmed address)",
            "circles",
            ref("CircleMail"),
            body="circle_mail",
            errors="403 404",
            params=(CIRCLE,),
        ),
    },
}
