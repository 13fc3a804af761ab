"""protocol/ stays free of I/O and storage, so every client and tool can share it."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import protocol

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
PACKAGE_DIR = Path(protocol.__file__).parent
ALLOWED_THIRD_PARTY = {"orjson", "msgpack"}

_PROBE = """
import json, sys
import protocol
print(json.dumps(sorted(sys.modules)))
"""


def test_importing_protocol_loads_no_io_or_storage_module() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE],
        cwd=PACKAGE_DIR.parent,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    loaded = json.loads(out)
    assert "protocol" in loaded
    assert "protocol.parse" in loaded
    leaked = [m for m in loaded if m.split(".")[0] in FORBIDDEN]
    assert leaked == []


def _top_level_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_sources_import_only_stdlib_orjson_and_msgpack() -> None:
    # Catches an import hidden in a function, which the subprocess check would miss.
    sources = sorted(PACKAGE_DIR.glob("*.py"))
    assert len(sources) >= 5
    for path in sources:
        imported = _top_level_imports(path)
        outside = {
            name
            for name in imported
            if name not in sys.stdlib_module_names and name not in ALLOWED_THIRD_PARTY
        }
        assert outside == set(), path.name
        assert imported.isdisjoint(FORBIDDEN), path.name
