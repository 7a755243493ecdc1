"""Optimizers: SGD, Adam and AdamW, step for step equal to ``torch.optim`` (float64).

Each update follows the operation order of torch's single-tensor code path
(``torch/optim/sgd.py: _single_tensor_sgd``, ``torch/optim/adam.py: _single_tensor_adam``),
including the fused multiply-adds of torch's CPU kernels (``add(alpha=)``, ``lerp``,
``addcmul``), so the weights agree with torch's after many steps, not only the first.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from typing import Any

from autograd.ops import div
from autograd.value import Value

__all__ = ["SGD", "Adam", "AdamW", "Optimizer", "fma"]

Params = Iterable[Value] | Iterable[Mapping[str, Any]]


def fma(x: float, y: float, z: float) -> float:
    """x * y + z rounded once, like the fused multiply-add in torch's CPU kernels.

    ``a.add(b, alpha=c)`` is ``fma(c, b, a)`` in torch: one rounding, not two. Python 3.11 has no
    ``math.fma``, so the sum is formed exactly in integers and rounded once: a float's
    ``as_integer_ratio()`` has a power of two below, and int / int is correctly rounded.

    >>> fma(0.1, 10.0, -1.0)  # 0.1 * 10.0 rounds to 1.0; the exact product does not
    5.551115123125783e-17
    >>> fma(-1e-240, 0.0, -0.0)  # IEEE: -0 + -0 = -0
    -0.0
    """
    if not (math.isfinite(x) and math.isfinite(y) and math.isfinite(z)):
        return x * y + z
    xn, xd = x.as_integer_ratio()
    yn, yd = y.as_integer_ratio()
    zn, zd = z.as_integer_ratio()
    n, d = xn * yn, xd * yd  # both denominators are powers of two: one divides the other
    if d >= zd:
        n += zn * (d // zd)
    else:
        n, d = n * (zd // d) + zn, zd
    if n == 0:  # an exact zero has IEEE's sign, which the float sum of two zeros follows
        return x * y + z if x == 0.0 or y == 0.0 else 0.0
    try:
        return n / d
    except OverflowError:
        return math.inf if n > 0 else -math.inf


class Optimizer:
    """Base class: parameter groups (torch-style), ``lr``, ``zero_grad()`` and ``step()``.

    ``params`` is a list of Values (e.g. ``model.parameters()``) or a list of dicts
    ``{"params": [...], "lr": ...}`` whose settings override the defaults for their Values.
    """

    def __init__(self, params: Params, defaults: dict[str, Any]) -> None:
        items = list(params)
        if not items:
            raise ValueError("the optimizer got an empty list of parameters")
        raw_groups = items if isinstance(items[0], Mapping) else [{"params": items}]
        self.defaults = defaults
        self.param_groups: list[dict[str, Any]] = []
        for i, raw in enumerate(raw_groups):
            if not isinstance(raw, Mapping) or "params" not in raw:
                raise ValueError(f"parameter group {i} must be a dict with a 'params' list")
            unknown = set(raw) - set(defaults) - {"params"}
            if unknown:
                raise ValueError(f"parameter group {i} has unknown settings {sorted(unknown)}")
            group = {**defaults, **raw, "params": list(raw["params"])}
            for j, p in enumerate(group["params"]):
                if not isinstance(p, Value):
                    raise ValueError(
                        f"parameter {j} of group {i} is a {type(p).__name__}, not a Value; "
                        "pass model.parameters()"
                    )
            self._check(group)
            self.param_groups.append(group)
        self.state: dict[Value, dict[str, Any]] = {}

    @property
    def lr(self) -> float:
        """The learning rate (of the first group); set it between steps to schedule it."""
        return float(self.param_groups[0]["lr"])

    @lr.setter
    def lr(self, value: float) -> None:
        _check_at_least_zero("lr", value)
        for group in self.param_groups:
            group["lr"] = value

    def parameters(self) -> list[Value]:
        """Every Value this optimizer updates."""
        return [p for group in self.param_groups for p in group["params"]]

    def zero_grad(self) -> None:
        """Set the ``.grad`` of every parameter to 0 before the next backward()."""
        for p in self.parameters():
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its ``.grad``."""
        for group in self.param_groups:
            self._update(group)

    def _check(self, group: dict[str, Any]) -> None:
        for name in ("lr", "weight_decay"):
            _check_at_least_zero(name, group[name])

    def _update(self, group: dict[str, Any]) -> None:
        raise NotImplementedError


# torch.optim's words for each setting, so its error messages read the same here
_SETTING = {
    "lr": "learning rate",
    "momentum": "momentum value",
    "dampening": "dampening value",
    "weight_decay": "weight_decay value",
    "eps": "epsilon value",
}


def _check_number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(
            f"Invalid {_SETTING[name]}: {value!r} is a {type(value).__name__}; "
            f"{name} must be a number, e.g. {name}=0.1"
        )
    return float(value)


def _check_at_least_zero(name: str, value: object) -> None:
    """torch.optim's test ``0.0 <= value`` (so nan is refused too), with its message."""
    if not _check_number(name, value) >= 0.0:
        raise ValueError(f"Invalid {_SETTING[name]}: {value} ({name} must be >= 0)")


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum, dampening, weight decay and Nesterov.

    ``SGD(model.parameters(), lr=0.1)`` does micrograd's update ``p.data -= lr * p.grad``
    (rounded once, as torch does).

    >>> w = Value(1.0)
    >>> opt = SGD([w], lr=0.1)
    >>> (w * w).backward()
    >>> opt.step()
    >>> w.data
    0.8
    """

    def __init__(  # noqa: PLR0917 (torch.optim's positional signature)
        self,
        params: Params,
        lr: float,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
        }
        super().__init__(params, defaults)

    def _check(self, group: dict[str, Any]) -> None:
        super()._check(group)
        _check_at_least_zero("momentum", group["momentum"])
        _check_number("dampening", group["dampening"])
        if group["nesterov"] and (group["momentum"] <= 0.0 or group["dampening"] != 0.0):
            raise ValueError(
                "Nesterov momentum requires a momentum and zero dampening "
                f"(got momentum={group['momentum']}, dampening={group['dampening']})"
            )

    def _update(self, group: dict[str, Any]) -> None:
        lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
        weight_decay, nesterov = group["weight_decay"], group["nesterov"]
        for p in group["params"]:
            g = p.grad
            if weight_decay != 0:
                g = fma(weight_decay, p.data, g)  # g + weight_decay * p
            if momentum != 0:
                state = self.state.get(p)
                if state is None:  # torch: the first buffer is the gradient itself
                    buf = g
                    self.state[p] = state = {}
                else:  # buf * momentum + (1 - dampening) * g
                    buf = fma(1 - dampening, g, state["momentum_buffer"] * momentum)
                state["momentum_buffer"] = buf
                g = fma(momentum, buf, g) if nesterov else buf
            p.data = fma(-lr, g, p.data)  # micrograd: p.data -= lr * p.grad


def _lerp(start: float, end: float, weight: float) -> float:
    # torch's lerp (ATen/native/Lerp.h): exact at both ends, from the nearer end, fused.
    if abs(weight) < 0.5:
        return fma(weight, end - start, start)
    return fma(weight - 1, end - start, end)


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015) with torch's bias correction; ``weight_decay`` is L2 on the grad.

    >>> w = Value(1.0)
    >>> opt = Adam([w], lr=0.1)
    >>> (w * w).backward()
    >>> opt.step()
    >>> round(w.data, 6)  # the first Adam step moves by lr whatever the gradient's size
    0.9
    """

    decoupled_weight_decay = False

    def __init__(  # noqa: PLR0917 (torch.optim's positional signature)
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
        }
        super().__init__(params, defaults)

    def _check(self, group: dict[str, Any]) -> None:
        super()._check(group)
        _check_at_least_zero("eps", group["eps"])
        betas = group["betas"]
        if not isinstance(betas, tuple | list) or len(betas) != 2:
            raise ValueError(
                f"betas must be a pair (beta1, beta2), e.g. (0.9, 0.999); got {betas!r}"
            )
        for i, beta in enumerate(betas):
            if isinstance(beta, bool) or not isinstance(beta, numbers.Real):
                raise ValueError(
                    f"Invalid beta parameter at index {i}: {beta!r} is a {type(beta).__name__}; "
                    "betas must be numbers in [0, 1)"
                )
            if not 0.0 <= float(beta) < 1.0:
                raise ValueError(
                    f"Invalid beta parameter at index {i}: {beta} (betas lie in [0, 1))"
                )

    def _update(self, group: dict[str, Any]) -> None:
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        weight_decay, amsgrad = group["weight_decay"], group["amsgrad"]
        for p in group["params"]:
            g = p.grad
            state = self.state.get(p)
            if state is None:
                state = {"step": 0, "exp_avg": 0.0, "exp_avg_sq": 0.0, "max_exp_avg_sq": 0.0}
                self.state[p] = state
            state["step"] += 1
            if weight_decay != 0:
                if self.decoupled_weight_decay:  # AdamW: shrink the weight itself
                    p.data = p.data * (1 - lr * weight_decay)
                else:
                    g = fma(weight_decay, p.data, g)
            exp_avg = _lerp(state["exp_avg"], g, 1 - beta1)
            exp_avg_sq = fma((1 - beta2) * g, g, state["exp_avg_sq"] * beta2)  # addcmul
            state["exp_avg"], state["exp_avg_sq"] = exp_avg, exp_avg_sq
            step = float(state["step"])
            bias_correction1 = 1 - beta1**step
            bias_correction2 = 1 - beta2**step
            step_size = lr / bias_correction1
            bias_correction2_sqrt = bias_correction2**0.5
            if amsgrad:  # normalise by the largest second moment seen so far
                state["max_exp_avg_sq"] = max(state["max_exp_avg_sq"], exp_avg_sq)
                exp_avg_sq = state["max_exp_avg_sq"]
            denom = math.sqrt(exp_avg_sq) / bias_correction2_sqrt + eps
            # addcdiv, not fused; eps = 0 and a zero gradient give 0 / 0 = nan, as in torch
            p.data = p.data + div(-step_size * exp_avg, denom)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter 2019): ``p *= 1 - lr * wd`` first."""

    decoupled_weight_decay = True

    def __init__(  # noqa: PLR0917 (torch.optim's positional signature)
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)
