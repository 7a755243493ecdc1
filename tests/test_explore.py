"""explore(o) without a browser: its views, checked against backward() and graphs built again."""

from __future__ import annotations

import ast
import json
import math
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from autograd import Value, explore, topological_order
from autograd.explore import Scene, StaticExplorer, static_html
from autograd.widget import Explorer


def neuron(w1: float = -3.0) -> tuple[Value, dict[str, Value]]:
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1_, w2 = Value(w1, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1_ + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, {"x1": x1, "x2": x2, "w1": w1_, "w2": w2, "b": b, "n": n}


def scene_of(o: Value, **limits: int) -> Scene:
    settings = {"max_nodes": 200, "max_steps": 300, "max_paths": 100, **limits}
    return Scene.of(o, **settings)


def value_of(panel: str, key: str) -> float:
    """A number a panel shows, by its key (the page reads the same data-value)."""
    found = re.search(rf'data-key="{key}" data-value="([^"]+)"', panel)
    assert found, f"no {key} in {panel}"
    return float(found.group(1))


def test_looking_changes_no_data_and_no_grad() -> None:
    o, _ = neuron()
    o.backward()
    before = [(n.data, n.grad) for n in topological_order(o)]
    scene = scene_of(o)
    for leaf in scene.leaves:
        for mode in ("paths", "forward", "nudge"):
            scene.answer({"mode": mode, "leaf": scene.ids[leaf], "h": 0.01})
    static_html(scene)
    assert [(n.data, n.grad) for n in topological_order(o)] == before


def test_a_fresh_graph_keeps_its_zero_grads() -> None:
    o, _ = neuron()
    scene_of(o)
    assert all(n.grad == 0.0 for n in topological_order(o))


def test_each_step_caption_is_backward_steps_printout() -> None:
    o, _ = neuron()
    scene = scene_of(o)
    printed = [repr(step).split(" | ") for step in neuron()[0].backward_steps()]
    assert len(scene.steps) == len(printed) + 1  # a view before the first step
    for view, lines in zip(scene.steps[1:], printed, strict=True):
        assert lines[0] in view["panel"]
        for line in lines[1:]:
            assert line.replace("'", "&#x27;") in view["panel"]


def test_the_grads_fill_in_as_backward_gives_them() -> None:
    o, nodes = neuron()
    scene = scene_of(o)
    shown: dict[str, str] = {}
    for view in scene.steps:
        shown.update({i: cells["grad"] for i, cells in view["cells"].items()})
    o.backward()
    for name in ("x1", "x2", "w1", "w2", "b", "n"):
        text = shown[scene.ids[nodes[name]]]
        assert float(text.split()[1]) == pytest.approx(nodes[name].grad, rel=1e-3)


def test_a_fork_shows_its_first_part_as_waiting_for_more() -> None:
    x = Value(3.0, label="x")
    y = x.tanh() + x.exp()
    scene = scene_of(y)
    texts = [v["cells"].get(scene.ids[x], {}).get("grad", "") for v in scene.steps]
    assert any(t.endswith("+ …") for t in texts)  # one consumer has sent, the other not yet
    y.backward()
    assert float(next(t for t in reversed(texts) if t).split()[1]) == pytest.approx(x.grad, 1e-3)


def test_the_paths_sum_to_the_leafs_grad() -> None:
    x = Value(0.8, label="x")
    y = (x * x + x).tanh()
    scene = scene_of(y)
    answer = scene.answer({"mode": "paths", "leaf": scene.ids[x]})
    y.backward()
    assert value_of(answer["view"]["panel"], "path-sum") == pytest.approx(x.grad, rel=1e-12)
    assert len(answer["paths"]) == 3
    assert answer["view"]["panel"].count("data-path=") == 3
    assert "x → v1 → v2 → o: " in answer["view"]["panel"]  # named as backward_steps names them


def test_too_many_paths_are_counted_and_said_so() -> None:
    x = Value(0.9, label="x")
    y = x
    for _ in range(10):
        y = y * y
    scene = scene_of(y, max_paths=50)
    panel = scene.answer({"mode": "paths", "leaf": scene.ids[x]})["view"]["panel"]
    assert "1,024 paths" in panel
    assert "too many to list" in panel
    y.backward()
    assert value_of(panel, "path-sum") == pytest.approx(x.grad, rel=1e-12)


def test_a_nudge_matches_the_graph_built_again_and_finite_differences() -> None:
    o, nodes = neuron()
    scene = scene_of(o)
    h = 1e-3
    panel = scene.answer({"mode": "nudge", "leaf": scene.ids[nodes["w1"]], "h": h})["view"]
    moved = neuron(w1=-3.0 + h)[0]
    assert value_of(panel["panel"], "delta") == moved.data - o.data
    central = (neuron(w1=-3.0 + 1e-6)[0].data - neuron(w1=-3.0 - 1e-6)[0].data) / 2e-6
    assert value_of(panel["panel"], "grad") == pytest.approx(central, rel=1e-7)
    assert value_of(panel["panel"], "numerical") == pytest.approx(central, rel=1e-2)
    assert scene.ids[o] in panel["marks"]["nudged"]  # the output's box shows its new data
    assert panel["cells"][scene.ids[o]]["data"] == f"data {moved.data:.4g}"


def test_a_bad_h_is_answered_with_the_reason() -> None:
    o, nodes = neuron()
    scene = scene_of(o)
    view = scene.answer({"mode": "nudge", "leaf": scene.ids[nodes["b"]], "h": 0})["view"]
    assert "other than 0" in view["panel"]


def test_forward_mode_ends_with_the_leafs_grad_and_the_costs() -> None:
    o, nodes = neuron()
    scene = scene_of(o)
    views = scene.answer({"mode": "forward", "leaf": scene.ids[nodes["x1"]]})["views"]
    o.backward()
    assert value_of(views[-1]["panel"], "out-tangent") == pytest.approx(nodes["x1"].grad, 1e-14)
    # x1 moves x1*w1, the two sums and tanh: 2 + 2 + 2 + 1 local derivatives
    assert "This pass, for x1: 7" in views[-1]["panel"]
    assert "one pass from the output gives all 5 grads: 9 local derivatives" in views[-1]["panel"]


def test_a_micrograd_closure_is_explored_but_cannot_be_nudged() -> None:
    x = Value(0.5, label="x")
    out = Value(math.exp(0.5), (x,), "exp")

    def _backward() -> None:
        x.grad += out.data * out.grad

    out._backward = _backward
    y = out * x
    scene = scene_of(y)
    answer = scene.answer({"mode": "paths", "leaf": scene.ids[x]})
    assert value_of(answer["view"]["panel"], "path-sum") == pytest.approx(
        math.exp(0.5) * 0.5 + math.exp(0.5), rel=1e-15
    )
    nudged = scene.answer({"mode": "nudge", "leaf": scene.ids[x], "h": 0.1})["view"]["panel"]
    assert "forward maths is not known" in nudged


def test_a_big_graph_is_drawn_as_a_summary_and_its_steps_capped() -> None:
    xs = [Value(float(i), label=f"x{i}") for i in range(150)]
    total = xs[0]
    for x in xs[1:]:
        total = total + x * x
    scene = scene_of(total.tanh(), max_nodes=50, max_steps=40)
    assert len(scene.drawn) < len(scene.graph.nodes)
    assert len(scene.steps) == 41
    assert "summary" in scene.note()
    assert "first 40 of" in scene.note()


def test_an_unknown_pick_is_refused_by_name() -> None:
    o, _ = neuron()
    answer = scene_of(o).answer({"mode": "paths", "leaf": "n999"})
    assert "cannot show &#x27;paths&#x27; for &#x27;n999&#x27;" in answer["view"]["panel"]


def test_explore_gives_a_widget_with_the_static_page_beside_it() -> None:
    o, _ = neuron()
    widget = explore(o)
    assert isinstance(widget, Explorer)
    data, _ = widget._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    assert "no Python kernel" in data["text/html"]
    widget.pick = {"mode": "paths", "leaf": widget.scene["leaves"][0]["id"], "n": 1}
    assert widget.answer["pick"]["n"] == 1
    assert "sum of the products" in widget.answer["view"]["panel"]
    assert "widget" in repr(widget)


def test_the_static_page_is_self_contained(tmp_path: Path) -> None:
    o, _ = neuron()
    o.label = "</script>"  # user text must not end the page's script early
    path = StaticExplorer(scene_of(o)).save(tmp_path / "o.html")
    page = path.read_text(encoding="utf-8")
    assert page.count("</script>") == 1
    assert "http" not in re.sub(r'xmlns(:xlink)?="[^"]+"|"http://www.w3.org[^"]*"', "", page)
    data = re.search(r"const data = (\{.*?\});\n", page, re.S)
    assert data is not None
    assert json.loads(data.group(1).replace("<\\/", "</"))["leaves"]


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"output": 1.0}, TypeError, "output must be a Value, got float"),
        ({"max_nodes": 0}, ValueError, "max_nodes must be a positive whole number"),
        ({"max_steps": "10"}, ValueError, "max_steps must be a positive whole number"),
    ],
)
def test_bad_arguments_are_named(kwargs: dict[str, object], error: type, words: str) -> None:
    arguments: dict[str, object] = {"output": neuron()[0], **kwargs}
    with pytest.raises(error, match=words):
        explore(**arguments)  # type: ignore[arg-type]


def test_the_docs_notebook_runs_without_an_error() -> None:
    root = Path(__file__).resolve().parent.parent
    notebook = nbformat.read(root / "docs" / "explore.ipynb", as_version=4)
    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(root)}}
    )
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    widgets = [
        o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert len(widgets) == 2  # the neuron and the MLP
    (agrees,) = [c for c in notebook.cells if c.source.startswith("o.backward()")]
    grads = ast.literal_eval(agrees.outputs[0]["data"]["text/plain"])
    slope = 1 - math.tanh(2.0 * -3.0 + 0.0 * 1.0 + 6.8813735870195432) ** 2  # tanh' at n
    assert grads == pytest.approx((1.0 * slope, 2.0 * slope, -3.0 * slope), rel=1e-12)
