"""Checking gradients: the engine's gradients against central finite differences."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from autograd.backward import grad
from autograd.modes import no_grad
from autograd.value import Value

__all__ = ["GradcheckError", "gradcheck"]


class GradcheckError(AssertionError):
    """Raised by ``gradcheck`` when an analytic gradient disagrees with finite differences."""


def gradcheck(
    fn: Callable[..., Value],
    inputs: Sequence[float | Value],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """Compare d fn(*inputs)/d input with (f(x+eps) - f(x-eps)) / 2eps; True or GradcheckError.

    >>> gradcheck(lambda x, y: (x * y).tanh(), [0.3, -0.7])
    True
    """
    points = [float(x.data if isinstance(x, Value) else x) for x in inputs]
    labels = [x.label if isinstance(x, Value) else "" for x in inputs]
    xs = [Value(p, label=lab) for p, lab in zip(points, labels, strict=True)]
    out = fn(*xs)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: fn must return a Value, got {type(out).__name__}")
    analytic = grad(out, xs, allow_unused=True)

    def f_at(i: int, x_i: float) -> float:
        with no_grad():
            args = [Value(x_i if j == i else p) for j, p in enumerate(points)]
            return fn(*args).data

    for i, found in enumerate(analytic):
        engine = 0.0 if found is None else found
        numeric = (f_at(i, points[i] + eps) - f_at(i, points[i] - eps)) / (2.0 * eps)
        if not abs(engine - numeric) <= atol + rtol * abs(numeric):
            name = f" ({labels[i]!r})" if labels[i] else ""
            raise GradcheckError(
                f"gradient of input {i}{name} at {points[i]!r} is wrong: the engine says "
                f"{engine!r}, central differences say {numeric!r} "
                f"(eps={eps}, atol={atol}, rtol={rtol})"
            )
    return True
