"""Drawing: DOT text of the neuron graph, gradient colours and widths, summaries, missing dot."""

from __future__ import annotations

import itertools
import random
import re
import time

import pytest

import autograd
from autograd import Value, backward_steps, named_scope, record_scopes, topological_order
from autograd import names as names_module
from autograd.draw import draw_dot, number
from tests.oracle import import_torch

torch = import_torch()

# The micrograd lecture's neuron: o = tanh(x1*w1 + x2*w2 + b), b chosen so that n = 0.8814.
NEURON = {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432}


def neuron() -> dict[str, Value]:
    """The neuron's Values by label."""
    v = {name: Value(data, label=name) for name, data in NEURON.items()}
    v["x1*w1"] = v["x1"] * v["w1"]
    v["x2*w2"] = v["x2"] * v["w2"]
    v["x1*w1 + x2*w2"] = v["x1*w1"] + v["x2*w2"]
    v["n"] = v["x1*w1 + x2*w2"] + v["b"]
    v["o"] = v["n"].tanh()
    for name, node in v.items():
        node.label = name
    return v


def torch_neuron_grads() -> dict[str, float]:
    """d o / d leaf for the neuron, from PyTorch float64."""
    t = {k: torch.tensor(x, dtype=torch.float64, requires_grad=True) for k, x in NEURON.items()}
    o = torch.tanh(t["x1"] * t["w1"] + t["x2"] * t["w2"] + t["b"])
    o.backward()
    return {k: x.grad.item() for k, x in t.items()}


def node_line(source: str, label: str) -> str:
    """The DOT statement of the value node whose first cell is ``label``."""
    (line,) = [ln for ln in source.splitlines() if f"<TR><TD>{label}</TD>" in ln]
    return line


def fill(line: str) -> tuple[int, int, int]:
    """The fill colour of a DOT node statement as (red, green, blue)."""
    match = re.search(r'fillcolor="#(..)(..)(..)"', line)
    assert match is not None
    r, g, b = (int(x, 16) for x in match.groups())
    return r, g, b


def width(source: str, tail: str, head: str) -> float:
    """The penwidth of the edge tail -> head."""
    match = re.search(rf"\t{tail} -> {head} \[.*?penwidth=([0-9.]+)", source)
    assert match is not None
    return float(match.group(1))


def name_of(source: str, label: str) -> str:
    """The DOT name (n0, n1, ...) of the value node labelled ``label``."""
    return node_line(source, label).split()[0]


def test_neuron_shows_labels_data_grads_and_op_names() -> None:
    v = neuron()
    v["o"].backward()
    source = draw_dot(v["o"]).source
    for name, grad in torch_neuron_grads().items():
        line = node_line(source, name)
        assert f"<TD>data {number(NEURON[name])}</TD>" in line
        assert f"<TD>grad {number(grad)}</TD>" in line
    assert "<TD>data 0.7071</TD><TD>grad 1</TD>" in node_line(source, "o")
    for op in ("*", "+", "tanh"):
        assert f"label=<{op}>" in source


def test_colour_says_the_sign_of_the_grad() -> None:
    v = neuron()
    v["o"].backward()
    source = draw_dot(v["o"], params=[v["w1"], v["w2"], v["b"]]).source
    red, _, blue = fill(node_line(source, "x1"))  # grad -1.5
    assert blue > red
    red, _, blue = fill(node_line(source, "w1"))  # grad 1
    assert red > blue
    assert fill(node_line(source, "w2")) == (255, 255, 255)  # grad 0: white


def test_a_larger_grad_is_a_stronger_colour() -> None:
    v = neuron()
    v["o"].backward()
    source = draw_dot(v["o"]).source
    assert sum(fill(node_line(source, "w1"))) < sum(fill(node_line(source, "b")))  # 1 vs 0.5


def test_edge_width_follows_the_contribution_passed_back() -> None:
    v = neuron()
    v["o"].backward()
    source = draw_dot(v["o"]).source
    mul = name_of(source, "x1*w1") + "op"
    # x1 gets w1 * out.grad = -1.5, w1 gets x1 * out.grad = 1; x2*w2 passes 0 to w2.
    assert width(source, name_of(source, "x1"), mul) > width(source, name_of(source, "w1"), mul)
    w2_edge = width(source, name_of(source, "w2"), name_of(source, "x2*w2") + "op")
    assert w2_edge < width(source, name_of(source, "w1"), mul)


def test_output_parameters_and_inputs_are_told_apart() -> None:
    v = neuron()
    v["o"].backward()
    source = draw_dot(v["o"], params=[v["w1"], v["w2"], v["b"]]).source
    assert "peripheries=2" in node_line(source, "o")
    assert "penwidth=2.2" in node_line(source, "w1")
    assert "rounded" in node_line(source, "x1")
    assert "penwidth=2.2" not in node_line(source, "x1")
    assert "rounded" not in node_line(source, "n")
    assert "double border: output" in source


def test_before_backward_it_says_grads_are_not_computed() -> None:
    v = neuron()
    source = draw_dot(v["o"]).source
    assert "grads not computed yet" in source
    for name in v:
        assert "<TD>grad ?</TD>" in node_line(source, name)
    assert "grad 0" not in source


def test_show_grads_can_be_forced() -> None:
    v = neuron()
    source = draw_dot(v["o"], show_grads=True).source
    assert "<TD>grad 0</TD>" in node_line(source, "x1")
    assert "not computed" not in source


def test_labels_are_escaped() -> None:
    x = Value(1.0, label='<b>&"x"')
    source = draw_dot(x * 2).source
    assert "&lt;b&gt;&amp;&quot;x&quot;" in source
    assert '<b>&"x"' not in source


def test_same_graph_gives_the_same_dot_text() -> None:
    first, second = neuron(), neuron()
    first["o"].backward()
    second["o"].backward()
    assert draw_dot(first["o"]).source == draw_dot(second["o"]).source


def test_constant_settings_of_ops_are_not_drawn() -> None:
    x = Value(3.0, label="x")
    source = draw_dot(x**2).source
    assert "label=<**2>" in source
    assert source.count("<TABLE BORDER") == 3  # x, x**2 and the legend: no box for the 2


def test_a_node_used_twice_gets_two_edges() -> None:
    x = Value(3.0, label="x")
    y = x * x
    y.backward()
    source = draw_dot(y).source
    assert source.count("\tn0 -> n1op") == 2


def test_format_is_set_explicitly() -> None:
    x = Value(1.0)
    assert draw_dot(x).format == "svg"
    assert draw_dot(x, format="png").format == "png"


@pytest.mark.parametrize(
    ("option", "value"), [("rankdir", "sideways"), ("max_nodes", 0), ("summary_boxes", 0)]
)
def test_bad_options_are_refused(option: str, value: object) -> None:
    with pytest.raises(ValueError, match=option):
        draw_dot(Value(1.0), **{option: value})


@pytest.mark.needs_dot
def test_svg_renders() -> None:
    v = neuron()
    v["o"].backward()
    svg = draw_dot(v["o"]).pipe(encoding="utf-8")
    assert "<svg" in svg
    assert "x1*w1 + x2*w2" in svg


def test_a_number_instead_of_a_value_is_a_type_error_naming_the_argument() -> None:
    with pytest.raises(TypeError, match=r"draw_dot\(root\) draws the graph of a Value, got int 5"):
        draw_dot(5)  # type: ignore[arg-type]


def test_without_params_all_leaves_are_drawn_alike() -> None:
    v = neuron()
    v["o"].backward()
    source = draw_dot(v["o"]).source
    lines = [node_line(source, name) for name in ("x1", "x2", "w1", "w2", "b")]
    assert all("rounded" in line and "penwidth=1" in line for line in lines)
    assert "penwidth=2.2" not in source
    assert "params=[...] draws parameters bold" in source


def test_the_colour_key_has_round_ticks_and_says_where_full_colour_starts() -> None:
    v = neuron()
    v["o"].backward()
    source = draw_dot(v["o"]).source  # the largest |grad| is 1.5 (x1)
    key = re.sub(r"<[^>]+>", "", next(ln for ln in source.splitlines() if "grad: " in ln))
    assert "■ -1  ■ -0.5  □ 0  ■ +0.5  ■ +1  (full colour from ±1.5 on)" in key


def test_an_unlabelled_node_is_named_after_the_callers_variable() -> None:
    a, b = Value(2.0, label="a"), Value(3.0)
    e = a * b
    source = draw_dot(e).source
    assert "<TD>e</TD><TD>data 6</TD>" in source
    assert "<TD>b</TD><TD>data 3</TD>" in source
    assert e.label == ""  # nothing is stored on the nodes
    assert "<TD>v2</TD><TD>data 6</TD>" in draw_dot(e, variable_names=False).source


def test_variable_names_have_a_module_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(names_module, "variable_names", False)
    a = Value(2.0, label="a")
    e = a * a
    assert "<TD>v1</TD>" in draw_dot(e).source


def test_a_variable_never_takes_the_name_of_another_nodes_label() -> None:
    a = Value(2.0, label="n")
    n = a * 3.0  # the variable n holds another node than the one labelled n
    source = draw_dot(n).source
    assert source.count("<TD>n</TD>") == 1
    assert "<TD>v2</TD><TD>data 6</TD>" in source


def test_pictures_and_steps_use_the_same_names() -> None:
    x = Value(0.5, label="x")
    h = x * 2.0
    y = h.tanh()
    in_picture = set(re.findall(r"<TR><TD>(\w+)</TD><TD>data", draw_dot(y).source))
    in_steps = {step.name(step.node) for step in backward_steps(y)}
    assert in_picture == in_steps == {"x", "h", "y", "v0"}  # v0: the constant 2


# ---------------------------------------------------------------------------------------------
# Big graphs


def micrograd_demo_loss() -> tuple[Value, list[Value]]:
    """micrograd's demo: MLP 2-16-16-1 (ReLU) over 100 points, hinge loss + L2 (~65,000 nodes)."""
    rng = random.Random(0)
    sizes = [2, 16, 16, 1]
    layers = [
        [
            ([Value(rng.uniform(-1, 1), label=f"w{k}") for k in range(nin)], Value(0.0, label="b"))
            for _ in range(nout)
        ]
        for nin, nout in itertools.pairwise(sizes)
    ]
    params = [p for layer in layers for w, b in layer for p in (*w, b)]
    losses = []
    for _ in range(100):
        x = [Value(rng.uniform(-2, 2)), Value(rng.uniform(-2, 2))]
        y = rng.choice([-1.0, 1.0])
        for i, layer in enumerate(layers):
            out = []
            for j, (w, b) in enumerate(layer):
                with named_scope(f"layers.{i}"), named_scope(f"neurons.{j}"):
                    act = sum((wi * xi for wi, xi in zip(w, x, strict=True)), b)
                    out.append(act.relu() if i < len(layers) - 1 else act)
            x = out
        losses.append((1 + -y * x[0]).relu())
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in params)
    return data_loss + reg_loss, params


@pytest.fixture(scope="module")
def demo_loss() -> tuple[Value, list[Value]]:
    with record_scopes():
        loss, params = micrograd_demo_loss()
    loss.backward()
    return loss, params


def test_the_demo_loss_graph_has_about_65000_nodes(demo_loss: tuple[Value, list[Value]]) -> None:
    assert 60_000 < len(topological_order(demo_loss[0])) < 70_000


def test_a_big_graph_draws_a_small_summary_quickly(demo_loss: tuple[Value, list[Value]]) -> None:
    loss, params = demo_loss
    start = time.perf_counter()
    source = draw_dot(loss, params=params).source
    assert time.perf_counter() - start < 30  # a guard against quadratic work, not a benchmark
    statements = [ln for ln in source.splitlines() if re.match(r"\tn\d+\w* \[", ln)]
    assert len(statements) < 3 * 50  # boxes, ops and '…' stubs for at most 50 boxes
    assert "Σ" in source
    assert "101 terms" in source  # 0 + the 100 hinge losses
    assert "layers.2.neurons.0" in source  # a neuron call folded into one box
    assert re.search(r"summary of \d\d,\d\d\d nodes", source)
    assert re.search(r"… [\d,]+ more nodes( in \d+ more levels)? not shown", source)


def test_the_summary_budget_is_kept(demo_loss: tuple[Value, list[Value]]) -> None:
    source = draw_dot(demo_loss[0], max_nodes=20).source
    boxes = [ln for ln in source.splitlines() if re.match(r"\tn\d+ \[", ln)]
    assert len(boxes) <= 20


def test_sums_fold_without_scopes() -> None:
    xs = [Value(float(i)) for i in range(50)]
    total = sum(xs[1:], xs[0]).tanh()
    total.backward()
    source = draw_dot(total, max_nodes=10).source
    assert "50 terms" in source
    assert "… 46 more inputs" in source  # 3 first terms and the last one are drawn


def test_max_nodes_none_draws_every_node() -> None:
    xs = [Value(float(i)) for i in range(150)]
    total = sum(xs[1:], xs[0])
    source = draw_dot(total, max_nodes=None).source
    boxes = [ln for ln in source.splitlines() if re.match(r"\tn\d+ \[", ln)]
    assert len(boxes) == len(topological_order(total))
    assert "Σ" not in source


@pytest.mark.needs_dot
def test_the_summary_of_a_big_graph_renders(demo_loss: tuple[Value, list[Value]]) -> None:
    svg = draw_dot(demo_loss[0], max_nodes=40).pipe(encoding="utf-8")
    assert "<svg" in svg


def test_a_node_built_by_hand_is_drawn_with_its_op() -> None:
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    c = Value(3.0, (a, b), "+", label="c")  # micrograd's constructor: no backward rule
    c.grad = 1.0
    source = draw_dot(c).source
    assert "label=<+>" in source
    assert "<TD>c</TD><TD>data 3</TD><TD>grad 1</TD>" in source
    assert f"\t{name_of(source, 'a')} -> {name_of(source, 'c')}op" in source


def test_nan_and_inf_grads_are_drawn() -> None:
    x = Value(0.0, label="x")
    y = x.sqrt()  # d sqrt(x)/dx = inf at 0, as in PyTorch
    z = Value(-1.0, label="z").log()  # nan
    out = y + z
    out.backward()
    source = draw_dot(out).source
    assert "<TD>grad inf</TD>" in node_line(source, "x")
    assert "<TD>data nan</TD>" in source


def test_labelled_or_shared_sums_are_not_folded() -> None:
    xs = [Value(float(i)) for i in range(30)]
    half = sum(xs[:15], Value(0.0))
    half.label = "half"
    total = (half + sum(xs[15:], Value(0.0))).tanh()
    total.backward()
    source = draw_dot(total, max_nodes=12).source
    assert "<TD>half</TD>" in source  # a labelled partial sum keeps its own box
    assert "16 terms" in source  # 0 + 15 terms, folded


def test_each_call_of_a_scope_is_one_box() -> None:
    w = [Value(0.5, label="w0"), Value(-0.5, label="w1")]
    with record_scopes():
        outs = []
        for x in (1.0, 2.0):
            with named_scope("neuron"):
                outs.append((w[0] * x + w[1] * (x * x)).tanh())
    total = outs[0] + outs[1]
    total.backward()
    source = draw_dot(total, max_nodes=3).source
    assert source.count("<B>neuron</B>") == 2
    assert "shape=folder" in source


@pytest.mark.needs_dot
def test_jupyter_shows_it_as_svg() -> None:
    bundle = draw_dot(Value(2.0, label="x") * 3)._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]


def test_a_small_fused_neuron_spells_out_its_formula_a_wide_one_its_symbol() -> None:
    xs = [Value(float(i), label=f"x{i}") for i in range(3)]
    ws = [Value(0.5, label=f"w{i}") for i in range(3)]
    small = autograd.linear(ws, xs, Value(1.0, label="b"))
    assert "label=<b + w0·x0 + w1·x1 + w2·x2>" in draw_dot(small).source
    many = [Value(1.0, label=f"x{i}") for i in range(10)]
    wide = autograd.linear(many, many, Value(0.0, label="b"))
    assert "label=<b + Σ w·x>" in draw_dot(wide).source
