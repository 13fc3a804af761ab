"""Rate limits at the HTTP edge: a refusal is a 429 ``rate_limited`` with Retry-After."""

from __future__ import annotations

import math

from server.api.errors import ApiError
from server.ratelimit import Limiter, wait_before


def too_many(wait_s: float, message: str, reason: str | None = None) -> ApiError:
    """A 429 asking the client to come back in ``wait_s`` (whole seconds, at least 1);
    with a ``reason``, its ``params`` say the wait too (``{"seconds": 30}``)."""
    wait = retry_after(wait_s)
    params = {"seconds": int(wait)} if reason else None
    return ApiError("rate_limited", message, {"Retry-After": wait}, reason=reason, params=params)


def retry_after(wait_s: float) -> str:
    return str(max(1, math.ceil(wait_s)))


async def throttle(limiter: Limiter, key: str, message: str, reason: str | None = None) -> None:
    """Spend one of ``key``'s tokens, or refuse the request."""
    wait = await wait_before(limiter, key)
    if wait:
        raise too_many(wait, message, reason)
