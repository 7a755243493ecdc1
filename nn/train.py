"""A small training loop for demos and learners: forward, loss, zero_grad, backward, step.

It is micrograd's demo loop (https://github.com/karpathy/micrograd/blob/master/demo.ipynb)
with a tqdm progress bar showing the loss, and a returned history of loss and accuracy.
"""

from __future__ import annotations

import numbers
import random
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field

from tqdm.auto import tqdm  # type: ignore[import-untyped]  # one updating bar in notebooks too

from autograd import fused, modes
from autograd.hooks import has_hooks
from autograd.modes import gc_paused, no_grad
from autograd.replay import CompiledStep, compile
from autograd.value import Value
from nn.losses import Loss, binary_cross_entropy_with_logits, hinge_loss, l1_loss, mse_loss
from nn.modules import MLP, Layer, Module, Neuron, Output
from nn.optim import Optimizer

__all__ = ["History", "accuracy", "fit"]

LossFunction = Callable[..., Loss]


@dataclass
class History:
    """Per epoch: the mean loss (with the L2 term), the training accuracy and the lr used;
    ``compiled``: whether the steps ran as a compiled replay (the same numbers either way)."""

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    compiled: bool = False

    def __repr__(self) -> str:
        """A summary, first epoch to last; the lists in full are ``.loss``, ``.accuracy``, ``.lr``.

        >>> History([0.69, 0.2, 0.05], [0.5, 0.8, 1.0], [0.1, 0.1, 0.01])
        History(3 epochs: loss 0.69 -> 0.05 (best 0.05), accuracy 50% -> 100%, lr 0.1 -> 0.01)
        """
        epochs = len(self.loss)
        if epochs == 0:
            return "History(0 epochs)"
        parts = [
            f"loss {self.loss[0]:.4g} -> {self.loss[-1]:.4g} (best {min(self.loss):.4g})",
            f"accuracy {self.accuracy[0]:.0%} -> {self.accuracy[-1]:.0%}" if self.accuracy else "",
            f"lr {self.lr[0]:.4g} -> {self.lr[-1]:.4g}" if self.lr else "",
        ]
        shown = ", ".join(part for part in parts if part)
        return f"History({epochs} epoch{'s' if epochs != 1 else ''}: {shown})"


Score = float | list[float]  # a sample's output as numbers: one, or one per class


def _numbers(score: Output) -> Score:
    return score.data if isinstance(score, Value) else [s.data for s in score]


def _correct(score: Score, target: float) -> bool:
    if isinstance(score, float):  # one output: positive score means the positive class
        return (score > 0) == (target > 0)
    best = max(range(len(score)), key=lambda j: score[j])
    return best == target


def accuracy(scores: Sequence[Output], targets: Sequence[float]) -> float:
    """The share of samples classified right, as in micrograd's demo.

    One output per sample: right when the score and the label have the same sign (labels
    -1/+1 or 0/1 both work); a row of outputs: right when its largest entry is the label.

    >>> accuracy([Value(2.0), Value(-1.0)], [1, 1])
    0.5
    """
    return _share_right([_numbers(s) for s in scores], targets)


def _share_right(scores: Sequence[Score], targets: Sequence[float]) -> float:
    right = sum(_correct(s, t) for s, t in zip(scores, targets, strict=True))
    return right / len(scores)


def _sum_of_squares(params: list[Value]) -> Value:
    # One sum node over the squares: 0.0 + p0*p0 + p1*p1 + ..., micrograd's sum(p*p ...).
    return fused.sum(p * p for p in params)


def _batches(n: int, batch_size: int | None, rng: random.Random) -> list[list[int]]:
    if batch_size is None or batch_size >= n:
        return [list(range(n))]
    order = list(range(n))
    rng.shuffle(order)
    return [order[i : i + batch_size] for i in range(0, n, batch_size)]


def fit(  # noqa: PLR0917 (the order of micrograd's demo: model, data, loss, optimizer, epochs)
    model: Module,
    inputs: Sequence[Sequence[float]],
    labels: Sequence[float],
    loss: LossFunction,
    optimizer: Optimizer,
    epochs: int,
    *,
    batch_size: int | None = None,
    l2: float = 0.0,
    lr_schedule: Callable[[int], float] | None = None,
    seed: int | None = None,
    progress: bool = True,
    compiled: bool | None = None,
    pause_gc: bool = True,
) -> History:
    """Train ``model`` on ``inputs`` and ``labels`` for ``epochs`` passes; returns the History.

    ``loss(scores, targets)`` is e.g. ``nn.hinge_loss``; ``l2`` adds ``l2 * sum(p*p)`` as in
    micrograd's demo; ``lr_schedule(epoch)`` sets ``optimizer.lr`` before each epoch
    (micrograd: ``lambda k: 1.0 - 0.9 * k / 100``). Without ``batch_size`` each epoch is one
    full-batch step; with it, the samples are shuffled (from ``seed``) into mini batches.
    Each neuron is built as one node (``model.forward(x, "fused")``) whatever the model's
    ``graph`` setting: the same numbers as micrograd's op-by-op graph, bit for bit, from an
    eighth of the nodes. ``progress=False`` hides the bar (tests, CI). ``compiled=True``
    records the step of a batch once per batch size and replays it (``autograd.compile``): the
    same numbers, bit for bit, several times faster. The default, ``None``, does so where that
    is known to hold for any batch: a model of nn's own MLP, Layer or Neuron, one of the losses
    hinge, MSE, L1 and BCE with logits, no hooks on parameters, no debugging mode on (anomaly
    mode, scopes); otherwise, and with ``compiled=False``, each step builds its graph and calls
    ``backward()`` (a breakpoint in a backward rule is met there). ``History.compiled`` says
    which ran.
    ``pause_gc`` keeps Python's cyclic collector out of each step (``autograd.gc_paused``; our
    graphs hold no cycles, so it only costs time) and restores it after; False leaves it alone.

    >>> from nn import MLP, SGD, hinge_loss
    >>> model = MLP(2, [4, 1], seed=0)
    >>> X, y = [[0.0, 1.0], [1.0, 0.0]], [1, -1]
    >>> h = fit(model, X, y, hinge_loss, SGD(model.parameters(), lr=0.1), 20, progress=False)
    >>> h.loss[-1] < h.loss[0]
    True
    """
    _check_arguments(model, inputs, labels, optimizer, epochs, batch_size)
    params = model.parameters()

    def batch_loss(
        rows: Sequence[Sequence[float | Value]], targets: Sequence[float | Value]
    ) -> tuple[Value, list[Output]]:
        # Each neuron one node, whatever the model's graph setting: the same numbers, faster.
        scores = [model.forward(row, "fused") for row in rows]
        total = loss(scores, list(targets))
        if not isinstance(total, Value):
            raise TypeError("fit needs a loss that returns one Value (reduction 'mean'/'sum')")
        if l2:
            total = total + l2 * _sum_of_squares(params)
        return total, scores

    if compiled is None:
        compiled = _replays_exactly(model, loss, inputs)
    step = _BatchReplay(batch_loss, inputs, labels) if compiled else None
    rng = random.Random(seed)
    history = History(compiled=compiled)
    bar = tqdm(range(epochs), disable=not progress, desc="fit", unit="epoch")
    for epoch in bar:
        if lr_schedule is not None:
            optimizer.lr = lr_schedule(epoch)
        losses: list[float] = []
        scores: list[Score] = []
        targets: list[float] = []
        for batch in _batches(len(inputs), batch_size, rng):
            with gc_paused() if pause_gc else nullcontext():
                optimizer.zero_grad()
                if step is None:
                    batch_inputs = [inputs[i] for i in batch]
                    total, batch_scores = batch_loss(batch_inputs, [labels[i] for i in batch])
                    total.backward()
                    losses.append(total.data)
                    scores += [_numbers(s) for s in batch_scores]
                    del total, batch_scores  # free this step's graph while the collector rests
                else:
                    losses.append(step.run(batch))
                    scores += step.scores
                optimizer.step()
            targets += [labels[i] for i in batch]
        history.loss.append(sum(losses) / len(losses))
        history.accuracy.append(_share_right(scores, targets))
        history.lr.append(optimizer.lr)
        bar.set_postfix(loss=f"{history.loss[-1]:.4f}", acc=f"{history.accuracy[-1]:.0%}")
    return history


# The losses a replay redoes exactly for every batch: no comparison of a Value steers their graph
# and they read no number out of it. Not so: cross_entropy (it picks each sample's logit by its
# label: it records again for batches of other labels) and binary_cross_entropy (it checks that
# each prediction is a probability, which a replay would not do again).
REPLAYED_LOSSES = (hinge_loss, mse_loss, l1_loss, binary_cross_entropy_with_logits)


def _replays_exactly(model: Module, loss: LossFunction, inputs: Sequence[Sequence[float]]) -> bool:
    """Whether fit's default may replay the step: nn's own modules and losses, as they are."""
    # modes.active: a block like detect_anomaly() or record_scopes() is open (in some thread),
    # whose work a replay would skip; the eager steps do it
    if modes.active or loss not in REPLAYED_LOSSES or not _nn_modules_only(model):
        return False
    if _other_width(inputs) is not None:
        return False  # rows of several widths: the eager step says what the model takes
    return not any(map(has_hooks, model.parameters()))


def _other_width(inputs: Sequence[Sequence[float]]) -> int | None:
    """The first sample whose row is not as wide as sample 0's, or None."""
    width = len(inputs[0])
    return next((i for i, row in enumerate(inputs) if len(row) != width), None)


def _nn_modules_only(model: Module) -> bool:
    # exact types: a subclass's forward may read .data, which a replay would keep as a constant
    if type(model) is MLP:
        return all(type(layer) is Layer and _nn_modules_only(layer) for layer in model.layers)
    if type(model) is Layer:
        return all(type(neuron) is Neuron for neuron in model.neurons)
    return type(model) is Neuron


def _check_arguments(  # noqa: PLR0917 (fit's own arguments, in fit's order)
    model: Module,
    inputs: Sequence[Sequence[float]],
    labels: Sequence[float],
    optimizer: Optimizer,
    epochs: object,
    batch_size: object,
) -> None:
    """Refuse what would fail later or train nothing, before any weight changes."""
    if len(inputs) != len(labels) or len(inputs) == 0:  # len: numpy arrays have no truth value
        raise ValueError(
            f"fit needs one label per sample (and some samples): {len(inputs)} samples, "
            f"{len(labels)} labels"
        )
    _check_count("epochs", epochs, 0, "")
    if batch_size is not None:
        _check_count("batch_size", batch_size, 1, " (samples per step), or None for full batch")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"fit: optimizer must be an nn optimizer such as nn.SGD(model.parameters(), lr=0.1), "
            f"got {type(optimizer).__name__}"
        )
    held = {id(p) for group in optimizer.param_groups for p in group["params"]}
    if not any(id(p) in held for p in model.parameters()):
        raise ValueError(
            "fit: the optimizer holds none of the model's parameters, so training would change "
            "nothing. Was it made for another model (e.g. before `model = nn.load(...)` "
            "replaced the model)? Make it for this one: nn.SGD(model.parameters(), lr=...)"
        )


def _check_count(name: str, value: object, least: int, meaning: str) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"fit: {name} must be an int >= {least}{meaning}, got {type(value).__name__}: {value!r}"
        )
    if value < least:
        raise ValueError(f"fit: {name} must be an int >= {least}{meaning}, got {value}")


BatchLoss = Callable[
    [Sequence[Sequence[float | Value]], Sequence[float | Value]], tuple[Value, list[Output]]
]


class _BatchReplay:
    """The loss of a batch, recorded by autograd.compile once per batch size and replayed.

    The batch's inputs and labels are the recorded step's arguments, so one recording serves
    every batch of its size, in any order (the last, smaller batch of an epoch gets its own).
    A guard that fails (a label choosing a class) records that batch size again.
    """

    def __init__(
        self, batch_loss: BatchLoss, inputs: Sequence[Sequence[float]], labels: Sequence[float]
    ) -> None:
        self.batch_loss = batch_loss
        self.inputs, self.labels = inputs, labels
        self.width = len(inputs[0])  # the replay cuts its arguments into rows of this width
        if (i := _other_width(inputs)) is not None:
            raise ValueError(
                f"fit(compiled=True) needs rows of one width: sample 0 has {self.width} "
                f"inputs, sample {i} has {len(inputs[i])}"
            )
        # A replay sees no label the way the loss does (it can't refuse a bad one), so the
        # loss looks at all of them once, without a graph.
        with no_grad():
            batch_loss(inputs, labels)
        self.steps: dict[int, CompiledStep] = {}  # batch size -> its recording
        self.widths: dict[int, list[int]] = {}  # batch size -> outputs per sample
        self.scores: list[Score] = []

    def _record(self, size: int, points: list[float]) -> CompiledStep:
        def batch(*values: Value) -> tuple[Value, ...]:
            rows = [values[k : k + self.width] for k in range(0, size * self.width, self.width)]
            total, scores = self.batch_loss(rows, values[size * self.width :])
            self.widths[size] = [1 if isinstance(s, Value) else len(s) for s in scores]
            flat = [v for s in scores for v in ([s] if isinstance(s, Value) else s)]
            return (total, *flat)

        return compile(batch, points, on_change="record")

    def run(self, batch: list[int]) -> float:
        """Forward and backward on the batch: parameters' grads are filled; returns the loss."""
        points = [float(x) for i in batch for x in self.inputs[i]]
        points += [float(self.labels[i]) for i in batch]
        step = self.steps.get(len(batch))
        if step is None:
            step = self.steps[len(batch)] = self._record(len(batch), points)
        result = step(*points)
        flat, self.scores = list(result.outputs), []
        for width in self.widths[len(batch)]:
            row, flat = flat[:width], flat[width:]
            self.scores.append(row[0] if width == 1 else row)
        return result.value
