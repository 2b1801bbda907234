"""The import graph: one package, arrows one way along the data flow, no circles.

Read from the source with ast (nothing is imported), so the test is fast and sees lazy imports inside
functions too. A module's stage is its folder: ingest < index < api/settings < evals, ui < cli, app.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAGES = {"ingest": 0, "index": 1, "api": 2, "settings": 2, "evals": 3, "ui": 3, "cli": 4, "app": 4}
PACKAGE_FOLDERS = ("ingest", "index", "evals", "ui")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(("beleidsbron", *parts))


def sources() -> dict[str, Path]:
    files = [p for p in ROOT.glob("*.py")] + [p for f in PACKAGE_FOLDERS for p in (ROOT / f).rglob("*.py")]
    return {module_name(p): p for p in files}


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def graph() -> dict[str, set[str]]:
    modules = sources()
    return {name: {m for m in imports(path) if m in modules and m != name} for name, path in modules.items()}


def stage(module: str) -> int | None:
    parts = module.split(".")
    return STAGES.get(parts[1]) if len(parts) > 1 else None


def test_every_import_of_the_project_goes_through_the_one_package() -> None:
    top_level = {*PACKAGE_FOLDERS, "cli", "app", "api", "settings"}
    for _name, path in sources().items():
        stray = {m.split(".")[0] for m in imports(path)} & top_level
        assert not stray, f"{path}: imports {stray} as a top-level name; write beleidsbron.{stray.pop()}"


def test_no_lower_stage_imports_a_higher_one() -> None:
    for name, targets in graph().items():
        for target in targets:
            low, high = stage(name), stage(target)
            if low is not None and high is not None:
                assert high <= low, f"{name} (stage {low}) imports {target} (stage {high})"


def test_no_import_circle() -> None:
    edges = graph()
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            raise AssertionError("import circle: " + " -> ".join(path[path.index(node):] + [node]))
        if node in done:
            return
        for target in sorted(edges.get(node, ())):
            visit(target, path + [node])
        done.add(node)

    for node in sorted(edges):
        visit(node, [])
