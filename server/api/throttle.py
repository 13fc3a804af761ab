"""Rate limits at the HTTP edge: a refusal is a 429 ``rate_limited`` with Retry-After."""

from __future__ import annotations

import math

from server.api.errors import ApiError
from server.ratelimit import Limiter, wait_before


def too_many(wait_s: float, message: str) -> ApiError:
    """A 429 asking the client to come back in ``wait_s`` (whole seconds, at least 1)."""
    return ApiError("rate_limited", message, {"Retry-After": retry_after(wait_s)})


def retry_after(wait_s: float) -> str:
    return str(max(1, math.ceil(wait_s)))


async def throttle(limiter: Limiter, key: str, message: str) -> None:
    """Spend one of ``key``'s tokens, or refuse the request."""
    wait = await wait_before(limiter, key)
    if wait:
        raise too_many(wait, message)
