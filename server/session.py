"""One client session from `hello` to close, whatever socket carries it.

The link hands every message over with `received`, in order; frames are
answered in that order. A frame that can be answered without waiting (a `say`
of a circle whose membership is known, a `ping`) is answered right there;
anything that waits on the store goes to an inbox drained by a task that
exists only while there is something to wait for — an idle connection holds no
task. Every failure becomes an `error` frame with the contract's code (never a
traceback) and the connection stays open, unless the contract says to close it.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import secrets
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from protocol import (
    CloseCode,
    ErrorCode,
    History,
    HistoryReply,
    Join,
    Leave,
    Ok,
    Ping,
    Pong,
    ProtocolError,
    Read,
    Say,
    Star,
    Typing,
    Unstar,
    Welcome,
    decode_client,
    error_map,
)
from protocol import Hello as HelloFrame
from store import (
    Addressed,
    Conflict,
    Forbidden,
    GroupAccess,
    Membership,
    Outcome,
    Record,
    StoreError,
    Unauthenticated,
    mention_starts,
    now_ms,
    token_hash,
    voice_refusal,
)

from . import metrics
from .admission import TooManySockets
from .connection import Connection
from .node import Node
from .ratelimit import WindowCounter

log = logging.getLogger(__name__)

# Frames waiting in the inbox before the link stops reading from the socket:
# a client that pipelines faster than the store answers is paced by TCP.
INBOX_MAX = 64
# RFC 6455's "internal error": the session itself failed (a bug, logged).
CLOSE_INTERNAL = 1011
# Errors that mean "this client sends malformed frames": only these count toward
# the 4008 close. A say refused by the rate limit or for its length is an
# expected outcome: the client is told and stays connected.
ABUSE_CODES = frozenset({ErrorCode.BAD_FRAME, ErrorCode.UNKNOWN_TYPE})


class Session:
    __slots__ = (
        "node",
        "conn",
        "settings",
        "pending_says",
        "_bad_frames",
        "_inbox",
        "_task",
        "_hello_timer",
        "_greeted",
        "_ended",
        "_reading_paused",
    )

    def __init__(self, node: Node, conn: Connection) -> None:
        self.node = node
        self.conn = conn
        self.settings = node.settings
        self.pending_says: set[asyncio.Future[Outcome]] = set()
        self._bad_frames: WindowCounter | None = None
        self._inbox: deque[bytes | str | Any] = deque()
        self._task: asyncio.Task[None] | None = None
        self._greeted = False
        self._ended = False
        self._reading_paused = False
        loop = asyncio.get_running_loop()
        self._hello_timer: asyncio.TimerHandle | None = loop.call_later(
            self.settings.hello_timeout_s, self._hello_expired
        )

    # -- from the link ---------------------------------------------------------

    def received(self, data: bytes | str) -> None:
        """One message from the client."""
        if self._ended or not self.conn.open:
            return
        if self._hello_timer is not None:
            self._hello_timer.cancel()
            self._hello_timer = None
        if self._task is None and self._greeted:
            if not self.node.accepting:
                return  # shutting down: bye is on its way
            frame = self._answer_now(data)
            if frame is None:
                return
            self._inbox.append(frame)
        else:
            self._inbox.append(data)
        if self._task is None:
            self._task = asyncio.ensure_future(self._drain())
        elif len(self._inbox) >= INBOX_MAX and not self._reading_paused:
            self._reading_paused = True
            self.conn.link.pause_reading()

    def end(self) -> None:
        """The socket is gone: forget the connection once the frame at hand is done."""
        if self._ended:
            return
        self._ended = True
        self._inbox.clear()
        if self._hello_timer is not None:
            self._hello_timer.cancel()
            self._hello_timer = None
        if self._task is None:
            self._task = asyncio.ensure_future(self._drain())

    @property
    def done(self) -> bool:
        """Ended, and the node has forgotten the connection."""
        return self._ended and self._task is None

    async def finished(self) -> None:
        """Wait until the frame at hand is answered and the node forgot the connection."""
        if self._task is not None:
            await asyncio.shield(self._task)

    def _hello_expired(self) -> None:
        self._hello_timer = None
        if not self._greeted and self._task is None:
            self.conn.close(CloseCode.UNAUTHENTICATED)

    # -- answering -------------------------------------------------------------

    def _answer_now(self, data: bytes | str) -> Any:
        """Decode and answer a frame that needs no waiting; otherwise return it."""
        frame_id: Any = None
        try:
            frame = decode_client(self.conn.codec, data)
            frame_id = frame.id
            answer = ANSWER_NOW.get(type(frame))
            if answer is None or not answer(self, frame):
                return frame
            metrics.frame_in(type(frame).__name__.lower()).inc()
        except Exception as exc:
            self._failed(exc, frame_id)
        return None

    async def _answer(self, data: Any) -> None:
        frame_id: Any = None
        try:
            frame = decode_client(self.conn.codec, data) if isinstance(data, bytes | str) else data
            frame_id = frame.id
            metrics.frame_in(type(frame).__name__.lower()).inc()
            if type(frame) in LIMITED_FRAMES:
                await self._frame_allowed(frame)
            await HANDLERS[type(frame)](self, frame)
        except Exception as exc:
            self._failed(exc, frame_id)

    async def _frame_allowed(self, frame: Any) -> None:
        """The user's limit on frames that reach the store (``frame_rate_per_s``)."""
        if not await self.node.limits.frames.acquire(self.conn.user_id):
            raise ProtocolError(ErrorCode.RATE_LIMITED, "slow down: too many requests", frame.id)

    def _failed(self, exc: Exception, frame_id: Any) -> None:
        conn = self.conn
        if isinstance(exc, ProtocolError):
            conn.send(exc.to_map())
            if exc.code not in ABUSE_CODES:
                return
            metrics.frame_in("bad").inc()
            if self._bad_frames is None:
                self._bad_frames = WindowCounter(self.settings.bad_frames_window_s)
            if self._bad_frames.add() > self.settings.bad_frames_max:
                conn.close(CloseCode.POLICY)
        elif isinstance(exc, StoreError):
            conn.send(store_error(exc, frame_id))
        else:
            log.error("frame from %s failed", conn.user_id, exc_info=exc)
            conn.send(error_map(ErrorCode.INTERNAL, "internal error", frame_id))

    async def _drain(self) -> None:
        """Answer the inbox in order; the task ends when the inbox is empty."""
        inbox = self._inbox
        try:
            while inbox and not self._ended:
                data = inbox.popleft()
                if self._greeted:
                    if self.node.accepting:
                        await self._answer(data)
                elif not await self._hello(data):
                    inbox.clear()
                if self._reading_paused and len(inbox) <= INBOX_MAX // 2:
                    self._reading_paused = False
                    self.conn.link.resume_reading()
            if self._ended and self.conn.user_id:
                await self.node.disconnect(self.conn)
        except Exception:
            log.exception("session of %s failed", self.conn.user_id)
            self.conn.close(CLOSE_INTERNAL)
        finally:
            self._task = None

    async def _hello(self, data: bytes | str) -> bool:
        """Authenticate; False closes the session."""
        conn = self.conn
        frame: Any = None
        try:
            frame = decode_client(conn.codec, data)
            if not isinstance(frame, HelloFrame):
                raise ProtocolError(
                    ErrorCode.UNAUTHENTICATED,
                    "the first frame must be hello",
                    getattr(frame, "id", None),
                )
            user, mark = await self.node.authenticate(frame.token)
            if self._ended:
                return False
            conn.user = user
            conn.token = frame.token
            conn.token_hash = token_hash(frame.token)
            conn.token_mark = mark
            # Registered with its circles before welcome: highlights from now on
            # reach it. Refused if its token was revoked meanwhile.
            await self.node.connect(conn)
        except ProtocolError as exc:
            conn.send(exc.to_map())
            conn.close(CloseCode.UNAUTHENTICATED)
            return False
        except Unauthenticated as exc:
            conn.send(error_map(ErrorCode.UNAUTHENTICATED, str(exc), frame.id))
            conn.close(CloseCode.UNAUTHENTICATED)
            return False
        except TooManySockets as exc:
            conn.send(error_map(ErrorCode.RATE_LIMITED, str(exc), frame.id))
            conn.close(CloseCode.TOO_MANY)
            return False
        if self._ended:
            return False
        metrics.frame_in("hello").inc()
        conn.send(
            Welcome(
                id=frame.id,
                user=conn.user,
                session=secrets.token_urlsafe(12),
                heartbeat=self.settings.heartbeat_s,
                limits={
                    "frame_bytes": self.settings.frame_bytes,
                    "text_chars": self.settings.text_chars,
                    "recall_window_s": self.settings.recall_window_s,
                    "edit_window_s": self.settings.edit_window_s,
                },
            ).to_map()
        )
        self._greeted = True
        return True

    # -- one handler per request ---------------------------------------------

    async def on_hello(self, f: HelloFrame) -> None:
        # `hello` is right in one place only, first; after `welcome` it is a wrong
        # frame: `bad_frame`, and it counts toward the 4008 close like any other
        # (a client greeting in a loop is broken, not unlucky). Not `unknown_type`:
        # the type is known. Not `unauthenticated`: the session is, and that code
        # means "closed with 4001". Not `conflict`: that says "retry when the state
        # allows", and no state of this connection will take a second hello.
        raise ProtocolError(ErrorCode.BAD_FRAME, "hello comes once, as the first frame", f.id)

    async def on_join(self, f: Join) -> None:
        await self.node.streams.join(self.conn, f.circle, f.group or f.circle, f.since, f.id)

    async def on_leave(self, f: Leave) -> None:
        await self.node.streams.leave(self.conn, f.group or f.circle)
        self.conn.send(Ok(id=f.id).to_map())

    def say_now(self, f: Say) -> bool:
        """A say in a group whose access is known, with room in flight, and whose
        rate limit answers without waiting."""
        member = self.conn.memberships.get(f.circle)
        access = self.conn.groups.get(f.group or f.circle)
        if (
            member is None
            or access is None
            or access.circle != f.circle
            or f.attachments  # they are looked up first: on_say
            # Whom it mentions or replies to is looked up first too (store/mentions.py).
            or f.reply_to is not None
            or mention_starts(f.text)
            or len(self.pending_says) >= self.settings.says_in_flight
        ):
            return False
        self._check_text(f)
        _check_say(access, f)
        allowed = self.node.say_limiter.take(self.conn.user_id)
        if allowed is None:
            return False  # the limiter must wait (a lease from Redis): in line
        if not allowed:
            raise rate_limited(f)
        self._check_voice(f, member, access)
        self._enqueue(f, member)
        return True

    async def on_say(self, f: Say) -> None:
        self._check_text(f)
        member = await self._member(f.circle)
        access = await self._access(f.circle, f.group)
        _check_say(access, f)
        if not await self.node.say_limiter.acquire(self.conn.user_id):
            raise rate_limited(f)
        self._check_voice(f, member, access)
        attachments = (
            await self.node.store.attachments.resolve(f.circle, list(f.attachments))
            if f.attachments
            else ()
        )
        addressed = await self.node.store.chat.addressed(
            f.circle, f.group or f.circle, self.conn.user_id, f.text, f.reply_to
        )
        if len(self.pending_says) >= self.settings.says_in_flight:
            await asyncio.wait(self.pending_says, return_when=asyncio.FIRST_COMPLETED)
        self._enqueue(f, member, attachments, addressed)

    def _check_voice(self, f: Say, member: Membership, access: GroupAccess) -> None:
        """A muted member, or one whose paid term ended, says nothing (the store's
        one rule, ``voice_refusal``); in slow mode a member (not an admin) says
        once per ``slow_mode_s`` in the group (counted on this node)."""
        now = now_ms()
        refusal = voice_refusal(member.muted_until, member.ends_at, member.removes_at, now)
        if refusal is not None:
            raise ProtocolError(
                ErrorCode.FORBIDDEN, refusal.message, f.id, refusal.reason, refusal.params
            )
        if access.slow_mode_s and not (access.manager or access.role == "admin"):
            wait = self.node.slow_mode.wait_ms(access.group, member.user, access.slow_mode_s, now)
            if wait:
                raise ProtocolError(
                    ErrorCode.RATE_LIMITED,
                    f"slow mode: one message per {access.slow_mode_s} s",
                    f.id,
                    "slow_mode",
                    {"wait_ms": wait},
                )

    def _check_text(self, f: Say) -> None:
        if len(f.text) > self.settings.text_chars:
            raise ProtocolError(
                ErrorCode.TOO_BIG,
                f"text is longer than {self.settings.text_chars} characters",
                f.id,
            )
        if not f.text.strip() and not f.attachments:
            raise ProtocolError(ErrorCode.BAD_FRAME, "text is empty", f.id)

    def _enqueue(
        self,
        f: Say,
        member: Any,
        attachments: Sequence[Record] = (),
        addressed: Addressed | None = None,
    ) -> None:
        # Says are pipelined so that one client's burst shares group commits:
        # queued now, in order, and answered from a callback after the commit.
        future = self.node.store.chat.enqueue(
            f.circle,
            self.conn.user_id,
            member.name,
            f.text,
            f.nonce,
            f.reply_to,
            f.group,
            list(attachments),
            addressed,
            bool(self.conn.user.get("bot")),
        )
        self.pending_says.add(future)
        self.node.says_in_flight.add(future)
        future.add_done_callback(functools.partial(self._acked, f))

    def _acked(self, f: Say, future: asyncio.Future[Outcome]) -> None:
        self.pending_says.discard(future)
        self.node.says_in_flight.discard(future)
        if future.cancelled():
            return
        exc = future.exception()
        if exc is None:
            message, _ = future.result()
            self.conn.send(Ok(id=f.id, extra={"seq": message["seq"], "ts": message["ts"]}).to_map())
        elif isinstance(exc, StoreError):
            self.conn.send(store_error(exc, f.id))
        else:
            log.error("say from %s failed", self.conn.user_id, exc_info=exc)
            self.conn.send(error_map(ErrorCode.INTERNAL, "internal error", f.id))

    async def on_history(self, f: History) -> None:
        await self._member(f.circle)
        access = await self._access(f.circle, f.group)
        limit = f.limit or self.settings.history_default
        messages, more = await self.node.store.chat.history(
            access.group,
            before=f.before,
            limit=min(limit, self.settings.history_max),
            min_seq=access.floor,
        )
        reply = HistoryReply(
            id=f.id, circle=f.circle, messages=messages, more=more, group=access.group
        )
        self.conn.send(reply.to_map())

    async def on_star(self, f: Star) -> None:
        await self._member(f.circle)
        # Everyone else hears of it from the event route (`message.starred`,
        # `post.promoted`); the reply is this client's.
        stars, post, _ = await self.node.store.stars.star(
            f.circle, f.seq, self.conn.user_id, f.group
        )
        self.conn.send(Ok(id=f.id, extra={"stars": stars, "post": post}).to_map())

    async def on_unstar(self, f: Unstar) -> None:
        await self._member(f.circle)
        stars = await self.node.store.stars.unstar(f.circle, f.seq, self.conn.user_id, f.group)
        self.conn.send(Ok(id=f.id, extra={"stars": stars}).to_map())

    async def on_read(self, f: Read) -> None:
        await self._member(f.circle)
        access = await self._access(f.circle, f.group)
        moved = await self.node.store.chat.mark_read(
            f.circle, self.conn.user_id, f.seq, access.group
        )
        if moved is not None:
            await self.node.reads.moved(f.circle, access.group, self.conn.user_id, moved)

    async def on_typing(self, f: Typing) -> None:
        await self._member(f.circle)
        await self._access(f.circle, f.group)
        self.node.typing(self.conn, f.circle, f.group or f.circle)

    def ping_now(self, f: Ping) -> bool:
        self.conn.send(Pong(id=f.id).to_map())
        return True

    async def on_ping(self, f: Ping) -> None:
        self.ping_now(f)

    async def _member(self, circle: str) -> Any:
        member = await self.node.streams.membership(self.conn, circle)
        if member is None:
            raise Forbidden("not a member of this circle")
        return member

    async def _access(self, circle: str, group: str | None) -> GroupAccess:
        return await self.node.streams.access(self.conn, circle, group or circle)


def _check_say(access: GroupAccess, f: Say) -> None:
    if not access.may_say:
        if access.archived:
            raise Conflict("this group is archived")
        raise Forbidden("this group is read-only: only its admins post here")


def rate_limited(f: Say) -> ProtocolError:
    return ProtocolError(ErrorCode.RATE_LIMITED, "slow down: too many messages", f.id)


def store_error(exc: StoreError, frame_id: Any) -> dict[str, Any]:
    """A domain error as an `error` frame; /ws has no bad_request, only bad_frame."""
    code = ErrorCode.BAD_FRAME if exc.code == ErrorCode.BAD_REQUEST else exc.code
    return error_map(code, exc.message, frame_id, exc.reason, exc.params)


# One table for every session (not a dict of bound methods per connection).
HANDLERS: dict[type, Callable[[Session, Any], Awaitable[None]]] = {
    HelloFrame: Session.on_hello,
    Join: Session.on_join,
    Leave: Session.on_leave,
    Say: Session.on_say,
    History: Session.on_history,
    Star: Session.on_star,
    Unstar: Session.on_unstar,
    Read: Session.on_read,
    Typing: Session.on_typing,
    Ping: Session.on_ping,
}
# Frames limited per user besides say's own limit: each one reads or writes the
# store. Ping and leave are not (cheap, and a client must always be able to go).
LIMITED_FRAMES = frozenset({Join, History, Star, Unstar, Read})
# Frames that may be answered on arrival: True when answered, False to wait in line.
ANSWER_NOW: dict[type, Callable[[Session, Any], bool]] = {
    Say: Session.say_now,
    Ping: Session.ping_now,
}
