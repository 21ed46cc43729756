"""The package layout reads like the data flow, and imports point one way down it.

Stages, lowest first: the shared records and settings; models (weights); store (the index);
ingest (files -> index); answer (index -> answer); the engine that ties them; serve (API, UI);
the CLI. A module may import its own stage and the stages below it, never one above, so the
index never imports ingest and answering never imports the server.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "app"
RANKS = {
    "__init__": 0,
    "records": 0,
    "settings": 0,
    "models": 1,
    "store": 2,
    "ingest": 3,
    "answer": 4,
    "engine": 5,
    "serve": 6,
    "cli": 7,
    "__main__": 8,
}
MAX_MODULE_LINES = 400
MODULES = sorted(PACKAGE.rglob("*.py"))


def stage_of(path: Path) -> str:
    """`app/store/milvus/reader.py` -> "store"; `app/engine.py` -> "engine"."""
    first = path.relative_to(PACKAGE).parts[0]
    return first.removesuffix(".py")


def imported_stages(path: Path) -> list[tuple[int, str]]:
    """(line, stage) for every import of a docqa module, lazy ones inside functions included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
            if node.module == "app":  # `from app import x`: a stage, or the package's own name
                names = [f"app.{a.name}" if a.name in RANKS else "app" for a in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "app":
                found.append((node.lineno, parts[1] if len(parts) > 1 else "__init__"))
    return found


def test_every_module_belongs_to_a_known_stage():
    unknown = {stage_of(p) for p in MODULES} - set(RANKS)
    assert not unknown, f"add {unknown} to RANKS, at the place it takes in the data flow"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_down_the_pipeline(path):
    own = stage_of(path)
    backwards = [
        f"line {line} imports app.{target}"
        for line, target in imported_stages(path)
        if target != own and RANKS[target] >= RANKS[own] and target != "__init__"
    ]
    assert not backwards, f"{own} may import only stages below it: {backwards}"


def test_the_check_catches_a_backward_import(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text("def f():\n    from app.ingest.pipeline import ingest\n")
    assert imported_stages(module) == [(2, "ingest")]
    assert RANKS["ingest"] > RANKS["store"]  # so a store module with this import would fail


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_too_long_to_read_in_one_sitting(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_MODULE_LINES, f"{lines} lines: split it by concern"


def test_readme_maps_every_folder_of_the_package():
    readme = (ROOT / "README.md").read_text()
    folders = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
    missing = [name for name in folders if f"`app/{name}/`" not in readme]
    assert not missing, f"README's Development section does not describe {missing}"
