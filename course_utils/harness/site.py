"""The course as a static web site: ``make site`` (= ``python -m course_utils.harness.site``).

The committed notebooks, as they are (nothing is executed), become one HTML page each, with a
landing page: the course map (number, title, time on a CPU, and the results each notebook's
stored outputs record). Every page links to the course map and to the previous and next notebook.

Pages work offline and fetch nothing from the network: nbconvert's ``lab`` template with its CSS
inlined, without require.js, Mermaid or the widgets' loader (all from CDNs), and MathJax 2 from a
copy inside the site (taken from the ``jupyter-server-mathjax`` package). Without that package the
formulas stay as TeX source.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
from pathlib import Path
from typing import Any

import nbformat

from course_utils.harness.config import PROJECT_ROOT
from course_utils.harness.notebooks import header, notebook_paths
from course_utils.harness.session import results_from_notebook

SITE_DIR = PROJECT_ROOT / "build" / "site"
HOME = "index.html"
STATIC = "_static"
MATHJAX = f"{STATIC}/mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"
# jupyter-server-mathjax keeps only MathJax's STIX-Web fonts (as Jupyter's classic notebook configures them)
MATHJAX_FONTS = """MathJax.Hub.Config({
  "HTML-CSS": {availableFonts: [], preferredFont: null, webFont: "STIX-Web", imageFont: null},
  SVG: {font: "STIX-Web"}
});"""
NOT_HEADLINES = {"fast_mode"}  # recorded by every notebook's set-up, not a result

NAV_CSS = """
nav.course-nav { display: flex; gap: 1.5em; align-items: baseline; flex-wrap: wrap;
  font-family: var(--jp-ui-font-family, system-ui, sans-serif); font-size: 0.95em;
  padding: 0.6em 1em; margin: 0 0 1em 0; border-bottom: 1px solid #ddd; background: #f7f7f7; }
nav.course-nav.bottom { border-top: 1px solid #ddd; border-bottom: none; margin: 2em 0 0 0; }
nav.course-nav a { text-decoration: none; color: #1a5fb4; }
nav.course-nav a:hover { text-decoration: underline; }
nav.course-nav .none { color: #999; }
nav.course-nav .home { font-weight: 600; }
"""

# nbconvert's lab template, less everything it would fetch from a CDN, plus the navigation.
TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- from 'mathjax.html.j2' import mathjax -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_js_mathjax -%}
{%- if resources.course_mathjax -%}
<script type="text/x-mathjax-config">{{ resources.course_mathjax_fonts }}</script>
{{ mathjax(resources.course_mathjax) }}
{%- endif -%}
{%- endblock html_head_js_mathjax -%}
{%- block extra_css -%}<style type="text/css">{{ resources.course_css }}</style>{%- endblock extra_css -%}
{%- block body_header -%}
{{ super() }}
{{ resources.course_nav_top }}
{%- endblock body_header -%}
{%- block body_footer -%}
{{ resources.course_nav_bottom }}
{{ super() }}
{%- endblock body_footer -%}
"""


def page_name(notebook: Path) -> str:
    """The site's page for a notebook: ``04_convolution_and_pooling.ipynb`` -> ``...pooling.html``."""
    return notebook.with_suffix(".html").name


def mathjax_source() -> Path | None:
    """MathJax 2's files, from the ``jupyter-server-mathjax`` package, or ``None`` if not installed."""
    try:
        import jupyter_server_mathjax
    except ImportError:
        return None
    static = Path(jupyter_server_mathjax.__file__).parent / "static"
    return static if (static / "MathJax.js").is_file() else None


def _nav(pages: list[tuple[str, str]], index: int | None, where: str) -> str:
    """Course map / previous / next links; ``index`` is the notebook's position, ``None`` for the map."""

    def link(position: int, arrow_before: str = "", arrow_after: str = "", rel: str = "") -> str:
        if position < 0 or position >= len(pages):
            text = "previous" if rel == "prev" else "next"
            return f'<span class="none {rel}">{arrow_before}{text}{arrow_after}</span>'
        href, title = pages[position]
        label = html.escape(f"{arrow_before}{title}{arrow_after}")
        return f'<a class="{rel}" rel="{rel}" href="{href}">{label}</a>'

    home = '<span class="home">Course map</span>' if index is None else f'<a class="home" href="{HOME}">Course map</a>'
    previous = link(-1 if index is None else index - 1, arrow_before="← ", rel="prev")
    following = link(0 if index is None else index + 1, arrow_after=" →", rel="next")
    return f'<nav class="course-nav {where}" aria-label="course">{home}{previous}{following}</nav>'


_NOTEBOOK_LINK = re.compile(r'href="(?P<name>[0-9][0-9]_[^"/]*?)\.ipynb(?P<anchor>#[^"]*)?"')


def _format_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10_000:
        return f"{value:,}"  # 138,357,544
    if isinstance(value, list | tuple):
        return ", ".join(_format_value(v) for v in value)
    return str(value)


def headline_results(nb: Any, stem: str = "") -> dict[str, Any]:
    """The results a committed notebook's stored outputs record (``cu.record``): its headlines
    (``runner.HEADLINES``) where the notebook declares them, otherwise all of them but the mode."""
    from course_utils.harness.runner import HEADLINES

    recorded = results_from_notebook(nb)
    names = HEADLINES.get(stem) or [k for k in recorded if k not in NOT_HEADLINES]
    return {k: recorded[k] for k in names if k in recorded}


def _landing_page(rows: list[dict[str, Any]]) -> str:
    body = []
    for row in rows:
        results = row["results"]
        items = "".join(
            f"<li><code>{html.escape(name)}</code> = {html.escape(_format_value(value))}</li>"
            for name, value in results.items()
        )
        body.append(
            "<tr>"
            f'<td class="number">{html.escape(row["number"])}</td>'
            f'<td><a href="{row["href"]}">{html.escape(row["title"])}</a></td>'
            f"<td>{html.escape(row['time'])}</td>"
            f"<td>{f'<ul>{items}</ul>' if items else ''}</td>"
            "</tr>"
        )
    nav = _nav([(r["href"], r["page title"]) for r in rows], None, "top")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>From MNIST to ImageNet: the course map</title>
<style type="text/css">
body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #222; }}
main {{ max-width: 72em; margin: 0 auto; padding: 0 1em 2em 1em; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ text-align: left; vertical-align: top; padding: 0.5em 0.7em; border-bottom: 1px solid #ddd; }}
th {{ background: #f0f0f0; }}
td.number {{ font-variant-numeric: tabular-nums; font-weight: 600; }}
td ul {{ margin: 0; padding-left: 1.1em; font-size: 0.9em; }}
code {{ font-size: 0.95em; }}
{NAV_CSS}
</style>
</head>
<body>
{nav}
<main>
<h1>From MNIST to ImageNet</h1>
<p>A hands-on deep-learning course in Jupyter notebooks, with TensorFlow and Keras. Each notebook's page
shows it with the outputs of one full-mode run on a CPU (the top of each page names the run); run it in
JupyterLab to see yours. The results listed are each notebook's headline results, as its stored outputs
record them.</p>
<table>
<thead><tr><th>#</th><th>Notebook</th><th>Time on a CPU</th><th>Results (stored outputs)</th></tr></thead>
<tbody>
{chr(10).join(body)}
</tbody>
</table>
</main>
</body>
</html>
"""


def _clear(out: Path) -> None:
    """Remove what an earlier build wrote to ``out`` (its pages and static files), nothing else."""
    for page in [out / HOME, *out.glob("[0-9][0-9]_*.html")]:
        page.unlink(missing_ok=True)
    if (out / STATIC).is_dir():
        shutil.rmtree(out / STATIC)


def build(notebooks: Path | str | None = None, out: Path | str | None = None, mathjax: bool = True) -> list[Path]:
    """Render the notebooks in ``notebooks`` (default: the course's) to ``out`` (default ``build/site``).

    Returns the pages written, the landing page first. ``mathjax=False`` (or no
    ``jupyter-server-mathjax``) leaves formulas as TeX source.
    """
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    paths = notebook_paths(notebooks)
    if not paths:
        raise FileNotFoundError(f"no notebooks (NN_name.ipynb) in {notebooks}")
    out = Path(out) if out is not None else SITE_DIR
    out.mkdir(parents=True, exist_ok=True)
    _clear(out)

    mathjax_files = mathjax_source() if mathjax else None
    if mathjax_files is not None:
        shutil.copytree(mathjax_files, out / STATIC / "mathjax")

    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[DictLoader({"course_site.html.j2": TEMPLATE})],
        template_file="course_site.html.j2",
        exclude_input_prompt=True,  # committed notebooks have no execution counts: no "In [ ]:"
        exclude_output_prompt=True,
    )
    headers = [header(path) for path in paths]
    pages = [(page_name(path), h["title"]) for path, h in zip(paths, headers, strict=True)]
    written = []
    rows = []
    for index, (path, head) in enumerate(zip(paths, headers, strict=True)):
        nb = nbformat.read(path, as_version=4)
        resources = {
            "metadata": {"name": head["title"] or path.stem},
            "course_mathjax": MATHJAX if mathjax_files is not None else "",
            "course_mathjax_fonts": MATHJAX_FONTS,
            "course_css": NAV_CSS,
            "course_nav_top": _nav(pages, index, "top"),
            "course_nav_bottom": _nav(pages, index, "bottom"),
        }
        body, _ = exporter.from_notebook_node(nb, resources=resources)
        body = _NOTEBOOK_LINK.sub(lambda m: f'href="{m["name"]}.html{m["anchor"] or ""}"', body)
        target = out / page_name(path)
        target.write_text(body, encoding="utf-8")
        written.append(target)
        rows.append(
            {
                "number": path.name[:2],
                "title": head["title"].split("·", 1)[-1].strip() or path.stem,
                "page title": pages[index][1],
                "time": head["time on a CPU"],
                "href": page_name(path),
                "results": headline_results(nb, path.stem),
            }
        )
    landing = out / HOME
    landing.write_text(_landing_page(rows), encoding="utf-8")
    return [landing, *written]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.harness.site",
        description="Render the committed notebooks (not executed) into a static site that works offline.",
    )
    parser.add_argument("--notebooks", type=Path, default=None, help="folder of NN_name.ipynb (default: notebooks/)")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: build/site/)")
    parser.add_argument("--no-mathjax", action="store_true", help="leave formulas as TeX source")
    args = parser.parse_args(argv)
    pages = build(args.notebooks, args.out, mathjax=not args.no_mathjax)
    if mathjax_source() is None and not args.no_mathjax:
        print("jupyter-server-mathjax is not installed: formulas are left as TeX source (make setup installs it)")
    print(f"site: {pages[0]} ({len(pages) - 1} notebooks)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
