"""Fit: ``nn.fit`` end to end on micrograd's demo, as users run it (100 epochs by default).

Uses only the public ``nn`` API that every version has, so that the same code times the engine
before a change (``python -m benchmarks --baseline DIR``) and after it.
"""

from __future__ import annotations

import time
from typing import Any

__all__ = ["fit_demo"]


def _schedule(k: int) -> float:
    return 1.0 - 0.9 * k / 100  # micrograd's demo: lr 1.0 decaying to 0.1 over 100 steps


def fit_demo(epochs: int = 100, *, compiled: bool | None = None) -> dict[str, Any]:
    """CPU and wall seconds of ``nn.fit`` on micrograd's demo, with the final loss and accuracy.

    The demo: 100 moons (noise 0.1, its data seed 1), MLP(2, [16, 16, 1]) with its weight seed
    1337, hinge loss + 1e-4 * L2, SGD with micrograd's schedule, full batch, fit's defaults;
    ``compiled`` True or False is passed on (a recording is timed too: fit makes it), None
    leaves fit's default (a baseline's fit may not know the keyword).
    """
    import nn  # noqa: PLC0415 (imported here: a worker may load another checkout's nn)
    from nn.datasets import make_moons  # noqa: PLC0415

    points, labels = make_moons(100, noise=0.1, seed=1, labels=(-1, 1))
    model = nn.MLP(2, [16, 16, 1], seed=1337)
    optimizer = nn.SGD(model.parameters(), lr=1.0)
    t0, c0 = time.perf_counter(), time.process_time()
    history = nn.fit(
        model,
        points,
        labels,
        nn.hinge_loss,
        optimizer,
        epochs,
        l2=1e-4,
        lr_schedule=_schedule,
        progress=False,
        **({} if compiled is None else {"compiled": compiled}),
    )
    c1, t1 = time.process_time(), time.perf_counter()
    return {
        "cpu_s": c1 - c0,
        "wall_s": t1 - t0,
        "loss": history.loss[-1],
        "accuracy": history.accuracy[-1],
    }
