"""One frozen settings object, read once at start-up from the environment and `.env`.

Every field is a `YMATEB_<NAME>` variable documented in `.env.example` (a test keeps the two
in step). `load_settings()` is the front door: a bad value or a misspelt `YMATEB_*` name is a
one-line ConfigError naming the variable, never a pydantic traceback and never silently ignored;
a URL in it is shown without its user name and password.
"""

from __future__ import annotations

import difflib
import os
import typing
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from rag.errors import ConfigError
from rag.text.safe import redact_urls

PREFIX = "YMATEB_"
SEE_ALSO = "see .env.example"


class Settings(BaseSettings):
    """Every knob Ymateb has. See `.env.example` for the documented list."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX, env_file=".env", extra="ignore", frozen=True, populate_by_name=True
    )

    store: Path = Field(default=Path(".ymateb"), description="Directory of the embedded index (Chroma + BM25 files)")
    chroma_url: str | None = Field(
        default=None, description="URL of a Chroma server (chroma run ...); the embedded store when unset"
    )
    collection: str = Field(
        default="precedents", description="Name prefix of the Chroma collections (corpora can share a server)"
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the desk's database (saved work); SQLite under the store directory when unset",
    )

    backend: Literal["offline", "openai"] = Field(
        default="offline", description="Drafting backend: offline (no network) or openai (OpenAI-compatible endpoint)"
    )
    llm_base_url: str | None = Field(
        default=None, description="Base URL of the OpenAI-compatible endpoint (Ollama, vLLM, Azure ...)"
    )
    llm_api_key: str | None = Field(
        default=None,
        validation_alias=AliasChoices("YMATEB_LLM_API_KEY", "OPENAI_API_KEY"),
        description="API key of the endpoint; OPENAI_API_KEY is read too",
    )
    llm_model: str = Field(default="gpt-4o-mini", description="Model name sent to the endpoint")
    llm_timeout: float = Field(default=60.0, gt=0, description="Seconds to wait for the endpoint's answer")

    minister_name: str | None = Field(
        default=None, description="Signature: the answering minister (unset: whoever signed the precedents used)"
    )
    minister_title: str | None = Field(default=None, description="Signature: their title")
    minister_title_cy: str | None = Field(default=None, description="Signature: their title in Welsh")
    committee_chair: str = Field(default="Jack Sargeant MS", description="Chair of the Petitions Committee")
    answering_body: str = Field(default="Welsh Government", description="The body the minister answers for")

    precedent_max_age_months: int = Field(
        default=12,
        ge=0,
        description="A precedent older than this many months before the reply date is flagged, and so are its figures",
    )
    max_upload_mb: float = Field(default=20.0, gt=0, description="Uploads larger than this (MB) are refused")
    passages_per_doc: int = Field(default=3, ge=1, description="At most this many passages from one document")
    embed_batch_size: int = Field(default=16, ge=1, description="Texts per embedding-model run")
    embed_threads: int = Field(default=0, ge=0, description="ONNX threads; 0 = onnxruntime decides")
    data_dir: Path | None = Field(
        default=None,
        description="Shared data folder the Evaluation page may read corpora and cases from (besides evals/, seeds/)",
    )
    sync_contact: str | None = Field(
        default=None,
        description="Contact (an email or URL) sent in the User-Agent of `ymateb sync`, so a source can reach you",
    )

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        if value:
            check_database_url(value)
        return value

    @field_validator("chroma_url", "llm_base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value:
            check_http_url(value)
        return value

    @property
    def llm_configured(self) -> bool:
        return bool(self.llm_base_url or self.llm_api_key)


def check_http_url(value: str) -> None:
    """ValueError unless `value` is an http(s) URL with a host (a bare host:port is read as http://)."""
    try:
        url = urlsplit(value if "://" in value else f"http://{value}")
        _ = url.port  # a port that is not a number raises here
    except ValueError:
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.hostname:
        raise ValueError("an http:// or https:// URL")


def check_database_url(value: str) -> None:
    """ValueError unless `value` is a SQLAlchemy URL of a database it has a driver for."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        make_url(value).get_dialect()
    except (ArgumentError, NoSuchModuleError, ValueError):
        raise ValueError(
            "a SQLAlchemy database URL, e.g. sqlite:///desk.sqlite or postgresql+psycopg://user@host/db"
        ) from None


def env_names(field: str) -> tuple[str, ...]:
    """The variables a field is read from, `YMATEB_<FIELD>` first."""
    alias = Settings.model_fields[field].validation_alias
    if isinstance(alias, AliasChoices):
        return tuple(str(choice) for choice in alias.choices)
    return (PREFIX + field.upper(),)


def known_names() -> list[str]:
    """Every `YMATEB_*` variable Ymateb reads."""
    return [name for field in Settings.model_fields for name in env_names(field) if name.startswith(PREFIX)]


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment and `.env`; keyword overrides that are not None win
    (the CLI's --store, tests). A bad value or an unknown `YMATEB_*` name is a ConfigError."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    env_file = clean.get("_env_file", Settings.model_config.get("env_file"))
    check_names(_names_in(os.environ, env_file))
    try:
        return Settings(**clean)  # type: ignore[arg-type]
    except ValidationError as exc:
        message = "; ".join(_describe(e) for e in exc.errors()) + f"; {SEE_ALSO}"
        raise ConfigError(redact_urls(message)) from None


def check_names(names: Iterable[str]) -> None:
    """ConfigError for the first `YMATEB_*` name that is not a setting, with the nearest one."""
    known = known_names()
    for name in names:
        if name.upper().startswith(PREFIX) and name.upper() not in known:
            close = difflib.get_close_matches(name.upper(), known, n=1)
            hint = f"did you mean {close[0]}?" if close else f"{SEE_ALSO} for the list"
            raise ConfigError(f"Unknown setting {name}; {hint}")


def _names_in(environ: Mapping[str, str], env_file: Any) -> Iterator[str]:
    yield from sorted(environ)
    for path in env_file if isinstance(env_file, (list, tuple)) else [env_file]:
        if path and Path(path).is_file():
            from dotenv import dotenv_values

            yield from dotenv_values(path)


_BOUNDS = {"greater_than": ("greater than", "gt"), "greater_than_equal": ("at least", "ge")}
_NUMBERS = {"float_parsing": "a number", "int_parsing": "a whole number", "int_from_float": "a whole number"}


def _describe(error: Any) -> str:
    """One clause per validation error: the variable, what it must be, what it got."""
    loc = str(error.get("loc", ["?"])[0])
    field = loc.lower().removeprefix(PREFIX.lower())
    name = env_names(field)[0] if field in Settings.model_fields else loc
    return f"{name} must be {_requirement(field, error)} (got {error.get('input')!r})"


def _requirement(field: str, error: Any) -> str:
    kind = error.get("type", "")
    if kind == "literal_error" and field in Settings.model_fields:
        return "one of: " + ", ".join(str(a) for a in typing.get_args(Settings.model_fields[field].annotation))
    if kind in _NUMBERS:
        return _NUMBERS[kind]
    if kind in _BOUNDS:
        words, key = _BOUNDS[kind]
        return f"{words} {(error.get('ctx') or {}).get(key):g}"
    if kind == "value_error":  # our validators' ValueError text says what the value must be
        return str((error.get("ctx") or {}).get("error", error.get("msg", "valid")))
    return f"valid ({error.get('msg', 'bad value')})"
