"""Finding the exercises in a notebook, and checking that each one is complete.

An exercise, after the notebook's ``## Exercises`` heading, is:

1. a markdown cell starting ``### Exercise NN.k · Title`` whose next line says the kind, the time
   on a laptop CPU and the sizes, e.g. ``*implement · about 15 min · 20 random layers (fast and full)*``;
2. a code cell with the starter and the solution between ``### BEGIN SOLUTION`` / ``### END SOLUTION``;
3. a code cell calling its checker, ``check.exNN_name(...)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

HEADING = re.compile(r"^### Exercise (?P<number>\d\d\.\d+) · (?P<title>.+)$")
SUBTITLE = re.compile(
    r"^\*(?P<kind>implement|predict|experiment) · about (?P<minutes>\d+(?:–\d+)?) min · (?P<sizes>.+)\*$"
)
KINDS = ("implement", "predict", "experiment")


@dataclass
class Exercise:
    number: str
    title: str
    kind: str = ""
    minutes: str = ""
    sizes: str = ""
    has_statement: bool = False
    has_solution: bool = False
    checks: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        """What this exercise lacks."""
        missing = []
        if not self.kind:
            missing.append("the line '*kind · about N min · sizes*' under the heading")
        if not self.has_statement:
            missing.append("a statement")
        if not self.has_solution:
            missing.append("a code cell with ### BEGIN SOLUTION / ### END SOLUTION")
        if not self.checks:
            missing.append("a check cell calling check.exNN_...(...)")
        return [f"exercise {self.number}: no {what}" for what in missing]


def exercises(nb) -> list[Exercise]:
    """The exercises of a notebook, in order."""
    found: list[Exercise] = []
    for cell in nb.cells:
        lines = cell.source.strip().splitlines()
        if cell.cell_type == "markdown":
            match = HEADING.match(lines[0]) if lines else None
            if match:
                exercise = Exercise(match["number"], match["title"].strip())
                sub = SUBTITLE.match(lines[1].strip()) if len(lines) > 1 else None
                if sub:
                    exercise.kind, exercise.minutes, exercise.sizes = sub["kind"], sub["minutes"], sub["sizes"]
                exercise.has_statement = len(" ".join(lines[2:]).split()) >= 8
                found.append(exercise)
            elif lines and lines[0].startswith(("## ", "### ")) and found:
                found.append(Exercise("", ""))  # a later section ends the last exercise
        elif found and found[-1].number:
            if "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source:
                found[-1].has_solution = True
            found[-1].checks += re.findall(r"\bcheck\.(ex\d\d_\w+)\(", cell.source)
    return [exercise for exercise in found if exercise.number]


def guide_tables(paths) -> str:
    """INSTRUCTORS.md's per-notebook tables: the notebook's time and each exercise's kind, time and sizes."""
    import nbformat

    from course_utils.harness.notebooks import header

    lines = []
    for path in paths:
        stated = header(path)
        lines += [f"### {stated['title']}", "", f"Running it: {stated['time on a CPU']}.", ""]
        lines += ["| exercise | kind | time | sizes |", "|---|---|---|---|"]
        for exercise in exercises(nbformat.read(path, as_version=4)):
            lines.append(
                f"| {exercise.number} · {exercise.title} | {exercise.kind} | about {exercise.minutes} min "
                f"| {exercise.sizes} |"
            )
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":  # python -m course_utils.harness.exercises: the tables for INSTRUCTORS.md
    from course_utils.harness.notebooks import notebook_paths

    print(guide_tables([p for p in notebook_paths() if not p.name.startswith("00_")]))
