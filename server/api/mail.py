"""Email settings and the links of mails: the caller's address and digest
(``/me/email``; a new address gets a confirmation link), the confirmation and
one-click unsubscribe links (signed, no sign-in: server/mail_links.py), and a
circle's "email must-reads at once" switch (owners). See store/mail_settings.py."""

from __future__ import annotations

import html

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from server.api.auth import authenticate, node_of
from server.api.errors import ApiError
from server.api.inputs import get_bool, json_body
from server.api.responses import ok, route
from server.away_text import language_of, text
from server.mailer import Mail
from store import Record

TOKEN_MAX = 2000


async def _email_of(request: Request, user_id: str) -> Record:
    node = node_of(request)
    found = await node.store.mail_settings.get(user_id)
    return {**found, "enabled": node.mailer.enabled}


async def _send_confirmation(request: Request, user: Record, address: str) -> None:
    node = node_of(request)
    prefs = await node.store.notification_settings.settings_of(user["id"])
    language = language_of(prefs["language"])
    url = node.mail_links.url("verify", user["id"], address)
    lines = [text(language, "verify.body"), url, text(language, "verify.ignore")]
    e = html.escape
    node.mailer.send(
        Mail(
            to=address,
            subject=text(language, "verify.subject"),
            text="\n\n".join(lines) + "\n",
            html=(
                f'<!doctype html><html><meta charset="utf-8"><body><p>{e(lines[0])}</p>'
                f'<p><a href="{e(url)}">{e(url)}</a></p><p>{e(lines[2])}</p></body></html>'
            ),
        )
    )


async def my_email(request: Request) -> Response:
    user, _ = await authenticate(request)
    return ok(await _email_of(request, user["id"]))


async def change_email(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    changes = {k: body[k] for k in ("address", "digest") if k in body}
    if set(body) - {"address", "digest"}:
        raise ApiError("bad_request", f"unknown field {sorted(set(body) - set(changes))[0]}")
    store = node_of(request).store
    found, new_address = await store.mail_settings.update(user["id"], changes)
    if new_address:
        await _send_confirmation(request, user, found["address"])
    return ok(await _email_of(request, user["id"]))


async def resend(request: Request) -> Response:
    """Mail the confirmation link again."""
    user, _ = await authenticate(request)
    found = await node_of(request).store.mail_settings.get(user["id"])
    if not found["address"] or found["verified"]:
        raise ApiError("conflict", "no address waits for confirmation", reason="email_not_pending")
    await _send_confirmation(request, user, found["address"])
    return ok(await _email_of(request, user["id"]))


def _page(language: str, key: str, form: str = "", status: int = 200) -> HTMLResponse:
    words = html.escape(text(language, key))
    lang = "zh-CN" if language == "zh-CN" else "en"
    return HTMLResponse(
        f'<!doctype html><html lang="{lang}"><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Quanzi</title><body><p>{words}</p>{form}"
        '<p><a href="/">Quanzi</a></p></body></html>',
        status_code=status,
    )


def _language(request: Request) -> str:
    accept = request.headers.get("accept-language", "")
    return "zh-CN" if accept.lower().startswith("zh") else "en"


def _token(request: Request) -> str | None:
    token = request.query_params.get("token")
    return token if token and len(token) <= TOKEN_MAX else None


async def verify(request: Request) -> Response:
    node = node_of(request)
    claims = node.mail_links.read("verify", _token(request))
    language = _language(request)
    if claims is None or not await node.store.mail_settings.verify(
        str(claims["u"]), str(claims["a"])
    ):
        return _page(language, "page.bad_link", status=400)
    return _page(language, "page.verified")


async def unsubscribe_page(request: Request) -> Response:
    """The link in a digest: a page with one button (a mail scanner that follows
    links unsubscribes nobody); the button, like a mail client's one-click
    (RFC 8058), POSTs to the same address."""
    node = node_of(request)
    language = _language(request)
    token = _token(request)
    if node.mail_links.read("unsubscribe", token) is None:
        return _page(language, "page.bad_link", status=400)
    action = html.escape(f"{request.url.path}?{request.url.query}")
    button = html.escape(text(language, "digest.unsubscribe"))
    form = (
        f'<form method="post" action="{action}">'
        '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
        f'<button type="submit">{button}</button></form>'
    )
    return _page(language, "digest.why", form)


async def unsubscribe(request: Request) -> Response:
    node = node_of(request)
    claims = node.mail_links.read("unsubscribe", _token(request))
    language = _language(request)
    if claims is None:
        return _page(language, "page.bad_link", status=400)
    await node.store.mail_settings.unsubscribe(str(claims["u"]))
    return _page(language, "page.unsubscribed")


async def circle_mail(request: Request) -> Response:
    user, _ = await authenticate(request)
    settings = node_of(request).store.mail_settings
    return ok(await settings.circle(request.path_params["id"], user["id"]))


async def set_circle_mail(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    settings = node_of(request).store.mail_settings
    flag = get_bool(body, "must_reads", required=True)
    return ok(await settings.set_circle(request.path_params["id"], user["id"], flag))


routes = [
    route("/me/email", get=my_email, patch=change_email),
    Route("/me/email/confirmation", resend, methods=["POST"]),
    Route("/mail/verify", verify, methods=["GET"]),
    route("/mail/unsubscribe", get=unsubscribe_page, post=unsubscribe),
    route("/circles/{id}/mail", get=circle_mail, put=set_circle_mail),
]
