"""CSV for spreadsheets: the one way every export is written (the audit log,
an event's answers, grades, a challenge's days).

UTF-8 with a byte order mark (Excel and WPS then read Chinese right), CRLF
lines, and people's words that a spreadsheet would take for a formula (``=``,
``+``, ``-``, ``@``, a tab or a carriage return first) behind an apostrophe
(``cell``); ids and numbers are ours and stay as they are. ``csv_response``
streams the rows, so an export of any length holds one page in memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Sequence
from datetime import UTC, datetime
from typing import TypeVar

from starlette.responses import StreamingResponse

BOM = "\ufeff"
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def cell(value: str) -> str:
    """People's words, defused: a would-be formula starts with an apostrophe."""
    return "'" + value if value.startswith(_FORMULA) else value


def utc_time(ms: int | None) -> str:
    """An instant as ISO 8601 UTC with milliseconds ("" for none)."""
    if ms is None:
        return ""
    at = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def lines(rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


Pages = AsyncIterable[Iterable[Sequence[object]]]
_Page = TypeVar("_Page")


async def csv_text(columns: Sequence[str], pages: Pages) -> AsyncIterator[str]:
    """A CSV's text, a page at a time: the byte order mark and the header first
    (what a download and a file in the circle's export ZIP both are)."""
    yield BOM + lines([columns])
    async for rows in pages:
        yield lines(rows)


async def first_page_now(pages: AsyncIterator[_Page]) -> AsyncIterator[_Page]:
    """Read the first page before the answer starts (a refusal is then still a 403
    or 404, not a broken download); the rest as it streams."""
    first = await anext(pages, None)

    async def again() -> AsyncIterator[_Page]:
        if first is None:
            return
        yield first
        async for rows in pages:
            yield rows

    return again()


def csv_response(filename: str, columns: Sequence[str], pages: Pages) -> StreamingResponse:
    """A CSV download: the header, then each page of rows as it comes."""
    headers = {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    }
    return StreamingResponse(
        csv_text(columns, pages), media_type="text/csv; charset=utf-8", headers=headers
    )
