"""nn.train: fit() is micrograd's demo loop; the demo itself reaches 100 % training accuracy."""

from __future__ import annotations

import contextlib
import gc
from typing import Any

import numpy as np
import pytest

import nn
from autograd import Value, detect_anomaly
from nn import train as train_module
from nn.datasets import make_moons
from nn.modules import MLP
from nn.train import accuracy, fit


def micrograd_schedule(k: int) -> float:
    return 1.0 - 0.9 * k / 100


def test_micrograds_demo_reaches_full_training_accuracy() -> None:
    # micrograd's demo.ipynb: 100 moons with noise 0.1 (its data seed 1, its weight seed 1337),
    # MLP(2, [16, 16, 1]), hinge loss + 1e-4 * sum(p*p), SGD with lr 1.0 - 0.9*k/100, 100 steps.
    points, labels = make_moons(100, noise=0.1, seed=1, labels=(-1, 1))
    model = MLP(2, [16, 16, 1], seed=1337)
    optimizer = nn.SGD(model.parameters(), lr=1.0)
    history = fit(
        model,
        points,
        labels,
        nn.hinge_loss,
        optimizer,
        100,
        l2=1e-4,
        lr_schedule=micrograd_schedule,
        progress=False,
    )
    assert history.accuracy[-1] == 1.0
    assert history.lr == [micrograd_schedule(k) for k in range(100)]
    assert history.loss[-1] < history.loss[0] / 10
    scores = [model(x) for x in points]
    assert accuracy(scores, labels) == 1.0  # also after the last update


def test_fit_is_the_hand_written_loop() -> None:
    points, labels = make_moons(20, noise=0.1, seed=2, labels=(-1, 1))
    model, twin = MLP(2, [4, 1], seed=5), MLP(2, [4, 1], seed=5)
    fit(model, points, labels, nn.hinge_loss, nn.SGD(model.parameters(), lr=0.5), 5,
        l2=1e-3, progress=False)  # fmt: skip
    params = twin.parameters()
    for _ in range(5):
        scores = [twin(x) for x in points]
        reg = params[0] * params[0]
        for p in params[1:]:
            reg = reg + p * p
        total = nn.hinge_loss(scores, labels) + 1e-3 * reg
        twin.zero_grad()
        total.backward()
        for p in params:
            p.data = nn.optim.fma(-0.5, p.grad, p.data)  # SGD's step, rounded as torch's
    assert model.state_dict() == twin.state_dict()


def test_mini_batches_are_shuffled_from_the_seed() -> None:
    points, labels = make_moons(30, noise=0.1, seed=3)

    def train(seed: int) -> dict[str, float]:
        model = MLP(2, [4, 1], seed=0)
        opt = nn.Adam(model.parameters(), lr=0.05)
        fit(model, points, labels, nn.binary_cross_entropy_with_logits, opt, 3,
            batch_size=8, seed=seed, progress=False)  # fmt: skip
        return model.state_dict()

    assert train(1) == train(1)
    assert train(1) != train(2)


def test_cross_entropy_models_are_scored_by_argmax() -> None:
    points = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    classes = [0, 1, 2]
    model = MLP(2, [8, 3], seed=0)
    history = fit(model, points, classes, nn.cross_entropy, nn.Adam(model.parameters(), lr=0.05),
                  60, progress=False)  # fmt: skip
    assert history.accuracy[-1] == 1.0
    assert accuracy([[Value(0.1), Value(2.0), Value(-1.0)]], [1]) == 1.0
    assert accuracy([[Value(0.1), Value(2.0), Value(-1.0)]], [0]) == 0.0


def test_sign_accuracy_works_for_zero_one_and_plus_minus_one_labels() -> None:
    scores = [Value(1.5), Value(-0.5), Value(0.2)]
    assert accuracy(scores, [1, 0, 0]) == pytest.approx(2 / 3)
    assert accuracy(scores, [1, -1, -1]) == pytest.approx(2 / 3)


def test_progress_bar_shows_the_loss(capsys: pytest.CaptureFixture[str]) -> None:
    model = MLP(2, [2, 1], seed=0)
    fit(model, [[0.0, 1.0]], [1], nn.hinge_loss, nn.SGD(model.parameters(), lr=0.1), 2)
    assert "loss=" in capsys.readouterr().err


def test_no_progress_bar_when_disabled(capsys: pytest.CaptureFixture[str]) -> None:
    model = MLP(2, [2, 1], seed=0)
    fit(model, [[0.0, 1.0]], [1], nn.hinge_loss, nn.SGD(model.parameters(), lr=0.1), 2,
        progress=False)  # fmt: skip
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"labels": [1, -1]}, ValueError, "one label per sample"),
        ({"points": [], "labels": []}, ValueError, "one label per sample"),
        ({"loss": lambda s, t: nn.hinge_loss(s, t, reduction="none")}, TypeError, "one Value"),
    ],
)
def test_bad_arguments_are_refused(kwargs: dict[str, Any], error: type, message: str) -> None:
    model = MLP(2, [2, 1], seed=0)
    args: dict[str, Any] = {"points": [[0.0, 1.0]], "labels": [1], "loss": nn.hinge_loss} | kwargs
    with pytest.raises(error, match=message):
        fit(model, args["points"], args["labels"], args["loss"],
            nn.SGD(model.parameters(), lr=0.1), 1, progress=False)  # fmt: skip


def test_compiled_fit_gives_the_same_numbers_as_eager_fit() -> None:
    points, labels = make_moons(40, noise=0.1, seed=3, labels=(-1, 1))
    runs = []
    for compiled in (False, True):
        model = MLP(2, [8, 8, 1], seed=5)
        optimizer = nn.SGD(model.parameters(), lr=0.5, momentum=0.9)
        settings: dict[str, Any] = {"l2": 1e-4, "lr_schedule": micrograd_schedule}
        history = fit(
            model, points, labels, nn.hinge_loss, optimizer, 15,
            progress=False, compiled=compiled, **settings,
        )  # fmt: skip
        runs.append((history.loss, history.accuracy, [p.data for p in model.parameters()]))
    assert runs[0] == runs[1]


def test_compiled_fit_scores_rows_of_logits() -> None:
    points, classes = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 2]
    model = MLP(2, [8, 3], seed=0)
    history = fit(model, points, classes, nn.cross_entropy, nn.Adam(model.parameters(), lr=0.05),
                  60, progress=False, compiled=True)  # fmt: skip
    assert history.accuracy[-1] == 1.0


def _sigmoid_bce(scores: list[Value], targets: list[float]) -> Any:
    return nn.binary_cross_entropy([s.sigmoid() for s in scores], targets)


# Every documented loss, with labels it takes and a model of the width it scores.
FIT_CASES: list[tuple[Any, tuple[float, float] | None, list[int]]] = [
    (nn.hinge_loss, (-1, 1), [6, 1]),
    (nn.mse_loss, (-1, 1), [6, 1]),
    (nn.l1_loss, (-1, 1), [6, 1]),
    (_sigmoid_bce, (0, 1), [6, 1]),
    (nn.binary_cross_entropy_with_logits, (0, 1), [6, 1]),
    (nn.cross_entropy, None, [6, 2]),
]


def train(loss: Any, labels_as: Any, widths: list[int], *, compiled: bool, **settings: Any) -> Any:
    points, labels = make_moons(23, noise=0.2, seed=4, labels=labels_as or (0, 1))
    model = MLP(2, widths, seed=2)
    optimizer = nn.Adam(model.parameters(), lr=0.05)
    history = fit(model, points, labels, loss, optimizer, 4, progress=False, compiled=compiled,
                  seed=9, **settings)  # fmt: skip
    return history.loss, history.accuracy, [p.data for p in model.parameters()]


@pytest.mark.parametrize(("loss", "labels_as", "widths"), FIT_CASES)
@pytest.mark.parametrize("batch_size", [None, 5])
def test_compiled_fit_equals_eager_fit_for_every_loss(
    loss: Any, labels_as: Any, widths: list[int], batch_size: int | None
) -> None:
    # 23 samples in batches of 5: four of 5 and a last one of 3, shuffled from the seed.
    settings = {"batch_size": batch_size, "l2": 1e-3}
    eager = train(loss, labels_as, widths, compiled=False, **settings)
    assert train(loss, labels_as, widths, compiled=True, **settings) == eager


def test_compiled_fit_checks_every_label_before_it_trains() -> None:
    model = MLP(2, [2, 1], seed=0)
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    data, labels = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [1, -1, 0]  # 0 is no hinge label
    with pytest.raises(ValueError, match="target 2 is 0"):
        fit(model, data, labels, nn.hinge_loss, optimizer, 1, batch_size=2, compiled=True,
            progress=False)  # fmt: skip


def test_compiled_fit_needs_rows_of_one_width() -> None:
    model = MLP(2, [2, 1], seed=0)
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="sample 1 has 3"):
        fit(model, [[0.0, 1.0], [1.0, 0.0, 2.0]], [1, -1], nn.hinge_loss, optimizer, 1,
            compiled=True, progress=False)  # fmt: skip


def test_fit_pauses_the_collector_only_during_steps() -> None:

    seen: list[bool] = []

    def spying_loss(scores: list[Any], targets: list[float]) -> Value:
        seen.append(gc.isenabled())
        return nn.hinge_loss(scores, targets)

    model = MLP(2, [2, 1], seed=0)
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    fit(model, [[0.0, 1.0]], [1], spying_loss, optimizer, 2, progress=False)
    fit(model, [[0.0, 1.0]], [1], spying_loss, optimizer, 1, progress=False, pause_gc=False)
    assert seen == [False, False, True]
    assert gc.isenabled()


def _fit_one_sample(model: MLP, optimizer: nn.Optimizer, **settings: Any) -> nn.History:
    return fit(model, [[0.0, 1.0]], [1], nn.hinge_loss, optimizer, progress=False, **settings)


@pytest.mark.parametrize(
    ("settings", "error", "message"),
    [
        ({"epochs": -1}, ValueError, r"epochs must be an int >= 0, got -1"),
        ({"epochs": 2.0}, TypeError, r"epochs must be an int >= 0, got float: 2\.0"),
        ({"epochs": "3"}, TypeError, r"epochs must be an int >= 0, got str"),
        ({"epochs": True}, TypeError, r"epochs must be an int >= 0, got bool"),
        ({"epochs": 1, "batch_size": 0}, ValueError, r"batch_size must be an int >= 1 .*got 0"),
        ({"epochs": 1, "batch_size": -1}, ValueError, r"batch_size must be an int >= 1 .*got -1"),
        ({"epochs": 1, "batch_size": 1.5}, TypeError, r"batch_size must be an int >= 1 .*float"),
    ],
)
def test_invalid_settings_are_refused_before_training(
    settings: dict[str, Any], error: type, message: str
) -> None:
    model = MLP(2, [2, 1], seed=0)
    before = model.state_dict()
    with pytest.raises(error, match=f"fit: {message}"):
        _fit_one_sample(model, nn.SGD(model.parameters(), lr=0.1), **settings)
    assert model.state_dict() == before


def test_zero_epochs_train_nothing_and_say_so_in_the_history() -> None:
    model = MLP(2, [2, 1], seed=0)
    history = _fit_one_sample(model, nn.SGD(model.parameters(), lr=0.1), epochs=0)
    assert history.loss == []


def test_an_optimizer_of_another_model_is_refused(tmp_path: Any) -> None:
    # The README's order: make a model and its optimizer, save, load: `model` is a new object.
    model = MLP(2, [2, 1], seed=0)
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    nn.save(model, tmp_path / "model.json")
    model = nn.load(tmp_path / "model.json")
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"fit: the optimizer holds none of the model's"):
        _fit_one_sample(model, optimizer, epochs=3)
    assert model.state_dict() == before


def test_an_optimizer_of_part_of_the_model_is_fine() -> None:
    model = MLP(2, [2, 1], seed=0)
    last = model.layers[-1]
    first_before = model.layers[0].state_dict()
    _fit_one_sample(model, nn.SGD(last.parameters(), lr=0.1), epochs=3)  # fine-tune one layer
    assert model.layers[0].state_dict() == first_before


def test_numpy_arrays_train_like_lists() -> None:
    points, labels = make_moons(20, noise=0.1, seed=2, labels=(-1, 1))
    model, twin = MLP(2, [4, 1], seed=5), MLP(2, [4, 1], seed=5)
    lists = fit(model, points, labels, nn.hinge_loss, nn.SGD(model.parameters(), lr=0.5), 3,
                progress=False)  # fmt: skip
    arrays = fit(twin, np.array(points), np.array(labels), nn.hinge_loss,
                 nn.SGD(twin.parameters(), lr=0.5), 3, progress=False)  # fmt: skip
    assert arrays.loss == lists.loss
    assert arrays.accuracy == lists.accuracy
    assert twin.state_dict() == model.state_dict()


def _default_fit(model: Any, loss: Any, labels_as: Any, **settings: Any) -> Any:
    points, labels = make_moons(23, noise=0.2, seed=4, labels=labels_as)
    optimizer = nn.Adam(model.parameters(), lr=0.05)
    history = fit(model, points, labels, loss, optimizer, 4, progress=False, seed=9, l2=1e-3,
                  **settings)  # fmt: skip
    return history, [p.data for p in model.parameters()]


@pytest.mark.parametrize("loss", train_module.REPLAYED_LOSSES)
@pytest.mark.parametrize("batch_size", [None, 5])
def test_fit_replays_its_step_by_default_with_the_numbers_of_eager_steps(
    loss: Any, batch_size: int | None
) -> None:
    labels_as = (0, 1) if loss is nn.binary_cross_entropy_with_logits else (-1, 1)
    default, weights = _default_fit(MLP(2, [6, 1], seed=2), loss, labels_as, batch_size=batch_size)
    eager, eager_weights = _default_fit(
        MLP(2, [6, 1], seed=2), loss, labels_as, batch_size=batch_size, compiled=False
    )
    assert default.compiled
    assert not eager.compiled
    assert (default.loss, default.accuracy, weights) == (eager.loss, eager.accuracy, eager_weights)


def _own_loss(scores: Any, targets: Any) -> Any:
    return nn.hinge_loss(scores, targets)


class _OwnNeuron(nn.Neuron):
    pass


@pytest.mark.parametrize(
    "case", ["own loss", "cross_entropy", "binary_cross_entropy", "own module", "hook", "anomaly"]
)
def test_fit_steps_eagerly_by_default_where_a_replay_is_not_known_to_be_exact(case: str) -> None:
    model = MLP(2, [6, 2 if case == "cross_entropy" else 1], seed=2)
    loss: Any = {"own loss": _own_loss, "cross_entropy": nn.cross_entropy}.get(case, nn.hinge_loss)
    labels_as: Any = (0, 1) if case == "cross_entropy" else (-1, 1)
    if case == "binary_cross_entropy":
        model, labels_as = MLP(2, [6, 1], seed=2, output_activation="sigmoid"), (0, 1)
        loss = nn.binary_cross_entropy
    if case == "own module":
        model.layers[0].neurons[0].__class__ = _OwnNeuron
    if case == "hook":
        model.parameters()[0].register_hook(lambda g: g)
    with detect_anomaly() if case == "anomaly" else contextlib.nullcontext():
        history, _ = _default_fit(model, loss, labels_as)
    assert not history.compiled


def test_fit_by_default_says_what_the_model_takes_for_rows_of_another_width() -> None:
    model = MLP(2, [2, 1], seed=0)
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match=r"takes 2 inputs, got 3"):
        fit(model, [[0.0, 1.0], [1.0, 0.0, 2.0]], [1, -1], nn.hinge_loss, optimizer, 1,
            progress=False)  # fmt: skip
