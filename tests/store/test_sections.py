"""A circle's sections (store/sections.py): each kind's template and defaults at
creation, an owner's switching and ordering (refused to admins and members, bad
lists refused with a reason), the change reaching the log as ``circle.updated``,
and the migration giving circles from before it their kind's template."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import select, update

from store import Forbidden, Invalid, Record, Store
from store.models import CIRCLES
from store.sections import KEYS, KIND_DEFAULTS, TEMPLATES


def _migration() -> ModuleType:
    path = Path(__file__).parents[2] / "store/migrations/versions/0027_sections.py"
    spec = importlib.util.spec_from_file_location("migration_0021", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
async def test_a_new_circle_takes_its_kinds_template_and_defaults(
    store: Store, alice: Record, kind: str
) -> None:
    circle = await store.circles.create(alice["id"], "圈", kind, "private")
    assert circle["sections"] == list(TEMPLATES[kind])
    for key, value in KIND_DEFAULTS[kind].items():
        assert circle[key] == value
    assert (await store.circles.get(circle["id"], alice["id"]))["sections"] == circle["sections"]
    mine = await store.circles.my_circles(alice["id"])
    assert mine[0]["sections"] == circle["sections"]


async def test_a_teaching_circle_opens_on_notices_with_challenges_off(
    store: Store, alice: Record
) -> None:
    circle = await store.circles.create(alice["id"], "舞蹈基础班", "teaching", "private")
    assert circle["sections"] == [
        "feed",
        "course",
        "materials",
        "homework",
        "chat",
        "highlights",
        "search",
    ]
    assert "challenges" not in circle["sections"] and circle["retention_days"] == 365
    on = await store.circles.update(
        circle["id"], alice["id"], {"sections": [*circle["sections"], "challenges"]}
    )
    assert on["sections"][-1] == "challenges"


async def test_owner_switches_and_orders_sections_and_members_hear_it(
    store: Store, circle: Record, alice: Record, bob: Record, carol: Record
) -> None:
    await store.memberships.join(circle["id"], bob["id"])
    await store.memberships.join(circle["id"], carol["id"])
    await store.memberships.update_member(circle["id"], alice["id"], bob["id"], role="admin")
    before = await store.changes.last_rev(circle["id"])
    changed = await store.circles.update(
        circle["id"], alice["id"], {"sections": ["feed", "chat", "search"]}
    )
    assert changed["sections"] == ["feed", "chat", "search"]
    page = await store.changes.after(circle["id"], carol["id"], before)
    updates = [c for c in page.changes if c.kind == "circle.updated"]
    assert len(updates) == 1 and updates[0].data["info"]["sections"] == ["feed", "chat", "search"]
    assert updates[0].data["info"]["last_rev"] == updates[0].rev
    # Admins change other settings, not the sections; members neither.
    for who in (bob, carol):
        with pytest.raises(Forbidden):
            await store.circles.update(circle["id"], who["id"], {"sections": ["chat"]})
    got = await store.circles.get(circle["id"], carol["id"])
    assert got["sections"] == ["feed", "chat", "search"]


@pytest.mark.parametrize(
    "bad",
    [
        [],
        ["chat", "chat"],
        ["chat", "lessons"],
        ["settings"],
        "chat,feed",
        [1],
        None,
    ],
)
async def test_bad_section_lists_are_refused(
    store: Store, circle: Record, alice: Record, bad: object
) -> None:
    with pytest.raises(Invalid):
        await store.circles.update(circle["id"], alice["id"], {"sections": bad})
    assert (await store.circles.get(circle["id"], alice["id"]))["sections"] == list(
        TEMPLATES["community"]
    )


async def test_every_key_can_be_on_at_once_and_unknown_stored_keys_are_dropped(
    store: Store, circle: Record, alice: Record
) -> None:
    every = await store.circles.update(circle["id"], alice["id"], {"sections": list(KEYS)})
    assert every["sections"] == list(KEYS)
    # A key from a newer server (or a removed one) is not shown.
    async with store.db.write() as conn:
        await conn.execute(
            update(CIRCLES).where(CIRCLES.c.id == circle["id"]).values(sections="live,chat")
        )
    assert (await store.circles.get(circle["id"], alice["id"]))["sections"] == ["chat"]


async def test_the_migration_gives_older_circles_their_kinds_template(
    store: Store, alice: Record
) -> None:
    made = {
        kind: await store.circles.create(alice["id"], kind, kind, "public") for kind in TEMPLATES
    }
    # As before the migration (a downgrade cannot drop a column of circles on SQLite).
    async with store.db.write() as conn:
        await conn.execute(update(CIRCLES).values(sections=None))
        await conn.run_sync(_migration().fill)
    async with store.db.read() as conn:
        rows = (await conn.execute(select(CIRCLES.c.id, CIRCLES.c.sections))).all()
    stored = {row.id: row.sections for row in rows}
    for kind, circle in made.items():
        assert stored[circle["id"]] == ",".join(TEMPLATES[kind])
