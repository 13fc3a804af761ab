"""Builders of the OpenAPI document's operations and parameters."""

from __future__ import annotations

from server.api.schemas import INT, STR, Schema, obj, ref
from store import NAME_QUERY_MAX

V1 = "/api/v1"


def json_content(schema: Schema) -> Schema:
    return {"content": {"application/json": {"schema": schema}}}


def operation(
    summary: str,
    tag: str,
    answer: Schema | None,
    status: str = "200",
    body: str | None = None,
    errors: str = "",
    params: tuple[Schema, ...] = (),
    public: bool = False,
    optional_body: bool = False,
) -> Schema:
    """One operation; ``errors`` lists its statuses besides 400, 401, 429 and 500
    (every request counts against its address's limit, and writes against the
    caller's)."""
    op: Schema = {"summary": summary, "tags": [tag]}
    if params:
        op["parameters"] = list(params)
    if body:
        op["requestBody"] = {"required": not optional_body, **json_content(body_ref(body))}
    ok_response = {"description": "success"} | (json_content(answer) if answer else {})
    statuses = ["400", "429"] + ([] if public else ["401"]) + errors.split()
    if body:
        statuses += ["413", "415"]
    op["responses"] = {status: ok_response} | {
        s: {"$ref": f"#/components/responses/E{s}"} for s in sorted(set(statuses))
    }
    op["responses"]["500"] = {"$ref": "#/components/responses/E500"}
    if public:
        op["security"] = []
    return op


def body_ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}_body"}


def query_param(name: str, schema: Schema, description: str) -> Schema:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def path_param(name: str, schema: Schema = STR, description: str = "") -> Schema:
    param = {"name": name, "in": "path", "required": True, "schema": schema}
    return param | ({"description": description} if description else {})


def page_params(
    maximum: int, default: int | None = None, what: str = "page size"
) -> tuple[Schema, Schema]:
    """`cursor` and `limit` of a paginated list (server/api/inputs.page)."""
    limit: Schema = {**INT, "minimum": 1, "maximum": maximum}
    if default is not None:
        limit["default"] = default
    return (
        query_param("cursor", STR, "the `next` of the previous page"),
        query_param("limit", limit, what),
    )


def csv_answer(op: Schema, description: str, example: str | None = None) -> Schema:
    """The operation answering a CSV download (server/api/spreadsheets.py: UTF-8
    with a byte order mark) instead of JSON."""
    content: Schema = {"schema": {"type": "string"}}
    if example is not None:
        content["example"] = example
    op["responses"]["200"] = {"description": description, "content": {"text/csv": content}}
    return op


def list_of(key: str, item: str, **extra: Schema) -> Schema:
    return obj([key, *extra], **{key: {"type": "array", "items": ref(item)}}, **extra)


CIRCLE = path_param("id", description="circle id")
# The name search of the managers' lists of people (bans, reports, join
# requests, the audit log).
NAME_QUERY = query_param(
    "q",
    {**STR, "maxLength": NAME_QUERY_MAX},
    "keeps the people whose nickname in the circle, name or login name contains it "
    "(any script; case-insensitive)",
)
