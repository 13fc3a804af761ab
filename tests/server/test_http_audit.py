"""The audit log over HTTP (server/api/audit.py): owners page through it and
export all of it as CSV (a BOM, Chinese intact, every row across the store's
pages, formulas defused); nobody else reads it."""

from __future__ import annotations

import csv
import io

from starlette.testclient import TestClient

from store import record_act

API = "/api/v1"
ROWS = 450  # more than two of the store's pages (AUDIT_PAGE_MAX = 200)


def log_acts(client: TestClient, circle: dict, actor_id: str, target_id: str, n: int) -> None:
    store = client.app.state.node.store  # type: ignore[attr-defined]

    async def write() -> None:
        async with store.db.write() as conn:
            for i in range(n):
                await record_act(
                    conn,
                    circle["id"],
                    actor_id,
                    "member.muted",
                    "member",
                    target_id,
                    reason=f"刷屏广告 {i}",
                    data={"until": i, "说明": "一小时"},
                )
            await record_act(conn, circle["id"], actor_id, "post.deleted", "post", "-p1", "=1+2")

    client.portal.call(write)  # type: ignore[union-attr]


def test_owners_export_every_act_as_csv_that_spreadsheets_read(
    client: TestClient, signup, make_circle
) -> None:
    ann, bob = signup("ann", "安"), signup("bob")
    circle = make_circle(ann, "茶馆")
    client.post(f"{API}/circles/{circle['id']}/join", headers=bob.auth)
    log_acts(client, circle, ann.id, bob.id, ROWS)
    answer = client.get(f"{API}/circles/{circle['id']}/audit.csv", headers=ann.auth)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in answer.headers["content-disposition"]
    raw = answer.content
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == [
        "time",
        "actor_id",
        "actor",
        "action",
        "target_kind",
        "target_id",
        "reason",
        "data",
        "target_name",
    ]
    body = rows[1:]
    assert len(body) == ROWS + 1
    # Newest first (acts of one millisecond in id order, so found by their words).
    assert [r[0] for r in body] == sorted((r[0] for r in body), reverse=True)
    deleted = next(row for row in body if row[3] == "post.deleted")
    assert deleted[3:7] == ["post.deleted", "post", "-p1", "'=1+2"]  # words defused, ids kept
    muted = sorted(int(r[6].rsplit(" ", 1)[1]) for r in body if r[3] == "member.muted")
    assert muted == list(range(ROWS))
    last = next(row for row in body if row[6] == "刷屏广告 0")
    assert last[1:7] == [ann.id, "安", "member.muted", "member", bob.id, "刷屏广告 0"]
    assert last[7] == '{"until":0,"说明":"一小时"}'
    assert last[8] == "Bob" and deleted[8] == ""  # a member acted on is named
    assert last[0].endswith("Z") and last[0][10] == "T"
    # The same as the pages of GET /audit, all of them.
    ids, cursor = [], None
    while True:
        params = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        page = client.get(
            f"{API}/circles/{circle['id']}/audit", params=params, headers=ann.auth
        ).json()
        ids += [e["reason"] for e in page["entries"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert [r[6] for r in body] == [i if not i.startswith("=") else "'" + i for i in ids]


def test_only_owners_read_the_log(client: TestClient, signup, make_circle) -> None:
    ann, bob, cai = signup("ann"), signup("bob"), signup("cai")
    circle = make_circle(ann)
    for who in (bob, cai):
        client.post(f"{API}/circles/{circle['id']}/join", headers=who.auth)
    client.patch(
        f"{API}/circles/{circle['id']}/members/{bob.id}", json={"role": "admin"}, headers=ann.auth
    )
    base = f"{API}/circles/{circle['id']}"
    for who in (bob, cai):
        for path in ("/audit", "/audit.csv"):
            answer = client.get(base + path, headers=who.auth)
            assert answer.status_code == 403, path
            assert answer.json()["error"]["code"] == "forbidden"
    assert client.get(f"{API}/circles/nope/audit.csv", headers=ann.auth).status_code == 404
    assert client.get(base + "/audit", params={"limit": 0}, headers=ann.auth).status_code == 400
    assert client.get(base + "/audit", params={"cursor": "x"}, headers=ann.auth).status_code == 400
    # Making bob an admin is the one act so far.
    page = client.get(base + "/audit", headers=ann.auth).json()
    assert [(e["action"], e["target"], e["data"]) for e in page["entries"]] == [
        (
            "member.role",
            {"kind": "member", "id": bob.id, "name": "Bob"},
            {"from": "member", "to": "admin"},
        )
    ]
    assert page["next"] is None
    lines = client.get(base + "/audit.csv", headers=ann.auth).content.decode("utf-8-sig")
    assert lines.splitlines()[0] == (
        "time,actor_id,actor,action,target_kind,target_id,reason,data,target_name"
    )
    # Searched by the name of the actor or of the member acted on.
    for q, found in (("bob", 1), ("ANN", 1), ("cai", 0)):
        entries = client.get(base + "/audit", params={"q": q}, headers=ann.auth).json()["entries"]
        assert len(entries) == found, q
    too_long = client.get(base + "/audit", params={"q": "名" * 65}, headers=ann.auth)
    assert too_long.status_code == 400 and too_long.json()["error"]["code"] == "bad_request"
