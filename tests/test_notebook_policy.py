"""Committed notebooks follow the output policy and the course's notebook structure."""

from __future__ import annotations

import nbformat
import pytest

from course_utils.harness.notebooks import TIME_PREFIX, header, notebook_paths, policy_problems

NOTEBOOKS = notebook_paths()


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found in notebooks/"
    assert NOTEBOOKS[0].name == "00_start_here.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_policy(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert policy_problems(nb) == []


def test_policy_catches_problems():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("no title"), nbformat.v4.new_code_cell("x = 1")]
    nb.cells[1].outputs = [nbformat.v4.new_output("error", ename="E", evalue="v", traceback=[])]
    nb.cells[1].execution_count = 3
    problems = " | ".join(policy_problems(nb))
    for expected in ("parameters", "kernelspec", "execution count 3", "error", "title", "exercises"):
        assert expected in problems


def _readme_times() -> dict[str, str]:
    readme = (NOTEBOOKS[0].parent.parent / "README.md").read_text()
    rows = [line.split("|") for line in readme.splitlines() if line.startswith("| 0")]
    return {row[2].strip().strip("`"): row[4].strip() for row in rows if len(row) >= 6}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_readme_gives_the_time_the_notebook_header_gives(path):
    stated = header(path)
    assert stated["title"] and stated["time on a CPU"], f"{path.name}: no title or no '{TIME_PREFIX}' line"
    assert _readme_times().get(path.stem) == stated["time on a CPU"]
