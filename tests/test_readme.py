"""The Python blocks of the README and docs run top to bottom in one process; `>>>` are doctests."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ["README.md", "docs/debugging.md"]  # pages whose examples build on each other

# Runs in the fresh process: every ```python block in order, in one namespace, as a reader
# pasting them into one session would. A block starting with >>> is a doctest session.
RUNNER = r"""
import doctest
import re
import sys

path, page = sys.argv[1:]
text = open(path, encoding="utf-8").read()
namespace = {"__name__": "__main__"}
for match in re.finditer(r"^```python\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE):
    block, line = match.group(1), text.count("\n", 0, match.start()) + 2
    name = f"{page}, the block at line {line}"
    print(f"--- {name}", flush=True)
    if block.lstrip().startswith(">>>"):
        test = doctest.DocTestParser().get_doctest(block, namespace, name, page, line - 1)
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
        runner.run(test, clear_globs=False)
        if runner.failures:
            sys.exit(f"{name}: {runner.failures} example(s) failed")
    else:
        exec(compile(block, name, "exec"), namespace)
print("--- all blocks ran", flush=True)
"""


def python_blocks(page: str) -> list[str]:
    text = (ROOT / page).read_text()
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE)


def test_the_readme_has_python_blocks_and_doctest_sessions() -> None:
    blocks = python_blocks("README.md")
    assert len(blocks) >= 4
    assert any(b.lstrip().startswith(">>>") for b in blocks)


@pytest.mark.parametrize("page", DOCS)
def test_the_page_runs_top_to_bottom_in_one_fresh_process(page: str, tmp_path: Path) -> None:
    runner = tmp_path / "run_readme.py"
    runner.write_text(RUNNER)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TQDM_DISABLE": "1"}  # fit's bar: not read
    result = subprocess.run(
        [sys.executable, str(runner), str(ROOT / page), page],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # files the page writes (moons.json, frames/, neuron.png) land here
        env=env,
        timeout=600,
        check=False,
    )
    report = f"{result.stdout[-6000:]}\n--- stderr:\n{result.stderr[-2000:]}"
    assert result.returncode == 0, report
    assert result.stdout.count(f"--- {page}, the block") == len(python_blocks(page)), report
    assert "--- all blocks ran" in result.stdout, report
