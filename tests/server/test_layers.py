"""server/ is a package that sees the store through its front door only (`from
store import …`), and its modules form no import cycle."""

from __future__ import annotations

import ast

from tests.fences import ROOT


def _imports(path: str) -> list[tuple[str, int]]:
    """(module, level) of every `from … import` and `import` in a file."""
    found: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse((ROOT / path).read_text())):
        if isinstance(node, ast.ImportFrom) and node.module is None:
            found.extend((alias.name, node.level) for alias in node.names)  # from . import x
        elif isinstance(node, ast.ImportFrom):
            found.append((node.module, node.level))
        elif isinstance(node, ast.Import):
            found.extend((alias.name, 0) for alias in node.names)
    return found


def _server_modules() -> list[str]:
    return [p.relative_to(ROOT).as_posix() for p in sorted((ROOT / "server").rglob("*.py"))]


def test_server_imports_the_store_package_not_its_modules() -> None:
    reaching = {
        path: [m for m, level in _imports(path) if level == 0 and m.startswith("store.")]
        for path in _server_modules()
    }
    assert {path: mods for path, mods in reaching.items() if mods} == {}


def test_server_modules_import_no_cycle() -> None:
    """Relative imports among server/'s own modules form a DAG: the node wires its
    parts and none of them (cluster included) imports the node back."""
    graph: dict[str, set[str]] = {}
    for path in _server_modules():
        if path.count("/") != 1:
            continue  # server/api/ is a layer on top, checked by its own imports
        name = path.removeprefix("server/").removesuffix(".py")
        deps = set()
        for module, level in _imports(path):
            if level == 1 and module:
                deps.add(module.split(".")[0])
        graph[name] = deps
    assert graph["node"] >= {"members", "streams", "events", "channels", "cluster"}
    visiting: set[str] = set()
    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> None:
        assert name not in visiting, " → ".join([*trail, name])
        if name in done or name not in graph:
            return
        visiting.add(name)
        for dep in graph[name]:
            visit(dep, [*trail, name])
        visiting.discard(name)
        done.add(name)

    for name in graph:
        visit(name, [])
