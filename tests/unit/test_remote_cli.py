"""`cai-tui serve` refuses unsafe or unusable set-ups with one line and exit 2."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from cai_tui.server.run import ServeRefused, check_listening, is_loopback
from cai_tui.server.tokens import TokenFileError, load_tokens
from store.schemas import Identity
from tests.conftest import scratch_pg_database
from tests.unit.test_cli import run_cli


def test_loopback_addresses_are_told_apart() -> None:
    assert all(map(is_loopback, ("127.0.0.1", "127.1.2.3", "::1", "localhost")))
    assert not any(map(is_loopback, ("0.0.0.0", "10.0.0.7", "::", "example.org")))


def test_trusted_headers_need_loopback_or_an_explicit_flag() -> None:
    check_listening("127.0.0.1", tokens=False, trust_identity_headers=False)
    check_listening("0.0.0.0", tokens=True, trust_identity_headers=False)
    check_listening("0.0.0.0", tokens=False, trust_identity_headers=True)
    with pytest.raises(ServeRefused, match="--trust-identity-headers"):
        check_listening("0.0.0.0", tokens=False, trust_identity_headers=False)


def test_serve_on_all_addresses_without_tokens_is_refused(tmp_path: Path) -> None:
    done = run_cli(
        "serve",
        "--host",
        "0.0.0.0",
        cwd=tmp_path,
        env={"CAI_STORE": str(tmp_path / "cai.db")},
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "--tokens FILE" in done.stderr
    assert not (tmp_path / "cai.db").exists(), "refused before opening the store"


def test_tokens_file_format(tmp_path: Path) -> None:
    good = tmp_path / "tokens"
    good.write_text("# token org user\n\nabc acme alice\ndef\tacme\tbob\n")
    assert load_tokens(good) == {
        "abc": Identity(org="acme", user="alice"),
        "def": Identity(org="acme", user="bob"),
    }
    bad = tmp_path / "bad"
    bad.write_text("abc acme\n")
    with pytest.raises(TokenFileError, match="line 1"):
        load_tokens(bad)
    twice = tmp_path / "twice"
    twice.write_text("abc acme alice\nabc acme bob\n")
    with pytest.raises(TokenFileError, match="twice"):
        load_tokens(twice)
    done = run_cli("serve", "--tokens", str(bad), cwd=tmp_path)
    assert done.returncode == 2
    assert "line 1" in done.stderr
    assert "abc" not in done.stderr, "a token never reaches the terminal"


@pytest.mark.postgres
def test_serve_on_an_older_schema_names_the_upgrade(
    empty_pg_url: str, tmp_path: Path
) -> None:
    from alembic import command

    from store.database import Database, alembic_config

    Database.open(empty_pg_url, migrate=True).dispose()
    engine = create_engine(empty_pg_url)
    with engine.connect() as connection:
        # Back to schema 0001 for real: without what the later revisions add.
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
        connection.commit()
    engine.dispose()

    done = run_cli("serve", cwd=tmp_path, env={"CAI_STORE": empty_pg_url})
    assert done.returncode == 2
    assert "cai-tui db upgrade" in done.stderr
    assert done.stderr.count("\n") == 1

    upgraded = run_cli("db", "upgrade", cwd=tmp_path, env={"CAI_STORE": empty_pg_url})
    assert upgraded.returncode == 0, upgraded.stderr


@pytest.fixture
def empty_pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test; its URL."""
    with scratch_pg_database("remote_cli") as url:
        yield url
