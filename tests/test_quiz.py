"""Quiz mode: right and wrong answers, the score, the tolerance, and the graph left as it was.

The expected numbers come from PyTorch float64: each graph is rebuilt op by op in torch, node
gradients from its backward pass, local derivatives from each op alone on fresh inputs.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable
from typing import Any

import pytest

from autograd import MissingRuleError, QuizResult, Value, define_op, quiz
from autograd.backward import topological_order
from autograd.ops import op_of
from autograd.quiz import is_close, parse_number
from tests.oracle import import_torch, same
from tests.test_debug import neuron

torch = import_torch()

muladd = define_op(  # a user's op with three inputs
    "teach_muladd",
    lambda x, y, z: x * y + z,
    lambda x, y, z, out, out_grad: (y * out_grad, x * out_grad, out_grad),
)

TORCH: dict[str, Callable[..., Any]] = {
    "add": lambda x, y: x + y,
    "sub": lambda x, y: x - y,
    "mul": lambda x, y: x * y,
    "tanh": torch.tanh,
    "abs": torch.abs,
    "exp": torch.exp,
    "teach_muladd": lambda x, y, z: x * y + z,
    "cube": lambda x: x**3,  # the micrograd-style closure below
}

# -- the graphs, every node labelled so that names in prompts and tables are the labels


def lecture_neuron() -> Value:
    """Karpathy's neuron: o = tanh(x1*w1 + x2*w2 + b), every node labelled."""
    return neuron()[0]


def diamond() -> Value:
    """x*x + x: one node reaches the output along three edges."""
    x = Value(-1.5, label="x")
    xx = x * x
    xx.label = "xx"
    out = xx + x
    out.label = "out"
    return out


def cube(x: Value) -> Value:
    """x**3 the micrograd way: a closure on the node."""
    out = Value(x.data**3, (x,), "cube")

    def _backward() -> None:
        x.grad += 3 * x.data**2 * out.grad

    out._backward = _backward
    return out


def user_ops() -> Value:
    """A three-input defined op and a closure: exp(muladd(a, b, c)) and cube(a)."""
    a, b, c = Value(0.3, label="a"), Value(-0.7, label="b"), Value(0.2, label="c")
    m = muladd(a, b, c)
    m.label = "m"
    e = m.exp()
    e.label = "e"
    k = cube(a)
    k.label = "k"
    out = e - k
    out.label = "out"
    return out


SEEDS_FEATURES = [(1, 0), (0, 2), (2, 0), (1, 2), (3, 0), (2, 2)]  # the tour's (x1, x2)
SEEDS_LABELS = [1, 1, 2, 2, 3, 3]  # the seeds' table: Beobachtung -> Label


def seeds_network(observations: int = 3) -> tuple[Value, list[Value]]:
    """The seeds' small network: prediction w1*x1 + w2*x2, loss the sum of |label - prediction|."""
    w1, w2 = Value(0.7, label="w1"), Value(0.4, label="w2")
    data = list(zip(SEEDS_FEATURES, SEEDS_LABELS, strict=True))[:observations]
    loss = None
    for i, ((x1, x2), y) in enumerate(data):
        p1 = w1 * x1
        p1.label = f"w1x1_{i}"
        p2 = w2 * x2
        p2.label = f"w2x2_{i}"
        p = p1 + p2
        p.label = f"p{i}"
        d = y - p
        d.label = f"d{i}"
        e = abs(d)  # the error size |label - prediction|: never 0 at these weights
        e.label = f"e{i}"
        if loss is None:
            loss = e
        else:
            loss = loss + e
            loss.label = f"L{i}"
    assert loss is not None
    return loss, [w1, w2]


GRAPHS = {"lecture neuron": lecture_neuron, "diamond": diamond, "user ops": user_ops}


# -- the oracle


def torch_grads(root: Value) -> dict[str, float]:
    """Every node's gradient by name: the graph rebuilt in torch float64, its backward run."""
    mirror: dict[Value, Any] = {}
    for node in topological_order(root):
        op = op_of(node)
        if op is None:
            mirror[node] = torch.tensor(node.data, dtype=torch.float64, requires_grad=True)
        else:
            mirror[node] = TORCH[op.name](*(mirror[p] for p in node._prev[: op.inputs]))
            mirror[node].retain_grad()
    mirror[root].backward()
    return {node.label: float(t.grad) for node, t in mirror.items() if t.grad is not None}


def torch_local(node: Value, slot: int) -> float:
    """d node / d its input ``slot``: the node's op alone in torch, on fresh inputs."""
    op = op_of(node)
    assert op is not None
    xs = [torch.tensor(p.data, dtype=torch.float64, requires_grad=True) for p in node._prev]
    (local,) = torch.autograd.grad(TORCH[op.name](*xs[: op.inputs]), xs[slot])
    return float(local)


def torch_locals(root: Value) -> dict[tuple[str, str], list[float]]:
    """Local derivatives by (consumer name, input name), one per edge."""
    found: dict[tuple[str, str], list[float]] = {}
    for node in topological_order(root):
        op = op_of(node)
        for slot, p in enumerate(node._prev[: op.inputs] if op else ()):
            found.setdefault((node.label, p.label), []).append(torch_local(node, slot))
    return found


def expected_answers(root: Value, result: QuizResult) -> list[float]:
    """The oracle's number for each question of a quiz, in the quiz's order."""
    grads, locals_ = torch_grads(root), torch_locals(root)
    return [
        grads[q.node] if q.kind == "grad" else locals_[q.node, q.wrt][0] for q in result.questions
    ]


def questions_of(root: Value, **options: Any) -> QuizResult:
    """Run the quiz once answering 0 everywhere, to see its questions."""
    return quiz(root, ask=lambda prompt: "0", file=io.StringIO(), **options)


def grads_of(root: Value) -> list[float]:
    return [node.grad for node in topological_order(root)]


# -- right and wrong answers, and the score


@pytest.mark.parametrize("build", GRAPHS.values(), ids=GRAPHS.keys())
def test_questions_expect_torch_numbers(build: Callable[[], Value]) -> None:
    root = build()
    result = questions_of(root)
    oracle = expected_answers(root, result)
    assert result.total == len(oracle) > 0
    for q, theirs in zip(result.questions, oracle, strict=True):
        assert same(q.expected, theirs), (q.prompt, q.expected, theirs)


def test_each_node_gradient_and_each_edge_is_asked_once() -> None:
    root = lecture_neuron()
    result = questions_of(root)
    grads = [q.node for q in result.questions if q.kind == "grad"]
    edges = [(q.node, q.wrt) for q in result.questions if q.kind == "local"]
    assert sorted(grads) == sorted(n.label for n in topological_order(root))
    assert sorted(edges) == sorted(
        (n.label, p.label) for n in topological_order(root) for p in n._prev
    )


@pytest.mark.parametrize("build", GRAPHS.values(), ids=GRAPHS.keys())
def test_right_answers_typed_to_three_digits_score_full(build: Callable[[], Value]) -> None:
    root = build()
    typed = [f"{x:.3g}" for x in expected_answers(root, questions_of(root))]
    out = io.StringIO()
    result = quiz(root, typed, file=out)
    assert (result.right, result.total) == (len(typed), len(typed))
    assert all(q.right for q in result.questions)
    assert "wrong" not in out.getvalue()
    assert out.getvalue().rstrip().endswith(f"score: {len(typed)}/{len(typed)} right (100%)")


def test_wrong_answers_are_marked_and_the_chain_rule_shown() -> None:
    root = lecture_neuron()
    oracle = expected_answers(root, questions_of(root))
    typed: list[str | float] = [x if i % 3 else x + 0.25 for i, x in enumerate(oracle)]
    out = io.StringIO()
    result = quiz(root, typed, file=out)
    wrong = [i for i in range(len(oracle)) if i % 3 == 0]
    assert [i for i, q in enumerate(result.questions) if not q.right] == wrong
    assert result.right == len(oracle) - len(wrong)
    assert str(result).startswith(f"score: {result.right}/{len(oracle)} right")
    text = out.getvalue()
    assert text.count("    wrong") == len(wrong)
    # the first question is o.grad (the output): 1.25 is wrong, and the quiz says why it is 1
    assert "  o.grad = ? 1.25\n    wrong: o is the output: o.grad = do/do = 1" in text
    # a local derivative's line says its value and the chain rule: dn/ds = 1 passes 0.5 on
    dn_ds = next(q for q in result.questions if (q.node, q.wrt) == ("n", "s"))
    assert f"dn/ds = 1; chain rule: s.grad += 1 * n.grad = 1 * {dn_ds.expected * 0.5:g}" in text


def test_a_node_with_two_consumers_explains_the_sum() -> None:
    out = io.StringIO()
    root = diamond()
    result = quiz(root, expected_answers(root, questions_of(root)), file=out)
    x = Value(-1.5)
    assert result.right == result.total
    # x.grad = x (from xx, slot 0) + x (from xx, slot 1) + 1 (from out) = 2x + 1 = -2
    assert (
        "x.grad = sum of what its consumers passed back = 1 (from out) + -1.5 (from xx) + "
        "-1.5 (from xx) = -2" in out.getvalue()
    )
    assert 2 * x.data + 1 == -2.0


def test_answers_as_a_learner_types_them() -> None:
    x = Value(0.25, label="x")
    y = x * x
    y.label = "y"
    # y.grad, dy/dx twice (one per slot), x.grad
    result = quiz(y, ["1", "1/4", " 0,25 ", "2/4"], file=io.StringIO())
    assert [q.given for q in result.questions] == [1.0, 0.25, 0.25, 0.5]
    assert result.right == result.total == 4


def test_an_unreadable_answer_is_wrong_and_said_so() -> None:
    x = Value(0.5, label="x")
    y = x.exp()
    y.label = "y"
    out = io.StringIO()
    result = quiz(y, ["1", "e^x", math.exp(0.5)], file=out)
    assert [q.right for q in result.questions] == [True, False, True]
    assert result.questions[1].given is None
    assert "not a number ('e^x'): dy/dx = 1.649" in out.getvalue()


@pytest.mark.parametrize(
    ("typed", "expected", "right"),
    [
        (0.79, 0.7864, True),  # 0.5 % off
        (0.80, 0.7864, False),  # 1.7 % off
        (-0.7864, 0.7864, False),  # the sign matters
        (0.0, 2e-17, True),  # at zero the absolute tolerance decides: rounding noise is 0
        (1e-7, 0.0, True),
        (0.0, 4e-4, False),  # but a small gradient is not
        (0.0009, 0.0, False),
        (math.inf, math.inf, True),
        (math.nan, math.nan, True),
        (1e300, math.inf, False),
    ],
)
def test_tolerance(typed: float, expected: float, right: bool) -> None:
    assert is_close(typed, expected) is right


def test_tolerance_can_be_chosen() -> None:
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    typed = [1, 3.001, 3.001, 6.01]  # y.grad, dy/dx = x twice, x.grad = 2x
    strict = quiz(y, typed, rel_tol=1e-4, abs_tol=0.0, file=io.StringIO())
    loose = quiz(y, typed, file=io.StringIO())
    assert (strict.right, loose.right) == (1, 4)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("0.5", 0.5),
        ("-2", -2.0),
        ("1/2", 0.5),
        ("-3/4", -0.75),
        ("0,5", 0.5),
        ("1e-3", 0.001),
        ("\u22121.5", -1.5),
        ("inf", math.inf),
        (" 2 / 8 ", 0.25),
    ],
)
def test_parse_number(text: str, number: float) -> None:
    assert parse_number(text) == number


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "cannot read ''"),
        ("abc", "cannot read 'abc'"),
        ("1/0", "divides by zero"),
        ("1/2/3", "cannot read"),
        ("__import__('os')", "cannot read"),
    ],
)
def test_parse_number_refuses(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_number(text)


# -- typed answers, asked again when unreadable


def test_asking_with_input_repeats_until_a_number_is_typed() -> None:
    x = Value(0.5, label="x")
    y = x.tanh()
    y.label = "y"
    typed = iter(["1", "one half?", "1 - y**2", "0.786", "0.786"])
    prompts: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return next(typed)

    out = io.StringIO()
    result = quiz(y, ask=ask, file=out)
    assert prompts == [
        "  y.grad = ? ",
        "  dy/dx = ? ",
        "  dy/dx = ? ",
        "  dy/dx = ? ",
        "  x.grad = ? ",
    ]
    assert out.getvalue().count("cannot read") == 2
    assert (result.right, result.total) == (3, 3)


# -- choosing the leaves asked about


def test_params_choose_the_leaves() -> None:
    loss, (w1, w2) = seeds_network()
    result = questions_of(loss, params=[w1, w2])
    asked = {q.node for q in result.questions} | {q.wrt for q in result.questions}
    assert {"w1", "w2"} <= asked
    constants = [n for n in topological_order(loss) if not n._prev and n not in (w1, w2)]
    assert len(constants) == 3 * 3  # x1, x2 and the label of each observation: not asked
    labelled = {n.label for n in topological_order(loss) if n.label}
    assert asked - {""} <= labelled
    assert len([q for q in result.questions if q.kind == "grad"]) == 3 * 5 + 2 + 2  # L1, L2, w1, w2
    oracle = expected_answers(loss, result)
    assert all(same(q.expected, t) for q, t in zip(result.questions, oracle, strict=True))
    out = io.StringIO()
    quiz(loss, oracle, params=[w1, w2], file=out)
    # the constants are not asked about, and read as their numbers
    assert re.search(r"step \d+: w1x1_0 = w1 \* 1\n", out.getvalue())
    assert "d0 = 1 - p0\n" in out.getvalue()


# -- looking changes nothing


@pytest.mark.parametrize("build", GRAPHS.values(), ids=GRAPHS.keys())
def test_every_grad_is_as_before(build: Callable[[], Value]) -> None:
    root = build()
    for i, node in enumerate(topological_order(root)):
        node.grad = 0.125 * i - 0.5  # leaves with earlier gradients, inner nodes stale
    before = grads_of(root)
    questions_of(root)
    assert grads_of(root) == before
    root.backward()  # and backward() still gives the torch gradients on top of them
    grads = torch_grads(root)
    for node, old in zip(topological_order(root), before, strict=True):
        if not node._prev:
            assert abs(node.grad - (old + grads[node.label])) <= 1e-12  # (old + g: it cancels)


def test_wrong_number_of_answers_is_refused_before_anything_is_asked() -> None:
    root = lecture_neuron()
    total = questions_of(root).total
    before = grads_of(root)
    out = io.StringIO()
    with pytest.raises(ValueError, match=rf"has {total} questions, but 3 answers were passed"):
        quiz(root, [1, 2, 3], file=out)
    assert out.getvalue() == ""
    assert grads_of(root) == before


def test_bad_arguments_are_named() -> None:
    with pytest.raises(TypeError, match=r"needs the Value .* got float: 2.0"):
        quiz(2.0, [])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"rel_tol must be a number >= 0, got -0.1"):
        quiz(diamond(), [], rel_tol=-0.1)
    with pytest.raises(TypeError, match=r"answers are one per question.*got one string '1 2'"):
        quiz(diamond(), "1 2")
    with pytest.raises(TypeError, match=r"params are the Values .* got str: 'x'"):
        quiz(diamond(), [], params=["x"])  # type: ignore[list-item]


def test_a_node_without_a_rule_is_refused_and_grads_stay() -> None:
    x = Value(1.0, label="x")
    x.grad = 0.25
    hand_built = Value(2.0, (x,), "mystery")  # micrograd's constructor, no _backward set
    with pytest.raises(MissingRuleError, match="built by hand"):
        quiz(hand_built, ["1", "1", "1"], file=io.StringIO())
    assert x.grad == 0.25
