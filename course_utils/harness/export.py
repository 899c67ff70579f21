"""Export the code a notebook teaches into ``course_utils/lessons/`` (d2l's ``#@save`` idea).

A code cell whose first line is ``#| export`` is lesson code that later notebooks and the unit
tests reuse. ``python -m course_utils export`` collects those cells, in notebook order, into one
generated module per notebook (``LESSON_MODULES``); ``--check`` only reports modules that are out
of date. Exported cells may hold imports, functions, classes and assignments, nothing that runs
work when the module is imported.
"""

from __future__ import annotations

import ast
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from course_utils.harness.config import PROJECT_ROOT

EXPORT_MARKER = "#| export"
LESSONS_DIR = PROJECT_ROOT / "course_utils" / "lessons"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"

# notebook (file stem) -> generated module in course_utils/lessons/
LESSON_MODULES = {
    "02_preprocessing": "preprocessing",
    "03_data_augmentation": "augmentation",
    "04_convolution_and_pooling": "convolution",
    "05_fcn_and_cnn_on_mnist": "mnist_models",
    "06_vgg16_transfer_learning": "transfer",
    "07_where_next": "frontiers",
}

_ALLOWED = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign)
FIRST_PARTY = "course_utils"


class ExportError(ValueError):
    """An exported cell holds something that cannot go into a module."""


@dataclass(frozen=True)
class ExportedCell:
    index: int  # position among the notebook's cells
    source: str  # without the marker line


def _cells(path: Path) -> list[dict]:
    """A notebook's cells with their source as one string (read as JSON: the export needs no Jupyter)."""
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    return [{**cell, "source": "".join(cell.get("source", ""))} for cell in cells]


def is_exported(cell) -> bool:
    """True for a code cell whose first line is the export marker."""
    source = cell.get("source", "")
    lines = ("".join(source) if isinstance(source, list) else source).lstrip().splitlines()
    return cell.get("cell_type") == "code" and bool(lines) and lines[0].strip() == EXPORT_MARKER


def exported_cells(path: Path) -> list[ExportedCell]:
    """The marked cells of one notebook, marker removed, in order."""
    cells = []
    for index, cell in enumerate(_cells(path)):
        if is_exported(cell):
            source = cell["source"]
            body = source.lstrip().split("\n", 1)[1] if "\n" in source.strip() else ""
            cells.append(ExportedCell(index, body.strip("\n")))
    return cells


def _check_statements(tree: ast.Module, where: str) -> None:
    for node in tree.body:
        if not isinstance(node, _ALLOWED):
            raise ExportError(
                f"{where}, line {node.lineno}: an exported cell may hold imports, definitions and "
                f"assignments only, not {type(node).__name__} (it would run on import)"
            )


def _split_imports(source: str, where: str) -> tuple[list[ast.stmt], str]:
    """The cell's top-level imports, and its source without them."""
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise ExportError(f"{where}: {error}") from error
    _check_statements(tree, where)
    lines = source.splitlines()
    imports = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    drop = {n for node in imports for n in range(node.lineno - 1, node.end_lineno)}
    rest = "\n".join(line for i, line in enumerate(lines) if i not in drop).strip("\n")
    return imports, rest


def _section(module: str) -> int:
    root = module.split(".")[0]
    if root == "__future__":
        return 0
    if root in sys.stdlib_module_names:
        return 1
    return 3 if root == FIRST_PARTY else 2


def _import_block(imports: list[ast.stmt]) -> str:
    """Imports merged and grouped as isort does: future, stdlib, third party, first party."""
    straight: set[tuple[str, str | None]] = set()
    from_names: dict[str, set[tuple[str, str | None]]] = {}
    for node in imports:
        if isinstance(node, ast.Import):
            straight.update((alias.name, alias.asname) for alias in node.names)
        else:
            module = "." * node.level + (node.module or "")
            from_names.setdefault(module, set()).update((a.name, a.asname) for a in node.names)
    groups: dict[int, list[str]] = {}
    for name, alias in sorted(straight, key=lambda item: (item[0].lower(), item[1] or "")):
        groups.setdefault(_section(name), []).append(f"import {name}" + (f" as {alias}" if alias else ""))
    for module in sorted(from_names, key=str.lower):
        names = ", ".join(n + (f" as {a}" if a else "") for n, a in sorted(from_names[module], key=_name_order))
        groups.setdefault(_section(module.lstrip(".") or FIRST_PARTY), []).append(f"from {module} import {names}")
    ordered = []
    for section in sorted(groups):  # within a section: straight imports first, then from-imports
        ordered.append("\n".join(groups[section]))
    return "\n\n".join(ordered)


def _name_order(item: tuple[str, str | None]) -> tuple[int, str]:
    name = item[0]
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return kind, name.lower()


def render_module(notebook: Path, cells: list[ExportedCell]) -> str:
    """The text of the generated module for one notebook."""
    imports, bodies = [], []
    for cell in cells:
        cell_imports, rest = _split_imports(cell.source, f"{notebook.name}, cell {cell.index}")
        imports += cell_imports
        if rest:
            bodies.append(rest)
    title = _cells(notebook)[0]["source"].splitlines()[0].lstrip("# ").strip()
    header = (
        f'"""{title}: the code this lesson teaches.\n\n'
        f"Generated from notebooks/{notebook.name} by ``python -m course_utils export``.\n"
        'Do not edit: change the notebook\'s "#| export" cells and export again.\n"""'
    )
    text = header
    if imports:
        text += "\n\n\n" + _import_block(imports)
    for index, body in enumerate(bodies):
        # isort's spacing: one blank line between the imports and a plain statement, two before a definition
        after_imports = index == 0 and imports and not body.lstrip().startswith(("def ", "class ", "@", "#"))
        text += ("\n\n" if after_imports else "\n\n\n") + body
    return text + "\n"


def render_all(notebooks_dir: Path = NOTEBOOKS_DIR) -> dict[str, str]:
    """Every generated file (name in ``lessons/`` -> text)."""
    files = {}
    for stem, module in LESSON_MODULES.items():
        path = notebooks_dir / f"{stem}.ipynb"
        cells = exported_cells(path) if path.exists() else []
        if cells:
            files[f"{module}.py"] = render_module(path, cells)
    listing = "\n".join(
        f"- ``{name[:-3]}``: from notebooks/{stem}.ipynb"
        for stem, name in ((s, f"{m}.py") for s, m in LESSON_MODULES.items())
        if name in files
    )
    files["__init__.py"] = (
        '"""Lesson code, generated from the notebooks\' ``#| export`` cells. Do not edit.\n\n'
        + (f"{listing}\n\n" if listing else "")
        + "Regenerate with ``python -m course_utils export``.\n"
        + '"""\n'
    )
    return files


def stale_files(lessons_dir: Path = LESSONS_DIR, notebooks_dir: Path = NOTEBOOKS_DIR) -> list[str]:
    """Generated files that differ from what the export would write now (or should not exist)."""
    expected = render_all(notebooks_dir)
    present = {p.name for p in lessons_dir.glob("*.py")} if lessons_dir.exists() else set()
    stale = [
        name
        for name, text in expected.items()
        if not (lessons_dir / name).exists() or (lessons_dir / name).read_text() != text
    ]
    return sorted(stale + [name for name in present - set(expected)])


def export(lessons_dir: Path = LESSONS_DIR, notebooks_dir: Path = NOTEBOOKS_DIR) -> list[str]:
    """Write every generated module; remove generated modules no notebook exports any more."""
    expected = render_all(notebooks_dir)
    lessons_dir.mkdir(parents=True, exist_ok=True)
    changed = stale_files(lessons_dir, notebooks_dir)
    for name in changed:
        target = lessons_dir / name
        if name in expected:
            target.write_text(expected[name])
        else:
            target.unlink()
    return changed
