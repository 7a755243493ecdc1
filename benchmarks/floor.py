"""The floor for pure Python: W1's forward, backward and SGD update written out by hand on floats.

No graph, no nodes: per sample, the forward pass keeps each layer's outputs and the backward
pass runs the chain rule over them at once. Same maths as the engines (hinge loss, mean, L2).
"""

from __future__ import annotations

__all__ = ["FloorMLP", "flat"]

Matrix = list[list[float]]


def flat(w: list[Matrix], b: Matrix) -> list[float]:
    """Weights (or their gradients) in micrograd's parameter order: per neuron its w's, then b."""
    return [
        p
        for wl, bl in zip(w, b, strict=True)
        for wj, bj in zip(wl, bl, strict=True)
        for p in (*wj, bj)
    ]


def _relu(x: float) -> float:
    return x if x > 0.0 else 0.0


class FloorMLP:
    """MLP weights as plain floats: ``w[layer][neuron][input]``, ``b[layer][neuron]``."""

    def __init__(self, weights: list[list[tuple[list[float], float]]]) -> None:
        self.w = [[list(w) for w, _ in layer] for layer in weights]
        self.b = [[b for _, b in layer] for layer in weights]

    def parameters(self) -> list[float]:
        """All weights, in micrograd's order: per neuron its w's, then its b."""
        return flat(self.w, self.b)

    def forward(self, x: tuple[float, float]) -> list[list[float]]:
        """The outputs of every layer for one input, the input itself first."""
        last = len(self.w) - 1
        outputs = [list(x)]
        for layer, (wl, bl) in enumerate(zip(self.w, self.b, strict=True)):
            inputs = outputs[-1]
            out = []
            for wj, bj in zip(wl, bl, strict=True):
                act = bj  # b + w0*x0 + w1*x1 + ..., in micrograd's order
                for wji, xi in zip(wj, inputs, strict=True):
                    act += wji * xi
                out.append(act if layer == last else _relu(act))
            outputs.append(out)
        return outputs

    def backward(
        self, outputs: list[list[float]], out_grad: float, dw: list[Matrix], db: Matrix
    ) -> None:
        """Add d(loss)/d(weights) into ``dw``, ``db``, given d(loss)/d(score) = ``out_grad``."""
        grads = [out_grad]
        for layer in reversed(range(len(self.w))):
            inputs = outputs[layer]
            for j, gj in enumerate(grads):
                db[layer][j] += gj
                dwj = dw[layer][j]
                for i, xi in enumerate(inputs):
                    dwj[i] += gj * xi
            if layer == 0:
                return  # the raw inputs need no gradient
            input_grads = [0.0] * len(inputs)
            for gj, wj in zip(grads, self.w[layer], strict=True):
                for i, wji in enumerate(wj):
                    input_grads[i] += gj * wji
            # back through the relu that made these inputs (relu'(0) = 0, as in PyTorch)
            grads = [g if a > 0.0 else 0.0 for g, a in zip(input_grads, inputs, strict=True)]

    def loss_and_grads(
        self, xs: list[tuple[float, float]], ys: list[float], alpha: float = 1e-4
    ) -> tuple[float, list[Matrix], Matrix]:
        """The total loss and its gradient with respect to every weight and bias."""
        dw = [[[0.0] * len(wj) for wj in layer] for layer in self.w]
        db = [[0.0] * len(layer) for layer in self.b]
        n = len(xs)
        data_loss = 0.0
        for x, y in zip(xs, ys, strict=True):
            outputs = self.forward(x)
            (score,) = outputs[-1]
            margin = 1.0 - y * score  # the loss is relu(margin) / n
            data_loss += _relu(margin)
            self.backward(outputs, -y / n if margin > 0.0 else 0.0, dw, db)
        reg_loss = 0.0
        for wl, bl, dwl, dbl in zip(self.w, self.b, dw, db, strict=True):
            for j, (wj, dwj) in enumerate(zip(wl, dwl, strict=True)):
                for i, p in enumerate(wj):
                    reg_loss += p * p
                    dwj[i] += 2.0 * alpha * p  # d(alpha * p*p)/dp
                reg_loss += bl[j] * bl[j]
                dbl[j] += 2.0 * alpha * bl[j]
        return data_loss / n + alpha * reg_loss, dw, db

    def step(self, xs: list[tuple[float, float]], ys: list[float], learning_rate: float) -> float:
        """One training step (forward, backward, SGD update); returns the loss before it."""
        loss, dw, db = self.loss_and_grads(xs, ys)
        for wl, dwl, bl, dbl in zip(self.w, dw, self.b, db, strict=True):
            for j, (wj, dwj) in enumerate(zip(wl, dwl, strict=True)):
                for i, g in enumerate(dwj):
                    wj[i] -= learning_rate * g
                bl[j] -= learning_rate * dbl[j]
        return loss
