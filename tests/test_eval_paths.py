"""rag.evaluation.paths: a page reads only under its allowed folders, and says nothing about the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.errors import InputError
from rag.evaluation.paths import OUTSIDE, allowed_roots, resolve_allowed, save_uploads
from rag.settings import Settings


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "evals" / "cases").mkdir(parents=True)
    (root / "evals" / "cases" / "seeds.jsonl").write_text("{}\n")
    (root / "seeds").mkdir()
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.txt").write_text("secret")
    (root / "evals" / "link").symlink_to(tmp_path / "outside")
    return root


def roots(project: Path, **settings: object) -> tuple[Path, ...]:
    return allowed_roots(project, Settings(**settings))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    ["evals/cases/seeds.jsonl", "evals/cases/not-yet.jsonl", "seeds", "{project}/seeds/x.txt"],
    ids=["relative-file", "missing-inside", "folder", "absolute"],
)
def test_paths_under_an_allowed_folder_resolve(project: Path, text: str) -> None:
    path = resolve_allowed(text.format(project=project), roots(project), project)
    assert path.is_relative_to(project.resolve())


@pytest.mark.parametrize(
    "text",
    [
        "{tmp}/outside/secret.txt",
        "{tmp}/outside/missing.txt",
        "{tmp}/no-such-folder",
        "/etc",
        "/etc/shadow",
        "evals/../../outside/secret.txt",
        "evals/link/secret.txt",
        "",
        "evals\x00/cases",
    ],
    ids=["existing", "missing", "missing-folder", "etc", "etc-shadow", "dot-dot", "symlink-out", "empty", "nul"],
)
def test_anything_else_is_one_message_whether_or_not_it_exists(project: Path, text: str) -> None:
    with pytest.raises(InputError) as caught:
        resolve_allowed(text.format(tmp=project.parent), roots(project), project)
    assert str(caught.value) == OUTSIDE


def test_the_data_dir_setting_and_extra_folders_are_allowed(project: Path) -> None:
    outside = project.parent / "outside"
    assert resolve_allowed(str(outside / "secret.txt"), roots(project, data_dir=outside), project).is_file()
    extra = allowed_roots(project, Settings(), [outside])
    assert resolve_allowed(str(outside / "secret.txt"), extra, project).is_file()


def test_uploads_are_saved_under_safe_names_into_an_emptied_folder(tmp_path: Path) -> None:
    folder = tmp_path / "uploads" / "corpus"
    save_uploads(folder, [("old.txt", b"old")], max_mb=1)
    paths = save_uploads(folder, [("../../evil.txt", b"x"), ("b.md", b"y")], max_mb=1)
    assert [p.name for p in paths] == ["evil.txt", "b.md"]
    assert sorted(p.name for p in folder.iterdir()) == ["b.md", "evil.txt"]
    with pytest.raises(InputError, match="upload limit"):
        save_uploads(folder, [("big.txt", b"x" * 3000)], max_mb=0.001)
    assert sorted(p.name for p in folder.iterdir()) == ["b.md", "evil.txt"]  # nothing half-written
