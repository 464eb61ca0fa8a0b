"""Settings: one frozen object; bad values and misspelt names are one-line errors; .env.example
documents exactly the settings there are."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pydantic
import pytest
from click.testing import CliRunner

from rag.cli import main
from rag.errors import ConfigError
from rag.settings import Settings, env_names, known_names, load_settings

from .conftest import ROOT

ENV_EXAMPLE = ROOT / ".env.example"
ASSIGNMENT = re.compile(r"^#?\s*([A-Za-z_][A-Za-z0-9_]*)=", re.MULTILINE)

BAD_VALUES = [
    ({"YMATEB_BACKEND": "telepathy"}, ["YMATEB_BACKEND must be one of: offline, openai", "'telepathy'"]),
    ({"YMATEB_LLM_TIMEOUT": "abc"}, ["YMATEB_LLM_TIMEOUT must be a number", "'abc'"]),
    ({"YMATEB_LLM_TIMEOUT": "0"}, ["YMATEB_LLM_TIMEOUT must be greater than 0"]),
    ({"YMATEB_PASSAGES_PER_DOC": "1.5"}, ["YMATEB_PASSAGES_PER_DOC must be a whole number", "'1.5'"]),
    ({"YMATEB_EMBED_BATCH_SIZE": "0"}, ["YMATEB_EMBED_BATCH_SIZE must be at least 1", "'0'"]),
    ({"YMATEB_EMBED_THREADS": "-1"}, ["YMATEB_EMBED_THREADS must be at least 0"]),
    ({"YMATEB_MAX_UPLOAD_MB": "lots"}, ["YMATEB_MAX_UPLOAD_MB must be a number"]),
    ({"ymateb_backend": "telepathy"}, ["YMATEB_BACKEND must be one of"]),  # names are case-insensitive
    (
        {"YMATEB_BACKEND": "telepathy", "YMATEB_LLM_TIMEOUT": "abc"},
        ["YMATEB_BACKEND must be one of", "; YMATEB_LLM_TIMEOUT must be a number"],
    ),
]
BAD_IDS = ["literal", "float", "float-bound", "int", "int-bound", "int-bound-zero", "upload-mb", "lower-case", "two"]

UNKNOWN_NAMES = [
    ("YMATEB_BAKEND", "did you mean YMATEB_BACKEND?"),
    ("YMATEB_LLM_BASEURL", "did you mean YMATEB_LLM_BASE_URL?"),
    ("ymateb_stor", "did you mean YMATEB_STORE?"),
    ("YMATEB_ZZZQQQ", "see .env.example for the list"),
]


def test_every_setting_is_a_ymateb_variable_with_a_description() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description, f"{name} has no description"
        assert env_names(name)[0] == "YMATEB_" + name.upper()
    assert env_names("llm_api_key") == ("YMATEB_LLM_API_KEY", "OPENAI_API_KEY")


def test_settings_are_frozen() -> None:
    settings = load_settings()
    with pytest.raises(pydantic.ValidationError):
        settings.backend = "openai"  # type: ignore[misc]


@pytest.mark.parametrize(("env", "fragments"), BAD_VALUES, ids=BAD_IDS)
def test_a_bad_value_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], fragments: list[str]
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert "\n" not in message and message.endswith("; see .env.example"), message
    assert all(f in message for f in fragments), message
    assert "pydantic" not in message and "validation error" not in message


@pytest.mark.parametrize(
    ("env", "shown"),
    [
        ({"YMATEB_LLM_BASE_URL": "ftp://user:s3cret@llm.example/v1"}, "'ftp://***@llm.example/v1'"),
        ({"YMATEB_CHROMA_URL": "http://user:s3cret@index-host:port"}, "'http://***@index-host:port'"),
        ({"YMATEB_LLM_BASE_URL": "http://:s3cret@/v1"}, "'http://***@/v1'"),
    ],
    ids=["llm-scheme", "chroma-port", "llm-no-host"],
)
def test_a_bad_url_setting_is_named_without_its_credentials(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], shown: str
) -> None:
    ((name, value),) = env.items()
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(f"{name} must be an http:// or https:// URL (got {shown})"), message
    assert "s3cret" not in message and "user" not in message


@pytest.mark.parametrize(
    "url", ["http://localhost:11434/v1", "https://user:key@llm.example/v1", "localhost:8000", "index-host"]
)
def test_good_urls_are_kept_as_given(url: str) -> None:
    assert Settings(llm_base_url=url, chroma_url=url).chroma_url == url


@pytest.mark.parametrize(("name", "hint"), UNKNOWN_NAMES, ids=[n for n, _ in UNKNOWN_NAMES])
def test_an_unknown_ymateb_variable_is_an_error_with_the_nearest_name(
    monkeypatch: pytest.MonkeyPatch, name: str, hint: str
) -> None:
    monkeypatch.setenv(name, "openai")
    with pytest.raises(ConfigError, match=f"^Unknown setting {name}; {re.escape(hint)}$"):
        load_settings()


def test_an_unknown_name_in_dotenv_is_an_error_too(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("YMATEB_BACKEND=openai\nYMATEB_LLM_TIMOUT=5\nOTHER_TOOL_SETTING=1\n")
    with pytest.raises(ConfigError, match="^Unknown setting YMATEB_LLM_TIMOUT; did you mean YMATEB_LLM_TIMEOUT"):
        load_settings()  # the conftest runs each test in tmp_path, so this .env is the one read


def test_dotenv_values_are_read_and_overrides_win(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("YMATEB_LLM_MODEL=from-dotenv\nYMATEB_STORE=dotenv-store\nOPENAI_API_KEY=sk-x\n")
    monkeypatch.setenv("YMATEB_LLM_TIMEOUT", "7.5")
    settings = load_settings(store="cli-store", collection=None)
    assert (settings.llm_model, settings.llm_timeout, settings.store) == ("from-dotenv", 7.5, Path("cli-store"))
    assert settings.llm_api_key == "sk-x" and settings.llm_configured
    assert settings.collection == "precedents"  # None means "not given"


def test_env_example_documents_exactly_the_settings() -> None:
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    listed = ASSIGNMENT.findall(text)
    expected = [name for field in Settings.model_fields for name in env_names(field)]
    assert sorted(listed) == sorted(expected), "fix .env.example or rag/settings.py"
    assert len(listed) == len(set(listed)), "a setting is listed twice"
    stray = [line for line in text.splitlines() if line and not line.startswith("#") and not ASSIGNMENT.match(line)]
    assert stray == [], "lines that are neither comments nor settings"
    for line, description in _with_descriptions(text.splitlines()):
        assert description.startswith("# ") and len(description) > 12, f"no description above {line!r}"


def _with_descriptions(lines: list[str]) -> list[tuple[str, str]]:
    """(assignment, the comment line above its block of assignments)."""
    out, description = [], ""
    for line in lines:
        if ASSIGNMENT.match(line):
            out.append((line, description))
        else:
            description = line
    return out


def test_env_example_shows_the_defaults(tmp_path: Path) -> None:
    """Its uncommented lines are the defaults; its commented ones are the settings with none."""
    copy = tmp_path / ".env"
    copy.write_text(ENV_EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_settings() == Settings(_env_file=None)  # type: ignore[call-arg]
    commented = re.findall(r"^#\s*(YMATEB_[A-Z_]+)=", copy.read_text(), re.MULTILINE)
    assert {n.removeprefix("YMATEB_").lower() for n in commented} == {
        name for name, field in Settings.model_fields.items() if field.default is None
    }


def test_known_names_are_the_prefixed_ones() -> None:
    assert "YMATEB_BACKEND" in known_names() and "OPENAI_API_KEY" not in known_names()
    assert len(known_names()) == len(Settings.model_fields)


# ---------------------------------------------------------------------------- the CLI


def test_cli_bad_setting_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["stats", "--store", str(tmp_path / "s")], env={"YMATEB_BACKEND": "telepathy"})
    assert result.exit_code == 2, result.output
    assert result.output.splitlines() == [
        "Error: YMATEB_BACKEND must be one of: offline, openai (got 'telepathy'); see .env.example"
    ]
    assert not (tmp_path / "s").exists()  # refused before any work


def test_cli_misspelt_setting_is_one_line_and_exit_code_2() -> None:
    result = CliRunner().invoke(main, ["stats"], env={"YMATEB_BAKEND": "openai"})
    assert result.exit_code == 2, result.output
    assert result.output.splitlines() == ["Error: Unknown setting YMATEB_BAKEND; did you mean YMATEB_BACKEND?"]


def test_python_dash_m_cli_bad_setting_is_one_line_on_stderr(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YMATEB_")}
    env |= {"YMATEB_LLM_TIMEOUT": "abc", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "rag.cli", "stats"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == ["Error: YMATEB_LLM_TIMEOUT must be a number (got 'abc'); see .env.example"]
