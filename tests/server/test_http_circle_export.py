"""A whole circle's export over HTTP (server/api/circle_export.py): the ZIP parses
back to the numbers the API shows (posts and comments, check-ins per member,
votes, the ledger's sums), the media's bytes are in it (local disk and S3), Chinese
names survive (UTF-8 file names, CSVs with a byte order mark), only owners take
it (audited), a deleted circle is not found."""

from __future__ import annotations

import csv
import io
import time
import zipfile
from collections import Counter
from datetime import timedelta

import orjson
from starlette.testclient import TestClient

from tests.server.test_http_checkins2 import today
from tests.server.test_http_joining import error_of

# The local disk and S3 (moto), as the upload tests run them.
from tests.server.test_http_uploads import png, s3_url, settings, upload  # noqa: F401

API = "/api/v1"


def take(client: TestClient, circle_id: str, who) -> zipfile.ZipFile:
    answer = client.get(f"{API}/circles/{circle_id}/export.zip", headers=who.auth)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip"
    assert answer.headers["content-disposition"].startswith("attachment;")
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    assert archive.testzip() is None
    return archive


def rows_of(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    raw = archive.read(name)
    assert raw.startswith("\ufeff".encode()), name
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_the_zip_parses_back_to_what_the_api_shows(client: TestClient, signup, make_circle) -> None:
    ann, bob, cai = signup("ann", "安"), signup("bob", "小波"), signup("cai", "蔡")
    circle = make_circle(ann, "读书会")
    cid = circle["id"]
    for who in (bob, cai):
        assert client.post(f"{API}/circles/{cid}/join", headers=who.auth).is_success
    assert client.patch(
        f"{API}/circles/{cid}/members/{bob.id}", json={"role": "admin"}, headers=ann.auth
    ).is_success
    nick = {"nickname": "蔡蔡"}
    assert client.patch(f"{API}/circles/{cid}/members/{cai.id}", json=nick, headers=cai.auth)
    # Posts and comments, more than one page of each.
    for i in range(105):
        made = client.post(
            f"{API}/circles/{cid}/posts",
            json={"kind": "post", "text": f"帖子 {i}"},
            headers=cai.auth,
        )
        assert made.status_code == 201
    post = made.json()["id"]
    for i in range(3):
        client.post(f"{API}/posts/{post}/comments", json={"text": f"评论 {i}"}, headers=bob.auth)
    # A check-in challenge with a photo, check-ins on several days.
    photo = png(32, 24)
    image = upload(client, circle, cai, photo, name="晚霞.png")
    assert image.status_code == 201, image.text
    body = {"title": "每日阅读/一小时", "starts_on": (today() - timedelta(days=3)).isoformat()}
    challenge = client.post(f"{API}/circles/{cid}/challenges", json=body, headers=ann.auth).json()
    url = f"{API}/challenges/{challenge['id']}"
    for who in (bob, cai):
        assert client.post(f"{url}/join", headers=who.auth).is_success
    checked = client.post(
        f"{url}/checkins",
        json={"text": "读完了", "attachments": [image.json()["id"]]},
        headers=cai.auth,
    )
    assert checked.status_code == 201, checked.text
    assert client.post(f"{url}/checkins", json={"text": "我也是"}, headers=bob.auth).is_success
    # A contest with votes, an event with answers; points follow by themselves.
    now = int(time.time() * 1000)
    contest_body = {
        "title": "最佳菜",
        "entries_close": now + 3_600_000,
        "votes_open": now,
        "votes_close": now + 7_200_000,
        "ranking": "live",
    }
    contest = client.post(f"{API}/circles/{cid}/contests", json=contest_body, headers=ann.auth)
    contest_id = contest.json()["id"]
    entry = client.post(
        f"{API}/contests/{contest_id}/entries", json={"text": "红烧肉"}, headers=bob.auth
    ).json()
    for who in (ann, cai):
        assert client.put(f"{API}/contest-entries/{entry['id']}/vote", headers=who.auth).is_success
    party_body = {"title": "生日会", "starts_at": "2099-12-24T19:00", "capacity": 5}
    party = client.post(f"{API}/circles/{cid}/gatherings", json=party_body, headers=ann.auth).json()
    client.put(f"{API}/gatherings/{party['id']}/rsvp", json={"answer": "going"}, headers=cai.auth)
    homework = client.post(
        f"{API}/circles/{cid}/assignments", json={"title": "读后感"}, headers=ann.auth
    )
    submitted = client.post(
        f"{API}/assignments/{homework.json()['id']}/submissions",
        json={"text": "好书"},
        headers=cai.auth,
    )
    assert submitted.status_code == 201, submitted.text

    archive = take(client, cid, ann)
    names = set(archive.namelist())
    load = lambda name: orjson.loads(archive.read(name))  # noqa: E731
    index = load("index.json")
    assert index["circle"] == {"id": cid, "name": "读书会"} and index["exported_by"] == ann.id
    assert "README.txt" in names and load("circle.json")["name"] == "读书会"
    members = {m["user"]: m for m in load("members.json")}
    assert members[bob.id]["role"] == "admin" and members[cai.id]["nickname"] == "蔡蔡"
    assert {r["nickname"] for r in rows_of(archive, "members.csv")} >= {"蔡蔡"}
    posts = load("posts.json")
    assert len(posts) == 105 == index["counts"]["posts"]
    assert [c["text"] for c in load("comments.json")] == ["评论 0", "评论 1", "评论 2"]
    assert {c["post"] for c in load("comments.json")} == {post}
    # Check-ins per member: the CSV under the title's folder, as the board counts them.
    folder = f"challenges/每日阅读_一小时-{challenge['id']}"
    days = rows_of(archive, f"{folder}/checkins.csv")
    per_member = Counter(d["user_id"] for d in days if d["state"] == "valid")
    board = client.get(f"{url}/board", params={"by": "total"}, headers=ann.auth).json()
    assert per_member == {e["user"]: e["total"] for e in board["entries"]}
    assert f"{folder}/completed.csv" in names
    checkins = load(f"{folder}/checkins.json")
    assert sorted(c["text"] for c in checkins) == ["我也是", "读完了"]
    [with_photo] = [c for c in checkins if c["attachments"]]
    assert with_photo["user"] == cai.id
    # Votes: the contest as the API ranks it.
    [exported] = load("contests/contests.json")
    live = client.get(f"{API}/contests/{contest_id}", headers=ann.auth).json()
    assert (
        [e["votes"] for e in exported["entries_list"]]
        == [2]
        == [e["votes"] for e in live["entries_list"]]
    )
    [result] = rows_of(archive, f"contests/最佳菜-{contest_id}/results.csv")
    assert result["votes"] == "2" and result["text"] == "红烧肉"
    [answer] = rows_of(archive, f"events/生日会-{party['id']}/rsvps.csv")
    assert answer["name"] == "蔡蔡" and answer["answer"] == "going"
    [sub] = load("homework/submissions.json")
    assert sub["text"] == "好书"
    # The ledger sums to the board's points.
    ledger = rows_of(archive, "points/ledger.csv")
    sums: Counter[str] = Counter()
    for line in ledger:
        sums[line["user_id"]] += int(line["points"])
    points = client.get(f"{API}/circles/{cid}/points/board", headers=ann.auth).json()
    assert sums and dict(sums) == {e["user"]: e["points"] for e in points["entries"]}
    # The photo's bytes, under its Chinese name.
    [media] = load("media.json")
    assert media["file"] == f"media/{media['id']}-晚霞.png"
    assert [a["id"] for a in with_photo["attachments"]] == [media["id"]]
    assert (
        archive.read(media["file"])
        == client.get(f"{API}/attachments/{media['id']}", headers=ann.auth).content
    )
    assert index["counts"]["media_files"] == 1
    info = archive.getinfo(media["file"])
    assert info.flag_bits & 0x800  # the UTF-8 name flag

    # Admins and members are refused; the owner's export is in the audit log.
    for who in (bob, cai):
        refused = client.get(f"{API}/circles/{cid}/export.zip", headers=who.auth)
        assert error_of(refused, 403)["reason"] == "owners_only"
    audit = client.get(f"{API}/circles/{cid}/audit", headers=ann.auth).json()
    exported_by = [e["actor"]["id"] for e in audit["entries"] if e["action"] == "circle.exported"]
    assert exported_by == [ann.id]


def test_a_deleted_circle_is_not_found(client: TestClient, signup, make_circle) -> None:
    ann = signup("ann", "安")
    cid = make_circle(ann, "旧圈")["id"]
    gone = client.request(
        "DELETE", f"{API}/circles/{cid}", json={"confirm": "旧圈"}, headers=ann.auth
    )
    assert gone.status_code == 204, gone.text
    gone = client.get(f"{API}/circles/{cid}/export.zip", headers=ann.auth)
    assert error_of(gone, 404)["code"] == "not_found"
    assert client.get(f"{API}/circles/{cid}/export.zip").status_code == 401


def test_the_zip_streams_in_pieces_smaller_than_its_files(
    client: TestClient, signup, make_circle
) -> None:
    """Memory follows the pieces, not the circle: a 3 MB file goes out in pieces of
    the media store's chunks, and the whole answer in many pieces."""
    ann = signup("ann", "安")
    circle = make_circle(ann, "大文件")
    big = b"%PDF-1.7\n" + bytes(range(256)) * (3 * 4096)
    made = upload(client, circle, ann, big, name="讲义.pdf")
    assert made.status_code == 201, made.text
    pieces = []
    with client.stream("GET", f"{API}/circles/{circle['id']}/export.zip", headers=ann.auth) as got:
        assert got.status_code == 200
        pieces = [len(piece) for piece in got.iter_raw()]
    assert sum(pieces) > len(big) and len(pieces) > 4
    assert max(pieces) < len(big) // 2
