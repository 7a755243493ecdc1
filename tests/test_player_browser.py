"""The backward player in a real browser (Debian's chromium): buttons, keys, slider, one screen."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import sync_playwright

from autograd import render_backward
from tests.browser import ARGS, CHROMIUM
from tests.test_draw import neuron

WINDOW = {"width": 1000, "height": 480}  # a laptop window, smaller than a frame


@pytest.fixture(scope="module")
def frames(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    v = neuron()
    return render_backward(v["o"], tmp_path_factory.mktemp("player"))


@pytest.fixture
def page(frames: list[Path]) -> Iterator[Any]:
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport=WINDOW)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((frames[0].parent / "backward.html").as_uri())
        yield page
        browser.close()
    assert errors == []


def shown(page: Any, frames: list[Path]) -> int:
    """Which frame the page shows (1-based), checked against its counter and its slider."""
    src = page.get_attribute("#frame", "src")
    index = [f.read_bytes() for f in frames].index(_decoded(src)) + 1
    assert page.text_content("#count") == f"step {index} of {len(frames)}"
    assert page.input_value("#slider") == str(index - 1)
    return index


def _decoded(src: str) -> bytes:
    return base64.b64decode(src.split(",", 1)[1])


def test_buttons_step_forward_and_back(page: Any, frames: list[Path]) -> None:
    assert shown(page, frames) == 1
    page.click("#next")
    page.click("#next")
    assert shown(page, frames) == 3
    page.click("#prev")
    assert shown(page, frames) == 2
    page.click("#prev")
    page.click("#prev")  # past the first frame: stays there
    assert shown(page, frames) == 1


def test_arrow_keys_step_once_per_press(page: Any, frames: list[Path]) -> None:
    page.keyboard.press("ArrowRight")
    assert shown(page, frames) == 2
    page.focus("#slider")  # a focused slider steps itself: the page must not step again
    page.keyboard.press("ArrowRight")
    assert shown(page, frames) == 3
    page.keyboard.press("ArrowLeft")
    assert shown(page, frames) == 2
    page.click("#next")  # a focused button: the page's keys
    page.keyboard.press("ArrowRight")
    assert shown(page, frames) == 4


def test_the_slider_shows_the_frame_it_is_set_to(page: Any, frames: list[Path]) -> None:
    page.fill("#slider", "6")
    assert shown(page, frames) == 7
    page.fill("#slider", str(len(frames) - 1))
    assert shown(page, frames) == len(frames)


def test_the_frame_fits_the_window(page: Any, frames: list[Path]) -> None:
    box = page.locator("#frame").bounding_box()
    natural = page.evaluate("[frame.naturalWidth, frame.naturalHeight]")
    assert natural[0] > WINDOW["width"]  # the frame is larger than the window...
    drawn = page.evaluate(
        "(() => { const r = frame.naturalWidth / frame.naturalHeight;"
        " const w = Math.min(frame.clientWidth, frame.clientHeight * r); return [w, w / r]; })()"
    )
    assert box["y"] + drawn[1] <= WINDOW["height"]  # ...and shown whole, caption included
    assert box["x"] + drawn[0] <= WINDOW["width"]
    scroll = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    assert scroll == [WINDOW["width"], WINDOW["height"]]  # nothing to scroll to
