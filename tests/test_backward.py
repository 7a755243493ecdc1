"""The backward pass: order, accumulation, deep graphs, grad(), Hessians, no_grad."""

from __future__ import annotations

import gc
import threading

import pytest

from autograd import (
    Value,
    backward,
    grad,
    hessian,
    named_scope,
    no_grad,
    record_scopes,
    topological_order,
)
from tests.oracle import import_torch, same

torch = import_torch()


def test_order_puts_inputs_before_the_nodes_they_feed() -> None:
    x = Value(1.0)
    y = x * x + x
    order = topological_order(y)
    position = {id(v): i for i, v in enumerate(order)}
    for node in order:
        for parent in node._prev:
            assert position[id(parent)] < position[id(node)]
    assert order[-1] is y
    assert len(order) == 3


def test_diamond_gets_the_gradient_of_both_paths() -> None:
    x = Value(3.0)
    y = x * x + x
    y.backward()
    assert x.grad == 7.0


def test_leaf_gradients_accumulate_like_torch_and_inner_ones_do_not() -> None:
    x = Value(0.5)
    h = x.tanh()
    y = h * 3.0
    y.backward()
    y.backward()
    t = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    th = t.tanh()
    th.retain_grad()
    ty = th * 3.0
    ty.backward(retain_graph=True)
    first_inner = th.grad.item()
    ty.backward()
    assert x.grad == t.grad.item()
    assert h.grad == first_inner


def test_backward_takes_a_seed_gradient() -> None:
    x = Value(2.0)
    (x * x).backward(0.5)
    assert x.grad == 2.0


def test_chain_of_200k_nodes_runs_backward_without_recursion() -> None:
    x = Value(1.0)
    y = x
    for _ in range(200_000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0
    del y
    gc.collect()


def test_deep_chain_is_freed_without_crashing() -> None:
    x = Value(0.0)
    y = x
    for _ in range(300_000):
        y = y + 1.0
    assert y.data == 300_000.0
    del y  # CPython frees the chain through the trashcan, not by recursion


def test_grad_returns_gradients_and_leaves_dot_grad_alone() -> None:
    x, y = Value(2.0), Value(5.0)
    out = x * y + x
    gx, gy = grad(out, [x, y])
    assert (gx, gy) == (6.0, 2.0)
    assert x.grad == 0.0
    assert y.grad == 0.0
    assert out.grad == 0.0


def test_grad_refuses_an_input_that_is_not_in_the_graph() -> None:
    x, z = Value(2.0), Value(1.0, label="z")
    with pytest.raises(ValueError, match="'z'"):
        grad(x * x, [z])
    assert grad(x * x, [z], allow_unused=True) == (None,)


def test_second_derivative_with_create_graph() -> None:
    x = Value(0.8)
    (dx,) = grad((x * x * x).tanh(), [x], create_graph=True)
    (ddx,) = grad(dx, [x])
    t = torch.tensor(0.8, dtype=torch.float64, requires_grad=True)
    (dt,) = torch.autograd.grad((t * t * t).tanh(), [t], create_graph=True)
    (ddt,) = torch.autograd.grad(dt, [t])
    assert same(dx.data, dt.item())
    assert same(ddx, ddt.item())


def test_third_derivative() -> None:
    x = Value(1.5)
    (d1,) = grad(x.sin() * x, [x], create_graph=True)
    (d2,) = grad(d1, [x], create_graph=True)
    (d3,) = grad(d2, [x])
    t = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
    (t1,) = torch.autograd.grad(t.sin() * t, [t], create_graph=True)
    (t2,) = torch.autograd.grad(t1, [t], create_graph=True)
    (t3,) = torch.autograd.grad(t2, [t])
    assert same(d3, t3.item())


def test_hessian_equals_torch() -> None:
    def f(x, y, z):  # type: ignore[no-untyped-def]
        return (x * y).tanh() + (y / z).exp() * x + z.log() * x * x + (x**3) * y

    point = [0.3, -0.8, 1.7]
    ours = hessian(f, point)
    theirs = torch.autograd.functional.hessian(
        f, tuple(torch.tensor(p, dtype=torch.float64) for p in point)
    )
    for i in range(3):
        for j in range(3):
            assert same(ours[i][j], theirs[i][j].item())


def test_no_grad_records_nothing() -> None:
    x = Value(2.0)
    with no_grad():
        y = x * x + 1
    assert y._prev == ()
    assert y.grad_fn is None
    z = x * x
    assert z._prev == (x, x)


def test_no_grad_in_one_thread_does_not_leak_into_another() -> None:
    inside, outside = threading.Event(), threading.Event()
    recorded: list[tuple[Value, ...]] = []

    def quiet() -> None:
        with no_grad():
            inside.set()
            outside.wait(5)

    worker = threading.Thread(target=quiet)
    worker.start()
    inside.wait(5)
    x = Value(1.0)
    recorded.append((x * 2)._prev)
    outside.set()
    worker.join()
    assert len(recorded[0]) == 2


def test_backward_refuses_a_non_number_seed() -> None:
    with pytest.raises(TypeError, match="str"):
        backward(Value(1.0), "1")  # type: ignore[arg-type]


def test_scopes_are_recorded_only_inside_record_scopes() -> None:
    with named_scope("outside"):
        plain = Value(1.0) * 2
    with record_scopes(), named_scope("layers.0"), named_scope("neurons.1"):
        tagged = Value(1.0) * 2
    assert plain.scope == ""
    assert plain._meta is None
    assert tagged.scope == "layers.0.neurons.1"


def test_a_dropped_graph_leaves_nothing_for_the_cycle_collector() -> None:
    # No closures, no cycles: reference counting alone frees every node of a graph.
    gc.collect()
    gc.disable()
    try:
        x = Value(0.5, label="x")
        y = x
        for _ in range(1000):
            y = (y * x + 1.0).tanh()
        y.backward()
        list(y.backward_steps())
        grad(y, [x], create_graph=True)
        del y
        assert gc.collect() == 0
    finally:
        gc.enable()
