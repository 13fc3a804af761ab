"""store/ knows nothing of WebSockets, the web server, the wire protocol or Redis
(DESIGN.md): it owns the tables and write paths, and the server calls it."""

from __future__ import annotations

from tests.fences import crossings, imports_by_source, modules_loaded_by

FORBIDDEN = ("server", "protocol", "starlette", "uvicorn", "websockets", "redis")


def test_importing_every_store_module_loads_nothing_beyond_the_fence() -> None:
    loaded = modules_loaded_by("store")
    assert "store.chat" in loaded  # the probe did import the package's modules
    assert crossings(loaded, FORBIDDEN) == []


def test_no_store_source_imports_beyond_the_fence() -> None:
    # Also sees imports inside functions and the migrations, which no import of store runs.
    sources = imports_by_source("store")
    assert "migrations/env.py" in sources
    breaches = {path: crossings(names, FORBIDDEN) for path, names in sources.items()}
    assert {path: names for path, names in breaches.items() if names} == {}


def test_every_change_the_store_logs_has_its_event_type() -> None:
    """The store names its change kinds (it may not import protocol/); each must be
    a kind of `protocol.events`, and every event kind must be one the store logs."""
    from protocol import EVENT_TYPES
    from store import CHANGE_KINDS

    assert set(CHANGE_KINDS) == set(EVENT_TYPES)
