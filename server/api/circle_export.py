"""A whole circle as one ZIP, for its owners (README.md, "Whole-circle export";
COMMUNITY-OPS.md rule 10): ``GET /circles/{id}/export.zip``.

Everything is read through the features' own reads, as the owner sees them,
a page at a time, and the ZIP is written as it goes (server/api/zips.py):
memory stays bounded whatever the circle's size. The CSVs are the very rows
of the features' own CSV downloads (check-in days, the completed list, a
contest's results, an event's answers, the points ledger). Media come from the
media store (local disk or S3) a chunk at a time. Who may export, and the audit
entry, are store/circle_export.py's; exports share the per-user export limit.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from server.api import challenge_csv, contests, gatherings, points
from server.api.auth import authenticate, node_of
from server.api.responses import route
from server.api.spreadsheets import Pages, cell, csv_text
from server.api.throttle import throttle
from server.api.uploads import view
from server.api.zips import ZipStream, json_array, json_bytes
from store import BlobStore, Record, Store, now_ms

PAGE = 100
MEDIA_PAGE = 200
TITLE_MAX = 40
# What a file name may not hold on Windows, macOS or Linux (and no control characters).
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')

README = """Quanzi — whole-circle export / 圈子整体导出

index.json              what this export holds: the circle, when, by whom, and counts
circle.json             the circle and its settings (sections, time zone, quiet hours)
members.json / .csv     members with their nicknames and roles
posts.json              posts, notices and highlights (kind "highlight"), oldest pages last
comments.json           every comment, with the post it belongs to ("post")
homework/assignments.json   assignments
homework/submissions.json   submissions with their state, review, score and comment
challenges/challenges.json  check-in challenges
challenges/<title>-<id>/checkins.json  every check-in, make-up and leave day: text, files, state
challenges/<title>-<id>/checkins.csv   one row per member per day (on time, make-up, leave,
                                        invalidated and by whom)
challenges/<title>-<id>/completed.csv  who completed it (the deposit-refund list)
contests/contests.json     contests with every entry, its votes and rank
contests/<title>-<id>/results.csv      entries, votes, rank
events/events.json         events
events/<title>-<id>/rsvps.csv          answers (going, maybe, not going; waiting list)
points/rules.json          the points rule table
points/ledger.csv          every points entry
media.json                 every file of the circle: its record and its "file" here
media/<id>-<name>          the files themselves

CSV files are UTF-8 with a byte order mark (Excel and WPS read Chinese right).
CSV 文件为带 BOM 的 UTF-8, 可直接用 Excel / WPS 打开。
Times in JSON are milliseconds since 1970-01-01 UTC; in CSV, ISO 8601 UTC.
"""


def safe_name(text: str, limit: int = TITLE_MAX) -> str:
    """A title or a file's name as a path segment: Chinese kept, separators and
    control characters out, never empty nor a dot name."""
    cleaned = _UNSAFE.sub("_", text).strip(" .")[:limit]
    return cleaned or "_"


def folder(item: Record, title_key: str = "title") -> str:
    return f"{safe_name(str(item.get(title_key) or ''))}-{item['id']}"


async def export_zip(request: Request) -> Response:
    """GET /circles/{id}/export.zip (owners)."""
    user, _ = await authenticate(request)
    node = node_of(request)
    await throttle(
        node.limits.exports, user["id"], "too many exports: try again later", "too_many_exports"
    )
    # Before the answer starts: a refusal is still an error, not a broken ZIP.
    circle = await node.store.circle_export.begin(request.path_params["id"], user["id"])
    name = f"quanzi-circle-{circle['id']}-{now_ms()}.zip"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    body = CircleZip(node.store, node.media.blobs, circle, user["id"]).chunks()
    return StreamingResponse(body, media_type="application/zip", headers=headers)


class CircleZip:
    """One export being written: the archive, what it reads, what it counted."""

    def __init__(self, store: Store, blobs: BlobStore, circle: Record, actor_id: str) -> None:
        self.store, self.blobs, self.circle, self.actor = store, blobs, circle, actor_id
        self.id = circle["id"]
        self.zip = ZipStream()
        self.counts: dict[str, list[int]] = {}

    def counter(self, what: str) -> list[int]:
        return self.counts.setdefault(what, [0])

    async def chunks(self) -> AsyncIterator[bytes]:
        self.zip.write("README.txt", README.encode())
        self.zip.write("circle.json", json_bytes(self.circle))
        yield self.zip.take()
        for part in (
            self._members,
            self._posts,
            self._homework,
            self._challenges,
            self._contests,
            self._events,
            self._points,
            self._media,
        ):
            async for ready in part():
                yield ready
        index = {
            "circle": {"id": self.id, "name": self.circle["name"]},
            "exported": now_ms(),
            "exported_by": self.actor,
            "readme": "README.txt",
            "counts": {what: n[0] for what, n in sorted(self.counts.items())},
        }
        self.zip.write("index.json", json_bytes(index))
        yield self.zip.close()

    # -- writing -------------------------------------------------------------------------

    async def _array(
        self, name: str, pages: AsyncIterator[list[Record]], what: str
    ) -> AsyncIterator[bytes]:
        async for ready in json_array(self.zip, name, pages, self.counter(what)):
            yield ready

    async def _csv(self, name: str, columns: Sequence[str], pages: Pages) -> AsyncIterator[bytes]:
        with self.zip.open(name) as out:
            async for text in csv_text(columns, pages):
                out.write(text.encode())
                yield self.zip.take()
        yield self.zip.take()

    async def _paged(self, read: Any, *args: Any) -> AsyncIterator[list[Record]]:
        """Every page of a ``(items, next cursor)`` read, as the owner sees it."""
        cursor: str | None = None
        while True:
            items, cursor = await read(*args, cursor, PAGE)
            yield items
            if cursor is None:
                return

    # -- the parts -----------------------------------------------------------------------

    async def _members(self) -> AsyncIterator[bytes]:
        read = self.store.memberships.members
        async for ready in self._array(
            "members.json", self._paged(read, self.id, self.actor), "members"
        ):
            yield ready

        async def rows() -> AsyncIterator[list[Sequence[object]]]:
            async for members in self._paged(read, self.id, self.actor):
                yield [
                    (m["user"], cell(m["name"] or ""), cell(m["nickname"] or ""), m["role"])
                    for m in members
                ]

        async for ready in self._csv(
            "members.csv", ("user_id", "name", "nickname", "role"), rows()
        ):
            yield ready

    async def _posts(self) -> AsyncIterator[bytes]:
        feed = self.store.posts.feed
        async for ready in self._array(
            "posts.json", self._paged(feed, self.id, self.actor), "posts"
        ):
            yield ready

        async def comments() -> AsyncIterator[list[Record]]:
            async for posts in self._paged(feed, self.id, self.actor):
                for post in posts:
                    read = self.store.comments.comments
                    async for found in self._paged(read, post["id"], self.actor):
                        yield [{**c, "post": post["id"]} for c in found]

        async for ready in self._array("comments.json", comments(), "comments"):
            yield ready

    async def _homework(self) -> AsyncIterator[bytes]:
        homework = self.store.homework
        assignments = self._paged(homework.page, self.id, self.actor)
        async for ready in self._array("homework/assignments.json", assignments, "assignments"):
            yield ready

        async def submissions() -> AsyncIterator[list[Record]]:
            async for found in self._paged(homework.page, self.id, self.actor):
                for assignment in found:
                    cursor: str | None = None
                    while True:
                        subs, cursor = await homework.submissions(
                            assignment["id"], self.actor, None, False, cursor, PAGE
                        )
                        yield subs
                        if cursor is None:
                            break

        async for ready in self._array("homework/submissions.json", submissions(), "submissions"):
            yield ready

    async def _challenges(self) -> AsyncIterator[bytes]:
        read = self.store.challenges.page
        async for ready in self._array(
            "challenges/challenges.json", self._paged(read, self.id, self.actor), "challenges"
        ):
            yield ready
        async for found in self._paged(read, self.id, self.actor):
            for challenge in found:
                at = f"challenges/{folder(challenge)}"
                async for ready in self._array(
                    f"{at}/checkins.json", self._days(challenge["id"]), "checkins"
                ):
                    yield ready
                days = challenge_csv.day_pages(self.store, challenge["id"], self.actor)
                async for ready in self._csv(
                    f"{at}/checkins.csv",
                    challenge_csv.DAY_COLUMNS,
                    self._count(days, "checkin_days"),
                ):
                    yield ready
                done = challenge_csv.completed_pages(self.store, challenge["id"], self.actor)
                async for ready in self._csv(
                    f"{at}/completed.csv", challenge_csv.COMPLETED_COLUMNS, done
                ):
                    yield ready

    async def _days(self, challenge_id: str) -> AsyncIterator[list[Record]]:
        """Every check-in, make-up and leave day of a challenge, with its text and files."""
        after: str | None = None
        while True:
            _, days, after = await self.store.checkin_export.days(challenge_id, self.actor, after)
            yield days
            if after is None:
                return

    async def _count(self, pages: AsyncIterator[list[Any]], what: str) -> AsyncIterator[list[Any]]:
        counted = self.counter(what)
        async for rows in pages:
            counted[0] += len(rows)
            yield rows

    async def _contests(self) -> AsyncIterator[bytes]:
        read = self.store.contests.page
        results = self.store.contests.results

        async def full() -> AsyncIterator[list[Record]]:
            # One contest (with all its entries) in memory at a time.
            async for found in self._paged(read, self.id, self.actor):
                for contest in found:
                    yield [await results(contest["id"], self.actor)]

        async for ready in self._array("contests/contests.json", full(), "contests"):
            yield ready
        async for found in self._paged(read, self.id, self.actor):
            for contest in found:
                result = await results(contest["id"], self.actor)

                name = f"contests/{folder(contest)}/results.csv"
                rows = _once(contests.result_rows(result))
                async for ready in self._csv(name, contests.CSV_COLUMNS, rows):
                    yield ready

    async def _event_pages(self) -> AsyncIterator[list[Record]]:
        read = self.store.gatherings.page
        for when in ("past", "upcoming"):
            cursor: str | None = None
            while True:
                found, cursor = await read(self.id, self.actor, when, cursor, PAGE)
                yield found
                if cursor is None:
                    break

    async def _events(self) -> AsyncIterator[bytes]:
        async for ready in self._array("events/events.json", self._event_pages(), "events"):
            yield ready
        async for found in self._event_pages():
            for event in found:
                _, answers = await self.store.gatherings.export(event["id"], self.actor)

                name = f"events/{folder(event)}/rsvps.csv"
                rows = _once(gatherings.rsvp_rows(answers))
                async for ready in self._csv(name, gatherings.CSV_COLUMNS, rows):
                    yield ready

    async def _points(self) -> AsyncIterator[bytes]:
        rules = await self.store.points.rules(self.id, self.actor)
        self.zip.write("points/rules.json", json_bytes(rules))
        ledger = self._count(points.ledger_pages(self.store, self.id, self.actor), "point_entries")
        async for ready in self._csv("points/ledger.csv", points.CSV_COLUMNS, ledger):
            yield ready

    async def _media_pages(self) -> AsyncIterator[list[Record]]:
        read = self.store.attachments.materials
        cursor: str | None = None
        while True:
            found, cursor = await read(self.id, self.actor, None, cursor, MEDIA_PAGE)
            yield found
            if cursor is None:
                return

    async def _media(self) -> AsyncIterator[bytes]:
        async def listed() -> AsyncIterator[list[Record]]:
            async for found in self._media_pages():
                yield [{**view(a), "file": media_path(a)} for a in found]

        async for ready in self._array("media.json", listed(), "media"):
            yield ready
        written = self.counter("media_files")
        async for found in self._media_pages():
            for attachment in found:
                if await self.blobs.size(attachment["blob_key"]) is None:
                    continue  # gone from the store (media.json still lists it)
                with self.zip.open(media_path(attachment), stored=True) as out:
                    async for chunk in self.blobs.open(attachment["blob_key"]):
                        out.write(chunk)
                        yield self.zip.take()
                written[0] += 1
                yield self.zip.take()


async def _once(rows: list[tuple[object, ...]]) -> AsyncIterator[list[tuple[object, ...]]]:
    yield rows


def media_path(attachment: Record) -> str:
    return f"media/{attachment['id']}-{safe_name(attachment['name'] or '', 80)}"


routes = [route("/circles/{id}/export.zip", get=export_zip)]

__all__ = ["routes"]
