"""``make site``: the pages it writes, read as HTML (tests/test_browser.py opens them in chromium)."""

from __future__ import annotations

import re
import shutil

import nbformat
import pytest
from conftest import PROJECT_ROOT

from course_utils.harness import site
from course_utils.harness.notebooks import header

NOTEBOOKS = ["00_start_here.ipynb", "04_convolution_and_pooling.ipynb"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    for name in NOTEBOOKS:
        shutil.copy(PROJECT_ROOT / "notebooks" / name, root / name)
    pages = site.build(root, root / "out")
    return root, pages


def test_pages_and_navigation(built):
    root, pages = built
    assert [p.name for p in pages] == ["index.html", "00_start_here.html", "04_convolution_and_pooling.html"]
    first, second = (p.read_text() for p in pages[1:])
    assert 'href="index.html"' in first and 'href="04_convolution_and_pooling.html"' in first
    assert 'rel="prev"' not in first and 'href="00_start_here.html"' in second and 'rel="next"' not in second
    assert first.count('class="course-nav') == 2  # above and below the notebook


def test_nothing_is_fetched_from_the_network(built):
    _, pages = built
    for page in pages:
        text = page.read_text()
        loaded = re.findall(r"<(?:script|img|link|iframe|source)\b[^>]*\b(?:src|href)=\"([^\"]+)\"", text)
        assert all(not re.match(r"[a-z]+:", url) or url.startswith("data:") for url in loaded), (page.name, loaded)
        fetched = [url for url in loaded if not url.startswith("data:")]  # inline data (stored figures) loads nothing
        assert "@import" not in text and "cdn" not in " ".join(fetched), page.name


def test_landing_page_shows_the_course_map(built):
    root, pages = built
    index = pages[0].read_text()
    for name in NOTEBOOKS:
        assert header(root / name)["time on a CPU"] in index
    stem = "04_convolution_and_pooling"
    recorded = site.headline_results(nbformat.read(root / f"{stem}.ipynb", as_version=4), stem)
    for name, value in recorded.items():
        assert f"<code>{name}</code> = {site._format_value(value)}" in index


def test_formulas_use_the_sites_own_mathjax(built, tmp_path):
    root, pages = built
    page = pages[2].read_text()
    if site.mathjax_source() is None:
        pytest.skip("jupyter-server-mathjax is not installed (make setup installs it)")
    assert f'src="{site.MATHJAX}"' in page
    assert (root / "out" / site.STATIC / "mathjax" / "MathJax.js").is_file()
    plain = site.build(root, tmp_path / "plain", mathjax=False)
    assert "MathJax.js" not in plain[2].read_text() and not (tmp_path / "plain" / site.STATIC).exists()


def test_rebuild_removes_pages_of_notebooks_gone(built, tmp_path):
    root, _ = built
    out = tmp_path / "out"
    site.build(root, out, mathjax=False)
    (out / "keep.txt").write_text("not the site's")
    only = tmp_path / "one"
    only.mkdir()
    shutil.copy(root / NOTEBOOKS[0], only / NOTEBOOKS[0])
    site.build(only, out, mathjax=False)
    assert sorted(p.name for p in out.iterdir()) == ["00_start_here.html", "index.html", "keep.txt"]
