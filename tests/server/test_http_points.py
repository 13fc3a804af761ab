"""Points over HTTP (server/api/points.py): the table is published, owners change it
(forward only, pushed as points.rules), a post earns by it, the board and one's own
ledger answer, another's ledger and the CSV are for owners and admins, and the CSV
parses back to the ledger's totals."""

from __future__ import annotations

import csv
import io

from starlette.testclient import TestClient

from tests.server.test_http_joining import error_of, events_until, hello

API = "/api/v1"


def test_the_table_the_board_the_ledger_and_the_csv(
    client: TestClient, signup, make_circle
) -> None:
    ann, bob, cai = signup("ann", "安"), signup("bob", "小波"), signup("cai", "@蔡")
    cid = make_circle(ann, "摄影圈")["id"]
    for who in (bob, cai):
        assert client.post(f"{API}/circles/{cid}/join", headers=who.auth).is_success
    table = client.get(f"{API}/circles/{cid}/points/rules", headers=cai.auth).json()
    assert table["rules"]["post"] == 2 and table["exclude_managers"] is False
    refused = client.put(
        f"{API}/circles/{cid}/points/rules", json={"rules": {"post": 3}}, headers=bob.auth
    )
    assert error_of(refused, 403)["code"] == "forbidden"
    for bad in ({"rules": {"likes": 1}}, {"rules": {"post": 1.5}}, {"rules": []}, {}):
        answer = client.put(f"{API}/circles/{cid}/points/rules", json=bad, headers=ann.auth)
        assert error_of(answer, 400)["code"] == "bad_request", bad
    with client.websocket_connect("/ws") as watcher:
        hello(watcher, cai.token)
        body = {"rules": {"post": 3}, "exclude_managers": True}
        changed = client.put(f"{API}/circles/{cid}/points/rules", json=body, headers=ann.auth)
        assert changed.status_code == 200, changed.text
        pushed = events_until(watcher, "points.rules")[-1]
        assert pushed["rules"]["post"] == 3 and pushed["exclude_managers"] is True
    for who, text in ((bob, "日落"), (cai, "晨雾"), (cai, "街角"), (ann, "欢迎")):
        made = client.post(
            f"{API}/circles/{cid}/posts", json={"kind": "post", "text": text}, headers=who.auth
        )
        assert made.status_code == 201, made.text
    board = client.get(
        f"{API}/circles/{cid}/points/board", params={"period": "week"}, headers=bob.auth
    ).json()
    assert [(e["rank"], e["name"], e["points"]) for e in board["entries"]] == [
        (1, "@蔡", 6),
        (2, "小波", 3),
    ]
    assert board["me"]["rank"] == 2
    bad_period = client.get(
        f"{API}/circles/{cid}/points/board", params={"period": "year"}, headers=bob.auth
    )
    assert error_of(bad_period, 400)["code"] == "bad_request"
    mine = client.get(f"{API}/circles/{cid}/points/ledger/me", headers=bob.auth).json()
    assert mine["total"] == 3 and mine["entries"][0]["source"]["kind"] == "post"
    other = client.get(f"{API}/circles/{cid}/points/ledger/{cai.id}", headers=bob.auth)
    assert error_of(other, 403)["code"] == "forbidden"
    assert (
        client.get(f"{API}/circles/{cid}/points/ledger/{cai.id}", headers=ann.auth).json()["total"]
        == 6
    )
    assert error_of(client.get(f"{API}/circles/{cid}/points.csv", headers=bob.auth), 403)
    exported = client.get(f"{API}/circles/{cid}/points.csv", headers=ann.auth)
    assert exported.status_code == 200 and exported.text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
    sums: dict[str, int] = {}
    for row in rows:
        sums[row["name"]] = sums.get(row["name"], 0) + int(row["points"])
    assert sums == {"'@蔡": 6, "小波": 3}
