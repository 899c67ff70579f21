"""The course in a real browser: chromium, driven with Playwright's Python API.

- JupyterLab, started the way a learner starts it (no ``COURSE_HEADLESS``; ``COURSE_FAST=1`` to keep
  it short) on a copy of ``notebooks/``: notebooks 00 and 04 open on the course's kernel, run to the
  end from the command palette without an error, and 04's convolution explorer (ipywidgets) redraws
  when its kernel-size slider moves.
- The static site (``make site``): every page loads, every image loads, every internal link leads to
  a page that exists, and no request leaves localhost.

Screenshots go to ``build/screenshots/``. The browser is the system's chromium (``CHROMIUM`` names
another); Playwright's own browser download is not needed. Without either the tests skip, except
under ``CI=true``, where they fail.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from conftest import PROJECT_ROOT
from conftest import LocalServer as _LocalServer

from course_utils.harness import site
from course_utils.harness.notebooks import KERNELSPEC

pytestmark = pytest.mark.browser

SCREENSHOTS = PROJECT_ROOT / "build" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOW_TO_ENABLE = (
    "browser tests need Playwright (`make setup` installs it) and chromium (`apt-get install chromium`, "
    "or CHROMIUM=/path/to/chrome)"
)
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
STDERR = '.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]'
ERROR = '[data-mime-type="application/vnd.jupyter.error"]'


def _chromium() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    executable = _chromium()
    if sync_playwright is None or executable is None:
        missing = "Playwright is not installed" if sync_playwright is None else "no chromium found"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{missing}: {HOW_TO_ENABLE}")
        pytest.skip(f"{missing}: {HOW_TO_ENABLE}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# --- JupyterLab ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _settings(folder: Path) -> None:
    """JupyterLab user settings: every cell in the page (no windowing), no news or update checks."""
    values = {
        "notebook-extension/tracker": {"windowingMode": "none"},
        "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    }
    for name, value in values.items():
        path = folder / "@jupyterlab" / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))


def _api(lab: SimpleNamespace, path: str, method: str = "GET") -> object:
    request = urllib.request.Request(f"{lab.url}/api/{path}", method=method)
    request.add_header("Authorization", f"token {lab.token}")
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
    return json.loads(body) if body else None


@pytest.fixture(scope="module")
def lab(tmp_path_factory, browser):
    """``jupyter lab`` from the course's environment on a temporary copy of ``notebooks/``."""
    root = tmp_path_factory.mktemp("lab")
    notebooks = root / "notebooks"
    shutil.copytree(PROJECT_ROOT / "notebooks", notebooks, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for path in notebooks.glob("*.ipynb"):  # without the stored outputs, so every count on the page is this run's
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        nbformat.write(nb, path)
    _settings(root / "settings")
    (root / "config").mkdir()
    (root / "config" / "jupyter_lab_config.json").write_text(
        json.dumps(
            {
                "LabApp": {
                    "news_url": None,
                    "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
                    "extension_manager": "readonly",
                }
            }
        )
    )
    env = {name: value for name, value in os.environ.items() if name != "COURSE_HEADLESS"}  # a person is looking
    env.update(COURSE_FAST="1", JUPYTER_CONFIG_DIR=str(root / "config"), JUPYTER_RUNTIME_DIR=str(root / "runtime"))
    port, token = _free_port(), os.urandom(16).hex()
    jupyter = Path(sys.executable).with_name("jupyter")
    command = [str(jupyter), "lab"] if jupyter.exists() else [sys.executable, "-m", "jupyterlab"]
    command += [
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={notebooks}",
        f"--LabApp.user_settings_dir={root / 'settings'}",
        f"--LabApp.workspaces_dir={root / 'workspaces'}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log_path = root / "jupyter-lab.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    lab = SimpleNamespace(url=f"http://127.0.0.1:{port}", token=token, notebooks=notebooks, log=log_path)
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                pytest.fail(f"jupyter lab exited ({process.returncode}):\n{log_path.read_text()[-3000:]}")
            try:
                _api(lab, "status")
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"jupyter lab did not answer within 120 s:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.5)
        yield lab
    finally:
        process.send_signal(signal.SIGTERM)  # lab shuts its kernels down
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _run_all(page, timeout_s: float) -> list[str]:
    """Run every cell from the command palette; wait for the kernel to go idle. Returns the prompts."""
    page.locator(".jp-NotebookPanel .jp-Cell").first.click()  # the notebook has the focus
    page.keyboard.press("Control+Shift+c")
    page.locator(".lm-CommandPalette-input").fill("Run All Cells")
    label = page.locator(".lm-CommandPalette-item:visible .lm-CommandPalette-itemLabel")
    label.filter(has_text=re.compile(r"^Run All Cells$")).first.click()
    prompts = page.locator(".jp-NotebookPanel .jp-CodeCell .jp-InputPrompt")
    indicator = page.locator(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator").first
    deadline = time.monotonic() + timeout_s
    quiet = 0  # consecutive polls with nothing queued or running and the kernel idle
    while time.monotonic() < deadline and quiet < 2:
        texts = [t.strip() for t in prompts.all_inner_texts()]
        idle = indicator.get_attribute("data-status") == "idle"
        quiet = quiet + 1 if idle and "[*]:" not in texts else 0
        time.sleep(1)
    return [t.strip() for t in prompts.all_inner_texts()]


def _saved(page, path: Path, timeout_s: float = 30) -> nbformat.NotebookNode:
    """Save the notebook from JupyterLab (Ctrl+S) and read it back once the file has the run's counts."""
    before = path.stat().st_mtime_ns
    page.locator(".jp-NotebookPanel .jp-Cell").first.click()
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + timeout_s
    while path.stat().st_mtime_ns == before and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(0.5)
    return nbformat.read(path, as_version=4)


def _explorer_image(page) -> str:
    image = page.locator(".widget-interact .widget-output img").first
    image.wait_for(timeout=30_000)
    return image.get_attribute("src") or ""


@pytest.mark.notebooks
@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", ["00_start_here", "04_convolution_and_pooling"])
def test_notebook_runs_in_jupyterlab(browser, lab, name):
    code_cells = sum(c.cell_type == "code" for c in nbformat.read(lab.notebooks / f"{name}.ipynb", 4).cells)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        page.goto(f"{lab.url}/lab/tree/{name}.ipynb?reset&token={lab.token}")
        page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=90_000)
        kernel = page.locator(".jp-NotebookPanel .jp-Toolbar-kernelName").first
        kernel.filter(has_text=KERNELSPEC["display_name"]).wait_for(timeout=60_000)
        assert kernel.inner_text().strip() == KERNELSPEC["display_name"]
        page.locator('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status="idle"]').wait_for(timeout=90_000)

        started = time.monotonic()
        prompts = _run_all(page, timeout_s=180)
        page.screenshot(path=SCREENSHOTS / f"lab_{name}.png")
        seconds = time.monotonic() - started

        tracebacks = [t for t in page.locator(STDERR).all_inner_texts() if "Traceback" in t]
        assert page.locator(ERROR).count() == 0 and not tracebacks, f"{name}: error output\n{''.join(tracebacks)}"
        assert len(prompts) == code_cells, f"{name}: {len(prompts)} code cells on the page, {code_cells} in the file"
        unexecuted = [i for i, t in enumerate(prompts) if not re.fullmatch(r"\[\d+\]:", t)]
        assert not unexecuted, f"{name}: code cells {unexecuted} did not run ({seconds:.0f} s): {prompts}"
        saved = [c for c in _saved(page, lab.notebooks / f"{name}.ipynb").cells if c.cell_type == "code"]
        assert all(c.execution_count for c in saved), f"{name}: the saved notebook has cells without a count"
        errors = [o for c in saved for o in c.outputs if o.output_type == "error"]
        assert not errors, f"{name}: error outputs in the saved notebook: {[(o.ename, o.evalue) for o in errors]}"

        if name == "04_convolution_and_pooling":
            before = _explorer_image(page)
            slider = page.locator(".widget-interact .widget-hslider").filter(has_text="kernel").first
            slider.scroll_into_view_if_needed()
            handle = slider.locator(".noUi-handle")
            assert handle.get_attribute("aria-valuenow") in ("5", "5.0")
            handle.focus()
            for _ in range(4):
                page.keyboard.press("ArrowRight")
            assert slider.locator(".widget-readout").inner_text().strip() == "9"
            deadline = time.monotonic() + 60
            while _explorer_image(page) == before and time.monotonic() < deadline:
                time.sleep(0.5)
            assert _explorer_image(page) != before, "moving the kernel slider did not redraw the explorer"
            page.locator(".widget-interact").first.scroll_into_view_if_needed()
            page.wait_for_timeout(500)
            page.screenshot(path=SCREENSHOTS / f"lab_{name}_explorer.png")
            assert page.locator(ERROR).count() == 0
    finally:
        context.close()
        for session in _api(lab, "sessions"):  # free the kernel's memory for the next notebook
            _api(lab, f"sessions/{session['id']}", method="DELETE")


# --- the static site ---------------------------------------------------------------------------


class LocalServer(_LocalServer):
    """The tests' local HTTP server, with room for a page's burst of requests (MathJax loads ~20 files)."""

    def __init__(self, root: Path):
        super().__init__(root)
        self.httpd.socket.listen(128)


def _is_local(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme in ("data", "blob", "about", "file") or parts.hostname in LOCAL_HOSTS


def _check_site(browser, root: Path, shots: str | None = None) -> dict[str, int]:
    """Open every page of the site in ``root``; returns, per page, how many images it shows."""
    pages = sorted(p.name for p in root.glob("*.html"))
    assert "index.html" in pages
    outside: list[str] = []
    images_per_page = {}
    with LocalServer(root) as server:
        context = browser.new_context(viewport={"width": 1300, "height": 1000})

        def route(request_route):
            if _is_local(request_route.request.url):
                request_route.continue_()
            else:
                outside.append(request_route.request.url)
                request_route.abort()

        context.route("**/*", route)
        page = context.new_page()
        failed: list[str] = []

        def request_failed(request):  # a load cut short by the next page (ERR_ABORTED) is not a failure
            if request.url.startswith("http") and "ERR_ABORTED" not in (request.failure or ""):
                failed.append(f"{request.url} ({request.failure})")

        page.on("requestfailed", request_failed)
        page.on(
            "response", lambda response: response.status >= 400 and failed.append(f"{response.url} ({response.status})")
        )
        for name in pages:
            response = page.goto(server.url + name, wait_until="load")
            assert response is not None and response.ok, f"{name}: {response and response.status}"
            page.wait_for_load_state("networkidle")
            images = page.evaluate(
                "Array.from(document.images).map(i => ({src: i.src.slice(0, 80), ok: i.naturalWidth > 0}))"
            )
            broken = [i["src"] for i in images if not i["ok"]]
            assert not broken, f"{name}: images that did not load: {broken}"
            images_per_page[name] = len(images)
            links = page.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
            for link in links:
                parts = urllib.parse.urlsplit(link)
                if not link.startswith(server.url):
                    continue  # links out of the site (references) are the reader's to follow
                target = root / urllib.parse.unquote(parts.path.removeprefix("/"))
                assert target.is_file(), f"{name}: link to {link}, which is not in the site"
            if name != "index.html":
                nav = page.locator("nav.course-nav.top")
                assert nav.locator("a.home").get_attribute("href") == "index.html", name
                assert nav.locator(".prev").count() == 1 and nav.locator(".next").count() == 1, name
            if shots and name in ("index.html", "04_convolution_and_pooling.html"):
                page.screenshot(path=SCREENSHOTS / f"{shots}_{name.removesuffix('.html')}.png")
        context.close()
    assert not outside, f"requests that left localhost: {outside}"
    assert not failed, f"requests that failed: {failed}"
    return images_per_page


@pytest.mark.timeout(300)
def test_site_works_offline(browser, tmp_path):
    out = tmp_path / "site"
    pages = site.build(out=out)
    assert [p.name for p in pages[1:]] == [p.with_suffix(".html").name for p in site.notebook_paths()]
    _check_site(browser, out, shots="site")

    # the landing page links every notebook, in order; each page links its neighbours
    index = (out / "index.html").read_text()
    linked = re.findall(r'<td><a href="([^"]+)">', index)
    assert linked == [p.name for p in pages[1:]]
    for previous, page, following in zip([None, *pages[1:-1]], pages[1:], [*pages[2:], None], strict=True):
        text = page.read_text()
        assert ('rel="prev"' in text) == (previous is not None)
        assert previous is None or f'href="{previous.name}"' in text
        assert following is None or f'href="{following.name}"' in text

    # the formulas are typeset by the site's own MathJax, served or opened from disk
    if site.mathjax_source() is not None:
        context = browser.new_context(viewport={"width": 1300, "height": 1000})
        requests: list[str] = []
        context.on("request", lambda request: requests.append(request.url))
        page = context.new_page()
        with LocalServer(out) as server:
            for url in (
                server.url + "04_convolution_and_pooling.html",
                (out / "04_convolution_and_pooling.html").as_uri(),
            ):
                page.goto(url, wait_until="load")
                page.wait_for_function("window.MathJax && MathJax.isReady", timeout=60_000)
                page.evaluate("MathJax.Hub.Queue(() => { window.typesetDone = true; })")  # after the typesetting
                page.wait_for_function("window.typesetDone === true", timeout=60_000)
                assert page.locator(".MathJax").count() > 0, f"{url}: no formula was typeset"
                assert "Math Processing Error" not in page.inner_text("body"), url
            page.screenshot(path=SCREENSHOTS / "site_04_formulas.png")
        context.close()
        outside = [url for url in requests if not _is_local(url)]
        assert not outside, f"requests that left localhost: {outside}"


def test_site_images_load(browser, tmp_path):
    """A notebook with images (an output and a markdown attachment): the site shows them, from the page itself."""
    import base64
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(buffer, format="PNG")
    png = base64.b64encode(buffer.getvalue()).decode()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    title = nbformat.v4.new_markdown_cell(
        "# 00 · Pictures\n\n**Time on a CPU:** about 1 s\n\n![red](attachment:red.png)"
    )
    title.attachments = {"red.png": {"image/png": png}}
    code = nbformat.v4.new_code_cell("picture()", execution_count=1)
    code.outputs = [nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "<picture>"})]
    nb.cells = [title, code]
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nbformat.write(nb, notebooks / "00_pictures.ipynb")
    nbformat.write(nb, notebooks / "01_more_pictures.ipynb")
    site.build(notebooks, tmp_path / "site", mathjax=False)
    images = _check_site(browser, tmp_path / "site")
    assert images["00_pictures.html"] == 2 and images["01_more_pictures.html"] == 2, images
