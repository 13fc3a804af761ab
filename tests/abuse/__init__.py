"""Attacks on one node without logging in (issue 14), reproduced on loopback
against a real server: each test is bounded in connections and time."""
