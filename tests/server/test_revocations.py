"""The revoked tokens a node remembers: what a hello registered after a logout checks."""

from __future__ import annotations

from server.revocations import RevokedTokens


def test_a_token_revoked_before_or_after_the_mark_is_revoked() -> None:
    revoked = RevokedTokens(keep=10)
    revoked.add("early")
    mark = revoked.mark()
    revoked.add("late")
    assert revoked.check("early", mark) is True
    assert revoked.check("late", mark) is True
    assert revoked.check("other", mark) is False
    assert "late" in revoked and "other" not in revoked


def test_memory_is_bounded_and_a_forgotten_revocation_is_not_taken_for_none() -> None:
    revoked = RevokedTokens(keep=3)
    mark = revoked.mark()
    for i in range(5):
        revoked.add(f"t{i}")
    assert [f"t{i}" in revoked for i in range(5)] == [False, False, True, True, True]
    # t0 and t1 were revoked after the mark and forgotten: the store must decide.
    assert revoked.check("t0", mark) is None
    assert revoked.check("anything", mark) is None
    # A store read after the last forgotten one needs only what is remembered.
    assert revoked.check("anything", revoked.mark()) is False
    assert revoked.check("t0", 2) is False
    assert revoked.check("t0", 1) is None


def test_a_token_revoked_twice_is_remembered_once_as_the_newest() -> None:
    revoked = RevokedTokens(keep=2)
    revoked.add("a")
    revoked.add("b")
    revoked.add("a")  # heard again (a re-check after a broker outage)
    revoked.add("c")
    assert "a" in revoked and "b" not in revoked and "c" in revoked
