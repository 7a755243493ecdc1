"""Each op: value and gradient against PyTorch float64, at ordinary and edge points."""

from __future__ import annotations

import builtins
import functools
import math
import operator
from collections.abc import Callable
from typing import Any

import mpmath
import pytest

import autograd
import nn
from autograd import OPS, Value, grad, hessian
from autograd import ops as op_funcs
from tests.oracle import import_torch, same

torch = import_torch()
F = torch.nn.functional
inf, nan = math.inf, math.nan

# op name -> (ours, torch's, points). Points include each op's awkward places.
UNARY: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any], list[float]]] = {
    "neg": (lambda v: -v, lambda t: -t, [-2.5, 0.0, 3.0]),
    "abs": (abs, torch.abs, [-2.5, 0.0, 3.0, -inf, nan]),
    "sign": (lambda v: v.sign(), torch.sign, [-2.5, 0.0, 3.0, nan]),
    "relu": (lambda v: v.relu(), torch.relu, [-2.0, 0.0, 1e-300, 3.0, nan]),
    "leaky_relu": (
        lambda v: v.leaky_relu(0.1),
        lambda t: F.leaky_relu(t, 0.1),
        [-2.0, 0.0, 3.0],
    ),
    # (where torch's derivative is 0 or far off, ours is exact: see test_accuracy.py)
    "tanh": (lambda v: v.tanh(), torch.tanh, [-1000.0, -1.5, 0.0, 0.3, 1000.0]),
    "sigmoid": (lambda v: v.sigmoid(), torch.sigmoid, [-1000.0, -40.0, -1.0, 0.0, 0.7, 1000.0]),
    "exp": (lambda v: v.exp(), torch.exp, [-1000.0, -2.0, 0.0, 1.5, 709.0, 710.0, 1000.0]),
    "log": (lambda v: v.log(), torch.log, [-1.0, 0.0, 1e-300, 0.5, 2.0, inf]),
    "log1p": (lambda v: v.log1p(), torch.log1p, [-2.0, -1.0, -0.5, 0.0, 1e-12, 3.0]),
    "sqrt": (lambda v: v.sqrt(), torch.sqrt, [-1.0, 0.0, 0.25, 2.0, inf]),
    "sin": (lambda v: v.sin(), torch.sin, [-3.0, 0.0, 1.0, 100.0, inf]),
    "cos": (lambda v: v.cos(), torch.cos, [-3.0, 0.0, 1.0, 100.0, inf]),
    "softplus": (
        lambda v: v.softplus(),
        F.softplus,
        [-800.0, -30.0, -1.0, 0.0, 1.0, 19.9, 20.0, 20.1, 800.0],
    ),
}

BINARY: dict[str, tuple[Callable[[Any, Any], Any], list[tuple[float, float]]]] = {
    "add": (lambda x, y: x + y, [(1.5, -2.0), (inf, -inf), (0.0, -0.0)]),
    "sub": (lambda x, y: x - y, [(1.5, -2.0), (inf, inf), (3.0, 3.0)]),
    "mul": (lambda x, y: x * y, [(1.5, -2.0), (0.0, inf), (1e200, 1e200)]),
    "div": (
        lambda x, y: x / y,
        [
            (1.0, 4.0),
            (1.0, 0.0),
            (-1.0, 0.0),
            (0.0, 0.0),
            (3.0, -0.5),
            (1e300, 1e160),  # y * y overflows, the quotient does not
            (1e-300, 1e-200),  # y * y underflows
            (0.0, 1e-170),
        ],
    ),
    "pow": (
        lambda x, y: x**y,
        [
            (2.0, 3.0),
            (2.0, 0.5),
            (-8.0, 1 / 3),
            (0.0, -1.0),
            (0.0, 0.0),
            (0.0, 2.0),
            (-2.0, 3.0),
            (-2.0, 2.0),
            (1.5, -2.5),
            (10.0, 400.0),
            (3.0, 0.0),
        ],
    ),
}


def _torch_linear(b: Any, *ws_and_xs: Any) -> Any:
    total = b
    for i in range(0, len(ws_and_xs), 2):
        total = total + ws_and_xs[i] * ws_and_xs[i + 1]
    return total


# n-ary ops: ours on Values, torch's on tensors (the chain of + and * ours replaces), points.
# sum's inputs are start, v0, v1, ...; linear's b, w0, x0, w1, x1, ...
NARY: dict[str, tuple[Callable[..., Any], Callable[..., Any], list[tuple[float, ...]]]] = {
    "sum": (
        lambda start, *vs: autograd.sum(vs, start),
        lambda *xs: functools.reduce(operator.add, xs),
        [(0.0, 1.5, -2.0, 3.25), (1.0, 2.0), (0.0, -0.0), (0.0, inf, -inf), (2.0, nan, 1.0)],
    ),
    "linear": (
        lambda b, *wx: autograd.linear(wx[0::2], wx[1::2], b),
        _torch_linear,
        [
            (0.5, 2.0, 3.0, -1.0, 4.0),
            (0.0, 1.5, -2.0),
            (-1.0, 0.3, 0.7, -0.2, 1.1, 0.9, -0.4),
            (0.0, 0.0, inf, 1.0, 2.0),
            (1e300, 1e300, 1e10, 1.0, 1.0),
        ],
    ),
}

OPS_BY_RULE = {op.backward: name for name, op in OPS.items()}

# x ** c for a number c: the exponent is a setting, not an input.
POW_CONST_POINTS = [
    (3.0, 2.0),
    (0.0, -1.0),
    (-8.0, 1 / 3),
    (0.0, 0.0),
    (-2.0, 3.0),
    (2.0, 0.5),
    (0.0, 0.5),
    (0.0, 2.0),
    (-1.5, -2.0),
]


def torch_value_and_grads(fn: Callable[..., Any], *xs: float) -> tuple[float, list[float]]:
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    out = fn(*ts)
    grads = torch.autograd.grad(out, ts, allow_unused=True)
    return out.item(), [0.0 if g is None else g.item() for g in grads]


def our_value_and_grads(fn: Callable[..., Any], *xs: float) -> tuple[float, list[float]]:
    vs = [Value(x) for x in xs]
    out = fn(*vs)
    out.backward()
    assert isinstance(out.data, float)
    return out.data, [v.grad for v in vs]


def assert_same(ours: tuple[float, list[float]], theirs: tuple[float, list[float]]) -> None:
    assert same(ours[0], theirs[0]), f"value: ours {ours[0]!r}, torch {theirs[0]!r}"
    for i, (a, b) in enumerate(zip(ours[1], theirs[1], strict=True)):
        assert same(a, b), f"grad of input {i}: ours {a!r}, torch {b!r}"


def test_every_op_in_the_table_has_cases_here() -> None:
    assert set(OPS) == set(UNARY) | set(BINARY) | set(NARY) | {"pow_const", "binary_cross_entropy"}


@pytest.mark.parametrize(
    ("name", "x"), [(name, x) for name, (_, _, xs) in UNARY.items() for x in xs]
)
def test_unary_op_matches_torch(name: str, x: float) -> None:
    ours, theirs, _ = UNARY[name]
    assert_same(our_value_and_grads(ours, x), torch_value_and_grads(theirs, x))


@pytest.mark.parametrize(
    ("name", "x", "y"), [(name, x, y) for name, (_, pts) in BINARY.items() for x, y in pts]
)
def test_binary_op_matches_torch(name: str, x: float, y: float) -> None:
    fn, _ = BINARY[name]
    assert_same(our_value_and_grads(fn, x, y), torch_value_and_grads(fn, x, y))


@pytest.mark.parametrize(
    ("name", "xs"), [(name, xs) for name, (_, _, points) in NARY.items() for xs in points]
)
def test_nary_op_matches_torch(name: str, xs: tuple[float, ...]) -> None:
    ours, theirs, _ = NARY[name]
    assert_same(our_value_and_grads(ours, *xs), torch_value_and_grads(theirs, *xs))


@pytest.mark.parametrize("name", sorted(NARY))
def test_second_derivatives_of_nary_op_match_torch(name: str) -> None:
    ours_fn, torch_fn, _ = NARY[name]
    xs = (0.3, -1.2, 0.8, 0.5, -0.7)
    vs = [Value(x) for x in xs]
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    # through tanh, so that the second derivatives are not all zero
    first = grad(ours_fn(*vs).tanh(), vs, create_graph=True)
    t_first = torch.autograd.grad(torch.tanh(torch_fn(*ts)), ts, create_graph=True)
    for g, tg in zip(first, t_first, strict=True):
        ours = [0.0 if s is None else s for s in grad(g, vs, allow_unused=True)]
        again = torch.autograd.grad(tg, ts, retain_graph=True, allow_unused=True)
        theirs = [0.0 if s is None else s.item() for s in again]
        for a, b in zip(ours, theirs, strict=True):
            assert same(a, b)


@pytest.mark.parametrize("name", sorted(NARY))
def test_nary_op_is_the_chain_it_replaces_to_the_bit(name: str) -> None:
    ours_fn, _, _ = NARY[name]
    xs = (0.1, 0.7, -0.3, 1e-17, 0.2, 3.3, -0.9)
    chain = {"sum": lambda s, *vs: _chain_sum(s, vs), "linear": _torch_linear}[name]
    fused, ops = [Value(x) for x in xs], [Value(x) for x in xs]
    a, b = ours_fn(*fused), chain(*ops)
    a.backward()
    b.backward()
    assert a.data == b.data
    assert [v.grad for v in fused] == [v.grad for v in ops]


def _chain_sum(start: Value, values: tuple[Value, ...]) -> Value:
    return builtins.sum(values, start)


@pytest.mark.parametrize(("x", "c"), POW_CONST_POINTS)
def test_pow_with_number_exponent_matches_torch(x: float, c: float) -> None:
    assert_same(our_value_and_grads(lambda v: v**c, x), torch_value_and_grads(lambda t: t**c, x))


@pytest.mark.parametrize(("c", "y"), [(2.0, 3.0), (2.0, -1.0), (0.0, 2.0), (-2.0, 0.5)])
def test_number_to_the_power_of_a_value_matches_torch(c: float, y: float) -> None:
    assert_same(
        our_value_and_grads(lambda v: c**v, y),
        torch_value_and_grads(lambda t: torch.pow(c, t), y),
    )


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (lambda: Value(0.0).log().data, -inf),
        (lambda: Value(1000.0).exp().data, inf),
        (lambda: (1 / Value(0.0)).data, inf),
        (lambda: (Value(0.0) ** -1).data, inf),
        (lambda: (Value(1000.0).tanh()).data, 1.0),
        (lambda: (Value(-1000.0).sigmoid()).data, 0.0),
    ],
)
def test_edge_values_follow_ieee_not_python_exceptions(
    expression: Callable[[], float], expected: float
) -> None:
    assert expression() == expected


def test_negative_base_to_a_fraction_is_nan_not_complex() -> None:
    out = Value(-8.0) ** (1 / 3)
    assert isinstance(out.data, float)
    assert math.isnan(out.data)


@pytest.mark.parametrize(
    ("fn", "x", "expected"),
    [
        (lambda v: v.relu(), 0.0, 0.0),
        (abs, 0.0, 0.0),
        (lambda v: v.sqrt(), 0.0, inf),
        (lambda v: v**0, 0.0, 0.0),
        (lambda v: v.log(), -1.0, -1.0),
    ],
)
def test_derivatives_at_awkward_points_are_pytorchs(
    fn: Callable[[Value], Value], x: float, expected: float
) -> None:
    v = Value(x)
    fn(v).backward()
    assert v.grad == expected


@pytest.mark.parametrize("name", sorted(UNARY))
def test_second_derivative_of_unary_op_matches_torch(name: str) -> None:
    ours_fn, torch_fn, _ = UNARY[name]
    x = 0.37
    v = Value(x)
    (dv,) = grad(ours_fn(v), [v], create_graph=True)
    (d2,) = grad(dv, [v], allow_unused=True)
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    (dt,) = torch.autograd.grad(torch_fn(t), [t], create_graph=True)
    expected = torch.autograd.grad(dt, [t])[0].item() if dt.requires_grad else 0.0
    assert same(0.0 if d2 is None else d2, expected)


@pytest.mark.parametrize("name", sorted(BINARY))
def test_second_derivatives_of_binary_op_match_torch(name: str) -> None:
    fn, _ = BINARY[name]
    x, y = 1.3, 0.7
    vs = [Value(x), Value(y)]
    first = grad(fn(*vs), vs, create_graph=True)
    ts = [torch.tensor(z, dtype=torch.float64, requires_grad=True) for z in (x, y)]
    t_first = torch.autograd.grad(fn(*ts), ts, create_graph=True)
    for g, tg in zip(first, t_first, strict=True):
        ours = [0.0 if s is None else s for s in grad(g, vs, allow_unused=True)]
        theirs = [
            0.0 if s is None else s.item()
            for s in (
                torch.autograd.grad(tg, ts, allow_unused=True) if tg.requires_grad else (None,) * 2
            )
        ]
        for a, b in zip(ours, theirs, strict=True):
            assert same(a, b)


@pytest.mark.parametrize(
    ("fn", "x", "expected"),
    [
        (op_funcs.div, (1.0, 0.0), inf),
        (op_funcs.div, (-1.0, 0.0), -inf),
        (op_funcs.div, (1.0, -0.0), -inf),
        (op_funcs.power, (-0.0, -1.0), -inf),
        (op_funcs.power, (-10.0, 401.0), -inf),
        (op_funcs.exp, (1e6,), inf),
    ],
)
def test_float_helpers_give_signed_infinities_like_c(
    fn: Callable[..., float], x: tuple[float, ...], expected: float
) -> None:
    assert fn(*x) == expected


def _made_by_each_op() -> list[Value]:
    """One node per op of the table, made through Value's operators and methods."""
    x, y = Value(1.7), Value(-0.6)
    return [
        x + y, x - y, x * y, -x, x / y, x**y, x**3, abs(y), y.sign(), y.relu(),
        y.leaky_relu(0.2), x.tanh(), y.sigmoid(), x.exp(), x.log(), x.log1p(), x.sqrt(),
        x.sin(), x.cos(), y.softplus(2.0, 1.0), autograd.sum([x, y, x]),
        autograd.linear([x, y], [y, 2.0], x),
        nn.binary_cross_entropy([Value(0.3)], [Value(0.8)], reduction="none")[0],
    ]  # fmt: skip


def test_the_examples_cover_every_op() -> None:
    assert {OPS_BY_RULE[n.grad_fn] for n in _made_by_each_op()} == set(OPS)


@pytest.mark.parametrize("node", _made_by_each_op(), ids=lambda n: n._op)
def test_table_forward_gives_what_the_value_method_gave(node: Value) -> None:
    op = OPS[OPS_BY_RULE[node.grad_fn]]
    assert op.forward(*(p.data for p in node._prev)) == node.data


@pytest.mark.parametrize("x", [20.0, 40.0, -25.0, 300.0])
def test_tanh_and_sigmoid_derivatives_are_exact_where_torchs_round_to_zero(x: float) -> None:
    # torch's 1 - y*y and (1 - y) * y are 0 (or far off) once y rounds to +-1; ours is sech(x)**2
    # and e**-|x| / (1 + e**-|x|)**2 to the last bits (mpmath as the oracle)
    for method, exact in [
        (Value.tanh, 1 / mpmath.cosh(x) ** 2),
        (Value.sigmoid, mpmath.exp(-abs(x)) / (1 + mpmath.exp(-abs(x))) ** 2),
    ]:
        v = Value(x)
        method(v).backward()
        assert v.grad == pytest.approx(float(exact), rel=4e-16)


@pytest.mark.parametrize("x", [2.0, -2.0, 0.0])
def test_softplus_with_beta_zero_is_inf_like_torch(x: float) -> None:
    assert_same(
        our_value_and_grads(lambda v: v.softplus(beta=0.0), x),
        torch_value_and_grads(lambda t: F.softplus(t, beta=0.0), x),
    )


@pytest.mark.parametrize(("x", "y"), [(1e300, 1e160), (1e-300, 1e-200), (0.0, 1e-170), (1.3, 0.7)])
def test_second_derivatives_of_div_match_torch_where_y_squared_overflows(
    x: float, y: float
) -> None:
    ours = hessian(lambda a, b: a / b, [x, y])
    point = (torch.tensor(x, dtype=torch.float64), torch.tensor(y, dtype=torch.float64))
    theirs = torch.autograd.functional.hessian(lambda a, b: a / b, point)
    for i in range(2):
        for j in range(2):
            assert same(ours[i][j], float(theirs[i][j])), (i, j, ours, theirs)


@pytest.mark.parametrize(("x", "y"), [(0.0, 0.0), (0.0, 2.0), (2.0, 0.0), (-0.0, 3.0)])
def test_rules_on_values_choose_as_on_floats_at_zero(x: float, y: float) -> None:
    # a Value's == is identity (micrograd), so a rule must not test zero with ==
    xs = [Value(x), Value(y)]
    graph = [g.data for g in grad(xs[0] ** xs[1], xs, create_graph=True)]
    ts = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (x, y)]
    theirs = [g.item() for g in torch.autograd.grad(ts[0] ** ts[1], ts)]
    assert graph == theirs
    v = Value(x)
    (with_number,) = grad(v**y, [v], create_graph=True)
    assert with_number.data == theirs[0]


def test_every_forward_function_of_the_table_is_listed_as_maths() -> None:
    # compiled code may call exactly ops.FUNCTIONS: a row whose forward is missing there
    # could not be replayed
    for op in OPS.values():
        if op.forward.__module__ == "autograd.ops":
            assert op.forward.__name__ in op_funcs.FUNCTIONS, op.name
    assert all(callable(getattr(op_funcs, name)) for name in op_funcs.FUNCTIONS)
