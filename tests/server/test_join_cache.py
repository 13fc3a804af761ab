"""The join cache's own rules (server/join_cache.py), without a server: what a
store read that raced an event may keep, and its bound. The events themselves
are tested end to end in tests/e2e/test_join_cache.py."""

from __future__ import annotations

from protocol.events import CircleUpdated, MemberRemoved, MemberUpdated
from server.join_cache import JoinCache
from store import GeneralChat, Membership


def member(circle: str, user: str, role: str = "member") -> Membership:
    return Membership(circle, user, role, user.title(), 0)


def removed(circle: str, user: str) -> MemberRemoved:
    return MemberRemoved(circle=circle, rev=1, ts=0, user=user, members=1)


def test_a_read_that_began_before_an_event_about_its_user_is_not_kept() -> None:
    cache = JoinCache(10)
    stamp = cache.stamp
    cache.heard(removed("c1", "sam"))
    cache.keep_memberships(stamp, "sam", {"c1": member("c1", "sam")})
    assert cache.memberships("sam") is None
    assert not cache.memberships_unchanged("sam", stamp)


def test_events_about_others_do_not_stop_a_read_from_being_kept() -> None:
    cache = JoinCache(10)
    stamp = cache.stamp
    cache.heard(removed("c1", "ann"))
    cache.forget_circle("c2")
    cache.keep_memberships(stamp, "sam", {"c1": member("c1", "sam")})
    known = cache.memberships("sam")
    assert known is not None and known["c1"].role == "member"


def test_membership_and_settings_events_drop_what_they_change() -> None:
    cache = JoinCache(10)
    cache.keep_memberships(cache.stamp, "sam", {"c1": member("c1", "sam")})
    cache.keep_general(cache.stamp, GeneralChat("c1", False, False, 0))
    updated = MemberUpdated(circle="c1", rev=2, ts=0, member={"user": "sam", "role": "admin"})
    cache.heard(updated)
    assert cache.memberships("sam") is None
    assert cache.general("c1") is not None
    cache.heard(CircleUpdated(circle="c1", rev=3, ts=0, info={}))
    assert cache.general("c1") is None


def test_it_holds_at_most_its_size_and_forgets_conservatively() -> None:
    cache = JoinCache(2)
    for user in ("a", "b", "c"):
        cache.keep_memberships(cache.stamp, user, {"c1": member("c1", user)})
    assert len(cache) == 2 and cache.memberships("a") is None
    stamp = cache.stamp
    for user in ("x", "y", "z"):  # more drops than it remembers: "x" is forgotten
        cache.heard(removed("c1", user))
    cache.keep_memberships(stamp, "x", {"c1": member("c1", "x")})
    assert cache.memberships("x") is None
    cache.clear()
    assert len(cache) == 0
