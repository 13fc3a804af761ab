"""One script from the web client's ES modules, so a phone fetches the app in one request.

The modules under ``web-client/js/`` use a small, checked subset of module syntax:

    import { a, b as c } from './x.js';      import * as x from './x.js';
    export function f…   export async function f…   export class C…   export const K = …

Each module becomes a function scope that returns its exports, evaluated once, in the
order ES modules evaluate (dependencies first, depth-first from the entry), so private
names never collide and every module runs exactly as it does unbundled. Anything else
at the start of a line (``export default``, ``export {…}``, ``export let``, a dynamic
``import()``) is refused with the file and line, not bundled wrongly. The result is
the same text for the same sources, so its hash names it (server/web_client.py).
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable, Iterable

IMPORT = re.compile(
    r"^import\s*(?:\{(?P<names>[^}]*)\}|\*\s*as\s+(?P<ns>[A-Za-z_$][\w$]*))\s*from\s*"
    r"'(?P<path>[^']+)';[ \t]*$",
    re.M,
)
EXPORT = re.compile(
    r"^export\s+(?P<kind>(?:async\s+)?function\*?|class|const)\s+(?P<name>[A-Za-z_$][\w$]*)",
    re.M,
)
LEFTOVER = re.compile(r"^\s*(?:import|export)\b|\bimport\s*\(|\bimport\.meta\b", re.M)
BINDING = re.compile(r"^(?P<name>[A-Za-z_$][\w$]*)(?:\s+as\s+(?P<alias>[A-Za-z_$][\w$]*))?$")


class BundleError(ValueError):
    """A module the bundler cannot carry over faithfully (its path and line in the message)."""


def _line(source: str, index: int) -> int:
    return source.count("\n", 0, index) + 1


def _resolve(importer: str, spec: str) -> str:
    if not spec.startswith(("./", "../")):
        raise BundleError(f"{importer}: only relative imports are bundled, not {spec!r}")
    return posixpath.normpath(posixpath.join(posixpath.dirname(importer), spec))


def _imports(name: str, source: str) -> list[tuple[re.Match[str], str]]:
    return [(m, _resolve(name, m["path"])) for m in IMPORT.finditer(source)]


def _module(name: str, source: str) -> str:
    """The module's body as a function that returns its exports."""
    prologue = []
    for match, target in _imports(name, source):
        ref = f"__m[{json.dumps(target)}]"
        if match["ns"]:
            prologue.append(f"const {match['ns']} = {ref};")
            continue
        bindings = []
        for part in (p.strip() for p in match["names"].split(",")):
            if not part:
                continue
            binding = BINDING.match(part)
            if not binding:
                line = _line(source, match.start())
                raise BundleError(f"{name}:{line}: cannot bundle the import {part!r}")
            alias = binding["alias"]
            bindings.append(f"{binding['name']}: {alias}" if alias else binding["name"])
        prologue.append(f"const {{ {', '.join(bindings)} }} = {ref};")
    body = IMPORT.sub("", source)
    exports = [m["name"] for m in EXPORT.finditer(body)]
    body = EXPORT.sub(lambda m: f"{m['kind']} {m['name']}", body)
    leftover = LEFTOVER.search(body)
    if leftover:
        raise BundleError(
            f"{name}:{_line(body, leftover.start())}: module syntax the bundler does not "
            f"carry: {body[leftover.start() : leftover.start() + 40].strip()!r}"
        )
    returned = ", ".join(exports)
    return (
        f"__m[{json.dumps(name)}] = (() => {{\n"
        + "\n".join(prologue)
        + f"\n{body.rstrip()}\nreturn Object.freeze({{ {returned} }});\n}})();\n"
    )


def order(entry: str, read: Callable[[str], str]) -> list[str]:
    """The modules reachable from ``entry``, each after what it imports (ESM's order)."""
    done: list[str] = []
    visiting: set[str] = set()

    def visit(name: str, chain: tuple[str, ...]) -> None:
        if name in done:
            return
        if name in visiting:
            raise BundleError(f"an import cycle: {' → '.join((*chain, name))}")
        visiting.add(name)
        for _, target in _imports(name, read(name)):
            visit(target, (*chain, name))
        visiting.discard(name)
        done.append(name)

    visit(entry, ())
    return done


def bundle(entry: str, read: Callable[[str], str], banner: Iterable[str] = ()) -> str:
    """One classic script holding ``entry`` and every module it imports.

    ``read(name)`` gives a module's source by its path relative to the scripts' root
    (``app.js``, ``views/chat.js``, ``locales/index.js``).
    """
    sources: dict[str, str] = {}

    def once(name: str) -> str:  # each module read (and made lean) once per bundle
        if name not in sources:
            sources[name] = read(name)
        return sources[name]

    parts = [f"// {line}\n" for line in banner]
    parts.append("(() => {\n'use strict';\nconst __m = Object.create(null);\n")
    for name in order(entry, once):
        parts.append(f"// {name}\n")
        parts.append(_module(name, once(name)))
    parts.append("})();\n")
    return "".join(parts)
