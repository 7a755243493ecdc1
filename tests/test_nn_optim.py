"""nn.optim against torch.optim (float64, single-tensor path): the weights after many steps."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from autograd import Value
from nn import optim
from nn.optim import fma
from tests.oracle import import_torch

torch = import_torch()

STEPS = 50


def close(ours: float, theirs: float) -> bool:
    return math.isclose(ours, theirs, rel_tol=1e-12, abs_tol=1e-15)


def objective(ws: list[Any], sin: Callable[[Any], Any]) -> Any:
    """A bumpy function whose gradient changes from step to step: sum of w**2 * c + sin(w)."""
    total = ws[0] * ws[0] * 0.5 + sin(ws[0])
    for i, w in enumerate(ws[1:], start=1):
        total = total + w * w * (0.5 + i) + sin(w * 3.0)
    return total


def run_both(
    make_ours: Callable[[list[Value]], optim.Optimizer],
    make_theirs: Callable[[list[Any]], Any],
    lrs: list[float] | None = None,
) -> None:
    """Take STEPS steps with both optimizers and compare every weight after every step."""
    rng = random.Random(0)
    start = [rng.uniform(-2.0, 2.0) for _ in range(6)]
    ours_ws = [Value(w) for w in start]
    theirs_ws = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in start]
    ours, theirs = make_ours(ours_ws), make_theirs(theirs_ws)
    for step in range(STEPS):
        if lrs is not None:
            ours.lr = lrs[step]
            for group in theirs.param_groups:
                group["lr"] = lrs[step]
        ours.zero_grad()
        objective(ours_ws, Value.sin).backward()
        ours.step()
        theirs.zero_grad()
        objective(theirs_ws, torch.sin).backward()
        theirs.step()
        for w, t in zip(ours_ws, theirs_ws, strict=True):
            assert close(w.data, t.item()), (step, w.data, t.item())


SGD_SETTINGS = [
    {},
    {"momentum": 0.9},
    {"momentum": 0.9, "dampening": 0.3},
    {"momentum": 0.8, "nesterov": True},
    {"weight_decay": 0.1},
    {"momentum": 0.9, "weight_decay": 0.05, "nesterov": True},
]


@pytest.mark.parametrize("settings", SGD_SETTINGS, ids=str)
def test_sgd_equals_torch_over_many_steps(settings: dict[str, Any]) -> None:
    run_both(
        lambda ws: optim.SGD(ws, lr=0.01, **settings),
        lambda ws: torch.optim.SGD(ws, lr=0.01, foreach=False, **settings),
    )


ADAM_SETTINGS = [
    {},
    {"lr": 0.05, "betas": (0.8, 0.99)},
    {"lr": 0.05, "weight_decay": 0.1},
    {"lr": 0.05, "eps": 1e-3},
    {"lr": 0.05, "amsgrad": True},
]


@pytest.mark.parametrize("settings", ADAM_SETTINGS, ids=str)
def test_adam_equals_torch_over_many_steps(settings: dict[str, Any]) -> None:
    run_both(
        lambda ws: optim.Adam(ws, **settings),
        lambda ws: torch.optim.Adam(ws, foreach=False, **settings),
    )


@pytest.mark.parametrize("settings", [{}, {"lr": 0.05, "weight_decay": 0.3}], ids=str)
def test_adamw_equals_torch_over_many_steps(settings: dict[str, Any]) -> None:
    run_both(
        lambda ws: optim.AdamW(ws, **settings),
        lambda ws: torch.optim.AdamW(ws, foreach=False, **settings),
    )


def test_lr_changed_between_steps_equals_torch() -> None:
    lrs = [1.0 - 0.9 * k / STEPS for k in range(STEPS)]
    run_both(
        lambda ws: optim.SGD(ws, lr=1.0, momentum=0.5),
        lambda ws: torch.optim.SGD(ws, lr=1.0, momentum=0.5, foreach=False),
        [0.05 * lr for lr in lrs],
    )
    run_both(
        lambda ws: optim.Adam(ws, lr=0.1),
        lambda ws: torch.optim.Adam(ws, lr=0.1, foreach=False),
        [0.1 * lr for lr in lrs],
    )


def test_parameter_groups_with_their_own_lr_equal_torch() -> None:
    run_both(
        lambda ws: optim.Adam([{"params": ws[:3]}, {"params": ws[3:], "lr": 0.2}], lr=0.01),
        lambda ws: torch.optim.Adam(
            [{"params": ws[:3]}, {"params": ws[3:], "lr": 0.2}], lr=0.01, foreach=False
        ),
    )


def test_sgd_is_micrograds_update() -> None:
    w = Value(0.75)
    w.grad = 0.2
    optim.SGD([w], lr=0.3).step()
    assert w.data == pytest.approx(0.75 - 0.3 * 0.2, rel=1e-15)  # torch rounds once (fma)


def test_fma_rounds_once() -> None:
    assert optim.fma(0.1, 10.0, -1.0) == 2.0**-54  # the exact 0.1 is 1/10 + 2**-54 / 10
    assert optim.fma(2.0, 3.0, 1.0) == 7.0
    assert optim.fma(1e308, 10.0, 0.0) == math.inf
    assert math.isnan(optim.fma(math.inf, 0.0, 1.0))


def test_lr_is_settable_and_mirrored_in_param_groups() -> None:
    opt = optim.SGD([Value(1.0)], lr=0.1)
    opt.lr = 0.5
    assert opt.param_groups[0]["lr"] == 0.5
    opt.param_groups[0]["lr"] = 0.25
    assert opt.lr == 0.25


def test_zero_grad_clears_the_parameters() -> None:
    ws = [Value(1.0), Value(2.0)]
    (ws[0] * ws[1]).backward()
    opt = optim.Adam(ws)
    opt.zero_grad()
    assert [w.grad for w in ws] == [0.0, 0.0]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: optim.SGD([], lr=0.1), "empty list of parameters"),
        (lambda: optim.SGD([1.0], lr=0.1), "is a float, not a Value"),
        (
            lambda: optim.SGD([Value(1.0)], lr=-1.0),
            r"Invalid learning rate: -1.0 \(lr must be >= 0",
        ),
        (lambda: optim.SGD([Value(1.0)], lr="0.1"), "Invalid learning rate: '0.1' is a str"),
        (lambda: optim.SGD([Value(1.0)], lr=math.nan), "Invalid learning rate: nan"),
        (lambda: optim.SGD([Value(1.0)], lr=True), "is a bool"),
        (lambda: optim.SGD([Value(1.0)], lr=0.1, momentum=-0.5), "Invalid momentum value: -0.5"),
        (lambda: optim.SGD([Value(1.0)], lr=0.1, weight_decay=-1), "Invalid weight_decay value"),
        (lambda: optim.SGD([Value(1.0)], lr=0.1, dampening="x"), "Invalid dampening value"),
        (
            lambda: optim.SGD([Value(1.0)], lr=0.1, nesterov=True),
            "Nesterov momentum requires a momentum and zero dampening",
        ),
        (lambda: optim.Adam([Value(1.0)], betas=(1.0, 0.9)), "Invalid beta parameter at index 0"),
        (lambda: optim.Adam([Value(1.0)], betas=(0.9, -0.1)), "Invalid beta parameter at index 1"),
        (lambda: optim.Adam([Value(1.0)], betas=(0.9, "0.9")), "at index 1: '0.9' is a str"),
        (lambda: optim.Adam([Value(1.0)], betas=0.9), "betas must be a pair"),
        (lambda: optim.Adam([Value(1.0)], eps=-1.0), "Invalid epsilon value: -1.0"),
        (lambda: optim.Adam([Value(1.0)], lr=-0.1), "Invalid learning rate"),
        (lambda: optim.AdamW([Value(1.0)], weight_decay=-0.1), "Invalid weight_decay value"),
        (lambda: optim.Adam([{"params": [Value(1.0)], "momentum": 0.9}]), "unknown settings"),
        (lambda: optim.Adam([{"params": [Value(1.0)], "eps": -1.0}]), "Invalid epsilon value"),
    ],
)
def test_bad_settings_are_refused(make: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()


def test_the_same_settings_torch_refuses_are_refused() -> None:
    w = torch.zeros((), dtype=torch.float64, requires_grad=True)
    for settings in [{"lr": -1.0}, {"eps": -1.0}, {"betas": (1.0, 0.9)}, {"weight_decay": -1}]:
        with pytest.raises(ValueError, match="Invalid"):
            torch.optim.Adam([w], **settings)
        with pytest.raises(ValueError, match="Invalid"):
            optim.Adam([Value(0.0)], **settings)


def test_a_bad_lr_set_later_is_refused() -> None:
    opt = optim.SGD([Value(1.0)], lr=0.1)
    with pytest.raises(ValueError, match="Invalid learning rate"):
        opt.lr = -0.5
    assert opt.lr == 0.1


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_with_eps_zero_and_a_zero_gradient_gives_nan_like_torch(amsgrad: bool) -> None:
    w = Value(1.0)
    opt = optim.Adam([w], lr=0.1, eps=0.0, amsgrad=amsgrad)
    w.grad = 0.0
    opt.step()
    t = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    t.grad = torch.zeros((), dtype=torch.float64)
    torch.optim.Adam([t], lr=0.1, eps=0.0, amsgrad=amsgrad, foreach=False).step()
    assert math.isnan(t.item())
    assert math.isnan(w.data)


def float_gradient(w: float, i: int) -> float:
    """d/dw of w**2 * (0.5 + i) + sin(3w) in plain floats: the very same gradient for both."""
    return 2 * w * (0.5 + i) + 3 * math.cos(3 * w)


ALL_SETTINGS = (
    [(optim.SGD, torch.optim.SGD, {"lr": 0.01, **s}) for s in SGD_SETTINGS]
    + [(optim.Adam, torch.optim.Adam, s) for s in ADAM_SETTINGS]
    + [(optim.AdamW, torch.optim.AdamW, s) for s in [{}, {"lr": 0.05, "weight_decay": 0.3}]]
)


@pytest.mark.parametrize(("ours", "theirs", "settings"), ALL_SETTINGS, ids=str)
def test_given_the_same_gradients_the_weights_equal_torchs_bit_for_bit(
    ours: Any, theirs: Any, settings: dict[str, Any]
) -> None:
    # End to end the weights differ a little (<= 4e-14 relative after 50 steps), from the
    # gradients: libm's sin and torch's differ by an ulp here and there. The updates do not.
    rng = random.Random(0)
    start = [rng.uniform(-2.0, 2.0) for _ in range(6)]
    ours_ws = [Value(w) for w in start]
    theirs_ws = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in start]
    ours_opt = ours(ours_ws, **settings)
    theirs_opt = theirs(theirs_ws, foreach=False, **settings)
    for _ in range(200):
        for i, (w, t) in enumerate(zip(ours_ws, theirs_ws, strict=True)):
            w.grad = float_gradient(w.data, i)
            t.grad = torch.tensor(float_gradient(t.item(), i), dtype=torch.float64)
        ours_opt.step()
        theirs_opt.step()
        assert [w.data for w in ours_ws] == [t.item() for t in theirs_ws]


_FLOATS = st.floats(allow_nan=False, allow_infinity=False, width=64)


@given(_FLOATS, _FLOATS, _FLOATS)
@hypothesis_settings(max_examples=500, deadline=None)
def test_fma_is_the_exact_sum_rounded_once(x: float, y: float, z: float) -> None:
    exact = Fraction(x) * Fraction(y) + Fraction(z)  # the oracle: exact rational arithmetic
    try:
        expected = float(exact)
    except OverflowError:
        expected = math.inf if exact > 0 else -math.inf
    got = fma(x, y, z)
    assert got == expected
    if exact != 0:
        assert math.copysign(1.0, got) == math.copysign(1.0, expected)


@pytest.mark.parametrize(
    ("x", "y", "z"), [(-1e-240, 0.0, -0.0), (0.0, -3.0, -0.0), (2.0, 3.0, -6.0), (-0.0, 1.0, 0.0)]
)
def test_fma_signed_zeros_are_torchs(x: float, y: float, z: float) -> None:
    a = torch.tensor([z], dtype=torch.float64)
    theirs = a.add(torch.tensor([y], dtype=torch.float64), alpha=x).item()
    ours = fma(x, y, z)
    assert (ours, math.copysign(1.0, ours)) == (theirs, math.copysign(1.0, theirs))
