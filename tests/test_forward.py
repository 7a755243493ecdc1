"""Forward mode: jvp and tangent_flow against torch.func.jvp (float64), on every op of the table."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

import autograd
from autograd import OPS, Value, define_op, jvp, topological_order
from autograd.forward import tangent_flow
from autograd.ops import op_of
from nn.losses import binary_cross_entropy
from tests.oracle import import_torch, same

torch = import_torch()
F = torch.nn.functional

# Functions written once for Values and tensors alike, covering every op of the table, each at a
# point where it is smooth (the kinks are PyTorch's choices, tested in test_ops.py).
FUNCTIONS: dict[str, tuple[Callable[..., Any], tuple[float, ...]]] = {
    "neuron": (
        lambda x1, x2, w1, w2, b: (x1 * w1 + x2 * w2 + b).tanh(),
        (2.0, 0.0, -3.0, 1.0, 6.88),
    ),
    "arithmetic": (lambda x, y: (x - y) / (x * y) + (-x) ** 3 + x**y, (1.5, 2.5)),
    "smooth": (lambda x: x.exp().log1p() + x.sin() * x.cos() + x.sigmoid().sqrt(), (0.7,)),
    "kinks": (lambda x, y: abs(x) * y.relu() + x.sign() + y.log() + x.leaky_relu(0.1), (-1.2, 0.8)),
    "softplus": (lambda x, y: (x * y).softplus() + (x - 30.0).softplus(), (1.1, -0.4)),
    "diamond": (lambda x: x * x + x, (3.0,)),
}

# The n-ary and loss ops, with torch's spelling of the same maths beside ours.
WITH_TORCH: dict[str, tuple[Callable[..., Any], Callable[..., Any], tuple[float, ...]]] = {
    "fused": (
        lambda a, b, c: autograd.sum([a, b * c, a]) * autograd.linear([a, b], [c, a], b),
        lambda a, b, c: (a + b * c + a) * (b + a * c + b * a),
        (0.5, -1.5, 2.0),
    ),
    "bce": (
        lambda z: binary_cross_entropy([z.sigmoid()], [0.3]),
        lambda z: F.binary_cross_entropy(torch.sigmoid(z), torch.tensor(0.3, dtype=torch.float64)),
        (0.4,),
    ),
}


def torch_version(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The same function on tensors: Values' method names differ from torch's in two places."""

    def on_tensors(*ts: Any) -> Any:
        return fn(*(_TensorView(t) for t in ts)).t

    return on_tensors


class _TensorView:
    """A tensor that answers Value's methods (leaky_relu, softplus) with torch's functions."""

    def __init__(self, t: Any) -> None:
        self.t = t

    def _wrap(self, other: Any) -> Any:
        return other.t if isinstance(other, _TensorView) else other

    def __add__(self, o: Any) -> _TensorView:
        return _TensorView(self.t + self._wrap(o))

    def __radd__(self, o: Any) -> _TensorView:
        return _TensorView(self._wrap(o) + self.t)

    def __sub__(self, o: Any) -> _TensorView:
        return _TensorView(self.t - self._wrap(o))

    def __mul__(self, o: Any) -> _TensorView:
        return _TensorView(self.t * self._wrap(o))

    def __truediv__(self, o: Any) -> _TensorView:
        return _TensorView(self.t / self._wrap(o))

    def __pow__(self, o: Any) -> _TensorView:
        return _TensorView(self.t ** self._wrap(o))

    def __neg__(self) -> _TensorView:
        return _TensorView(-self.t)

    def __abs__(self) -> _TensorView:
        return _TensorView(torch.abs(self.t))

    def leaky_relu(self, slope: float) -> _TensorView:
        return _TensorView(F.leaky_relu(self.t, slope))

    def softplus(self) -> _TensorView:
        return _TensorView(F.softplus(self.t))

    def __getattr__(self, name: str) -> Callable[[], _TensorView]:
        return lambda: _TensorView(getattr(torch, name)(self.t))


def torch_jvp(
    fn: Callable[..., Any],
    xs: tuple[float, ...],
    dxs: tuple[float, ...],
    *,
    on_tensors: bool = False,
) -> Any:
    primals = tuple(torch.tensor(x, dtype=torch.float64) for x in xs)
    tangents = tuple(torch.tensor(d, dtype=torch.float64) for d in dxs)
    return torch.func.jvp(fn if on_tensors else torch_version(fn), primals, tangents)


@pytest.mark.parametrize("name", WITH_TORCH)
def test_jvp_of_n_ary_and_loss_ops_matches_torch(name: str) -> None:
    ours, theirs, xs = WITH_TORCH[name]
    for i in range(len(xs)):
        dxs = tuple(1.0 if j == i else 0.25 for j in range(len(xs)))
        value, tangent = jvp(ours, xs, dxs)
        theirs_value, theirs_tangent = torch_jvp(theirs, xs, dxs, on_tensors=True)
        assert same(value, theirs_value.item())
        assert same(tangent, theirs_tangent.item(), rel=1e-11), (name, i)


def test_the_functions_cover_every_op_of_the_table() -> None:
    used = set()
    for fn, xs in [*FUNCTIONS.values(), *((f, xs) for f, _, xs in WITH_TORCH.values())]:
        out = fn(*(Value(x) for x in xs))
        used |= {op.name for n in topological_order(out) if (op := op_of(n)) is not None}
    assert used == set(OPS)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_jvp_matches_torch_along_each_input(name: str) -> None:
    fn, xs = FUNCTIONS[name]
    for i in range(len(xs)):
        dxs = tuple(1.0 if j == i else 0.0 for j in range(len(xs)))
        value, tangent = jvp(fn, xs, dxs)
        theirs_value, theirs_tangent = torch_jvp(fn, xs, dxs)
        assert same(value, theirs_value.item())
        assert same(tangent, theirs_tangent.item(), rel=1e-11), (name, i)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_jvp_matches_torch_along_a_mixed_direction(name: str) -> None:
    fn, xs = FUNCTIONS[name]
    dxs = tuple(0.5 - 0.3 * i for i in range(len(xs)))
    _, tangent = jvp(fn, xs, dxs)
    _, theirs = torch_jvp(fn, xs, dxs)
    assert same(tangent, theirs.item(), rel=1e-11)


def test_jvp_takes_lists_and_ints() -> None:
    assert jvp(lambda x, y: x * y, [2, 3], [1, 0]) == (6.0, 3.0)


def test_a_defined_op_gets_forward_mode_from_its_backward() -> None:
    def forward(x: float, y: float) -> float:
        return math.hypot(x, y)  # math.hypot takes *coordinates: define_op needs two inputs

    hypot = define_op(
        "hypot_fwd",
        forward,
        lambda x, y, out, out_grad: (out_grad * x / out, out_grad * y / out),
    )
    _, ours = jvp(lambda x, y: hypot(x, y) * x, (3.0, 4.0), (0.25, -1.0))
    primals = (torch.tensor(3.0, dtype=torch.float64), torch.tensor(4.0, dtype=torch.float64))
    tangents = (torch.tensor(0.25, dtype=torch.float64), torch.tensor(-1.0, dtype=torch.float64))
    _, theirs = torch.func.jvp(lambda x, y: torch.hypot(x, y) * x, primals, tangents)
    assert same(ours, theirs.item())


def test_a_micrograd_closure_gets_forward_mode_and_keeps_its_grads() -> None:
    x = Value(0.5, label="x")
    out = Value(math.exp(x.data), (x,), "exp")

    def _backward() -> None:
        x.grad += out.data * out.grad

    out._backward = _backward
    y = out * x
    x.grad, out.grad, y.grad = 0.25, 0.5, 0.75
    flow = tangent_flow(y, {x: 1.0})
    assert flow[y] == pytest.approx(math.exp(0.5) * 0.5 + math.exp(0.5), rel=1e-15)
    assert (x.grad, out.grad, y.grad) == (0.25, 0.5, 0.75)


def test_tangent_flow_leaves_data_and_grads_as_they_were() -> None:
    fn, xs = FUNCTIONS["neuron"]
    leaves = [Value(x) for x in xs]
    out = fn(*leaves)
    out.backward()
    before = [(n.data, n.grad) for n in topological_order(out)]
    tangent_flow(out, {leaves[0]: 1.0})
    assert [(n.data, n.grad) for n in topological_order(out)] == before


def test_the_output_tangent_is_the_leafs_grad() -> None:
    fn, xs = FUNCTIONS["neuron"]
    leaves = [Value(x) for x in xs]
    out = fn(*leaves)
    flows = [tangent_flow(out, {leaf: 1.0})[out] for leaf in leaves]
    out.backward()
    assert flows == pytest.approx([leaf.grad for leaf in leaves], rel=1e-14)


def test_a_constant_function_has_tangent_zero() -> None:
    assert jvp(lambda x: 4.0, (1.0,), (1.0,)) == (4.0, 0.0)


@pytest.mark.parametrize(
    ("args", "error", "words"),
    [
        (("not a function", (1.0,), (1.0,)), TypeError, "fn must be a function"),
        ((abs, 1.0, (1.0,)), TypeError, "inputs must be a tuple or list"),
        ((abs, (1.0,), "1"), TypeError, "tangents must be a tuple or list"),
        ((abs, ("x",), (1.0,)), TypeError, "inputs[0] must be a number, got str"),
        ((abs, (Value(1.0),), (1.0,)), TypeError, "inputs[0] is a Value"),
        ((abs, (1.0, 2.0), (1.0,)), ValueError, "2 inputs but 1 tangents"),
        ((lambda x: "x", (1.0,), (1.0,)), TypeError, "fn must return a Value"),
    ],
)
def test_jvp_names_what_is_wrong(args: tuple[Any, ...], error: type, words: str) -> None:
    with pytest.raises(error, match=words.replace("[", r"\[").replace("]", r"\]")):
        jvp(*args)
