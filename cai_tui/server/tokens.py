"""Bearer tokens of a server started with `--tokens FILE`: token -> identity.

The file has one token a line: `<token> <organization> <user>`, separated by
spaces or tabs. Blank lines and lines starting with `#` are ignored. A request's
identity is then the one its token names; its identity headers are ignored.
"""

import hmac
from collections.abc import Mapping
from pathlib import Path

from store.schemas import Identity


class TokenFileError(Exception):
    """The tokens file cannot be read or a line of it is malformed."""


def load_tokens(path: Path) -> dict[str, Identity]:
    """The tokens of `path`; raises `TokenFileError` naming the line at fault."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TokenFileError(f"cannot read the tokens file {path}: {exc}") from None
    tokens: dict[str, Identity] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        if len(words) != 3:
            raise TokenFileError(
                f"{path} line {number}: expected `<token> <organization> <user>`, "
                f"found {len(words)} fields"
            )
        token, org, user = words
        if token in tokens:
            raise TokenFileError(f"{path} line {number}: this token is listed twice")
        tokens[token] = Identity(org=org, user=user)
    if not tokens:
        raise TokenFileError(f"{path} lists no token: add `<token> <org> <user>` lines")
    return tokens


def identity_of_token(tokens: Mapping[str, Identity], given: str) -> Identity | None:
    """The identity `given` names, or None; compares every token in constant time."""
    found = None
    for token, identity in tokens.items():
        if hmac.compare_digest(token.encode(), given.encode()):
            found = identity
    return found
