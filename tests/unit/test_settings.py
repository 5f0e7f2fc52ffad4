"""Settings: defaults, bad values named with what they accept, `.env` handling."""

from pathlib import Path

import pytest

from cai_tui.settings import SettingsError, load_settings

KEYS = (
    "CAI_STORE",
    "RESOURCE_SCOPE",
    "CAI_REFRESH_SECONDS",
    "DMS_URL",
    "DMS_HOST",
    "DMS_PORT",
    "CAI_SIM_STORE",
    "CAI_DMS_CONCURRENCY",
    "CAI_DMS_TIMEOUT_SECONDS",
    "CAI_API_TOKEN",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each test starts with none of the keys set, in an empty working directory."""
    for key in KEYS:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults() -> None:
    settings = load_settings()
    assert settings.resource_scope == "user"
    assert settings.cai_org == "default"
    assert settings.cai_refresh_seconds == 5
    assert settings.dms_endpoint is None
    assert settings.store_url.startswith("sqlite:///")
    assert settings.store_url.endswith("cai.db")


@pytest.mark.parametrize(
    ("key", "value", "names"),
    [
        ("RESOURCE_SCOPE", "Org", "`user` or `organization`"),
        ("CAI_REFRESH_SECONDS", "-1", "above 0"),
        ("CAI_REFRESH_SECONDS", "soon", "above 0"),
        ("CAI_DMS_CONCURRENCY", "0", "1 to 64"),
        ("DMS_PORT", "70000", "1 to 65535"),
        ("DMS_URL", "ftp://x", "http(s) URL"),
    ],
)
def test_bad_value_names_key_and_what_it_accepts(
    monkeypatch: pytest.MonkeyPatch, key: str, value: str, names: str
) -> None:
    monkeypatch.setenv(key, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert key in message
    assert names in message
    assert "\n" not in message


def test_dotenv_is_read_and_unknown_keys_ignored(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "RESOURCE_SCOPE=organization\nSOMETHING_ELSE=1\nCAI_ORG=nv-inference\n"
    )
    settings = load_settings()
    assert settings.resource_scope == "organization"
    assert settings.cai_org == "nv-inference"


def test_an_unreadable_dotenv_line_is_said_and_the_rest_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("CAI_ORG=nv-inference\nCAI_USER='ops\n")
    said: list[str] = []
    settings = load_settings(on_problem=said.append)
    assert settings.cai_org == "nv-inference"
    assert settings.cai_user == "default", "the line that cannot be read is skipped"
    assert len(said) == 1
    assert "line 2" in said[0] and ".env" in said[0] and "fix or remove" in said[0]

    (tmp_path / ".env").write_text("CAI_ORG=nv-inference\n")
    said.clear()
    load_settings(on_problem=said.append)
    assert said == []


def test_dms_url_wins_over_host_and_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DMS_HOST", "127.0.0.1")
    monkeypatch.setenv("DMS_PORT", "9000")
    assert load_settings().dms_endpoint == "http://127.0.0.1:9000"
    monkeypatch.setenv("DMS_URL", "http://127.0.0.1:9100/")
    assert load_settings().dms_endpoint == "http://127.0.0.1:9100"


def test_simulator_file_sits_beside_a_local_store_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CAI_STORE", str(tmp_path / "team.db"))
    settings = load_settings()
    assert settings.store_url == f"sqlite:///{tmp_path / 'team.db'}"
    assert settings.sim_store_path == tmp_path / "dms-sim.db"


def test_secret_token_never_in_the_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAI_API_TOKEN", "s3cret-value")
    monkeypatch.setenv("RESOURCE_SCOPE", "everyone")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert "s3cret" not in str(caught.value)
    monkeypatch.setenv("RESOURCE_SCOPE", "user")
    assert "s3cret" not in repr(load_settings())


def test_a_dotenv_that_is_not_text_is_named(tmp_path: Path) -> None:
    (tmp_path / ".env").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(SettingsError, match=r"\.env file .* not UTF-8"):
        load_settings()


def test_an_empty_scope_means_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESOURCE_SCOPE", "")
    assert load_settings().resource_scope == "user"


@pytest.mark.parametrize(
    ("key", "value"),
    [("CAI_REFRESH_SECONDS", "1e9"), ("CAI_DMS_TIMEOUT_SECONDS", "inf")],
)
def test_periods_are_bounded(
    monkeypatch: pytest.MonkeyPatch, key: str, value: str
) -> None:
    monkeypatch.setenv(key, value)
    with pytest.raises(SettingsError, match=key):
        load_settings()


def test_urls_are_shown_without_their_password() -> None:
    from cai_tui.settings import without_password

    url = "postgresql+psycopg://cai:s3cret@127.0.0.1:5432/cai"
    assert without_password(url) == "postgresql+psycopg://cai@127.0.0.1:5432/cai"
    assert without_password("/srv/cai.db") == "/srv/cai.db"
