"""A migrated SQLite database for tests, copied instead of migrated.

Every test that opens a new SQLite file would otherwise run all the migrations
(about 0.4 s each time, over two thousand tests). This test process migrates
one file once, the real way (`store.migrate_database`), and `place` copies it
where a test's store or server is about to open one. The migrations themselves
are tested from empty databases in tests/store/test_migrations.py and
tests/server/test_migrate_command.py, which never use this.
"""

from __future__ import annotations

import asyncio
import atexit
import shutil
import tempfile
import threading
from pathlib import Path

from store import migrate_database

_lock = threading.Lock()
_template: Path | None = None


def _make() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="quanzi-migrated-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "quanzi.db"
    url = f"sqlite+aiosqlite:///{path}"
    # Its own thread and loop: callers may be inside a running event loop.
    failure: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(migrate_database(url))
        except BaseException as exc:  # re-raised in the caller's thread
            failure.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    # A clean close checkpoints the write-ahead log into the file: the file is all.
    leftovers = [p.name for p in folder.iterdir() if p != path]
    assert not leftovers, f"the migrated template left {leftovers} beside it"
    return path


def template() -> Path:
    global _template
    with _lock:
        if _template is None:
            _template = _make()
        return _template


def place(path: Path) -> Path:
    """Put a freshly migrated SQLite database at ``path`` unless a file is there
    already (a test reopening its own database keeps it)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template(), path)
    return path
