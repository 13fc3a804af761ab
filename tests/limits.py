"""Abuse limits out of the way: most tests sign up, log in and write far faster
than people do. The limits themselves are tested in tests/abuse/ and
tests/server/test_limits*.py, with small values of their own."""

from __future__ import annotations

MANY = 1_000_000

GENEROUS: dict[str, float | int] = {
    "http_rate_per_s": MANY,
    "http_burst": MANY,
    "signup_rate_per_min": MANY,
    "signup_burst": MANY,
    "login_rate_per_min": MANY,
    "login_burst": MANY,
    "login_failures_per_account_ip": MANY,
    "login_failures_per_ip": MANY,
    "login_failures_per_account": MANY,
    "write_rate_per_s": MANY,
    "write_burst": MANY,
    "circle_rate_per_min": MANY,
    "circle_burst": MANY,
    "frame_rate_per_s": MANY,
    "frame_burst": MANY,
    "report_rate_per_min": MANY,
    "report_burst": MANY,
}

# The same as QUANZI_* variables, for server processes.
GENEROUS_ENV = {f"QUANZI_{name.upper()}": str(value) for name, value in GENEROUS.items()}
