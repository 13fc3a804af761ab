"""Contests (COMMUNITY-OPS.md rule 10): the bank's phone-photography contest, the
hobby circle's dish of the month.

Owners and admins create one with its published rules: an entry window and a
voting window (times on the circle's clock), entries per member, votes per
member, whether owners' and admins' entries are ranked, whether the ranking shows
while voting (``live``) or only once voting closed (``after_close``), and whether
only members who joined before voting opened may vote. Members enter (words and
photos or videos) while entries are open and vote while voting is open — one
account, one vote per entry, never for their own, changeable (taken back) until
the close; the result is frozen at the close by construction, since no vote moves
after it. Owners and admins then announce the winners once: a must-read notice
naming them, and each winner earns the circle's ``contest_win`` points.
Every change is the circle's event (``contest.*``), live and caught up; a vote's
event carries counts only when the ranking is live.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from . import attachment_uses, validation
from .calendar import DEFAULT_ZONE, local_time_text, parse_local_time
from .changes import record
from .engine import Service
from .errors import Conflict, Forbidden, Invalid, NotFound
from .ids import new_id, now_ms
from .lookups import (
    circle_row,
    newest_first,
    next_cursor,
    require_manager,
    require_visible,
    require_voice,
)
from .models import CIRCLES, CONTEST_ENTRIES, CONTEST_VOTES, CONTESTS, MEMBERSHIPS, USERS
from .point_awards import award
from .records import (
    DISPLAY_NAME,
    MANAGER_ROLES,
    AnyRow,
    Record,
    decode_attachments,
    encode_attachments,
)

RANKINGS = ("live", "after_close")
TITLE_MAX = 100
RULES_MAX = 2000
TEXT_MAX = 2000
PER_MEMBER_MAX = 50
PLACES_MAX = 10
PAGE_MAX = 100
FIELDS = frozenset(
    {
        "title",
        "rules",
        "entries_open",
        "entries_close",
        "votes_open",
        "votes_close",
        "entries_per_member",
        "votes_per_member",
        "exclude_managers",
        "ranking",
        "joined_before_voting",
    }
)


def status_of(row: AnyRow, now: int) -> str:
    """``upcoming``, ``entering``, ``voting`` (both when the windows overlap: voting
    wins), ``closed``."""
    if now >= row.votes_close:
        return "closed"
    if row.votes_open <= now:
        return "voting"
    if row.entries_open <= now < row.entries_close:
        return "entering"
    return "upcoming"


def contest_record(row: AnyRow, zone: str, now: int) -> Record:
    times = {
        key: getattr(row, key)
        for key in ("entries_open", "entries_close", "votes_open", "votes_close")
    }
    return {
        "id": row.id,
        "circle": row.circle_id,
        "title": row.title,
        "rules": row.rules,
        **times,
        "local": {key: local_time_text(value, zone) for key, value in times.items()},
        "time_zone": zone,
        "entries_per_member": row.entries_per_member,
        "votes_per_member": row.votes_per_member,
        "exclude_managers": bool(row.exclude_managers),
        "ranking": row.ranking,
        "joined_before_voting": bool(row.joined_before_voting),
        "created_by": row.created_by,
        "created": row.created,
        "entries": row.entry_count,
        "status": status_of(row, now),
        "announced_at": row.announced_at,
        "announced_post": row.announced_post,
    }


def shows_votes(row: AnyRow, now: int) -> bool:
    return row.ranking == "live" or now >= row.votes_close


async def contest_row(conn: AsyncConnection, contest_id: object, *, lock: bool = False) -> AnyRow:
    if not isinstance(contest_id, str):
        raise NotFound("no such contest")
    query = (
        select(*CONTESTS.c, CIRCLES.c.time_zone)
        .join(CIRCLES, CIRCLES.c.id == CONTESTS.c.circle_id)
        .where(CONTESTS.c.id == contest_id, CIRCLES.c.deleted.is_(None))
    )
    if lock:
        query = query.with_for_update(of=CONTESTS)
    row = (await conn.execute(query)).first()
    if row is None:
        raise NotFound("no such contest")
    return row


def _zone(row: AnyRow) -> str:
    return str(row.time_zone or DEFAULT_ZONE)


class Contests(Service):
    """Create and list contests; enter, vote, rank, announce."""

    def __init__(self, db: Any, posts: Any, must_reads: Any) -> None:
        super().__init__(db)
        self._posts = posts
        self._must_reads = must_reads

    async def create(self, circle_id: str, actor_id: str, fields: object) -> Record:
        if not isinstance(fields, dict):
            raise Invalid("a contest must be an object")
        unknown = set(fields) - FIELDS
        if unknown:
            raise Invalid(f"a contest cannot have {', '.join(sorted(map(str, unknown)))}")
        for key in ("title", "entries_close", "votes_close"):
            if key not in fields:
                raise Invalid(f"{key} is required")
        async with self._db.write() as conn:
            circle = await circle_row(conn, circle_id, lock=True)
            await require_manager(conn, circle_id, actor_id)
            zone = circle.time_zone or DEFAULT_ZONE
            now = now_ms()
            when = {
                key: parse_local_time(fields[key], key, zone)
                for key in ("entries_open", "entries_close", "votes_open", "votes_close")
                if fields.get(key) is not None
            }
            when.setdefault("entries_open", now)
            when.setdefault("votes_open", when["entries_close"])
            if not when["entries_open"] < when["entries_close"] <= when["votes_close"]:
                raise Invalid("entries must open before they close, and close by the end of voting")
            if not when["votes_open"] < when["votes_close"]:
                raise Invalid("voting must open before it closes")
            values = {
                "id": new_id(),
                "circle_id": circle_id,
                "title": validation.display_name(fields["title"], "title", TITLE_MAX),
                "rules": validation.text(fields.get("rules", ""), "rules", 0, RULES_MAX),
                **when,
                "entries_per_member": validation.integer(
                    fields.get("entries_per_member", 1), "entries_per_member", 1, PER_MEMBER_MAX
                ),
                "votes_per_member": validation.integer(
                    fields.get("votes_per_member", 1), "votes_per_member", 1, PER_MEMBER_MAX
                ),
                "exclude_managers": validation.boolean(
                    fields.get("exclude_managers", False), "exclude_managers"
                ),
                "ranking": validation.choice(
                    fields.get("ranking", "after_close"), "ranking", RANKINGS
                ),
                "joined_before_voting": validation.boolean(
                    fields.get("joined_before_voting", True), "joined_before_voting"
                ),
                "created_by": actor_id,
                "created": now,
                "entry_count": 0,
            }
            await conn.execute(CONTESTS.insert().values(values))
            row = await contest_row(conn, values["id"])
            found = contest_record(row, zone, now)
            await record(conn, circle_id, "contest.created", {"contest": found})
        return {**found, "my_votes": []}

    async def page(
        self, circle_id: str, viewer_id: str, cursor: str | None = None, limit: int = 20
    ) -> tuple[list[Record], str | None]:
        limit = validation.limit(limit, high=PAGE_MAX)
        now = now_ms()
        async with self._db.read() as conn:
            circle = await circle_row(conn, circle_id)
            await require_visible(conn, circle, viewer_id)
            query = (
                select(*CONTESTS.c, CIRCLES.c.time_zone)
                .join(CIRCLES, CIRCLES.c.id == CONTESTS.c.circle_id)
                .where(CONTESTS.c.circle_id == circle_id)
            )
            rows = (await conn.execute(newest_first(query, CONTESTS, cursor, limit))).all()
        return [contest_record(r, _zone(r), now) for r in rows[:limit]], next_cursor(
            rows, limit, "created", "id"
        )

    async def get(self, contest_id: str, viewer_id: str) -> Record:
        """The contest, its entries (ranked when the ranking shows, else in the order
        they came, without counts) and the viewer's votes."""
        now = now_ms()
        async with self._db.read() as conn:
            row = await contest_row(conn, contest_id)
            await require_visible(conn, await circle_row(conn, row.circle_id), viewer_id)
            entries = await self._entries(conn, row, now)
            mine = (
                (
                    await conn.execute(
                        select(CONTEST_VOTES.c.entry_id).where(
                            CONTEST_VOTES.c.contest_id == row.id,
                            CONTEST_VOTES.c.user_id == viewer_id,
                        )
                    )
                )
                .scalars()
                .all()
            )
        return {
            **contest_record(row, _zone(row), now),
            "entries_list": entries,
            "my_votes": sorted(mine),
        }

    async def results(self, contest_id: str, actor_id: str) -> Record:
        """The contest and every entry with its votes and rank, whatever the ranking
        shows to members (owners and admins: the export)."""
        now = now_ms()
        async with self._db.read() as conn:
            row = await contest_row(conn, contest_id)
            await require_manager(conn, row.circle_id, actor_id)
            entries = await self._entries(conn, row, now, reveal=True)
        return {**contest_record(row, _zone(row), now), "entries_list": entries}

    async def enter(
        self, contest_id: str, user_id: str, text: object, attachments: object = None
    ) -> Record:
        ids = attachment_uses.ids_of(attachments)
        words = validation.text(text if text is not None else "", "text", 0 if ids else 1, TEXT_MAX)
        async with self._db.write() as conn:
            row = await contest_row(conn, contest_id, lock=True)
            await require_voice(conn, row.circle_id, user_id)
            now = now_ms()
            if now < row.entries_open:
                raise Forbidden("entries are not open yet", reason="entries_not_open")
            if now >= row.entries_close:
                raise Forbidden("entries are closed", reason="entries_closed")
            made = (
                await conn.execute(
                    select(func.count()).where(
                        CONTEST_ENTRIES.c.contest_id == row.id, CONTEST_ENTRIES.c.user_id == user_id
                    )
                )
            ).scalar_one()
            if made >= row.entries_per_member:
                raise Conflict(
                    "you have entered as often as this contest allows",
                    reason="entries_used_up",
                    params={"max": row.entries_per_member},
                )
            carried = await attachment_uses.resolve(conn, row.circle_id, ids)
            entry_id = new_id()
            await conn.execute(
                CONTEST_ENTRIES.insert().values(
                    id=entry_id,
                    contest_id=row.id,
                    circle_id=row.circle_id,
                    user_id=user_id,
                    text=words,
                    attachments=encode_attachments(carried),
                    created=now,
                    votes=0,
                )
            )
            await attachment_uses.use(conn, entry_id, 0, carried)
            await conn.execute(
                update(CONTESTS)
                .where(CONTESTS.c.id == row.id)
                .values(entry_count=CONTESTS.c.entry_count + 1)
            )
            entry = (await self._entry_rows(conn, row, CONTEST_ENTRIES.c.id == entry_id))[0]
            found = self._entry(entry, row, now, None)
            await record(
                conn,
                row.circle_id,
                "contest.entered",
                {"contest": row.id, "entry": found, "entries": row.entry_count + 1},
            )
        return found

    async def vote(self, entry_id: str, user_id: str, on: object = True) -> Record:
        """Vote for an entry (``on``) or take the vote back; returns the viewer's votes."""
        on = validation.boolean(on, "on")
        if not isinstance(entry_id, str):
            raise NotFound("no such entry")
        async with self._db.write() as conn:
            entry = (
                await conn.execute(
                    select(*CONTEST_ENTRIES.c).where(CONTEST_ENTRIES.c.id == entry_id)
                )
            ).first()
            if entry is None:
                raise NotFound("no such entry")
            row = await contest_row(conn, entry.contest_id, lock=True)
            await require_voice(conn, row.circle_id, user_id)
            now = now_ms()
            if now < row.votes_open:
                raise Forbidden("voting is not open yet", reason="voting_not_open")
            if now >= row.votes_close:
                raise Forbidden("voting is closed: the result is final", reason="voting_closed")
            voted = (
                (
                    await conn.execute(
                        select(CONTEST_VOTES.c.entry_id).where(
                            CONTEST_VOTES.c.contest_id == row.id, CONTEST_VOTES.c.user_id == user_id
                        )
                    )
                )
                .scalars()
                .all()
            )
            changed = False
            if on and entry_id not in voted:
                if entry.user_id == user_id:
                    raise Forbidden("you cannot vote for your own entry", reason="own_entry")
                if row.joined_before_voting:
                    joined = (
                        await conn.execute(
                            select(MEMBERSHIPS.c.joined).where(
                                MEMBERSHIPS.c.circle_id == row.circle_id,
                                MEMBERSHIPS.c.user_id == user_id,
                            )
                        )
                    ).scalar_one()
                    if joined >= row.votes_open:
                        raise Forbidden(
                            "only members who joined before voting opened may vote",
                            reason="joined_too_late",
                        )
                if len(voted) >= row.votes_per_member:
                    raise Conflict(
                        "you have used all your votes: take one back first",
                        reason="votes_used_up",
                        params={"max": row.votes_per_member},
                    )
                await conn.execute(
                    CONTEST_VOTES.insert().values(
                        entry_id=entry_id, user_id=user_id, contest_id=row.id, created=now
                    )
                )
                changed = True
            elif not on and entry_id in voted:
                await conn.execute(
                    CONTEST_VOTES.delete().where(
                        CONTEST_VOTES.c.entry_id == entry_id, CONTEST_VOTES.c.user_id == user_id
                    )
                )
                changed = True
            if changed:
                await conn.execute(
                    update(CONTEST_ENTRIES)
                    .where(CONTEST_ENTRIES.c.id == entry_id)
                    .values(votes=CONTEST_ENTRIES.c.votes + (1 if on else -1))
                )
                data: dict[str, Any] = {"contest": row.id, "entry": entry_id}
                if shows_votes(row, now):
                    data["votes"] = entry.votes + (1 if on else -1)
                await record(conn, row.circle_id, "contest.voted", data)
            mine = set(voted) | {entry_id} if on else set(voted) - {entry_id}
        return {"contest": row.id, "entry": entry_id, "my_votes": sorted(mine)}

    async def announce(
        self, contest_id: str, actor_id: str, text: object = "", places: object = 3
    ) -> Record:
        """Once voting closed (owners and admins, once): the winners — the ``places``
        best ranked entries with a vote — each earn ``contest_win`` points, and a
        must-read notice names them under the announcer's ``text``."""
        places = validation.integer(places, "places", 1, PLACES_MAX)
        words = validation.text(text if text is not None else "", "text", 0, RULES_MAX)
        now = now_ms()
        async with self._db.write() as conn:
            row = await contest_row(conn, contest_id, lock=True)
            await require_manager(conn, row.circle_id, actor_id)
            if now < row.votes_close:
                raise Conflict("voting has not closed yet", reason="voting_open")
            if row.announced_at is not None:
                raise Conflict("the winners were announced already", reason="already_announced")
            entries = await self._entries(conn, row, now)
            winners = [e for e in entries if e["rank"] is not None and e["votes"] > 0][:places]
            for winner in winners:
                await award(
                    conn,
                    row.circle_id,
                    winner["user"],
                    "contest_win",
                    "contest_entry",
                    winner["id"],
                    now,
                )
            await conn.execute(
                update(CONTESTS).where(CONTESTS.c.id == row.id).values(announced_at=now)
            )
        # The notice: its own writes (a post, then its must-read flag), after the claim
        # above, so that two announcers cannot both post one.
        medals = ["🥇", "🥈", "🥉"]
        lines = [f"🏆 {row.title}", *([words] if words else [])]
        lines += [
            f"{medals[w['rank'] - 1] if w['rank'] <= 3 else '#' + str(w['rank'])} {w['name']} · {w['votes']}"
            for w in winners
        ]
        post = await self._posts.create(row.circle_id, actor_id, "notice", "\n".join(lines))
        await self._must_reads.set_must_read(post["id"], actor_id, True)
        async with self._db.write() as conn:
            await conn.execute(
                update(CONTESTS).where(CONTESTS.c.id == row.id).values(announced_post=post["id"])
            )
            found = contest_record(await contest_row(conn, row.id), _zone(row), now)
            await record(
                conn, row.circle_id, "contest.announced", {"contest": found, "winners": winners}
            )
        return {"contest": found, "winners": winners, "post": post["id"]}

    # -- inside a transaction ---------------------------------------------------------

    async def _entry_rows(self, conn: AsyncConnection, row: AnyRow, where: Any) -> list[AnyRow]:
        query = (
            select(*CONTEST_ENTRIES.c, DISPLAY_NAME, MEMBERSHIPS.c.role)
            .join(USERS, USERS.c.id == CONTEST_ENTRIES.c.user_id)
            .outerjoin(
                MEMBERSHIPS,
                and_(
                    MEMBERSHIPS.c.circle_id == row.circle_id,
                    MEMBERSHIPS.c.user_id == CONTEST_ENTRIES.c.user_id,
                ),
            )
            .where(CONTEST_ENTRIES.c.contest_id == row.id, where)
        )
        return list((await conn.execute(query)).all())

    async def _entries(
        self, conn: AsyncConnection, row: AnyRow, now: int, reveal: bool = False
    ) -> list[Record]:
        """Every entry: ranked (votes, then who entered first) when the ranking
        shows, in the order they came otherwise; unranked ones (managers' when
        excluded, or a departed member's) after."""
        rows = await self._entry_rows(conn, row, CONTEST_ENTRIES.c.id.is_not(None))
        show = reveal or shows_votes(row, now)
        rows.sort(
            key=(lambda e: (-e.votes, e.created, e.id)) if show else (lambda e: (e.created, e.id))
        )
        ranked: list[Record] = []
        unranked: list[Record] = []
        for e in rows:
            eligible = e.role is not None and not (row.exclude_managers and e.role in MANAGER_ROLES)
            if show and eligible:
                ranked.append(self._entry(e, row, now, len(ranked) + 1, show))
            else:
                unranked.append(self._entry(e, row, now, None, show))
        return ranked + unranked

    def _entry(
        self, e: AnyRow, row: AnyRow, now: int, rank: int | None, show: bool | None = None
    ) -> Record:
        return {
            "id": e.id,
            "contest": e.contest_id,
            "user": e.user_id,
            "name": e.display_name,
            "text": e.text,
            "attachments": decode_attachments(e.attachments),
            "created": e.created,
            "votes": e.votes if (shows_votes(row, now) if show is None else show) else None,
            "rank": rank,
        }
