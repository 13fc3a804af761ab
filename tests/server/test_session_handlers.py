"""Every frame the protocol decodes has a handler in the session: one without
(as `hello` after `welcome` once was) fell through to `internal` and a logged
traceback on each frame."""

from __future__ import annotations

import typing

from protocol import ClientFrame
from server.session import HANDLERS


def test_every_client_frame_type_has_a_handler() -> None:
    assert set(typing.get_args(ClientFrame)) <= set(HANDLERS)
