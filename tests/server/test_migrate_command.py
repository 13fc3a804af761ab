"""`python -m server migrate`: the schema at its latest version, and nothing else."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from store import migrate

ROOT = Path(__file__).resolve().parents[2]


def test_migrate_command_creates_the_schema_and_is_idempotent(tmp_path: Path) -> None:
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-m", "server", "migrate", "--data-dir", str(tmp_path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert f"schema at revision {migrate.head()}" in done.stdout
    with sqlite3.connect(tmp_path / "quanzi.db") as db:
        versions = db.execute("SELECT version_num FROM alembic_version").fetchall()
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert versions == [(migrate.head(),)]
    assert {"users", "circles", "messages", "posts"} <= tables
