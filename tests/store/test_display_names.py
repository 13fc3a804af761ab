"""Display names and nicknames are one line of visible text: normalised to NFC,
and refused with a message naming the field when they hold a control character,
a bidirectional override or isolate, or a zero-width character — what makes a
name look like someone else's, or reorders the text around it."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest

from store import Invalid, Store, validation

Record = dict[str, Any]

# What people are called: kept exactly (NFC changes none of them).
GOOD = [
    "张云妮",
    "提拉米蘇小妮妮",
    "🌸",
    "Ann 🌸",
    "👩‍💻 Ann",  # woman technologist: emoji joined by U+200D ZWJ
    "👨‍👩‍👧",  # a family, two ZWJs
    "🏳️‍🌈",  # flag, VS16, ZWJ, rainbow
    "Zoë",
    "محمد",
    "O'Brien-Smith",
]

BAD = {
    "tab": "Ann\tB",
    "newline": "Ann\nAdmin",
    "carriage return": "Ann\rB",
    "escape": "\x1b[31mAnn",
    "delete": "Ann\x7f",
    "C1 next line": "Ann\x85B",
    "C1 control": "\x9bAnn",
    "line separator": "Ann\u2028B",
    "paragraph separator": "Ann\u2029B",
    "LRE": "\u202aAnn",
    "RLE": "\u202bAnn",
    "PDF": "Ann\u202c",
    "LRO": "\u202dAnn",
    "RLO": "\u202enimda",
    "LRI": "\u2066Ann",
    "RLI": "\u2067Ann",
    "FSI": "\u2068Ann",
    "PDI": "Ann\u2069",
    "zero-width space": "An\u200bn",
    "zero-width non-joiner": "An\u200cn",
    "zero-width joiner between letters": "An\u200dn",
    "lone zero-width joiner": "\u200d",
    "joiner after an emoji, before a letter": "🌸\u200dAnn",
    "word joiner": "An\u2060n",
    "BOM": "\ufeffAnn",
}


@pytest.mark.parametrize("name", GOOD)
def test_real_names_are_kept_as_they_are(name: str) -> None:
    assert unicodedata.is_normalized("NFC", name)
    assert validation.display_name(name, "name", 64) == name


def test_names_are_normalised_to_nfc() -> None:
    decomposed = "Zoe\u0308"  # e + combining diaeresis
    assert validation.display_name(decomposed, "name", 64) == "Zoë"
    assert validation.display_name("  Ann  ", "nickname", 32) == "Ann"


@pytest.mark.parametrize("name", BAD.values(), ids=BAD.keys())
def test_invisible_and_control_characters_are_refused(name: str) -> None:
    for field in ("name", "nickname"):
        with pytest.raises(Invalid) as info:
            validation.display_name(name, field, 64)
        assert info.value.code == "bad_request"
        assert info.value.message.startswith(f"{field} ")


def test_the_length_counts_the_normalised_name() -> None:
    assert validation.display_name("e\u0301" * 32, "nickname", 32) == "é" * 32
    with pytest.raises(Invalid):
        validation.display_name("é" * 33, "nickname", 32)
    with pytest.raises(Invalid):
        validation.display_name("   ", "name", 64)


async def test_signup_and_rename_use_it(store: Store) -> None:
    _, user = await store.accounts.signup("zoe", "correct horse", "Zoe\u0308")
    assert user["name"] == "Zoë"
    assert (await store.accounts.get_user(user["id"]))["name"] == "Zoë"
    with pytest.raises(Invalid, match=r"^name "):
        await store.accounts.signup("mallory", "correct horse", "\u202enimda")
    with pytest.raises(Invalid, match=r"^name "):
        await store.accounts.update_user(user["id"], "Zo\u200be")
    renamed = await store.accounts.update_user(user["id"], "提拉米蘇小妮妮 🌸")
    assert renamed["name"] == "提拉米蘇小妮妮 🌸"


async def test_nicknames_use_it(store: Store, circle: Record, alice: Record, bob: Record) -> None:
    await store.memberships.join(circle["id"], bob["id"])
    with pytest.raises(Invalid, match=r"^nickname "):
        await store.memberships.update_member(
            circle["id"], bob["id"], bob["id"], nickname="Ali\u200dce"
        )
    with pytest.raises(Invalid, match=r"^nickname "):
        await store.memberships.update_member(
            circle["id"], bob["id"], bob["id"], nickname="Bob\nowner"
        )
    member = await store.memberships.update_member(
        circle["id"], bob["id"], bob["id"], nickname="张云妮"
    )
    assert member["nickname"] == member["name"] == "张云妮"
    member = await store.memberships.update_member(
        circle["id"], bob["id"], bob["id"], nickname="Bo\u0301b"
    )
    assert member["nickname"] == "Bób"
