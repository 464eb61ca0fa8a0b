"""Prompts and house formats are data: files in prompts/ with named slots, filled by `render`."""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import Any

from rag.errors import ConfigError


def _prompts_dir() -> Path:
    """rag/prompts/ in an installed wheel (pyproject maps the top-level prompts/ folder to the
    package rag.prompts); the top-level prompts/ beside rag/ in a checkout or an editable install.
    Located from this file, never by importing rag.prompts: another install's finder could answer."""
    here = Path(__file__).resolve().parent
    packaged = here / "prompts"
    return packaged if packaged.is_dir() else here.parent / "prompts"


PROMPTS_DIR = _prompts_dir()


def slot_names(template: str) -> set[str]:
    """The named slots of a str.format template ('{a}', '{b.c}' -> {'a', 'b'})."""
    names = set()
    for _, field, _, _ in string.Formatter().parse(template):
        if field is not None:
            names.add(re.split(r"[.\[]", field, maxsplit=1)[0])
    return names


def load_template(name: str, prompts_dir: Path | str | None = None) -> str:
    path = Path(prompts_dir or PROMPTS_DIR) / f"{name}.md"
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read the prompt template {path}: {exc}") from exc


def render(name: str, /, *, prompts_dir: Path | str | None = None, **slots: Any) -> str:
    """Fill prompts/{name}.md; ConfigError names every slot left unfilled. Extra slots are ignored."""
    template = load_template(name, prompts_dir)
    try:
        missing = sorted(slot_names(template) - set(slots))
    except ValueError as exc:
        raise ConfigError(f"The prompt template {name}.md is malformed: {exc}") from exc
    if missing:
        raise ConfigError(f"The prompt template {name}.md needs slot(s) not given: {', '.join(missing)}")
    try:
        return template.format_map(slots)
    except (AttributeError, IndexError, KeyError, ValueError) as exc:
        raise ConfigError(f"The prompt template {name}.md could not be filled: {exc!r}") from exc
