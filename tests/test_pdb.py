"""A scripted pdb session: breakpoints on backward rules show their names in the stack."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import mpmath

NEURON = """\
from autograd import Value

x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
b = Value(6.8813735870195432, label="b")
n = x1 * w1 + x2 * w2 + b
n.label = "n"
o = n.tanh()
o.label = "o"
o.backward()
"""

# The order backward() visits the neuron's ops: tanh, then the two sums, then the products.
EXPECTED_RULES = ["tanh_backward", "add_backward", "add_backward", "mul_backward", "mul_backward"]


def run_pdb(tmp_path: Path, commands: list[str]) -> str:
    script = tmp_path / "neuron.py"
    script.write_text(NEURON)
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}
    result = subprocess.run(
        [sys.executable, "-m", "pdb", str(script)],
        input="\n".join(commands) + "\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=False,
    )
    return result.stdout


def test_each_rule_shows_by_name_in_the_stack_under_backward(tmp_path: Path) -> None:
    commands = ["import autograd.ops"]
    commands += [
        f"b autograd.ops.{rule}" for rule in ("tanh_backward", "add_backward", "mul_backward")
    ]
    commands += ["c", "where"] * len(EXPECTED_RULES) + ["q"]
    output = run_pdb(tmp_path, commands)
    # `where` marks the current frame with a leading "> ": one per stop.
    current = re.findall(r"^> .*ops\.py\(\d+\)(\w+)\(\)$", output, flags=re.MULTILINE)
    assert current == EXPECTED_RULES
    stacks = output.split("(Pdb) ")
    wheres = [s for s in stacks if "backward.py" in s and "ops.py" in s]
    assert len(wheres) == len(EXPECTED_RULES)
    for rule, stack in zip(EXPECTED_RULES, wheres, strict=True):
        assert re.search(r"backward\.py\(\d+\)backward\(\)", stack)
        assert re.search(r"backward\.py\(\d+\)propagate\(\)", stack)
        assert f"){rule}()" in stack


def test_the_rule_frame_shows_the_node_and_its_gradient(tmp_path: Path) -> None:
    output = run_pdb(
        tmp_path, ["import autograd.ops", "b autograd.ops.tanh_backward", "c", "p out", "q"]
    )
    # tanh(0.8813...) = 1/sqrt(2), correctly rounded (glibc's tanh is an ulp off here; ours is not)
    o = float(mpmath.tanh(2.0 * -3.0 + 0.0 * 1.0 + 6.8813735870195432))
    assert f"Value(data={o!r}, grad=1.0, label='o', op='tanh')" in output


def test_the_readmes_pdb_command_stops_in_tanh_backward_as_typed(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    (command,) = re.findall(r"^python -m pdb .* script\.py$", readme, flags=re.MULTILINE)
    script = tmp_path / "script.py"
    script.write_text(NEURON)
    words = shlex.split(command)
    assert words[:3] == ["python", "-m", "pdb"]
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, *words[1:]],
        input="where\nq\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(root)},
        timeout=60,
        check=False,
    )
    assert "not found" not in result.stdout
    assert re.search(r"^> .*ops\.py\(\d+\)tanh_backward\(\)$", result.stdout, flags=re.MULTILINE)
    assert re.search(r"backward\.py\(\d+\)propagate\(\)", result.stdout)
