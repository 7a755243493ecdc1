"""Neuron, Layer and MLP as micrograd users know them, with parameters, names and state dicts.

The forward pass builds exactly micrograd's graph (``b + w0*x0 + w1*x1 + ...``, then the
activation), so results and benchmarks compare node for node with ``micrograd.nn``. With
``graph="fused"`` each neuron's ``b + Σ w·x`` is one node instead (``autograd.linear``): the
same numbers, bit for bit, from an eighth of the nodes, several times faster.
Reference: https://github.com/karpathy/micrograd/blob/master/micrograd/nn.py
"""

from __future__ import annotations

import math
import numbers
import random
import reprlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from autograd import modes
from autograd.fused import linear, linear_layer
from autograd.modes import named_scope
from autograd.value import Value
from nn.init import LEAKY_RELU_SLOPE, Initializer, resolve

__all__ = [
    "ACTIVATIONS",
    "BIAS_INITS",
    "GLOBAL_RANDOM",
    "GRAPHS",
    "MLP",
    "Layer",
    "Module",
    "Neuron",
    "check_config",
    "from_config",
]

Input = Sequence[Value | float]
Output = Value | list[Value]


def _leaky_relu(x: Value) -> Value:
    return x.leaky_relu(LEAKY_RELU_SLOPE)


# name -> (function applied to b + w.x, the word micrograd's repr puts before "Neuron")
ACTIVATIONS: dict[str, tuple[Callable[[Value], Value] | None, str]] = {
    "relu": (Value.relu, "ReLU"),
    "tanh": (Value.tanh, "Tanh"),
    "sigmoid": (Value.sigmoid, "Sigmoid"),
    "leaky_relu": (_leaky_relu, "LeakyReLU"),
    "linear": (None, "Linear"),
}


def _check_activation(activation: str) -> str:
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; use one of {sorted(ACTIVATIONS)}")
    return activation


def _check_width(n: object, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{what} must be a positive int, got {_shown(n)}")
    return n


def _shown(value: object) -> str:
    """A repr short enough for an error message, whatever a file holds (1 MB strings, 10**400)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        # repr of an int beyond 4300 digits raises ValueError itself; its size is what matters.
        # 2**(bits-1) <= |value| < 2**bits, so it has this many digits or one more:
        digits = math.floor((value.bit_length() - 1) * math.log10(2)) + 1
        return f"an integer of {digits + (abs(value) >= 10**digits)} digits"
    return reprlib.repr(value)


class _GlobalRandom(random.Random):
    """Draws through the ``random`` module's own generator, so ``random.seed(1337)`` governs it.

    ``uniform`` and ``normalvariate`` are built on ``random()``: overriding it makes every draw
    the very number ``random.uniform(-1, 1)`` would give, as micrograd draws its weights.
    """

    def random(self) -> float:
        """The next number of the global generator (``random.random()``)."""
        return random.random()

    def getrandbits(self, k: int, /) -> int:
        """The next bits of the global generator (``random.getrandbits(k)``)."""
        return random.getrandbits(k)


GLOBAL_RANDOM = _GlobalRandom()


def _rng(seed: int | None, rng: random.Random | None) -> random.Random:
    """``rng``, a generator of its own for ``seed``, or else the global one, as in micrograd."""
    if rng is not None and seed is not None:
        raise ValueError("pass seed or rng, not both")
    if rng is not None:
        return rng
    return GLOBAL_RANDOM if seed is None else random.Random(seed)


BIAS_INITS = ("zeros", "uniform")  # micrograd's nn: b = 0; the lecture: b ~ U(-1, 1)


def _check_bias_init(bias_init: str) -> str:
    if bias_init not in BIAS_INITS:
        raise ValueError(f"unknown bias_init {bias_init!r}; use one of {list(BIAS_INITS)}")
    return bias_init


# "ops": micrograd's graph, a node per + and *; "fused": a node per neuron (autograd.linear)
GRAPHS = ("ops", "fused")


def _graph_error(graph: object) -> ValueError:
    return ValueError(f"unknown graph {graph!r}; use one of {list(GRAPHS)}")


def _check_graph(graph: str) -> str:
    if graph not in GRAPHS:
        raise _graph_error(graph)
    return graph


def _as_values(x: Input) -> list[Value]:
    # For fused neurons: numbers become leaves once per layer, shared by all its neurons.
    if set(map(type, x)) == {Value}:  # a hidden layer's inputs: the last layer's outputs
        return list(x)  # type: ignore[arg-type]  # all Values: the set says so
    return [xi if isinstance(xi, Value) else Value(xi) for xi in x]


def _scopes_on() -> bool:
    # modes.active is a plain int: the hot path pays one test, no context variable lookup.
    return bool(modes.active) and modes.scopes_enabled()


class Module:
    """Base class: parameters, zero_grad and state dicts; subclasses list their named parameters."""

    def __call__(self, x: Input) -> Output:
        """The module's output for the inputs ``x`` (floats or Values)."""
        raise NotImplementedError

    def forward(self, x: Input, graph: str | None = None) -> Output:
        """The output for ``x`` with its graph built as ``graph`` ("ops" or "fused"; None:
        the module's own setting). A module that builds one kind of graph only ignores it."""
        return self(x)

    def named_parameters(self) -> list[tuple[str, Value]]:
        """(name, Value) pairs in parameter order, e.g. ``('layers.0.neurons.3.b', b)``."""
        return []

    def parameters(self) -> list[Value]:
        """All trainable Values, in the order micrograd lists them (per neuron: w..., then b)."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0 (leaf gradients accumulate across backward())."""
        for p in self.parameters():
            p.grad = 0.0

    def config(self) -> dict[str, Any]:
        """The architecture as plain JSON data; ``from_config`` builds the module back."""
        raise NotImplementedError

    def state_dict(self) -> dict[str, float]:
        """Parameter name -> value, in parameter order.

        >>> Neuron(2, seed=0).state_dict().keys()
        dict_keys(['w.0', 'w.1', 'b'])
        """
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, float]) -> None:
        """Copy values into the parameters; checks everything first, so a bad state changes nothing.

        >>> n = Neuron(2, seed=0)
        >>> n.load_state_dict({"w.0": 1.0, "w.1": 2.0, "b": 3.0})
        >>> n([1.0, 1.0]).data
        6.0
        """
        if not isinstance(state, Mapping):
            raise TypeError(f"load_state_dict wants a mapping name -> float, got {type(state)}")
        named = self.named_parameters()
        names = [name for name, _ in named]
        missing = [name for name in names if name not in state]
        known = set(names)
        unexpected = [name for name in state if name not in known]
        if missing or unexpected:
            raise ValueError(
                f"state does not fit {self!r}: missing {_few(missing)}, unexpected "
                f"{_few(unexpected)}; was it saved from a model of another shape?"
            )
        values = [_as_float(state[name], name) for name in names]  # all of them, then assign
        for (_, p), value in zip(named, values, strict=True):
            p.data = value

    def to_torch(self) -> Any:
        """An equivalent float64 ``torch.nn.Module`` (needs torch: ``pip install torch``)."""
        from nn.torch_export import to_torch  # noqa: PLC0415 (torch is optional and heavy)

        return to_torch(self)


def _as_float(value: object, name: str, mapping: str = "state") -> float:
    """``value`` as the float a parameter holds, or a ValueError naming ``mapping[name]``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{mapping}[{name!r}] must be a number, got {_shown(value)}")
    try:
        return float(value)
    except OverflowError:  # float(10**400): a float64 holds at most 1.8e308
        raise ValueError(
            f"{mapping}[{name!r}] = {_shown(value)} is too large for a float64 (at most 1.8e308)"
        ) from None


def _few(names: list[str]) -> str:
    if not names:
        return "none"
    shown = ", ".join(_shown(n) for n in names[:4])
    return f"{shown} and {len(names) - 4} more" if len(names) > 4 else shown


class Neuron(Module):
    """One neuron: ``activation(b + w0*x0 + w1*x1 + ...)``, micrograd's ``Neuron(nin, nonlin)``.

    ``nonlin=False`` makes it linear (micrograd); otherwise ``activation`` is applied. Weights
    come from ``init`` (micrograd's U(-1, 1) by default), drawn from ``random.Random(seed)``,
    the given ``rng``, or else Python's global ``random`` (micrograd's way: ``random.seed``
    governs it); ``fan_out`` is the width of the layer (for Kaiming fan_out and Xavier).
    ``bias_init="uniform"`` draws the bias from U(-1, 1) after the weights, as the lecture's
    neuron does; micrograd's nn starts it at 0 (``"zeros"``). ``graph="fused"`` builds
    ``b + Σ w·x`` as one node (``autograd.linear``) instead of micrograd's chain of + and *
    nodes (``"ops"``): the same numbers, bit for bit.

    >>> n = Neuron(2, seed=1)
    >>> n
    ReLUNeuron(2)
    >>> y = n([1.0, -2.0])
    >>> y.data == max(0.0, n.b.data + n.w[0].data * 1.0 + n.w[1].data * -2.0)
    True
    """

    def __init__(
        self,
        nin: int,
        nonlin: bool = True,
        *,
        activation: str = "relu",
        init: str | Initializer = "uniform",
        seed: int | None = None,
        rng: random.Random | None = None,
        fan_out: int = 1,
        bias_init: str = "zeros",
        graph: str = "ops",
    ) -> None:
        _check_width(nin, "nin")
        _check_width(fan_out, "fan_out (the width of the neuron's layer)")
        self.graph = _check_graph(graph)
        self.activation = _check_activation(activation) if nonlin else "linear"
        _check_bias_init(bias_init)
        draw = resolve(init)
        generator = _rng(seed, rng)
        self.w = [Value(draw(generator, nin, fan_out, self.activation)) for _ in range(nin)]
        self.b = Value(generator.uniform(-1.0, 1.0) if bias_init == "uniform" else 0.0)
        self._fn = ACTIVATIONS[self.activation][0]

    @property
    def nonlin(self) -> bool:
        """Whether an activation follows the sum (micrograd's attribute)."""
        return self.activation != "linear"

    def __call__(self, x: Input) -> Value:
        """``activation(b + w0*x0 + w1*x1 + ...)``."""
        return self.forward(x)

    def forward(self, x: Input, graph: str | None = None) -> Value:
        """``activation(b + w0*x0 + w1*x1 + ...)``, built as ``graph`` (None: ``self.graph``)."""
        if graph is None:
            graph = self.graph
        if graph == "fused":
            if len(x) != len(self.w):
                raise self._wrong_width(x)
            act = linear(self.w, x, self.b)  # one node: b + w0*x0 + w1*x1 + ...
        elif graph == "ops":
            act = self.b
            try:  # free in Python 3.11 unless raised: the hot path pays no length check
                for wi, xi in zip(self.w, x, strict=True):  # micrograd: sum((wi*xi ...), self.b)
                    act = act + wi * xi
            except ValueError:  # from zip: the lengths differ
                raise self._wrong_width(x) from None
        else:
            raise _graph_error(graph)
        fn = self._fn
        return act if fn is None else fn(act)

    def _wrong_width(self, x: Input) -> ValueError:
        return ValueError(f"{self!r} takes {len(self.w)} inputs, got {len(x)}")

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``w.0``, ``w.1``, ..., then ``b``."""
        return [(f"w.{i}", w) for i, w in enumerate(self.w)] + [("b", self.b)]

    def parameters(self) -> list[Value]:
        """``w + [b]``, as in micrograd."""
        return [*self.w, self.b]

    def config(self) -> dict[str, Any]:
        """``{'type': 'Neuron', 'nin': ..., 'activation': ...}``."""
        return {"type": "Neuron", "nin": len(self.w), "activation": self.activation}

    def __repr__(self) -> str:
        return f"{ACTIVATIONS[self.activation][1]}Neuron({len(self.w)})"


class Layer(Module):
    """``nout`` neurons reading the same inputs; a width-1 layer returns a single Value.

    ``graph`` ("ops" or "fused") is how its neurons build their graphs; see ``Neuron``.

    >>> Layer(3, 2, seed=0)
    Layer of [ReLUNeuron(3), ReLUNeuron(3)]
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        nonlin: bool = True,
        *,
        activation: str = "relu",
        init: str | Initializer = "uniform",
        seed: int | None = None,
        rng: random.Random | None = None,
        bias_init: str = "zeros",
        graph: str = "ops",
    ) -> None:
        _check_width(nout, "nout")
        self.graph = _check_graph(graph)
        generator = _rng(seed, rng)
        self.neurons = [
            Neuron(
                nin,
                nonlin,
                activation=activation,
                init=init,
                rng=generator,
                fan_out=nout,
                bias_init=bias_init,
                graph=graph,
            )
            for _ in range(nout)
        ]

    def __call__(self, x: Input) -> Output:
        """A list of the neurons' outputs, or one Value for a layer of width 1 (micrograd)."""
        return self.forward(x)

    def forward(self, x: Input, graph: str | None = None) -> Output:
        """As calling the layer, with its graph built as ``graph`` (None: ``self.graph``)."""
        out = self.outputs(x, graph)
        return out[0] if len(out) == 1 else out

    def outputs(self, x: Input, graph: str | None = None) -> list[Value]:
        """The neurons' outputs as a list, whatever the width."""
        graph = self.graph if graph is None else _check_graph(graph)
        if graph == "fused":
            x = _as_values(x)
        if _scopes_on():
            return self._scoped_outputs(x, graph)
        if graph == "fused" and all(type(n) is Neuron for n in self.neurons):
            return self._fused_outputs(x)  # type: ignore[arg-type]  # _as_values made Values
        return [n.forward(x, graph) for n in self.neurons]

    def _fused_outputs(self, x: list[Value]) -> list[Value]:
        # The neurons' sums in one go, the inputs read once (a Neuron subclass keeps its forward)
        neurons = self.neurons
        first = neurons[0]
        if len(x) != len(first.w):
            raise first._wrong_width(x)
        sums = linear_layer([n.w for n in neurons], [n.b for n in neurons], x)
        fns = [n._fn for n in neurons]
        return [a if fn is None else fn(a) for fn, a in zip(fns, sums, strict=True)]

    def _scoped_outputs(self, x: Input, graph: str) -> list[Value]:
        out = []
        for j, n in enumerate(self.neurons):
            with named_scope(f"neurons.{j}"):  # nodes get scope "...neurons.<j>"
                out.append(n.forward(x, graph))
        return out

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``neurons.<j>.w.<i>`` and ``neurons.<j>.b``."""
        return [
            (f"neurons.{j}.{name}", p)
            for j, n in enumerate(self.neurons)
            for name, p in n.named_parameters()
        ]

    def parameters(self) -> list[Value]:
        """Every neuron's parameters, neuron by neuron."""
        return [p for n in self.neurons for p in n.parameters()]

    def config(self) -> dict[str, Any]:
        """``{'type': 'Layer', 'nin': ..., 'nout': ..., 'activation': ...}``."""
        first = self.neurons[0]
        return {
            "type": "Layer",
            "nin": len(first.w),
            "nout": len(self.neurons),
            "activation": first.activation,
        }

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """Layers of neurons: ``activation`` after every hidden layer, ``output_activation`` last.

    ``MLP(2, [16, 16, 1])`` is micrograd's demo network (ReLU hidden, linear output), and after
    ``random.seed(1337)`` it draws micrograd's very weights (so does ``seed=1337``, without
    touching the global generator). The lecture's network is
    ``MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh", bias_init="uniform")``.
    ``graph="fused"`` makes each neuron one node (see ``Neuron``); the default, ``"ops"``, is
    micrograd's graph, a node per + and *, as pictures, steps and graph walkers expect.

    >>> model = MLP(2, [4, 1], seed=0)
    >>> model.layers[1]
    Layer of [LinearNeuron(4)]
    >>> type(model([0.5, -1.0])).__name__
    'Value'
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        *,
        activation: str = "relu",
        output_activation: str = "linear",
        init: str | Initializer = "uniform",
        seed: int | None = None,
        rng: random.Random | None = None,
        bias_init: str = "zeros",
        graph: str = "ops",
    ) -> None:
        if isinstance(nouts, int | str) or not nouts:
            raise ValueError(f"nouts must be a non-empty list of layer widths, got {nouts!r}")
        self.activation = _check_activation(activation)
        self.output_activation = _check_activation(output_activation)
        self.graph = _check_graph(graph)
        generator = _rng(seed, rng)
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.layers = [
            Layer(
                sizes[i],
                sizes[i + 1],
                activation=output_activation if i == last else activation,
                init=init,
                rng=generator,
                bias_init=bias_init,
                graph=graph,
            )
            for i in range(len(nouts))
        ]

    def __call__(self, x: Input) -> Output:
        """The last layer's outputs: one Value if its width is 1, else a list."""
        return self.forward(x)

    def forward(self, x: Input, graph: str | None = None) -> Output:
        """As calling the model, with its graph built as ``graph`` (None: ``self.graph``).

        >>> model = MLP(2, [3, 1], seed=0)
        >>> model.forward([0.5, -1.0], "fused").data == model([0.5, -1.0]).data
        True
        """
        graph = self.graph if graph is None else _check_graph(graph)
        if _scopes_on():
            return self._scoped_call(x, graph)
        layers = self.layers
        out = layers[0].outputs(x, graph)
        for layer in layers[1:]:
            out = layer.outputs(out, graph)
        return out[0] if len(out) == 1 else out

    def _scoped_call(self, x: Input, graph: str) -> Output:
        out: Input = x
        for i, layer in enumerate(self.layers):
            with named_scope(f"layers.{i}"):
                out = layer.outputs(out, graph)
        values: list[Value] = list(out)  # type: ignore[arg-type]  # layers return Values
        return values[0] if len(values) == 1 else values

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``layers.<i>.neurons.<j>.w.<k>`` and ``layers.<i>.neurons.<j>.b``."""
        return [
            (f"layers.{i}.{name}", p)
            for i, layer in enumerate(self.layers)
            for name, p in layer.named_parameters()
        ]

    def parameters(self) -> list[Value]:
        """Every layer's parameters, layer by layer."""
        return [p for layer in self.layers for p in layer.parameters()]

    def config(self) -> dict[str, Any]:
        """``{'type': 'MLP', 'nin': ..., 'nouts': [...], 'activation': ..., ...}``."""
        return {
            "type": "MLP",
            "nin": len(self.layers[0].neurons[0].w),
            "nouts": [len(layer.neurons) for layer in self.layers],
            "activation": self.activation,
            "output_activation": self.output_activation,
        }

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"


_CONFIG_FIELDS = {
    "Neuron": {"type", "nin", "activation"},
    "Layer": {"type", "nin", "nout", "activation"},
    "MLP": {"type", "nin", "nouts", "activation", "output_activation"},
}


def check_config(config: object) -> Mapping[str, Any]:
    """Check a ``Module.config()`` field by field without building anything; returns it.

    >>> check_config({"type": "Neuron", "nin": 0, "activation": "relu"})
    Traceback (most recent call last):
    ...
    ValueError: nin must be a positive int, got 0
    """
    if not isinstance(config, Mapping):
        raise ValueError(f"a module config must be a JSON object, got {_shown(config)}")
    kind = config.get("type")
    if not isinstance(kind, str) or kind not in _CONFIG_FIELDS:
        raise ValueError(
            f"unknown module type {_shown(kind)}; expected one of {sorted(_CONFIG_FIELDS)}"
        )
    wanted = _CONFIG_FIELDS[kind]
    if set(config) != wanted:
        raise ValueError(
            f"a {kind} config has the fields {sorted(wanted)}, got {_shown(list(config))}"
        )
    _check_width(config["nin"], "nin")
    if kind == "Layer":
        _check_width(config["nout"], "nout")
    if kind == "MLP":
        nouts = config["nouts"]
        if not isinstance(nouts, list) or not nouts:
            raise ValueError(f"nouts must be a non-empty list of layer widths, got {_shown(nouts)}")
        for width in nouts:
            _check_width(width, "every width in nouts")
    for key in ("activation", "output_activation"):
        if key in config:
            activation = config[key]
            if not isinstance(activation, str) or activation not in ACTIVATIONS:
                raise ValueError(
                    f"{key} must be one of {sorted(ACTIVATIONS)}, got {_shown(activation)}"
                )
    return config


def from_config(config: object) -> Module:
    """Build the module a ``Module.config()`` describes (weights drawn fresh, seed 0).

    >>> from_config({"type": "Layer", "nin": 2, "nout": 1, "activation": "tanh"})
    Layer of [TanhNeuron(2)]
    """
    config = check_config(config)
    kind = config["type"]
    if kind == "Neuron":
        return Neuron(config["nin"], activation=config["activation"], seed=0)
    if kind == "Layer":
        return Layer(config["nin"], config["nout"], activation=config["activation"], seed=0)
    return MLP(
        config["nin"],
        config["nouts"],
        activation=config["activation"],
        output_activation=config["output_activation"],
        seed=0,
    )
