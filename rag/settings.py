"""One frozen settings object, read once at start-up from the environment and `.env`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from rag.errors import ConfigError


class Settings(BaseSettings):
    """Every knob Ymateb has. See `.env.example` for the documented list."""

    model_config = SettingsConfigDict(
        env_prefix="YMATEB_", env_file=".env", extra="ignore", frozen=True, populate_by_name=True
    )

    store: Path = Field(default=Path(".ymateb"), description="Directory of the embedded index")
    chroma_url: str | None = Field(default=None, description="Chroma server URL; embedded store if unset")
    collection: str = Field(default="precedents", description="Name prefix of the Chroma collections")

    backend: Literal["offline", "openai"] = "offline"
    llm_base_url: str | None = None
    llm_api_key: str | None = Field(default=None, validation_alias=AliasChoices("YMATEB_LLM_API_KEY", "OPENAI_API_KEY"))
    llm_model: str = "gpt-4o-mini"
    llm_timeout: float = 60.0

    minister_name: str = "Julie Morgan AS/MS"
    minister_title: str = "Deputy Minister for Social Services"
    minister_title_cy: str = "Y Dirprwy Weinidog Gwasanaethau Cymdeithasol"
    committee_chair: str = "Jack Sargeant MS"
    answering_body: str = "Welsh Government"

    max_upload_mb: float = 20.0
    passages_per_doc: int = 3
    embed_batch_size: int = Field(default=16, ge=1, description="Texts per embedding-model run")
    embed_threads: int = Field(default=0, ge=0, description="ONNX threads; 0 = onnxruntime decides")

    @property
    def llm_configured(self) -> bool:
        return bool(self.llm_base_url or self.llm_api_key)


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment; keyword overrides win (used by the CLI and tests).
    A bad value is a ConfigError naming the setting, never a pydantic traceback."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**clean)  # type: ignore[arg-type]
    except ValidationError as exc:
        names = ", ".join("YMATEB_" + str(e.get("loc", ["?"])[0]).upper() for e in exc.errors()) or "a setting"
        raise ConfigError(f"Invalid setting {names}: check the environment or .env (see .env.example).") from None
