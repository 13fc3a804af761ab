"""Playwright (sync API) in Debian's Chromium against a real server: tests/browser/."""
