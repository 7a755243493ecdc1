"""explore(o) in a real browser: JupyterLab on localhost in headless Chromium; the static page.

Needs Debian's chromium and playwright; on CI (CI=true) a missing one fails instead of skipping.
The numbers the page shows are checked against backward(), finite differences and paths built
here, not against what explore computed.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autograd import Value
from autograd.explore import Scene, StaticExplorer
from autograd.summary import Graph
from tests.browser import ARGS, CHROMIUM

ROOT = Path(__file__).resolve().parent.parent

try:
    from playwright.sync_api import Page, sync_playwright
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:
    if os.environ.get("CI"):
        raise
    pytest.skip("playwright is not installed", allow_module_level=True)
if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: apt-get install chromium")
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)", allow_module_level=True)

NEURON = """\
from autograd import Value, explore
x1 = Value(2.0, label="x1"); x2 = Value(0.0, label="x2")
w1 = Value(-3.0, label="w1"); w2 = Value(1.0, label="w2")
b = Value(6.8813735870195432, label="b")
x1w1 = x1 * w1; x1w1.label = "x1w1"
x2w2 = x2 * w2; x2w2.label = "x2w2"
s = x1w1 + x2w2; s.label = "s"
n = s + b; n.label = "n"
e = (2 * n).exp(); e.label = "e"
o = (e - 1) / (e + 1); o.label = "o"
explore(o)
"""


def neuron() -> tuple[Value, dict[str, Value]]:
    """The notebook's graph built here too, for the oracle's numbers."""
    scope: dict[str, Any] = {}
    exec(NEURON.replace("explore(o)\n", ""), scope)  # the very code the notebook runs
    return scope["o"], {k: v for k, v in scope.items() if isinstance(v, Value)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A JupyterLab server on localhost with the notebook in its root; yields the notebook's URL."""
    root, state = tmp_path_factory.mktemp("lab"), tmp_path_factory.mktemp("lab-state")
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None}
    notebook = {
        "cells": [{**cell, "source": NEURON}],
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (root / "explore.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    token, port = secrets.token_hex(16), free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    log = (root / "lab.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}",
            "--ip=127.0.0.1", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
            "--allow-root", "--LabApp.news_url=None", f"--LabApp.workspaces_dir={state}",
            f"--LabApp.user_settings_dir={state}",  # not the user's ~/.jupyter
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("JupyterLab did not start") from None
                time.sleep(0.3)
        yield f"{base}/lab/tree/explore.ipynb?token={token}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def until(page: Page, condition: str, seconds: float = 60.0) -> None:
    """Wait until the page's JavaScript ``condition`` holds (page.wait_for_function hung here)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(condition):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the page never got to: {condition}")
        page.wait_for_timeout(100)


def shown(page: Page, key: str) -> float:
    """A number the panel shows, read from the page (its full value sits in data-value)."""
    return float(page.locator(f".fb-panel [data-key='{key}']").first.get_attribute("data-value"))


def grad_text(page: Page, node_id: str) -> str:
    """The grad cell of a box in the picture, as the page shows it."""
    return page.evaluate(
        """(id) => [...document.querySelectorAll('.fb-explore g.node')]
            .find((g) => g.querySelector('title').textContent === id)
            .querySelectorAll('text')[2].textContent""",
        node_id,
    )


def test_all_four_modes_in_jupyterlab(lab: str, browser: Any, tmp_path: Path) -> None:
    o, nodes = neuron()
    o.backward()
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    page.set_default_timeout(60_000)
    page.goto(lab)
    kernel = "document.querySelector('.jp-Notebook-ExecutionIndicator')?.dataset.status"
    until(page, f"{kernel} === 'idle'")
    prompt = "document.querySelector('.jp-CodeCell .jp-InputPrompt').textContent"
    for _ in range(6):  # a run asked for while the kernel still connects can be dropped: again
        if page.locator(".jp-Dialog").count():  # JupyterLab may ask for the kernel: the default
            page.locator(".jp-Dialog .jp-mod-accept").click()
        try:
            page.locator(".jp-CodeCell .jp-InputArea-editor").first.click(timeout=5_000)
            page.keyboard.press("Control+Enter")  # run the notebook's one cell
            until(page, f"!{prompt}.includes('[ ]')", seconds=10)
            break
        except (TimeoutError, PlaywrightTimeout):
            continue
    try:
        page.wait_for_selector(".fb-explore .fb-caption, .jp-RenderedText[data-mime-type*=error]")
    finally:  # what the page showed, to look at when it did not get there
        page.screenshot(path=str(tmp_path / "lab-after-run.png"))
    assert page.locator(".jp-RenderedText[data-mime-type*=error]").count() == 0, page.locator(
        ".jp-RenderedText[data-mime-type*=error]"
    ).first.inner_text()
    widget = page.locator(".fb-explore")

    # Step: through the whole backward pass; each caption is backward_steps' printout.
    steps = [repr(s) for s in Value.backward_steps(neuron()[0])]
    for k, step in enumerate(steps):
        widget.locator(".fb-next").click()
        caption = widget.locator(".fb-panel").inner_text()
        assert step.split(" | ")[0] in caption, (k, caption)
    ids = {name: f"n{i}" for i, name in enumerate(_drawn_order(o, nodes))}
    for name in ("x1", "w1", "x2", "w2", "b"):
        assert float(grad_text(page, ids[name]).split()[1]) == pytest.approx(
            nodes[name].grad, rel=1e-3
        )
    widget.locator(".fb-prev").click()  # and back: the last step's caption again
    assert steps[-2].split(" | ")[0] in widget.locator(".fb-panel").inner_text()

    # Nudge: w1 by h = 0.01, checked against the graph built again with w1 moved.
    widget.locator("button[data-mode=nudge]").click()
    widget.locator(".fb-leaf select").select_option(ids["w1"])
    widget.locator(".fb-h-text").fill("0.01")
    widget.locator(".fb-h-text").dispatch_event("change")
    until(page, "document.querySelector(\".fb-panel [data-key='h']\")?.dataset.value === '0.01'")
    moved = with_w1(-3.0 + 0.01)
    assert shown(page, "delta") == pytest.approx(moved.data - o.data, rel=1e-9)
    assert shown(page, "linear") == pytest.approx(nodes["w1"].grad * 0.01, rel=1e-12)
    assert shown(page, "grad") == pytest.approx(nodes["w1"].grad, rel=1e-12)

    # Paths: x2 reaches o along two paths (e feeds both e - 1 and e + 1); they sum to x2.grad.
    widget.locator("button[data-mode=paths]").click()
    widget.locator(".fb-leaf select").select_option(ids["x2"])
    page.wait_for_selector(".fb-panel tr[data-path='0']")
    rows = widget.locator(".fb-panel [data-key='product']")
    assert rows.count() == 2
    products = [float(rows.nth(k).get_attribute("data-value")) for k in range(2)]
    assert sum(products) == pytest.approx(nodes["x2"].grad, rel=1e-12)
    assert shown(page, "path-sum") == pytest.approx(nodes["x2"].grad, rel=1e-12)
    widget.locator(".fb-panel tr[data-path='0']").click()
    assert page.locator(".fb-explore g.fb-path-one").count() > 0

    # Forward mode: b's tangent reaches o equal to b's grad.
    widget.locator("button[data-mode=forward]").click()
    widget.locator(".fb-leaf select").select_option(ids["b"])
    until(page, "document.querySelector('.fb-caption')?.textContent.startsWith('forward step 1 ')")
    total = int(widget.locator(".fb-count").inner_text().split(" of ")[1])
    for _ in range(total - 1):
        widget.locator(".fb-next").click()
    assert shown(page, "out-tangent") == pytest.approx(nodes["b"].grad, rel=1e-12)
    assert "reverse mode" in widget.locator(".fb-costs").inner_text()
    widget.screenshot(path=str(tmp_path / "explore-lab.png"))
    page.close()


def with_w1(w1: float) -> Value:
    """The notebook's neuron built afresh with another w1: the oracle for a nudge."""
    scope: dict[str, Any] = {}
    source = NEURON.replace("explore(o)\n", "").replace("Value(-3.0,", f"Value({w1!r},")
    exec(source, scope)
    return scope["o"]


def _drawn_order(o: Value, nodes: dict[str, Value]) -> list[str]:
    """The names of the drawn nodes in topological order: the picture's n0, n1, ..."""
    by_node = {v: k for k, v in nodes.items()}
    return [by_node.get(n, "?") for n in Graph.of(o, None).nodes]


def test_the_static_page_steps_and_says_what_it_lacks(browser: Any, tmp_path: Path) -> None:
    x = Value(3.0, label="x")
    y = (x * x + x).tanh()
    y.label = "y"
    path = StaticExplorer(Scene.of(y, max_nodes=200, max_steps=300, max_paths=100)).save(
        tmp_path / "explore.html"
    )
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_selector(".fb-panel .fb-caption")
    for _ in range(4):
        page.click(".fb-next")
    y.backward()
    ids = {x: "n0"}
    assert float(grad_text(page, ids[x]).split()[1]) == pytest.approx(x.grad, rel=1e-3)
    page.click("button[data-mode=paths]")
    assert page.locator(".fb-panel tr[data-path]").count() == 3  # x*x gives two, +x one
    assert shown(page, "path-sum") == pytest.approx(x.grad, rel=1e-12)
    page.click("button[data-mode=nudge]")
    assert "no Python kernel" in page.locator(".fb-panel").inner_text()
    assert "static page" in page.locator(".fb-note").inner_text()
    page.screenshot(path=str(tmp_path / "explore-static.png"))
    assert errors == []
    page.close()
