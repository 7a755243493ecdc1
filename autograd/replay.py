"""Compiled replay: record a graph once, then rerun its forward and backward as generated Python.

A training loop rebuilds the same graph every step and pays for a Python object per node each
time. ``compile(fn, example_inputs)`` runs ``fn`` once on Values, then writes the recorded graph
out as straight-line Python: a line per op forward, a line per gradient backward, on plain
floats (in parts of at most 10,000 lines for a big graph, so that compiling it needs bounded
memory). Each line comes from the op table itself: the op's forward function and its backward
rule are run on ``Symbol``s, whose arithmetic writes code instead of computing; a user's op
(``define_op``) is called as it is. So the replay does the same float operations in the same
order as ``backward()``, and its numbers are the same bit for bit. A sub-graph repeated once
per sample of a batch, alike but for its constants, is written once, as the body of a loop
over the samples (``autograd.templates`` finds the repeats), in the order the unrolled code
would run it: so the replay of a batch is short, quick to compile, and still exact.

What is recorded: leaves that existed before the call (parameters) are read afresh at each call
and receive their gradients in ``.grad``, like ``backward()``; leaves ``fn`` made itself (numbers
in ops, ``Value(x)`` of data) are constants; the arguments are the inputs. A comparison of a
Value inside ``fn`` (``if v > 0``, ``max(values)``) becomes a guard, checked on every call.
What can't be seen: numbers taken out through ``.data`` or ``float(v)`` become constants.
"""

from __future__ import annotations

import builtins
import inspect
import linecache
import math
import numbers
import operator
import re
import textwrap
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

from autograd import modes, ops
from autograd.anomaly import user_site
from autograd.backward import StandIn, run_rule, topological_order
from autograd.hooks import has_hooks
from autograd.templates import Repeat, find_repeats
from autograd.value import Value, joined_inputs

__all__ = [
    "CompileError",
    "CompiledStep",
    "GraphChangedError",
    "Replay",
    "Symbol",
    "compile",
    "guarded_data",
]


class CompileError(RuntimeError):
    """``fn`` did something a recorded graph can't replay; the message says what."""


class GraphChangedError(RuntimeError):
    """A comparison that steered the recorded graph came out differently on new values."""


class Replay(NamedTuple):
    """What a compiled step returns: the output, d(output)/d(input) per input, extra outputs."""

    value: float
    grads: tuple[float, ...]
    outputs: tuple[float, ...] = ()  # the values of any further Values fn returned


# ---------------------------------------------------------------------------------------------
# Symbols: numbers known by their name in the generated code.


def _code(x: Any) -> str:
    if isinstance(x, Symbol):
        return x.code
    if isinstance(x, bool):
        return repr(x)
    if isinstance(x, numbers.Real):
        return repr(float(x))  # repr round-trips every float exactly; inf and nan are names
    raise CompileError(f"a rule met a {type(x).__name__} ({x!r}) where a number was expected")


def _known(x: Any) -> Any:
    """The number x stands for if it is known while generating (a constant), else None."""
    if isinstance(x, Symbol):
        return x.known
    return x if isinstance(x, numbers.Real) else None


_INFIX: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "&": operator.and_,
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne,
}  # fmt: skip


def _never_negative_zero(x: Any) -> bool:
    if isinstance(x, Symbol):
        return x.never_negative_zero
    return isinstance(x, numbers.Real) and not (x == 0.0 and math.copysign(1.0, x) < 0.0)


def _infix(x: Any, op: str, y: Any) -> Symbol:
    a, b = _known(x), _known(y)
    if a is not None and b is not None:  # both constants: fold, with the very same float op
        return Symbol.constant(_INFIX[op](a, b))
    if op == "*" and (a == 1.0 or b == 1.0):  # IEEE: 1 * x is x exactly
        return _unknown(y if a == 1.0 else x)
    if op == "+":
        # 0.0 + x is x exactly unless x is -0.0 (then it is +0.0). Every gradient is made as
        # 0.0 + ... or g + ..., so none is -0.0, and passing one on through a + needs no line.
        if _is_plus_zero(a) and _never_negative_zero(y):
            return _unknown(y)
        if _is_plus_zero(b) and _never_negative_zero(x):
            return _unknown(x)
        # a sum is -0.0 only when both terms are
        safe = _never_negative_zero(x) or _never_negative_zero(y)
        return Symbol(f"({_code(x)} + {_code(y)})", never_negative_zero=safe)
    return Symbol(f"({_code(x)} {op} {_code(y)})")


def _is_plus_zero(known: Any) -> bool:
    return known is not None and known == 0.0 and math.copysign(1.0, known) > 0.0


def _unknown(x: Any) -> Symbol:
    assert isinstance(x, Symbol)
    return x


def _call(function: str, *args: Any) -> Symbol:
    known = [_known(a) for a in args]
    if all(k is not None for k in known):
        return Symbol.constant(_FUNCTIONS[function](*known))
    return Symbol(f"{function}({', '.join(_code(a) for a in args)})")


# An n-ary op (sum, linear) of up to this many inputs is written out as its maths (a neuron's
# b + w0*x0 + ... inline runs faster than a call); a longer one as a call of its function, as
# its traced maths nests a parenthesis per term and Python parses at most 200 levels.
INLINE_INPUTS = 100

# The functions the generated code calls: the op table's own float functions.
_FUNCTIONS = {name: getattr(ops, name) for name in ops.FUNCTIONS}


class Symbol:
    """A number known by a name while code is generated: arithmetic on it writes code.

    >>> x, y = Symbol("x"), Symbol("y")
    >>> (x * y + 1.0).code
    '((x * y) + 1.0)'
    >>> ops.relu(x).code
    '(0.0 if (x <= 0.0) else x)'
    """

    __slots__ = ("code", "known", "never_negative_zero")

    def __init__(self, code: str, known: Any = None, *, never_negative_zero: bool = False) -> None:
        self.code = code
        self.known = known  # the number itself, for a constant
        self.never_negative_zero = never_negative_zero or (
            known is not None and _never_negative_zero(known)
        )

    @classmethod
    def constant(cls, number: Any) -> Symbol:
        """A symbol for a number known now: its code is the literal."""
        return cls(_code(number), number)

    def __repr__(self) -> str:
        return f"Symbol({self.code!r})"

    def __add__(self, other: Any) -> Symbol:
        return _infix(self, "+", other)

    def __radd__(self, other: Any) -> Symbol:
        return _infix(other, "+", self)

    def __sub__(self, other: Any) -> Symbol:
        return _infix(self, "-", other)

    def __rsub__(self, other: Any) -> Symbol:
        return _infix(other, "-", self)

    def __mul__(self, other: Any) -> Symbol:
        return _infix(self, "*", other)

    def __rmul__(self, other: Any) -> Symbol:
        return _infix(other, "*", self)

    def __truediv__(self, other: Any) -> Symbol:
        return _call("div", self, other)  # IEEE division, as in ops.div

    def __rtruediv__(self, other: Any) -> Symbol:
        return _call("div", other, self)

    def __pow__(self, other: Any) -> Symbol:
        return _call("power", self, other)

    def __rpow__(self, other: Any) -> Symbol:
        return _call("power", other, self)

    def __neg__(self) -> Symbol:
        if self.known is not None:
            return Symbol.constant(-self.known)
        return Symbol(f"(-{self.code})")

    def __abs__(self) -> Symbol:
        return _call("absolute", self)

    def __lt__(self, other: Any) -> Symbol:
        return _infix(self, "<", other)

    def __le__(self, other: Any) -> Symbol:
        return _infix(self, "<=", other)

    def __gt__(self, other: Any) -> Symbol:
        return _infix(self, ">", other)

    def __ge__(self, other: Any) -> Symbol:
        return _infix(self, ">=", other)

    def __eq__(self, other: object) -> Symbol:  # type: ignore[override]
        return _infix(self, "==", other)

    def __ne__(self, other: object) -> Symbol:  # type: ignore[override]
        return _infix(self, "!=", other)

    __hash__ = None  # type: ignore[assignment]

    def __and__(self, other: Any) -> Symbol:
        return _infix(self, "&", other)

    def __rand__(self, other: Any) -> Symbol:
        return _infix(other, "&", self)

    def where(self, if_true: Any, if_false: Any) -> Any:
        """``ops.where`` with this symbol as the condition: a conditional expression."""
        if self.known is not None:
            return if_true if self.known else if_false
        safe = _never_negative_zero(if_true) and _never_negative_zero(if_false)
        code = f"({_code(if_true)} if {self.code} else {_code(if_false)})"
        return Symbol(code, never_negative_zero=safe)

    def __bool__(self) -> bool:
        raise CompileError("an op branched with `if` on a value; ops must choose with ops.where")

    def __getattr__(self, name: str) -> Callable[..., Symbol]:
        # ops.exp(x) asks a non-float x for x.exp(): write a call of ops.exp instead.
        if name not in _FUNCTIONS:
            raise AttributeError(name)

        def call(*args: Any) -> Symbol:
            return _call(name, self, *args)

        return call


# ---------------------------------------------------------------------------------------------
# Recording


class _Guard(NamedTuple):
    x: Value
    op: str
    y: object
    result: bool
    site: tuple[str, int, str] | None


class _Recorder:
    """Sees every node and comparison made while ``fn`` runs (see ``modes.recording``)."""

    def __init__(self) -> None:
        self.made_ids: set[int] = set()
        self.made_without_grad: set[int] = set()  # inside no_grad(): cut off from the graph
        self.guards: list[_Guard] = []

    def made(self, node: Value) -> None:
        self.made_ids.add(id(node))
        if not modes.grad_enabled():
            self.made_without_grad.add(id(node))

    def compared(self, x: Value, op: str, y: object, result: bool) -> None:
        self.guards.append(_Guard(x, op, y, result, user_site()))

    def refuse(self, what: str) -> None:
        raise CompileError(
            f"fn calls {what} while compile() records it: a replay could not redo that. "
            "Return the output instead; the compiled step differentiates it (inside fn, "
            "grad(..., create_graph=True) is fine)."
        )


class _Recording(NamedTuple):
    out: Value
    extras: list[Value]
    inputs: list[Value]
    recorder: _Recorder


def _record(fn: Callable[..., Any], points: Sequence[float]) -> _Recording:
    if not modes.grad_enabled():
        raise CompileError(
            "compile() runs fn inside no_grad(): no graph would be recorded, so the replay "
            "would repeat the recorded numbers as constants. Compile (and let a replay record "
            "again) outside no_grad()."
        )
    inputs = [
        Value(p, label=name) for p, name in zip(points, _names_of(fn, len(points)), strict=True)
    ]
    recorder = _Recorder()
    with modes.recording(recorder):
        returned = fn(*inputs)
    values = list(returned) if isinstance(returned, tuple | list) else [returned]
    if not values:
        raise CompileError(
            f"fn returned an empty {type(returned).__name__}; return a Value "
            "(or a tuple of Values, the first to differentiate)"
        )
    out, *extras = values
    for k, value in enumerate([out, *extras]):
        if not isinstance(value, Value):
            raise CompileError(
                f"fn must return a Value (or a tuple of Values, the first to differentiate); "
                f"item {k} is a {type(value).__name__}"
            )
    return _Recording(out, extras, inputs, recorder)


def _names_of(fn: Callable[..., Any], count: int) -> list[str]:
    """fn's parameter names, to label its inputs in the generated code ('' where unknown)."""
    try:
        parameters = inspect.signature(fn).parameters.values()
        names = [p.name for p in parameters if p.kind is not p.VAR_POSITIONAL]
    except (TypeError, ValueError):
        names = []
    return (names + [""] * count)[:count]


def guarded_data(x: Value) -> float:
    """``x.data``, for code that must take a number out of the graph (an index, a count).

    While ``compile`` records, the number becomes a guard: a replay where ``x`` holds another
    number raises GraphChangedError (or records again) instead of reusing this one.

    >>> from autograd import Value
    >>> step = compile(lambda i, x: x * [1.0, 10.0][int(guarded_data(i))], [1.0, 2.0])
    >>> step(1.0, 3.0).value
    30.0
    """
    data = x.data
    if modes.active and (recorder := modes.recorder()) is not None:
        recorder.compared(x, "==", data, True)
    return data


# ---------------------------------------------------------------------------------------------
# Writing the code


def _order(roots: list[Value]) -> list[Value]:
    """One topological order covering every root (the output and the guards' Values)."""
    order: list[Value] = []
    seen: set[Value] = set()
    for root in roots:
        for node in topological_order(root):
            if node not in seen:
                seen.add(node)
                order.append(node)
    return order


def _guard_text(guard: _Guard) -> str:
    where = (
        f' (File "{guard.site[0]}", line {guard.site[1]}: {guard.site[2]})' if guard.site else ""
    )
    return (
        f"when fn was recorded, a comparison of a Value came out {guard.result}{where}; "
        "now it comes out the other way, so the recorded graph no longer applies"
    )


class _Loop:
    """A repeat being written: its number, and what its forward loop saves per instance."""

    def __init__(self, number: int, repeat: Repeat) -> None:
        self.number = number
        self.repeat = repeat
        self.saved = f"saved{number}"  # the list of each instance's saved values
        self.exported: list[int] = []  # offsets in the template of the values read outside
        self.append_line = -1  # where the forward loop saves them (written with the backward)


class _Writer:
    """Writes ``replay(inputs, leaves) -> Replay`` for the graph of ``out``, section by section."""

    def __init__(self, recording: _Recording) -> None:
        self.out = recording.out
        self.extras = recording.extras
        self.inputs = recording.inputs
        self.recorder = recorder = recording.recorder
        guard_values = [g.y for g in recorder.guards if isinstance(g.y, Value)]
        roots = [self.out, *self.extras, *(g.x for g in recorder.guards), *guard_values]
        self.order = _order(roots)
        self.slot = {node: i for i, node in enumerate(self.order)}
        self.position = {x: k for k, x in enumerate(self.inputs)}
        self.value: dict[Value, Symbol] = {}  # node -> its variable, or a constant's literal
        self.leaves: list[Value] = []  # parameters: read at each call, grads written back
        self.wanted: set[Value] = set()  # nodes whose gradient someone reads
        self.grad: dict[Value, Symbol] = {}  # node -> its gradient so far
        self.functions: dict[Callable[..., Any], str] = {}  # users' functions the code calls
        self.lines: list[str] = []
        comparisons = [(g.x, g.op, g.y, g.result) for g in recorder.guards]
        made = recorder.made_ids
        repeats = find_repeats(self.order, self.slot, made, self.inputs, comparisons)
        self.loops = [_Loop(k, repeat) for k, repeat in enumerate(repeats)]
        self.tables: list[list[tuple[float, ...]]] = []  # CONSTANTS: each loop's, per instance
        self.looped_guards: set[int] = set()  # comparisons checked inside a loop

    def code(self, name: str) -> _Code:
        """The replay's statements, in as many functions as CPython compiles in bounded memory."""
        self.forward()
        self.guards()
        self.backward()
        self.results()
        return _functions(self.lines, f"{name}, {len(self.order)} nodes")

    def forward(self) -> None:
        """A line per op, computing its value from its inputs' (the op's forward on symbols)."""
        self.lines.append("    # forward")
        loops = {loop.repeat.first: loop for loop in self.loops}
        i = 0
        while i < len(self.order):
            if i in loops:
                self._forward_loop(loops[i])
                i = loops[i].repeat.last + 1
            else:
                self._forward_node(self.order[i], i)
                i += 1

    def _forward_node(self, node: Value, i: int) -> None:
        _refuse_hooks(node, i)
        op = ops.op_of(node)
        if op is not None and op.kind == "closure":
            raise CompileError(
                f"{_name(node, i)} was built by hand (Value(data, children, op)): compile "
                "knows no forward maths for it; make the op with "
                "autograd.define_op(name, forward, backward) to compile it"
            )
        if op is not None:
            inputs = [self.value[p] for p in node._prev]
            if op.kind == "defined":  # the user's float function, called as the eager op does
                forward = self._function(op.forward, f"{op.name}_forward")
                call = f"float({forward}({', '.join(map(_code, inputs))}))"
            elif op.inputs is None and len(inputs) > INLINE_INPUTS:  # a long n-ary op
                # Traced, a sum of n terms nests n parentheses, past what Python parses: a call
                call = _code(_call(op.forward.__name__, *inputs))
            else:  # our ops' forward run on symbols: it writes its own maths
                call = _code(op.forward(*inputs))
            self._assign(node, f"v{i}", call, _comment(node, op.name))
            if any(p in self.wanted for p in node._prev[: op.inputs]):
                self.wanted.add(node)
        elif node in self.position:
            self._assign(node, f"v{i}", f"inputs[{self.position[node]}]", _comment(node, "input"))
            self.wanted.add(node)
        elif id(node) in self.recorder.made_without_grad:
            raise CompileError(
                f"fn made {_name(node, i)} = {node.data!r} inside no_grad(): it has no graph, "
                "so a replay would repeat that number as a constant. Compute it with "
                "gradients on inside fn."
            )
        elif id(node) in self.recorder.made_ids:  # made by fn: a constant
            self.value[node] = Symbol.constant(node.data)
        else:  # existed before fn ran: a parameter
            where = f"leaves[{len(self.leaves)}].data"
            self._assign(node, f"v{i}", where, _comment(node, "parameter"))
            self.leaves.append(node)
            self.wanted.add(node)

    def _assign(self, node: Value, variable: str, code: str, comment: str) -> None:
        self.value[node] = Symbol(variable)
        self.lines.append(f"    {variable} = {code}  # {comment}")

    def _forward_loop(self, loop: _Loop) -> None:
        """A repeat's forward: its leaves read first, then the template's lines in a loop."""
        repeat = loop.repeat
        for i in range(repeat.first, repeat.last + 1):
            node = self.order[i]
            if node.grad_fn is None:  # a parameter, an input or a constant: the same each time
                self._forward_node(node, i)
            else:  # a node of any instance: the template's code runs no hooks for it either
                _refuse_hooks(node, i)
        template = repeat.blocks[0]
        guards = [self.recorder.guards[k] for k in repeat.comparisons[0]]
        self.looped_guards.update(k for ks in repeat.comparisons for k in ks)
        columns = self._columns(repeat)
        rows = zip(repeat.numbers, repeat.argument_rows, repeat.comparisons, strict=True)
        self.tables.append(
            [(*numbers, *(self.position[x] for x in xs), *ks) for numbers, xs, ks in rows]
        )
        count = len(repeat.blocks)
        table = f"CONSTANTS[{loop.number}]" if columns else f"range({count})"
        own = f" with its own constants and inputs ({', '.join(columns)} from {table})"
        own = own if columns else ""
        self._comment(
            f"{count} instances of {self._describe(template)}, each the sub-graph of "
            f"{len(template)} nodes under it{own}: written once, run per instance"
        )
        self.lines += [
            f"    {loop.saved} = []  # per instance, the values read after its forward",
            f"    for {_tuple(columns) if columns else '_'} in {table}:",
        ]
        with self._template_constants(repeat), self._captured() as body:
            for node in template:
                self._forward_node(node, self.slot[node])
            for j, guard in enumerate(guards):
                self._guard(guard, f"guard{j}")
        self.lines += [f"    {line}" for line in body]
        loop.append_line = len(self.lines)
        self.lines.append("")  # the saved values: known once the backward loop is written
        extras = set(self.extras)  # fn returns them: their values are read after the loop
        inner = range(len(template) - 1) if extras else range(0)
        exported = [j for j in inner if any(block[j] in extras for block in repeat.blocks)]
        loop.exported = [*exported, len(template) - 1]  # and the root, which others read
        for e, j in enumerate(loop.exported):
            names = [f"v{self.slot[block[j]]}" for block in repeat.blocks]
            self.lines.append(f"    {_targets(names)} = [values[{e}] for values in {loop.saved}]")
            for block in repeat.blocks:
                self.value[block[j]] = Symbol(f"v{self.slot[block[j]]}")
                if template[j] in self.wanted:
                    self.wanted.add(block[j])

    def _columns(self, repeat: Repeat) -> list[str]:
        """The names of what differs among a repeat's instances, a column each in its table:
        constants (their numbers), inputs (their index in ``inputs``), comparisons (theirs)."""
        return [
            *(f"c{self.slot[c]}" for c in repeat.varying),
            *(f"a{self.slot[x]}" for x in repeat.arguments),
            *(f"guard{j}" for j in range(len(repeat.comparisons[0]))),
        ]

    @contextmanager
    def _template_constants(self, repeat: Repeat) -> Iterator[None]:
        """Inside a loop, the template's constants and inputs that differ are read from its
        table: names, not literals, nor the first instance's input."""
        earlier = {c: self.value[c] for c in [*repeat.varying, *repeat.arguments]}
        for q, c in enumerate(repeat.varying):
            safe = all(_never_negative_zero(row[q]) for row in repeat.numbers)
            self.value[c] = Symbol(f"c{self.slot[c]}", never_negative_zero=safe)
        for x in repeat.arguments:
            self.value[x] = Symbol(f"inputs[a{self.slot[x]}]")
        try:
            yield
        finally:
            self.value.update(earlier)

    @contextmanager
    def _captured(self) -> Iterator[list[str]]:
        """The lines written inside, kept apart (a loop's body, written after its header)."""
        outer, self.lines = self.lines, []
        try:
            yield self.lines
        finally:
            self.lines = outer

    def _comment(self, text: str) -> None:
        self.lines += [f"    # {line}" for line in textwrap.wrap(text, 92)]

    def _describe(self, template: list[Value]) -> str:
        root = template[-1]
        op = ops.op_of(root)
        assert op is not None
        return f"{_name(root, self.slot[root])} = {op.name}(...)"

    def guards(self) -> None:
        """A test per comparison fn made: the graph holds only while each comes out the same."""
        guards = [(k, g) for k, g in enumerate(self.recorder.guards) if k not in self.looped_guards]
        if guards:
            self.lines.append("    # guards: comparisons fn made while it was recorded")
        for k, guard in guards:
            self._guard(guard, str(k))

    def _guard(self, guard: _Guard, index: str) -> None:
        other = self.value[guard.y] if isinstance(guard.y, Value) else guard.y
        test = f"({self.value[guard.x].code} {guard.op} {_code(other)})"
        self.lines.append(f"    if {'not ' if guard.result else ''}{test}:")
        self.lines.append(f"        raise GraphChangedError(GUARDS[{index}])")

    def backward(self) -> None:
        """The chain rule node by node from the output: each op's rule run on symbols."""
        self.lines.append("    # backward: the chain rule, node by node from the output")
        self.grad[self.out] = Symbol.constant(1.0)
        loops = {loop.repeat.last: loop for loop in self.loops}
        i = len(self.order) - 1
        while i >= 0:
            if i in loops:
                self._backward_loop(loops[i])
                i = loops[i].repeat.first - 1
                continue
            node = self.order[i]
            if node.grad_fn is not None and node in self.wanted and node in self.grad:
                self._rule(node)
            i -= 1

    def _backward_loop(self, loop: _Loop) -> None:
        """A repeat's backward: the template's rules in a loop, the last instance first."""
        repeat = loop.repeat
        template = repeat.blocks[0]
        saved = [f"v{self.slot[template[j]]}" for j in loop.exported]
        # Every instance's root has a gradient or none has, unless the output uses only some
        # (the others are extras alone): then the loop runs for those, as backward() does.
        count = len(repeat.blocks)
        reached = [k for k in reversed(range(count)) if repeat.blocks[k][-1] in self.grad]
        if template[-1] in self.wanted and reached:
            saved = self._backward_body(loop, reached, saved)
            for e, j in enumerate(loop.exported):  # its variables now hold another instance's
                self.value[template[j]] = Symbol(f"{loop.saved}[0][{e}]")
        self.lines[loop.append_line] = f"        {loop.saved}.append({_tuple(saved)})"

    def _backward_body(self, loop: _Loop, reached: list[int], exported: list[str]) -> list[str]:
        """Writes the loop of the template's rules over the ``reached`` instances; returns what
        the forward loop saves per instance: the ``exported`` values, then those this reads."""
        repeat = loop.repeat
        template = repeat.blocks[0]
        root_grads = self._root_gradient(repeat, reached)
        shared = self._shared_gradients(template, repeat.arguments)
        given: set[Value] = set()
        with self._template_constants(repeat), self._captured() as body:
            for node in reversed(template):
                if node.grad_fn is not None and node in self.wanted and node in self.grad:
                    given.update(self._rule(node))
        starts = self._sums_started(shared, given)
        own = [x for x in repeat.arguments if x in given]  # each instance's own input's grad
        if own:
            body.append(f"    grads{loop.number}.append({_tuple(self.grad[x].code for x in own)})")
            starts.append(f"    grads{loop.number} = []  # per instance, its inputs' gradients")
        read = set(_READ.findall(_COMMENT.sub("", "\n".join(body))))
        values = [name for node in template if (name := f"v{self.slot[node]}") in read]
        saved = [*exported, *(name for name in values if name not in exported)]
        everyone = len(reached) == len(repeat.blocks)
        indices = _tuple(map(str, reached))
        targets = [_tuple(saved)]
        sources = [
            f"reversed({loop.saved})" if everyone else f"({loop.saved}[k] for k in {indices})"
        ]
        columns = self._columns(repeat)
        if any(c in read for c in columns):
            table = f"CONSTANTS[{loop.number}]"
            targets.append(_tuple(columns))
            sources.append(f"reversed({table})" if everyone else f"({table}[k] for k in {indices})")
        if root_grads is not None:
            targets.append(f"g{self.slot[template[-1]]}")
            sources.append(root_grads)
        which = "" if everyone else f"{len(reached)} of "
        some = "" if everyone else " that reach the output"
        self._comment(
            f"backward of {which}the {len(repeat.blocks)} instances of "
            f"{self._describe(template)}{some}, the last first: as backward() meets them"
        )
        self.lines += [
            *starts,
            f"    for {', '.join(targets)} in "
            + (sources[0] if len(sources) == 1 else f"zip({', '.join(sources)})")
            + ":",
            *[f"    {line}" for line in body],
        ]
        for e, x in enumerate(own):  # each instance's gradient, named as unrolled code names it
            del self.grad[x]  # the template's: its first instance's, if the loop reached that
            column = repeat.arguments.index(x)
            inputs = [repeat.argument_rows[k][column] for k in reached]
            names = [f"g{self.slot[i]}" for i in inputs]
            self.lines.append(f"    {_targets(names)} = [g[{e}] for g in grads{loop.number}]")
            for i, name in zip(inputs, names, strict=True):
                self.grad[i] = Symbol(name, never_negative_zero=True)
        return saved

    def _root_gradient(self, repeat: Repeat, reached: list[int]) -> str | None:
        """The template root's gradient in the loop: the roots' own, if one is not the same
        for all (then returned: the tuple of them to loop over)."""
        root = repeat.blocks[0][-1]
        grads = [self.grad[repeat.blocks[k][-1]] for k in reached]
        if all(g.code == grads[0].code for g in grads):
            self.grad[root] = grads[0]
            return None
        safe = all(g.never_negative_zero for g in grads)
        self.grad[root] = Symbol(f"g{self.slot[root]}", never_negative_zero=safe)
        return _tuple(g.code for g in grads)

    def _shared_gradients(
        self, template: list[Value], own: list[Value]
    ) -> dict[Value, Symbol | None]:
        """The gradients of the leaves the template reads, but each instance's ``own`` inputs,
        summed in variables over the loop; returns each one's gradient before it (None:
        nothing has flowed in yet)."""
        shared = {
            p: self.grad.get(p)
            for node in template
            for p in node._prev
            if p.grad_fn is None and p in self.wanted and p not in own
        }
        for leaf in shared:
            self.grad[leaf] = Symbol(f"g{self.slot[leaf]}", never_negative_zero=True)
        return shared

    def _sums_started(self, shared: dict[Value, Symbol | None], given: set[Value]) -> list[str]:
        """Lines starting the sums before the loop, where it was (0.0 if nothing yet), as the
        unrolled code does; a leaf the loop gives nothing is left as it was."""
        starts: list[str] = []
        for leaf, earlier in shared.items():
            name = f"g{self.slot[leaf]}"
            if leaf not in given:
                if earlier is None:
                    del self.grad[leaf]
                else:
                    self.grad[leaf] = earlier
            elif earlier is None or earlier.code != name:
                start = "0.0" if earlier is None else earlier.code
                comment = "" if starts else "  # the gradients the instances add into"
                starts.append(f"    {name} = {start}{comment}")
        return starts

    def _rule(self, node: Value) -> list[Value]:
        """Writes ``node``'s rule run on symbols; returns the inputs it gave a gradient."""
        stand_ins: dict[Value, StandIn] = {}
        for p in node._prev:
            if p not in stand_ins:
                stand_in = StandIn(self.value[p], ())
                # backward() starts every gradient at 0.0 and adds: so does the code, to the bit.
                stand_in.grad = self.grad.get(p, Symbol.constant(0.0))
                stand_ins[p] = stand_in
        out = StandIn(self.value[node], tuple(stand_ins[p] for p in node._prev))
        out.grad = self.grad[node]
        op = ops.op_of(node)
        assert op is not None
        if op.kind == "defined":
            self._call_backward(node, op, out)
        else:
            run_rule(node, out)  # our rules run on symbols: they write the chain rule out
        comment = f"  # {op.backward.__name__}: {_name(node, self.slot[node])}"
        given = [p for p in dict.fromkeys(node._prev[: op.inputs]) if p in self.wanted]
        for p in given:
            new = stand_ins[p].grad
            if new.known is not None or new.code.isidentifier():
                self.grad[p] = new  # a number, or another gradient passed on: no line needed
            else:
                self.grad[p] = Symbol(f"g{self.slot[p]}", never_negative_zero=True)
                self.lines.append(f"    g{self.slot[p]} = {new.code}{comment}")
                comment = ""
        return given

    def _call_backward(self, node: Value, op: ops.Op, out: StandIn) -> None:
        """A user's op: a line calling their backward, then each input's grad += its part."""
        assert op.user_backward is not None
        parts = [f"d{self.slot[node]}_{k}" for k in range(len(node._prev))]  # all differentiable
        arguments = [self.value[p] for p in node._prev] + [out.data, out.grad]
        backward = self._function(op.user_backward, f"{op.name}_backward")
        call = f"{backward}({', '.join(map(_code, arguments))})"
        self.lines.append(f"    {', '.join(parts)} = {call}  # {op.name}: the user's backward")
        for x, part in zip(joined_inputs(out._x, out._y), parts, strict=True):
            x.grad += Symbol(part)  # input by input, as the eager rule adds them

    def _function(self, function: Callable[..., Any], name: str) -> str:
        """The name the generated code calls a user's function by (put in its namespace)."""
        if function not in self.functions:
            taken = set(self.functions.values())
            unique = name if name not in taken else f"{name}_{len(taken)}"  # an op defined again
            self.functions[function] = unique
        return self.functions[function]

    def results(self) -> None:
        """Parameters' gradients accumulate, as backward() does; inputs' are returned."""
        for k, leaf in enumerate(self.leaves):
            if leaf in self.grad:
                self.lines.append(f"    leaves[{k}].grad += {self.grad[leaf].code}")
        grads = _tuple(self.grad[x].code if x in self.grad else "0.0" for x in self.inputs)
        outputs = _tuple(self.value[x].code for x in self.extras)
        self.lines.append(f"    return Replay({self.value[self.out].code}, {grads}, {outputs})")


# ---------------------------------------------------------------------------------------------
# Cutting the code into functions. CPython's compiler needs about 5 KB per line while it
# compiles a function (and frees it after): one function for a million-node graph would need
# 7 GB. Cut into parts, each compiled on its own, a part's lines bound that peak. The numbers
# a later part reads cross over in one list, ``V``, read once by each part that uses them
# (the weights by nearly every part): so a 16th of the code per part, few parts where the
# code is short, but never more than 10,000 lines (about 45 MB to compile) nor under 2,000.

PARTS = 16
PART_LINES = (2000, 10_000)
_NAME = r"(?:[vg]\d+|saved\d+|grads\d+)"  # what one part may pass on to another
_VARIABLE = re.compile(rf"\b{_NAME}\b")
# assigned at any depth: a loop's body adds into the gradients that later parts read
_ASSIGNED = re.compile(rf" +({_NAME}(?:, {_NAME})*),? = ")
_READ = re.compile(r"\b[vca]\d+\b")  # a value, constant or input a loop's body reads
_COMMENT = re.compile(r"  #.*")


class _Code(NamedTuple):
    text: str  # the whole source, as shown and registered with linecache
    parts: list[tuple[int, str, str]]  # each function: its first line in text, name, source
    carried: int  # how many numbers cross from one part to a later one


def _functions(body: list[str], description: str) -> _Code:
    """``replay(inputs, leaves)`` for a short body; parts that pass numbers on for a long one."""
    fewest, most = PART_LINES
    size = min(max(len(body) // PARTS, fewest), most)
    if len(body) <= size:
        text = "\n".join([f"def replay(inputs, leaves):  # {description}", *body]) + "\n"
        return _Code(text, [(0, "replay", text)], 0)
    pieces = _pieces(body, size)
    # the names each piece's code reads or writes (comments name nodes too: v6 ... left out)
    used = [set(_VARIABLE.findall(_COMMENT.sub("", "\n".join(piece)))) for piece in pieces]
    assigned = [
        {name for line in piece if (m := _ASSIGNED.match(line)) for name in m.group(1).split(", ")}
        for piece in pieces
    ]
    last_part = {name: k for k, names in enumerate(used) for name in names}
    slot: dict[str, int] = {}
    earlier: set[str] = set()
    functions: list[str] = []
    for k, piece in enumerate(pieces):
        head = f"def replay_{k}(inputs, leaves, V):  # part {k + 1} of {len(pieces)}"
        if k == 0:
            head += f": {description}"
        loads = [f"    {name} = V[{slot[name]}]" for name in sorted(used[k] & earlier)]
        passed = sorted(name for name in assigned[k] if last_part[name] > k)
        stores = [f"    V[{slot.setdefault(name, len(slot))}] = {name}" for name in passed]
        functions.append("\n".join([head, *loads, *piece, *stores]) + "\n")
        earlier |= assigned[k]
    parts, line = [], 0
    for k, function in enumerate(functions):
        parts.append((line, f"replay_{k}", function))
        line += function.count("\n")
    return _Code("".join(functions), parts, len(slot))


def _pieces(body: list[str], size: int) -> list[list[str]]:
    """The body in runs of ``size`` lines, never cutting a block (a guard's ``if`` from its
    ``raise``, a loop from its body), each with a statement (a function of comments alone is
    no function)."""
    pieces: list[list[str]] = [[]]
    statements = 0
    for line in body:
        if len(pieces[-1]) >= size and statements and not line.startswith("        "):
            pieces.append([])
            statements = 0
        pieces[-1].append(line)
        statements += not line.startswith("    #")
    return pieces


def _targets(names: list[str]) -> str:
    """Names to unpack a sequence into: ``a, b`` or, for one, ``a,``."""
    return ", ".join(names) + ("," if len(names) == 1 else "")


def _tuple(items: Iterable[str]) -> str:
    codes = list(items)
    return f"({codes[0]},)" if len(codes) == 1 else f"({', '.join(codes)})"


def _refuse_hooks(node: Value, i: int) -> None:
    if has_hooks(node):
        raise CompileError(f"{_name(node, i)} has hooks; a compiled replay runs no hooks")


def _name(node: Value, i: int) -> str:
    return node.label or f"v{i}"


def _comment(node: Value, kind: str) -> str:
    return f"{node.label}: {kind}" if node.label else kind


# ---------------------------------------------------------------------------------------------
# The compiled step


_NAMESPACE: dict[str, Any] = {
    **_FUNCTIONS,
    "inf": math.inf,
    "nan": math.nan,
    "Replay": Replay,
    "GraphChangedError": GraphChangedError,
}


class CompiledStep:
    """``fn``'s graph, recorded once and replayed as generated Python: call it with new inputs.

    >>> from autograd import Value
    >>> w = Value(0.5, label="w")
    >>> step = compile(lambda x: (w * x).tanh(), [2.0])
    >>> result = step(3.0)
    >>> round(result.value, 6), round(w.grad, 6)
    (0.905148, 0.54212)
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        example_inputs: Sequence[float | Value],
        on_change: str = "raise",
    ) -> None:
        if on_change not in ("raise", "record"):
            raise ValueError(f"on_change must be 'raise' or 'record', got {on_change!r}")
        self.fn = fn
        self.on_change = on_change
        self.recordings = 0
        self._forget_source: Callable[[], Any] = _nothing
        self._load([_number(x, i) for i, x in enumerate(example_inputs)])

    def _load(self, points: list[float]) -> None:
        name = getattr(self.fn, "__name__", "fn")
        writer = _Writer(_record(self.fn, points))
        # Writing and compiling make millions of objects and no reference cycle: the cyclic
        # collector would only walk them, again and again (a 400k-node graph: 2.5x the time).
        with modes.gc_paused():
            code = writer.code(name)
            nodes, leaves = len(writer.order), writer.leaves
            guards = [_guard_text(g) for g in writer.recorder.guards]
            functions = {name: function for function, name in writer.functions.items()}
            tables = writer.tables
            del writer  # and with it the recorded graph, before CPython compiles: a lower peak
            self.recordings += 1
            filename = f"<autograd.replay {name} #{id(self)}.{self.recordings}>"
            namespace = {**_NAMESPACE, **functions, "GUARDS": guards, "CONSTANTS": tables}
            parts = [_compiled(part, filename, namespace) for part in code.parts]
        # Registered with linecache, so tracebacks and pdb show the generated lines; dropped
        # with the step (or its next recording), as the source is megabytes for a big graph.
        self._forget_source()
        linecache.cache[filename] = (len(code.text), None, code.text.splitlines(True), filename)
        self._forget_source = weakref.finalize(self, linecache.cache.pop, filename, None)
        self.source: str = code.text
        self.nodes: int = nodes
        self.inputs = len(points)
        self._leaves = leaves
        self._parts: list[Callable[..., Any]] = parts
        self._carried = code.carried

    def _run(self, points: list[float]) -> Replay:
        *early, last = self._parts
        if not early:
            return last(points, self._leaves)  # type: ignore[no-any-return]
        carried = [0.0] * self._carried
        for part in early:
            part(points, self._leaves, carried)
        return last(points, self._leaves, carried)  # type: ignore[no-any-return]

    @property
    def parameters(self) -> list[Value]:
        """The leaves that existed before recording: read at each call, their grads accumulate."""
        return list(self._leaves)

    def __call__(self, *inputs: float | Value) -> Replay:
        """Run forward and backward on new inputs; parameters' grads accumulate like backward()."""
        if len(inputs) != self.inputs:
            raise TypeError(f"the compiled step takes {self.inputs} inputs, got {len(inputs)}")
        points = [_number(x, i) for i, x in enumerate(inputs)]
        for leaf in self._leaves:
            if has_hooks(leaf):
                raise CompileError("a parameter has hooks now; a compiled replay does not run them")
        try:
            return self._run(points)
        except GraphChangedError:
            if self.on_change == "raise":
                raise
        self._load(points)
        return self._run(points)


def _compiled(part: tuple[int, str, str], filename: str, namespace: dict[str, Any]) -> Any:
    """The function of one part of the code, its lines numbered as in the whole source."""
    first_line, name, source = part
    exec(builtins.compile(source, filename, "exec"), namespace)
    function = namespace.pop(name)  # a function in its own globals would be a reference cycle
    function.__code__ = function.__code__.replace(co_firstlineno=first_line + 1)
    return function


def _nothing() -> None:
    """What there is to forget before the first recording."""


def _number(x: object, i: int) -> float:
    if isinstance(x, Value):
        return x.data
    if isinstance(x, numbers.Real):
        return float(x)
    raise TypeError(f"input {i} must be a number or a Value, got {type(x).__name__}")


def compile(
    fn: Callable[..., Any],
    example_inputs: Sequence[float | Value] = (),
    *,
    on_change: str = "raise",
) -> CompiledStep:
    """Record ``fn(*example_inputs)`` once; return a step that replays it on new inputs.

    ``fn`` may return a tuple of Values: the first is differentiated, the others' values come
    back in ``Replay.outputs``. ``on_change="record"`` records again when a guard fails instead
    of raising GraphChangedError.
    ``step.source`` is the generated code: the chain rule unrolled for this very graph (a
    sub-graph repeated per sample written once, as a loop over the samples).
    """
    return CompiledStep(fn, example_inputs, on_change)
