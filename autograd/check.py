"""Checking gradients: whole functions (``gradcheck``) and each node's rule (``check_rules``)."""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from autograd.backward import contributions, grad, topological_order
from autograd.modes import no_grad
from autograd.ops import OPS, Op, missing_backward, op_of
from autograd.value import Value

__all__ = ["GradcheckError", "RuleCheck", "check_rules", "gradcheck"]


class GradcheckError(AssertionError):
    """Raised by ``gradcheck`` when an analytic gradient disagrees with finite differences."""


def _check_tolerances(caller: str, eps: object, atol: object, rtol: object) -> None:
    """Refuse settings that make every check pass or fail, before anything runs."""
    for name, value in (("eps", eps), ("atol", atol), ("rtol", rtol)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            kind = type(value).__name__
            raise TypeError(f"{caller}: {name} must be a number, got {kind}: {value!r}")
        number = float(value)
        if name == "eps" and not (math.isfinite(number) and number > 0):
            raise ValueError(
                f"{caller}: eps must be a finite number > 0 (the finite-difference step), "
                f"got {value}"
            )
        if not (math.isfinite(number) and number >= 0):
            raise ValueError(f"{caller}: {name} must be a finite number >= 0, got {value}")


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
    _check_tolerances("gradcheck", eps, atol, rtol)
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


@dataclass(frozen=True)
class RuleCheck:
    """What ``check_rules`` found: how many nodes' rules agree, and which it could not check."""

    checked: int  # op nodes whose rule agrees with central differences of their forward
    unchecked: tuple[str, ...]  # nodes it could not check, each with the reason

    def __repr__(self) -> str:
        if not self.unchecked:
            return f"RuleCheck: all {self.checked} rules agree with central differences"
        return (
            f"RuleCheck: {self.checked} rules agree; {len(self.unchecked)} not checked: "
            + "; ".join(self.unchecked)
        )


def check_rules(
    output: Value, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3
) -> RuleCheck:
    """Check each node's backward rule against central differences of that node's own forward.

    Raises ``GradcheckError`` at the first node whose rule is wrong, naming the op, the node,
    the input and both numbers. Nodes built by hand with a micrograd-style closure have no
    known forward: one whose ``_op`` names a built-in op is checked against that op's maths,
    the others are listed in ``unchecked`` (and a warning says so).

    >>> x = Value(0.5, label="x")
    >>> check_rules((x * x).tanh())
    RuleCheck: all 2 rules agree with central differences
    """
    if not isinstance(output, Value):
        raise TypeError(f"check_rules: output must be a Value, got {type(output).__name__}")
    _check_tolerances("check_rules", eps, atol, rtol)
    checked = 0
    unchecked: list[str] = []
    order = topological_order(output)
    names = {node: node.label or f"v{i}" for i, node in enumerate(order)}
    for node in order:
        op = op_of(node)
        if op is None:
            continue
        forward, why = _forward_of(node, op)
        if forward is None:
            unchecked.append(f"{names[node]} ({op.name}): {why}")
            continue
        points = [p.data for p in node._prev]
        if not all(math.isfinite(x) for x in [*points, node.data]):
            unchecked.append(f"{names[node]} ({op.name}): not finite here")
            continue
        for i, rule_says in enumerate(contributions(node, 1.0)):
            _check_slot(
                node,
                op,
                forward,
                points=points,
                i=i,
                rule_says=rule_says,
                names=names,
                eps=eps,
                atol=atol,
                rtol=rtol,
            )
        checked += 1
    if unchecked:
        warnings.warn(
            "check_rules could not check " + "; ".join(unchecked), UserWarning, stacklevel=2
        )
    return RuleCheck(checked, tuple(unchecked))


def _forward_of(node: Value, op: Op) -> tuple[Callable[..., float] | None, str]:
    """The forward maths to difference for ``node``, or None and the reason there is none."""
    if op.kind != "closure":
        return op.forward, ""
    if op.backward is missing_backward:
        return None, "built by hand with no backward rule"
    twin = next((o for o in OPS.values() if op.name in (o.name, o.symbol)), None)
    if twin is None or twin.inputs not in (None, len(node._prev)):  # None: any number
        return None, "a micrograd-style closure: its forward maths is unknown"
    return twin.forward, ""


def _check_slot(
    node: Value,
    op: Op,
    forward: Callable[..., float],
    *,
    points: list[float],
    i: int,
    rule_says: float,
    names: dict[Value, str],
    eps: float,
    atol: float,
    rtol: float,
) -> None:
    def f(x_i: float) -> float:
        return float(forward(*(x_i if j == i else p for j, p in enumerate(points))))

    x = points[i]
    here, up, down = f(x), f(x + eps), f(x - eps)
    central = (up - down) / (2.0 * eps)

    def close(a: float, b: float) -> bool:
        return abs(a - b) <= atol + rtol * abs(b)

    if close(rule_says, central):
        return
    # At a kink (relu, abs at 0) the one-sided slopes differ: any value between them is a
    # subgradient, and PyTorch's conventions pick one of them.
    right, left = (up - here) / eps, (here - down) / eps
    if not close(right, left) and min(left, right) - atol <= rule_says <= max(left, right) + atol:
        return
    parent = node._prev[i]
    raise GradcheckError(
        f"the backward rule of {names[node]} = {op.name}(...) ({op.backward.__name__}) is wrong "
        f"for input {i} ({names[parent]} = {x!r}): the rule says d{names[node]}/d{names[parent]}"
        f" = {rule_says!r}, central differences of {op.name}'s forward say {central!r} "
        f"(eps={eps}, atol={atol}, rtol={rtol})"
    )
