"""Debian's chromium for the browser tests, started the one way that works on our machines.

playwright's own browser download does not work here, so every test drives /usr/bin/chromium
through ``executable_path``; without the background-networking flags chromium keeps dialling
out of a machine with no network.
"""

from __future__ import annotations

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
