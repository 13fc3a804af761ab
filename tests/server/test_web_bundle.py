"""server/web_bundle.py: ES modules into one script, faithfully or not at all."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from server.web_bundle import BundleError, bundle, order
from server.web_client import locales_index

WEB = Path(__file__).resolve().parents[2] / "web-client"
NODE = shutil.which("node")


def reader(files: dict[str, str]):
    return lambda name: files[name]


def run_node(script: str) -> str:
    assert NODE, "Node.js runs the bundle (apt-get install -y nodejs)"
    done = subprocess.run([NODE, "-e", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_modules_run_once_in_import_order_with_their_own_names() -> None:
    files = {
        "main.js": (
            "import { twice, label as name } from './lib/math.js';\n"
            "import * as log from './log.js';\n"
            "const secret = 'main';\n"
            "log.say(`${name} ${twice(21)} ${secret}`);\n"
        ),
        "lib/math.js": (
            "import { say } from '../log.js';\n"
            "const secret = 'math';\n"
            "say(`math loaded ${secret}`);\n"
            "export function twice(n) {\n  return n * 2;\n}\n"
            "export const label = 'answer';\n"
        ),
        "log.js": "export function say(text) {\n  console.log(text);\n}\n",
    }
    assert order("main.js", reader(files)) == ["log.js", "lib/math.js", "main.js"]
    out = run_node(bundle("main.js", reader(files)))
    assert out.splitlines() == ["math loaded math", "answer 42 main"]


def test_a_namespace_is_frozen_and_async_functions_and_classes_export() -> None:
    files = {
        "main.js": (
            "import * as m from './m.js';\n"
            "import { Thing, later } from './m.js';\n"
            "later().then((v) => console.log(v, new Thing().name, Object.isFrozen(m)));\n"
        ),
        "m.js": (
            "export async function later() {\n  return 'later';\n}\n"
            "export class Thing {\n  constructor() { this.name = 'thing'; }\n}\n"
        ),
    }
    assert run_node(bundle("main.js", reader(files))).strip() == "later thing true"


@pytest.mark.parametrize(
    "source",
    [
        "export default function f() {}\n",
        "export { a };\n",
        "export let counter = 0;\n",
        "const m = await import('./x.js');\n",
        "console.log(import.meta.url);\n",
        "import x from './x.js';\n",
    ],
)
def test_syntax_outside_the_subset_is_refused_with_file_and_line(source: str) -> None:
    files = {"main.js": "const a = 1;\n" + source, "x.js": "export const x = 1;\n"}
    with pytest.raises(BundleError, match=r"main\.js"):
        bundle("main.js", reader(files))


def test_cycles_and_bare_imports_are_refused() -> None:
    cycle = {"a.js": "import { b } from './b.js';\n", "b.js": "import { a } from './a.js';\n"}
    with pytest.raises(BundleError, match="cycle"):
        bundle("a.js", reader(cycle))
    with pytest.raises(BundleError, match="relative"):
        bundle("a.js", reader({"a.js": "import { x } from 'lodash';\n"}))


def test_the_web_client_bundles_into_valid_javascript(tmp_path: Path) -> None:
    def read(name: str) -> str:
        if name == "locales/index.js":
            return locales_index(WEB)
        return (WEB / "js" / name).read_text()

    script = bundle("app.js", read)
    path = tmp_path / "bundle.js"
    path.write_text(script)
    assert NODE
    check = subprocess.run([NODE, "--check", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    # Every module of the client is in it (the locales' too).
    modules = {str(p.relative_to(WEB / "js")) for p in (WEB / "js").rglob("*.js")}
    bundled = set(order("app.js", read))
    assert {"i18n.js", "locales/en.js", "locales/zh-CN.js", "views/chat.js"} <= bundled
    assert bundled <= modules | {"locales/index.js"}
