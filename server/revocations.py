"""Tokens this node heard were revoked, so that no `hello` can outrun a logout.

A hello reads its token in the store, then registers its connection in the hub;
a logout deletes the token, then every node closes the token's connections in
its hub (`TokenRevoked` through the broker). A hello whose read came just before
the delete and whose registration came just after the node closed the token's
connections would be missed by both. So the node remembers the tokens it heard
revoked, and a hello looks its token up here *after* registering: whichever of
the two comes second sees the other.

Tokens are known here by their hash (`store.token_hash`): a session ended from
the sessions list or by a password change is named by the hash the store keeps.

Nothing here depends on time. Revocations are numbered as they are heard; a
hello notes the count (`mark`) before it reads the store, and only revocations
after that mark can be news to it. The last ``keep`` tokens are remembered
(bounded memory; a revoked token never works again, so remembering one longer
is harmless). When one that a hello must see was already forgotten — more than
``keep`` logouts while it waited on the store — `check` says it cannot tell and
the node reads the store again, which is conclusive once the connection is
registered.
"""

from __future__ import annotations


class RevokedTokens:
    __slots__ = ("_keep", "_tokens", "_heard", "_forgotten")

    def __init__(self, keep: int) -> None:
        self._keep = max(1, keep)
        # Token -> its number, oldest first.
        self._tokens: dict[str, int] = {}
        self._heard = 0
        # The number of the newest revocation forgotten.
        self._forgotten = 0

    def __contains__(self, token: str) -> bool:
        return token in self._tokens

    def mark(self) -> int:
        """How many revocations were heard so far: note it before reading the store."""
        return self._heard

    def add(self, token: str) -> None:
        self._heard += 1
        self._tokens.pop(token, None)
        self._tokens[token] = self._heard
        while len(self._tokens) > self._keep:
            oldest = next(iter(self._tokens))
            self._forgotten = self._tokens.pop(oldest)

    def check(self, token: str, mark: int) -> bool | None:
        """Whether the token was revoked, for a store read made after ``mark``:
        True, False, or None when a revocation heard since was forgotten."""
        if token in self._tokens:
            return True
        if self._forgotten > mark:
            return None
        return False
