"""Import fences between the layers (DESIGN.md "The shape"): what a package must not load.

Two checks, because each misses what the other sees: a fresh interpreter that
imports every module of the package (catches a dependency dragged in
indirectly), and a scan of every source file's import statements (catches an
import inside a function, or in a file no import of the package runs, such as
a migration).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_PROBE = """
import importlib, json, pkgutil, sys

def fail(name):
    raise ImportError(name)

package = importlib.import_module(sys.argv[1])
for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".", onerror=fail):
    if not info.name.endswith(".__main__"):  # running it would start the program
        importlib.import_module(info.name)
print(json.dumps(sorted(sys.modules)))
"""


def modules_loaded_by(package: str) -> list[str]:
    """Every module in ``sys.modules`` after a fresh interpreter imports all of ``package``."""
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, package],
        cwd=ROOT,  # the checkout under test, not whatever copy is installed
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    loaded: list[str] = json.loads(out)
    return loaded


def imports_by_source(package: str) -> dict[str, set[str]]:
    """For each ``.py`` file under ``package`` (relative path), the top-level names it imports."""
    package_dir = ROOT / package
    return {
        path.relative_to(package_dir).as_posix(): _top_level_imports(path)
        for path in sorted(package_dir.rglob("*.py"))
    }


def crossings(names: Iterable[str], forbidden: Iterable[str]) -> list[str]:
    """The names (modules, dotted or not) whose top-level package is forbidden."""
    banned = set(forbidden)
    return sorted(name for name in names if name.split(".")[0] in banned)


def _top_level_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names
