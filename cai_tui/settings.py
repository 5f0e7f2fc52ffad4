"""Settings: flat keys from the environment and a `.env` file in the working directory.

Every key is documented in `.env.example`. Unknown keys are ignored; a bad value stops
start-up with one line naming the key and what it accepts (`SettingsError`).
"""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

APP_NAME = "cai-tui"

_ACCEPTS = {
    "cai_store": "a file path, an SQLAlchemy URL, or an http(s) URL of a CAI API",
    "cai_org": "an organization id (any non-empty text)",
    "cai_user": "a user id (any non-empty text)",
    "resource_scope": "`user` or `organization` (lowercase)",
    "dms_url": "an http(s) URL of a DMS",
    "dms_host": "a host name of a DMS",
    "dms_port": "a port number from 1 to 65535",
    "default_kube_namespace": "an RFC 1035 label, such as `compoundai`",
    "cai_api_token": "a bearer token",
    "cai_read_only": "true or false",
    "cai_refresh_seconds": "a number of seconds above 0 and at most a day, such as 5",
    "cai_dms_timeout_seconds": "a number of seconds above 0, at most a day, such as 30",
    "cai_dms_concurrency": "a whole number from 1 to 64",
    "cai_stuck_seconds": "a number of seconds above 0, at most 30 days, such as 900",
    "cai_sim_store": "a file path for the simulator's SQLite file",
    "cai_sim_seconds": "a number of seconds from 0 to a day, such as 3",
    "cai_log_file": "a file path for the log",
}


DAY = 86_400.0
"""Seconds in a day: the longest period any setting accepts."""


class SettingsError(Exception):
    """A setting has a value this program cannot use."""


class Settings(BaseSettings):
    """Every setting; names shared with the original API server keep its spelling."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        frozen=True,
    )

    cai_store: str = ""
    """A file path or SQLAlchemy URL (local store), or an http(s) URL (remote store)."""
    cai_org: str = Field(default="default", min_length=1)
    cai_user: str = Field(default="default", min_length=1)
    resource_scope: Literal["user", "organization"] = "user"
    dms_url: str = Field(default="", pattern=r"^(https?://\S+)?$")
    dms_host: str = ""
    dms_port: int | None = Field(default=None, ge=1, le=65535)
    default_kube_namespace: str = Field(
        default="compoundai", pattern=r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$"
    )
    cai_api_token: SecretStr | None = None
    cai_read_only: bool = False
    cai_refresh_seconds: float = Field(default=5.0, gt=0, le=DAY)
    cai_dms_timeout_seconds: float = Field(default=30.0, gt=0, le=DAY)
    cai_dms_concurrency: int = Field(default=8, ge=1, le=64)
    cai_stuck_seconds: float = Field(default=900.0, gt=0, le=30 * DAY)
    cai_sim_store: str = ""
    cai_sim_seconds: float = Field(default=3.0, ge=0, le=DAY)
    cai_log_file: str = ""

    @field_validator("resource_scope", mode="before")
    @classmethod
    def _empty_scope_is_user(cls, value: object) -> object:
        # As the original server: an empty RESOURCE_SCOPE means `user`.
        return "user" if value == "" else value

    @property
    def is_remote(self) -> bool:
        """Whether `CAI_STORE` names a CAI API rather than a database."""
        return self.cai_store.startswith(("http://", "https://"))

    @property
    def store_url(self) -> str:
        """The SQLAlchemy URL of a local store (the default file when unset)."""
        value = self.cai_store or str(data_dir() / "cai.db")
        if "://" in value:
            return value
        return f"sqlite:///{Path(value).expanduser()}"

    @property
    def dms_endpoint(self) -> str | None:
        """The DMS base URL, or None for the embedded simulator."""
        if self.dms_url:
            return self.dms_url.rstrip("/")
        if self.dms_host:
            return f"http://{self.dms_host}:{self.dms_port or 80}"
        return None

    @property
    def sim_store_path(self) -> Path:
        """The simulator's SQLite file: beside a local store file, else in data dir."""
        if self.cai_sim_store:
            return Path(self.cai_sim_store).expanduser()
        url = self.store_url
        if url.startswith("sqlite:///") and not self.is_remote:
            db = Path(url.removeprefix("sqlite:///"))
            if str(db) not in ("", ":memory:"):
                return db.with_name("dms-sim.db")
        return data_dir() / "dms-sim.db"

    @property
    def log_path(self) -> Path:
        """The log file."""
        if self.cai_log_file:
            return Path(self.cai_log_file).expanduser()
        return Path(platformdirs.user_state_dir(APP_NAME)) / "cai-tui.log"


def data_dir() -> Path:
    """The user's data directory for cai-tui (not created here)."""
    return Path(platformdirs.user_data_dir(APP_NAME))


class _DotenvLines(logging.Handler):
    """Collects the `.env` lines the parser skipped (it logs each, then goes on)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the line number the parser names."""
        args = record.args
        self.lines.append(str(args[0]) if isinstance(args, tuple) and args else "?")


@contextmanager
def _skipped_dotenv_lines() -> Iterator[list[str]]:
    """The numbers of `.env` lines the parser could not read, while in the block."""
    handler = _DotenvLines()
    logger = logging.getLogger("dotenv.main")
    propagate, logger.propagate = logger.propagate, False
    logger.addHandler(handler)
    try:
        yield handler.lines
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def load_settings(
    *, on_problem: Callable[[str], None] | None = None, **overrides: object
) -> Settings:
    """Read the settings; raise `SettingsError` with one line on a bad value.

    A `.env` line that cannot be parsed is skipped; `on_problem` is told which.
    """
    try:
        with _skipped_dotenv_lines() as skipped:
            settings = Settings(**overrides)  # type: ignore[arg-type]
        if skipped and on_problem is not None:
            numbers = ", ".join(dict.fromkeys(skipped))
            on_problem(
                f"cai-tui: the .env file in this folder has a line it cannot read "
                f"(line {numbers}; an unclosed quote?): it was skipped, fix or "
                "remove it"
            )
        return settings
    except ValidationError as exc:
        raise SettingsError(_describe(exc)) from None
    except UnicodeDecodeError:
        raise SettingsError(
            "the .env file in this folder is not UTF-8 text: fix or remove it"
        ) from None
    except OSError as exc:
        raise SettingsError(
            f"the .env file in this folder cannot be read ({exc.strerror}): "
            "fix or remove it"
        ) from None


def _describe(exc: ValidationError) -> str:
    error = exc.errors()[0]
    field = str(error["loc"][0]) if error["loc"] else "?"
    key = field.upper()
    got = error.get("input")
    shown = "" if field == "cai_api_token" else f" {got!r}"
    accepts = _ACCEPTS.get(field, "a valid value")
    return f"setting {key} has a bad value{shown}: it accepts {accepts}"


def without_password(url: str) -> str:
    """A URL as messages and screens may show it: the password left out."""
    scheme, found, rest = url.partition("://")
    if not found or "@" not in rest:
        return url
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}@{host}"
