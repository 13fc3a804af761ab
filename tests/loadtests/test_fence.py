"""loadtests/ drives servers only over real sockets (DESIGN.md): of the project's own
packages it imports protocol/ for the codecs, never server/ or store/."""

from __future__ import annotations

from tests.fences import crossings, imports_by_source, modules_loaded_by

FORBIDDEN = ("server", "store")


def test_importing_every_loadtests_module_loads_neither_server_nor_store() -> None:
    loaded = modules_loaded_by("loadtests")
    assert "loadtests.worker" in loaded  # the probe did import the package's modules
    assert "protocol" in loaded
    assert crossings(loaded, FORBIDDEN) == []


def test_no_loadtests_source_imports_server_or_store() -> None:
    # Also sees imports inside functions (the harness imports some lazily).
    sources = imports_by_source("loadtests")
    assert "scenarios/base.py" in sources
    breaches = {path: crossings(names, FORBIDDEN) for path, names in sources.items()}
    assert {path: names for path, names in breaches.items() if names} == {}
