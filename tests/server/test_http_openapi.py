"""The OpenAPI document matches the routing table, both ways."""

from __future__ import annotations

import re

from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.testclient import TestClient

API = "/api/v1"
METHODS = {"get", "put", "post", "delete", "patch", "options", "head", "trace"}


def served(routes: list[BaseRoute], prefix: str = "") -> dict[str, set[str]]:
    """Path template -> lower-case methods, walking Mounts; websockets count as GET."""
    table: dict[str, set[str]] = {}
    for route in routes:
        if isinstance(route, Mount):
            for path, methods in served(route.routes or [], prefix + route.path).items():
                table.setdefault(path, set()).update(methods)
        elif isinstance(route, Route):
            methods = {m.lower() for m in route.methods or {"GET"}} - {"head"}
            table.setdefault(prefix + route.path, set()).update(methods)
        elif isinstance(route, WebSocketRoute):
            table.setdefault(prefix + route.path, set()).add("get")
    # "{seq:int}" in Starlette is "{seq}" in OpenAPI.
    return {re.sub(r"\{(\w+):\w+\}", r"{\1}", p): m for p, m in table.items()}


def fetch(client: TestClient) -> dict:
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def test_the_document_looks_like_openapi_3(client: TestClient) -> None:
    doc = fetch(client)
    assert re.fullmatch(r"3\.\d+\.\d+", doc["openapi"])
    assert doc["info"]["title"] and doc["info"]["version"]
    assert doc["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    error = doc["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    assert set(error["properties"]["error"]["required"]) == {"code", "message"}
    for path, item in doc["paths"].items():
        assert path.startswith("/")
        for method, op in item.items():
            assert method in METHODS, (path, method)
            assert op["responses"], (path, method)
            declared = set(re.findall(r"\{(\w+)\}", path))
            in_path = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert declared == in_path, (path, method)


def test_every_reference_resolves(client: TestClient) -> None:
    doc = fetch(client)

    def refs(node):
        if isinstance(node, dict):
            if "$ref" in node:
                yield node["$ref"]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    found = list(refs(doc))
    assert found
    for ref in found:
        target = doc
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
        assert isinstance(target, dict)


def test_every_api_route_is_documented_and_nothing_else(client: TestClient) -> None:
    doc = fetch(client)
    table = served(client.app.routes)
    api = {p: m for p, m in table.items() if p.startswith(API + "/")}
    assert f"{API}/circles/{{id}}/messages/{{seq}}/veto" in api  # the walk reaches Mount children
    documented = {p: {m for m in item if m in METHODS} for p, item in doc["paths"].items()}
    for path, methods in api.items():
        assert path in documented, f"{path} is served but not documented"
        assert methods <= documented[path], f"{path}: {methods - documented[path]} undocumented"
    for path, methods in documented.items():
        assert path in table, f"{path} is documented but not served"
        assert methods <= table[path], f"{path}: {methods - table[path]} documented, not served"
    for path in ("/healthz", "/metrics", "/ws"):
        assert path in documented


def test_documented_routes_answer(client: TestClient) -> None:
    """No phantom paths: each documented GET without parameters is really there."""
    doc = fetch(client)
    for path, item in doc["paths"].items():
        if "get" in item and "{" not in path and path != "/ws":
            assert client.get(path).status_code != 404, path
