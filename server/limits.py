"""The node's limits besides chat's: token buckets per IP and per user, and the
backoff of failed logins (server/settings.py says why each default).

- ``requests``: every HTTP request of an IP (but /healthz and /metrics);
- ``signups``, ``logins``: of an IP;
- ``writes``: every authenticated HTTP write of a user; ``circles``: the
  circles a user creates, ``reports`` the reports they file and ``exports``
  the exports of their own data, on top of it;
- ``hooks``: posts through one incoming webhook URL (server/api/incoming_hooks.py);
- ``frames``: a user's /ws frames other than say and ping;
- ``login_failures``: `login_backoff.LoginBackoff`.

Across nodes with ``QUANZI_REDIS_URL`` (one Redis client for all of them), per
node otherwise, like chat's limit (`cluster.make_limiter`).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from . import cluster
from .login_backoff import LocalLoginBackoff, LoginBackoff, Thresholds
from .ratelimit import Limiter
from .settings import Settings

if TYPE_CHECKING:
    from .redis_client import AnyRedis

MINUTE = 60.0


class Limits:
    def __init__(self, settings: Settings) -> None:
        s = settings
        self._redis: AnyRedis | None = None
        if s.redis_url:
            from .redis_ratelimit import redis_client

            self._redis = redis_client(s.redis_url, s.say_lease_timeout_s)

        def limit(name: str, rate_per_s: float, burst: int) -> Limiter:
            return cluster.make_limiter(s, name, rate_per_s, burst, self._redis)

        self.requests = limit("http", s.http_rate_per_s, s.http_burst)
        self.signups = limit("signup", s.signup_rate_per_min / MINUTE, s.signup_burst)
        self.logins = limit("login", s.login_rate_per_min / MINUTE, s.login_burst)
        self.writes = limit("write", s.write_rate_per_s, s.write_burst)
        self.circles = limit("circle", s.circle_rate_per_min / MINUTE, s.circle_burst)
        self.frames = limit("frame", s.frame_rate_per_s, s.frame_burst)
        self.reports = limit("report", s.report_rate_per_min / MINUTE, s.report_burst)
        self.exports = limit("export", s.export_rate_per_min / MINUTE, s.export_burst)
        self.hooks = limit("hook", s.incoming_hook_rate_per_min / MINUTE, s.incoming_hook_burst)
        self._limiters = [
            self.requests,
            self.signups,
            self.logins,
            self.writes,
            self.circles,
            self.frames,
            self.reports,
            self.exports,
            self.hooks,
        ]
        thresholds = Thresholds(
            per_account_ip=s.login_failures_per_account_ip,
            per_ip=s.login_failures_per_ip,
            per_account=s.login_failures_per_account,
            window_s=s.login_failure_window_s,
            base_s=s.login_backoff_base_s,
            max_s=s.login_backoff_max_s,
        )
        self.login_failures: LoginBackoff
        if self._redis is None:
            self.login_failures = LocalLoginBackoff(thresholds)
        else:
            from .login_backoff import RedisLoginBackoff

            self.login_failures = RedisLoginBackoff(
                self._redis,
                thresholds,
                prefix=s.redis_prefix,
                backoff_s=s.redis_backoff_max_s,
            )

    async def start(self) -> None:
        for limiter in self._limiters:
            await limiter.start()
        await self.login_failures.start()

    async def close(self) -> None:
        for limiter in self._limiters:
            await limiter.close()
        await self.login_failures.close()
        if self._redis is not None:
            with contextlib.suppress(Exception):
                await self._redis.aclose()
