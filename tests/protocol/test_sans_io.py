"""protocol/ stays free of I/O and storage, so every client and tool can share it."""

from __future__ import annotations

import sys

from tests.fences import crossings, imports_by_source, modules_loaded_by

FORBIDDEN = (
    "asyncio",
    "starlette",
    "uvicorn",
    "sqlmodel",
    "sqlalchemy",
    "redis",
    "websockets",
    "aiosqlite",
)
ALLOWED_THIRD_PARTY = {"orjson", "msgpack"}


def test_importing_protocol_loads_no_io_or_storage_module() -> None:
    loaded = modules_loaded_by("protocol")
    assert "protocol" in loaded
    assert "protocol.parse" in loaded
    assert crossings(loaded, FORBIDDEN) == []


def test_sources_import_only_stdlib_orjson_and_msgpack() -> None:
    # Catches an import hidden in a function, which the subprocess check would miss.
    sources = imports_by_source("protocol")
    assert len(sources) >= 5
    for path, imported in sources.items():
        outside = {
            name
            for name in imported
            if name not in sys.stdlib_module_names and name not in ALLOWED_THIRD_PARTY
        }
        assert outside == set(), path
        assert crossings(imported, FORBIDDEN) == [], path
