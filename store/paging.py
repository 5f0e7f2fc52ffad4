"""Keyset cursors: opaque tokens holding a row's sort value and uid."""

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from store.errors import InvalidInput


def encode_cursor(value: Any, uid: str) -> str:
    """A cursor for the row with this sort value and uid."""
    shown = value.isoformat() if isinstance(value, datetime) else value
    raw = json.dumps({"v": shown, "u": uid, "t": isinstance(value, datetime)})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[Any, str]:
    """The sort value and uid of a cursor; `InvalidInput` if it is not one."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        value, uid = data["v"], str(data["u"])
        if data.get("t"):
            value = datetime.fromisoformat(value)
        return value, uid
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise InvalidInput(
            f"cursor `{cursor[:40]}` is not one this store gave: start from the "
            "first page"
        ) from None
