"""Circle events: one dataclass per kind, the same map on the wire and back."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from protocol import EVENT_TYPES, JSON_CODEC, MSGPACK_CODEC, ProtocolError, event_from_map, event_of
from protocol.events import (
    CircleEvent,
    CircleUpdated,
    GroupCreated,
    GroupUpdated,
    MessageStarred,
    PollVoted,
    PostAcked,
)
from protocol.events import MessageVetoed as MessageVetoedEvent
from protocol.lesson_events import LessonDeleted

POST = {"id": "p1", "circle": "c1", "kind": "post", "text": "你好", "pinned": False}
MEMBER = {"user": "u1", "role": "member", "nickname": None, "name": "张云妮"}
COMMENT = {"id": "k1", "post": "p1", "author": {"id": "u1", "name": "A"}, "text": "好"}

# A value for each field name the kinds use.
SAMPLES: dict[str, Any] = {
    "post": POST,
    "posts": [POST],
    "order": ["p1"],
    "author": "u2",
    "user": "u1",
    "at": 1700000000000,
    "acked": 3,
    "pending": 7,
    "liked": True,
    "likes": 2,
    "comment": COMMENT,
    "comments": 1,
    "seq": 42,
    "stars": 2,
    "threshold": 3,
    "starred": True,
    "vetoed": True,
    "member": MEMBER,
    "members": 12,
    "followers": 510_000,
    "info": {"id": "c1", "name": "圈子"},
    "group": "g1",
    "role": "admin",
    "reason": "left",
    "target": {"group": "g1", "seq": 42},
    "emoji": "👍🏽",
    "on": True,
    "count": 2,
    "poll": {"id": "q1", "question": "去哪儿吗", "options": ["北京", "上海"], "counts": [1, 0]},
    "counts": [2, 1],
    "voters": 3,
    "options": [0],
    "name": "张云妮",
    "state": "approved",
    "deleted": "admin",
    "text": "改好了",
    "edited": 1700000000001,
    "report": {"id": "r1", "target": {"kind": "post", "id": "p1"}, "reason": "spam"},
    "reporter": "u3",
    "open": 2,
    "challenge": {"id": "h1", "title": "每日阅读一小时", "type": "continuous"},
    "participants": 3,
    "checkin": {"id": "k2", "user": "u1", "date": "2026-12-01", "text": "读完第一章"},
    "standing": {"user": "u1", "streak": 3, "total": 5, "completed": False},
    "assignment": {"id": "a1", "title": "第一课作业", "due_at": 1, "peer_visibility": "hidden"},
    "submission": {"id": "s1", "assignment": "a1", "user": "u1", "state": "submitted"},
    "action": "submitted",
    "student": "u1",
    "audience": ["u2", "u3"],
    "lesson": {"id": "l1", "title": "第一课 站姿", "state": "live", "live": {"start_seq": 4}},
    "about": {"kind": "lesson", "id": "l1", "title": "第一课", "at": 1700000600000},
    "gathering": {"id": "e1", "title": "十二月生日会", "going": 12, "capacity": 30},
    "promoted": ["u2"],
    "answer": "going",
    "rules": {"post": 2, "highlight": 5},
    "exclude_managers": True,
    "contest": {"id": "t1", "title": "手机摄影大赛", "status": "voting"},
    "entry": {"id": "n1", "user": "u1", "name": "张云妮", "votes": 3},
    "entries": 103,
    "winners": [{"id": "n1", "rank": 1, "votes": 58}],
    "votes": 3,
    "updated": 1700000000002,
    "waiting": False,
    "mentions": [{"id": "u2", "name": "王老师"}, {"all": True, "name": "所有人"}],
}
GROUP = {"id": "g1", "circle": "c1", "name": "北京", "access": "open", "archived": False}


def sample(cls: type[CircleEvent], rev: int = 7) -> CircleEvent:
    values = {f.name: SAMPLES[f.name] for f in dataclasses.fields(cls)[3:]}
    if cls is PostAcked:
        values["user"] = {"id": "u1", "name": "A"}
    if cls is MessageStarred:
        values["user"], values["post"] = "u1", None
    if cls is PollVoted:
        values["poll"], values["post"] = "q1", None
    if cls in (GroupCreated, GroupUpdated):
        values["group"] = GROUP
    if cls is LessonDeleted:
        values["lesson"] = "l1"
    return cls(circle="c1", rev=rev, ts=1700000000001, **values)


@pytest.mark.parametrize("kind", sorted(EVENT_TYPES))
def test_every_kind_round_trips_through_both_codecs(kind: str) -> None:
    event = sample(EVENT_TYPES[kind])
    wire = event.to_map()
    assert wire["t"] == "event" and wire["kind"] == kind
    assert (wire["circle"], wire["rev"], wire["ts"]) == ("c1", 7, 1700000000001)
    for codec in (JSON_CODEC, MSGPACK_CODEC):
        assert event_from_map(codec.decode(codec.encode(wire))) == event


def test_a_change_of_the_store_becomes_its_event() -> None:
    event = event_of("circle.updated", "c1", 9, 5, {"info": {"id": "c1"}})
    assert event == CircleUpdated(circle="c1", rev=9, ts=5, info={"id": "c1"})
    # `circle` is the circle's id in every event; the settings travel as `info`.
    assert event.to_map()["circle"] == "c1" and event.to_map()["info"] == {"id": "c1"}


def test_unknown_kinds_and_missing_fields_are_bad_frames() -> None:
    with pytest.raises(ProtocolError) as unknown:
        event_from_map({"kind": "post.exploded", "circle": "c", "rev": 1, "ts": 1})
    assert unknown.value.code == "bad_frame"
    wire = sample(MessageStarred).to_map()
    del wire["threshold"]
    with pytest.raises(ProtocolError) as missing:
        event_from_map(wire)
    assert "threshold" in missing.value.message


def test_events_are_frozen_values() -> None:
    event = sample(MessageStarred)
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.rev = 8  # type: ignore[misc]
    assert event == sample(MessageStarred) and hash(event.kind)


def test_a_message_event_logged_before_groups_reads_as_general() -> None:
    old = {"kind": "message.vetoed", "circle": "c1", "rev": 3, "ts": 1, "seq": 5, "vetoed": True}
    event = event_from_map(old)
    assert event == MessageVetoedEvent(circle="c1", rev=3, ts=1, seq=5, vetoed=True, group=None)


def test_homework_events_reach_their_audience_only() -> None:
    """A submission's event: its student and the teachers always; others when the
    audience is everyone (null) or names them."""
    from protocol.homework_events import SubmissionUpdated, audience_sees

    def event(audience: list[str] | None) -> SubmissionUpdated:
        return SubmissionUpdated("c1", 1, 0, "submitted", {"id": "s1"}, "u1", audience)

    assert audience_sees(event([]), "u1", False) and audience_sees(event([]), "t1", True)
    assert not audience_sees(event([]), "u2", False)
    assert audience_sees(event(["u2"]), "u2", False) and not audience_sees(
        event(["u2"]), "u3", False
    )
    assert audience_sees(event(None), "u3", False)
