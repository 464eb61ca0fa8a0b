"""The package as a user installs it: every rag package and the prompts are in the wheel, and the
installed `ymateb` ingests and drafts from another directory, using only the installed copy.

No network: the wheel is built with the test runner's setuptools (--no-build-isolation), and the
fresh venv borrows the runner's dependencies through a .pth file of plain paths (a plain path
does not run the other .pth files there, so the runner's editable install is not picked up)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import tomllib

from .conftest import ROOT, SEEDS, require

QUESTION = "Why is there no independent review of children's services in Wales?"
SOURCES = ["rag", "prompts", "pyproject.toml", "README.md"]


def rag_packages() -> set[str]:
    return {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "rag").rglob("__init__.py")}


def test_pyproject_lists_every_rag_package_and_maps_the_prompts() -> None:
    tool = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert sorted(tool["packages"]) == sorted(rag_packages() | {"rag.prompts"})
    assert tool["package-dir"] == {"rag.prompts": "prompts"}
    assert tool["package-data"]["rag.prompts"] == ["*.md"]
    assert tool["package-data"]["rag.text"] == ["*.tsv"]  # the Welsh-English glossary
    assert (ROOT / "rag" / "text" / "cy_en.tsv").is_file()


def run(*args: object, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120) -> str:
    """Run a command with a clean environment (see clean_env) unless one is given; its stdout."""
    env = clean_env() if env is None else env
    proc = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert proc.returncode == 0, f"{args}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def clean_env(**extra: str) -> dict[str, str]:
    """The environment minus anything that points Python or Ymateb at the checkout."""
    drop = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PIP_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop + ("YMATEB_", "OPENAI_"))}
    return env | {"PYTHONNOUSERSITE": "1"} | extra


def runner_site_dirs() -> list[str]:
    """The runner's site-packages (the real dependencies), never a directory holding `rag`."""
    dirs = [p for p in sys.path if p.rstrip("/").endswith("site-packages") and Path(p).is_dir()]
    assert dirs and not any((Path(p) / "rag").exists() for p in dirs), dirs
    return dirs


def make_venv(where: Path) -> Path:
    """A venv with no packages of its own that sees the runner's dependencies; its python."""
    run(sys.executable, "-m", "venv", "--without-pip", where, cwd=where.parent)
    python = where / "bin" / "python"
    purelib = run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=where).strip()
    (Path(purelib) / "zz_runner_deps.pth").write_text("\n".join(runner_site_dirs()) + "\n", encoding="utf-8")
    return python


def copy_sources(dest: Path) -> Path:
    """What the sdist holds, copied: no build/ or egg-info of the checkout can leak in."""
    for name in SOURCES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(src, dest / name)
    return dest


def setuptools_is_new_enough() -> bool:
    return int(version("setuptools").split(".")[0]) >= 77


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(a copy of the sources, the wheel built from it)."""
    require(setuptools_is_new_enough(), "setuptools>=77 in the test venv (pip install -e '.[dev]')")
    base = tmp_path_factory.mktemp("packaging")
    src = copy_sources(base / "src")
    wheels = base / "wheels"
    pip = (sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q")
    run(*pip, "-w", wheels, src, cwd=base)
    (wheel,) = wheels.glob("ymateb-*.whl")
    return src, wheel


@pytest.mark.slow
def test_the_installed_wheel_ingests_and_drafts_from_elsewhere(built: tuple[Path, Path], tmp_path: Path) -> None:
    _, wheel = built
    venv = tmp_path / "venv"
    python = make_venv(venv)
    pip = (python, "-m", "pip", "install", "--no-deps", "--no-index", "--ignore-installed", "-q")
    run(*pip, wheel, cwd=tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = clean_env(YMATEB_STORE=str(tmp_path / "store"))

    where = run(
        python,
        "-c",
        "import rag, rag.templates as t; print(rag.__file__); print(t.PROMPTS_DIR)",
        cwd=elsewhere,
        env=env,
    )
    rag_file, prompts = (Path(line) for line in where.splitlines())
    assert rag_file.is_relative_to(venv) and prompts == rag_file.parent / "prompts", where
    assert {p.name for p in prompts.glob("*.md")} == {p.name for p in (ROOT / "prompts").glob("*.md")}

    ymateb = venv / "bin" / "ymateb"
    assert "5 documents (5 new or changed" in run(ymateb, "ingest", SEEDS, cwd=elsewhere, env=env)
    out = run(ymateb, "draft", QUESTION, cwd=elsewhere, env=env)
    assert "Dear " in out and "Yours sincerely," in out, out
    assert "[1]" in out.split("\nSources:")[0] and "\nSources:\n  [1] WQ85953 · 2022-08-30" in out, out
    assert not list(elsewhere.iterdir())  # nothing written to the working directory


@pytest.mark.slow
def test_the_editable_install_reads_the_prompts_of_its_checkout(built: tuple[Path, Path], tmp_path: Path) -> None:
    src, _ = built
    python = make_venv(tmp_path / "venv")
    pip = (python, "-m", "pip", "install", "--no-deps", "--no-index", "--no-build-isolation", "-q", "-e")
    run(*pip, src, cwd=tmp_path)
    code = "import rag.templates as t; print(t.__file__); print(t.PROMPTS_DIR); print(len(t.load_template('system')))"
    out = run(python, "-c", code, cwd=tmp_path).splitlines()
    assert Path(out[0]) == src / "rag" / "templates.py" and Path(out[1]) == src / "prompts", out
    assert int(out[2]) == len((src / "prompts" / "system.md").read_text(encoding="utf-8"))
