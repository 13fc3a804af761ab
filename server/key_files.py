"""Secrets a node makes on first start and keeps in a file only its user may
read (0600): the VAPID key pair of Web Push, the key that signs mail links."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path


def kept(path: Path, make: Callable[[], bytes]) -> bytes:
    """The file's bytes; made by ``make`` and written (0600, created exclusively,
    so two nodes starting together keep the first one's) when it does not exist."""
    with contextlib.suppress(FileNotFoundError):
        return path.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = make()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    return data


def path_of(configured: str, data_dir: Path, default_name: str) -> Path:
    """The configured file, or ``default_name`` in the data dir."""
    return Path(configured) if configured else data_dir / default_name
