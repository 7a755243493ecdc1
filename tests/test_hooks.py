"""register_hook: called once with the complete gradient; replacements propagate and compose."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from autograd import Value, grad
from tests.oracle import import_torch, same

torch = import_torch()


def test_hook_is_called_once_with_the_complete_gradient() -> None:
    x = Value(1.5)
    h = x * 2.0
    seen: list[float] = []
    h.register_hook(seen.append)
    (h * h + h.tanh()).backward()
    t = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
    th = t * 2.0
    t_seen: list[float] = []
    th.register_hook(lambda g: t_seen.append(g.item()))
    (th * th + th.tanh()).backward()
    assert len(seen) == 1
    assert same(seen[0], t_seen[0])


def test_replacement_on_an_inner_node_propagates() -> None:
    x = Value(0.4)
    h = x.sin()
    h.register_hook(lambda g: g * 3.0)
    (h * x).backward()
    t = torch.tensor(0.4, dtype=torch.float64, requires_grad=True)
    th = t.sin()
    th.register_hook(lambda g: g * 3.0)
    (th * t).backward()
    assert same(x.grad, t.grad.item())


def test_hooks_compose_in_registration_order() -> None:
    x = Value(2.0)
    h = x * x
    h.register_hook(lambda g: g + 1.0)
    h.register_hook(lambda g: g * 10.0)
    (h * 3.0).backward()
    t = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    th = t * t
    th.register_hook(lambda g: g + 1.0)
    th.register_hook(lambda g: g * 10.0)
    (th * 3.0).backward()
    assert same(x.grad, t.grad.item())


def test_leaf_hook_sees_this_pass_and_its_replacement_accumulates() -> None:
    x = Value(2.0)
    seen: list[float] = []
    x.register_hook(lambda g: seen.append(g) or g * 2.0)
    (x * 3.0).backward()
    (x * 3.0).backward()
    t = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    t_seen: list[float] = []
    t.register_hook(lambda g: t_seen.append(g.item()) or g * 2.0)
    (t * 3.0).backward()
    (t * 3.0).backward()
    assert seen == t_seen
    assert x.grad == t.grad.item()


def test_removed_hook_is_not_called() -> None:
    x = Value(2.0)
    calls: list[float] = []
    handle = x.register_hook(calls.append)
    handle.remove()
    handle.remove()
    (x * x).backward()
    assert calls == []


def test_hooks_run_in_grad_too() -> None:
    x = Value(2.0)
    h = x * x
    h.register_hook(lambda g: g * 0.5)
    (gx,) = grad(h * 3.0, [x])
    assert gx == 6.0
    assert x.grad == 0.0


def _as_text(g: float) -> str:
    return str(g)


@pytest.mark.parametrize("run", [lambda y, x: y.backward(), lambda y, x: grad(y, [x])])
def test_a_hook_returning_a_non_number_is_a_type_error_naming_it(
    run: Callable[[Value, Value], object],
) -> None:
    x = Value(2.0, label="x")
    x.register_hook(_as_text)
    with pytest.raises(TypeError, match=r"hook _as_text on x returned str '3\.0'"):
        run(x * 3.0, x)


def test_a_hook_may_return_a_numpy_number() -> None:
    x = Value(2.0)
    x.register_hook(lambda g: np.array(g) * 2)  # a 0-d array
    (x * 3.0).backward()
    assert x.grad == 6.0
    assert type(x.grad) is float
