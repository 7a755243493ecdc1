"""Loss functions on lists of Values, equal to ``torch.nn.functional``'s (values and gradients).

Arguments as in torch: predictions (Values or numbers) and targets, one per sample; for
``cross_entropy`` one row of logits per sample and a class index. ``reduction`` is ``"mean"``
(sum / n, as torch), ``"sum"`` or ``"none"`` (a list with one loss per sample).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence

from autograd import fused, ops
from autograd.replay import guarded_data
from autograd.value import Value, _record

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "hinge_loss",
    "l1_loss",
    "log_sigmoid",
    "mse_loss",
]

Number = Value | float
Loss = Value | list[Value]

_REDUCTIONS = ("mean", "sum", "none")


def _value(x: object, what: str) -> Value:
    if isinstance(x, Value):
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return Value(float(x))
    raise ValueError(f"{what} must be a Value or a number, got {type(x).__name__}: {x!r}")


def _data(x: object, what: str) -> float:
    return x.data if isinstance(x, Value) else _value(x, what).data


def _pairs(
    name: str, input: Sequence[Number], target: Sequence[Number], reduction: str
) -> list[tuple[Value, Number]]:
    """Check the arguments every loss shares; predictions become Values, targets stay as given."""
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{name}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")
    if len(input) != len(target):
        raise ValueError(
            f"{name}: {len(input)} predictions but {len(target)} targets; give one target each"
        )
    if len(input) == 0:  # not `if not input`: a numpy array has no truth value
        raise ValueError(f"{name}: got no predictions; pass at least one")
    for i, t in enumerate(target):
        _data(t, f"{name}: target {i}")
    return [
        (_value(p, f"{name}: prediction {i}"), t)
        for i, (p, t) in enumerate(zip(input, target, strict=True))
    ]


def _total(losses: list[Value]) -> Value:
    # One node, adding as the chain losses[0] + losses[1] + ... does (the same bits).
    return fused.sum(losses[1:], start=losses[0])


def _reduce(losses: list[Value], reduction: str) -> Loss:
    if reduction == "none":
        return losses
    total = _total(losses)
    return total / len(losses) if reduction == "mean" else total


def _elementwise(
    name: str,
    per_sample: Callable[[Value, Number], Value],
    input: Sequence[Number],
    target: Sequence[Number],
    reduction: str,
) -> Loss:
    pairs = _pairs(name, input, target, reduction)
    return _reduce([per_sample(p, t) for p, t in pairs], reduction)


def _squared_error(p: Value, t: Number) -> Value:
    return (p - t) ** 2


def _absolute_error(p: Value, t: Number) -> Value:
    return abs(p - t)


def mse_loss(input: Sequence[Number], target: Sequence[Number], reduction: str = "mean") -> Loss:
    """Mean squared error, (p - t)**2 per sample (``torch.nn.functional.mse_loss``).

    >>> mse_loss([1.0, 2.0], [0.0, 4.0]).data
    2.5
    """
    return _elementwise("mse_loss", _squared_error, input, target, reduction)


def l1_loss(input: Sequence[Number], target: Sequence[Number], reduction: str = "mean") -> Loss:
    """Mean absolute error, |p - t| per sample (``torch.nn.functional.l1_loss``).

    The seeds' table: labels 1 1 2 2 3 3 against predictions 1 2 2 1 2 3 err by 3 in total.

    >>> l1_loss([1, 2, 2, 1, 2, 3], [1, 1, 2, 2, 3, 3], reduction="sum").data
    3.0
    """
    return _elementwise("l1_loss", _absolute_error, input, target, reduction)


def _margin(score: Value, y: Number) -> Value:
    return (1 - y * score).relu()


def hinge_loss(input: Sequence[Number], target: Sequence[Number], reduction: str = "mean") -> Loss:
    """micrograd's max-margin loss: relu(1 - y * score) per sample, labels y = -1 or +1.

    >>> hinge_loss([2.0, 0.5], [1, -1]).data  # (0 + 1.5) / 2
    0.75
    """
    pairs = _pairs("hinge_loss", input, target, reduction)
    for i, (_, y) in enumerate(pairs):
        if not isinstance(y, Value) and y not in (-1, 1):
            raise ValueError(
                f"hinge_loss: labels must be -1 or +1, target {i} is {y!r} "
                "(make_moons(..., labels=(-1, 1)) gives such labels)"
            )
    return _reduce([_margin(p, y) for p, y in pairs], reduction)


def _bce(p: Value, t: Number) -> Value:
    # One op of the table, not a composition: torch's gradient at p = 0 or 1 is not the
    # composition's (see ops.binary_cross_entropy_backward).
    target = t if isinstance(t, Value) else Value(t)
    out = ops.binary_cross_entropy(p.data, target.data)
    return _record(out, p, target, ops.binary_cross_entropy_backward)


def binary_cross_entropy(
    input: Sequence[Number], target: Sequence[Number], reduction: str = "mean"
) -> Loss:
    """-(t log p + (1 - t) log(1 - p)) for probabilities p (``F.binary_cross_entropy``).

    Each log is clamped at -100 and the gradient's denominator (1 - p) p at 1e-12, as in torch.

    >>> round(binary_cross_entropy([0.9], [1.0]).data, 6)
    0.105361
    """
    pairs = _pairs("binary_cross_entropy", input, target, reduction)
    for i, (p, t) in enumerate(pairs):
        if not 0.0 <= p.data <= 1.0:
            raise ValueError(
                f"binary_cross_entropy: prediction {i} is {p.data}, not a probability in [0, 1]; "
                "pass logits to binary_cross_entropy_with_logits instead"
            )
        if not 0.0 <= _data(t, "target") <= 1.0:
            raise ValueError(f"binary_cross_entropy: target {i} is {t!r}, not in [0, 1]")
    return _reduce([_bce(p, t) for p, t in pairs], reduction)


def log_sigmoid(x: Value) -> Value:
    """log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)), finite for any x (torch's kernel).

    >>> log_sigmoid(Value(-800.0)).data
    -800.0
    """
    # Branch-free, so that autograd.compile traces the choice instead of guarding it:
    # r = relu(-x) is -min(x, 0), and -x - 2r is -|x| (both exact in IEEE). Written so, the
    # slope at 0 is torch's 1/2: relu'(0) = 0 leaves only d(-x - 2r)/dx = -1 there.
    minus_x = -x
    r = minus_x.relu()
    return -(r + (minus_x - 2.0 * r).exp().log1p())


def _bce_with_logits(x: Value, t: Number) -> Value:
    # the formula of torch's kernel, with log_sigmoid as above
    return (1 - t) * x - log_sigmoid(x)


def binary_cross_entropy_with_logits(
    input: Sequence[Number], target: Sequence[Number], reduction: str = "mean"
) -> Loss:
    """Binary cross entropy of sigmoid(x), computed stably from the logits x.

    >>> losses = binary_cross_entropy_with_logits([800.0, -800.0], [1.0, 1.0], reduction="none")
    >>> [loss.data for loss in losses]
    [0.0, 800.0]
    """
    return _elementwise(
        "binary_cross_entropy_with_logits", _bce_with_logits, input, target, reduction
    )


def _shift(row: list[Value]) -> Value:
    """About the row's largest logit, as a traced Value: max(m, x) = m + relu(x - m).

    A replay recomputes it from new logits (the max of ``.data`` was a constant of the
    recording). It may miss the max by a rounding: the loss does not depend on the shift.
    """
    m = row[0]
    for x in row[1:]:
        m = m + (x - m).relu()
    return m


def _row_loss(row: list[Value], c: int) -> Value:
    # log_softmax with the max subtracted first (log-sum-exp trick): exp never overflows.
    # loss = log(sum exp(x_j - m)) - (x_c - m), the order of torch's log_softmax + nll_loss.
    m = _shift(row)
    total = _total([(x - m).exp() for x in row])
    return total.log() - (row[c] - m)


def cross_entropy(
    input: Sequence[Sequence[Number]], target: Sequence[int], reduction: str = "mean"
) -> Loss:
    """Softmax cross entropy from rows of logits and class indices (``F.cross_entropy``).

    >>> round(cross_entropy([[2.0, 0.0, -1.0]], [0]).data, 6)
    0.169846
    """
    name = "cross_entropy"
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{name}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")
    if len(input) != len(target):
        raise ValueError(f"{name}: {len(input)} rows of logits but {len(target)} class indices")
    if len(input) == 0:  # not `if not input`: a numpy array has no truth value
        raise ValueError(f"{name}: got no rows of logits; pass at least one")
    first = input[0]
    classes = 0 if isinstance(first, Value | numbers.Real) else len(first)
    rows: list[list[Value]] = []
    indices: list[int] = []
    for i, (row, c) in enumerate(zip(input, target, strict=True)):
        if isinstance(row, Value | numbers.Real) or len(row) != classes or classes == 0:
            raise ValueError(
                f"{name}: row {i} must be a list of {classes or 'some'} logits, got {row!r}"
            )
        indices.append(_class_index(c, classes, f"{name}: target {i}"))
        rows.append([_value(x, f"{name}: logit {j} of row {i}") for j, x in enumerate(row)])
    return _reduce([_row_loss(row, c) for row, c in zip(rows, indices, strict=True)], reduction)


def _class_index(c: object, classes: int, what: str) -> int:
    # A Value holding a class index (fit(compiled=True) passes labels so) picks a logit: its
    # number leaves the graph, so a compiled replay guards it.
    index = guarded_data(c) if isinstance(c, Value) else c
    if isinstance(index, float) and index.is_integer():
        index = int(index)
    if isinstance(index, bool) or not isinstance(index, numbers.Integral):
        raise ValueError(f"{what} is {c!r}; class indices run from 0 to {classes - 1}")
    if not 0 <= int(index) < classes:
        raise ValueError(f"{what} is {c!r}; class indices run from 0 to {classes - 1}")
    return int(index)
