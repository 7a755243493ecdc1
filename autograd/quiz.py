"""Quiz mode: walk the backward pass and ask the learner for each local derivative and gradient.

The questions and the numbers come from ``backward_steps``: at each step the node's complete
gradient (``o.grad``), then the local derivative along each of its input edges (``do/dn``),
each checked to a tolerance and answered with the chain rule. Answers can be typed (``input``)
or passed in, so that a quiz runs in a test. Looking changes nothing: afterwards every ``.grad``
of the graph is what it was before.
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import TextIO

from autograd.backward import grads_put_back
from autograd.debug import Edge, Step, backward_steps
from autograd.draw import number
from autograd.value import Value

__all__ = [
    "Arrival",
    "FreshPass",
    "Question",
    "QuizResult",
    "arrivals",
    "asked_about",
    "chosen_leaves",
    "formula",
    "is_close",
    "parse_number",
    "quiz",
]

REL_TOL = 1e-2  # a hand calculation with 3 significant digits is right
ABS_TOL = 1e-6  # at 0 a relative tolerance means nothing: 0 is right for rounding noise like 1e-17,
# but not for a small gradient like 0.0004 (that one is asked to 1 % like any other)


class FreshPass:
    """Run one backward pass from ``root`` with every grad starting at 0; restore them after.

    Inside ``with FreshPass(root) as steps:`` each ``.grad`` is this pass's alone (no earlier
    leaf gradient added), so a picture drawn there shows it; afterwards every ``.grad`` is what
    it was. (A class, not a generator: the steps are made from a frame of this package, so
    names taken from the caller's variables still find the caller.)
    """

    def __init__(self, root: Value, gradient: float = 1.0) -> None:
        if not isinstance(root, Value):
            raise TypeError(
                "needs the Value to run the backward pass from (e.g. the loss), "
                f"got {type(root).__name__}: {root!r}"
            )
        self.root, self.gradient = root, gradient
        self._kept = grads_put_back(root, from_zero=True)

    def __enter__(self) -> list[Step]:
        self._kept.__enter__()
        try:
            return list(backward_steps(self.root, self.gradient))
        except BaseException:
            self._kept.__exit__(None, None, None)
            raise

    def __exit__(self, *exc_info: object) -> None:
        self._kept.__exit__(None, None, None)


@dataclass(frozen=True)
class Arrival:
    """One part of a node's gradient: what a consumer's step passed back along one edge."""

    step: Step  # the consumer's step
    edge: Edge  # edge.parent is the node; edge.local is d consumer / d node


def arrivals(steps: list[Step]) -> dict[int, list[Arrival]]:
    """For each node (by ``id``), the edges its gradient arrived along, in backward order."""
    found: dict[int, list[Arrival]] = {}
    for step in steps:
        for edge in step.edges:
            found.setdefault(id(edge.parent), []).append(Arrival(step, edge))
    return found


def parse_number(answer: str | float) -> float:
    """A learner's answer as a float: ``0.5``, ``-2``, ``1/2``, ``0,5``, ``1e-3``, ``inf``.

    >>> parse_number("1/2"), parse_number(" -0,25 "), parse_number("1e-3"), parse_number(2)
    (0.5, -0.25, 0.001, 2.0)
    """
    if isinstance(answer, numbers.Real) and not isinstance(answer, bool):
        return float(answer)
    if not isinstance(answer, str):
        raise TypeError(f"an answer is a number or its text, got {type(answer).__name__}")
    text = (
        answer.strip().replace("\u2212", "-").replace(" ", "")
    )  # U+2212, the minus sign copied from a PDF
    if "," in text and "." not in text:
        text = text.replace(",", ".")  # the German decimal comma: 0,5
    numerator, slash, denominator = text.partition("/")
    try:
        value = float(numerator)
        if slash:
            value /= float(denominator)
    except ValueError:
        raise ValueError(
            f"cannot read {answer!r} as a number: type e.g. 0.5, -2, 1/2 or 1e-3"
        ) from None
    except ZeroDivisionError:
        raise ValueError(f"{answer!r} divides by zero: type the number it stands for") from None
    return value


def is_close(
    given: float, expected: float, rel_tol: float = REL_TOL, abs_tol: float = ABS_TOL
) -> bool:
    """Whether ``given`` is right: within ``rel_tol`` of ``expected``, or ``abs_tol`` of it.

    >>> is_close(0.79, 0.7864), is_close(0.7, 0.7864), is_close(0, 1e-17), is_close(0, 4e-4)
    (True, False, True, False)
    """
    if math.isnan(expected) or math.isnan(given):
        return math.isnan(expected) and math.isnan(given)
    if math.isinf(expected) or math.isinf(given):
        return given == expected
    return abs(given - expected) <= max(rel_tol * abs(expected), abs_tol)


@dataclass(frozen=True)
class Question:
    """One question of a quiz, the learner's answer and what the chain rule gives."""

    kind: str  # "grad": a node's complete gradient; "local": d consumer / d input
    node: str  # the node's name (for "local": the consumer's)
    wrt: str  # for "local": the input's name; "" for "grad"
    prompt: str  # e.g. "n.grad" or "do/dn"
    expected: float  # the engine's number
    answer: str  # as typed or passed in
    given: float | None  # the answer read as a number; None if it could not be read
    right: bool
    explanation: str  # the chain rule's line for it


@dataclass(frozen=True)
class QuizResult:
    """The questions of a quiz with their answers; ``right`` of ``total``."""

    questions: tuple[Question, ...]

    @property
    def right(self) -> int:
        """How many answers were right."""
        return sum(q.right for q in self.questions)

    @property
    def total(self) -> int:
        """How many questions were asked."""
        return len(self.questions)

    @property
    def wrong(self) -> tuple[Question, ...]:
        """The questions answered wrongly, to go over again."""
        return tuple(q for q in self.questions if not q.right)

    def __str__(self) -> str:
        share = f" ({self.right / self.total:.0%})" if self.total else ""
        return f"score: {self.right}/{self.total} right{share}"


@dataclass(frozen=True)
class _Ask:
    """One question before it is answered."""

    kind: str
    node: str
    wrt: str
    prompt: str
    expected: float
    explanation: str


def _questions(
    steps: list[Step], gradient: float, chosen: set[int] | None
) -> list[tuple[Step, list[_Ask]]]:
    """Per step, its questions: the node's gradient, then the local derivative of each edge."""
    came = arrivals(steps)
    plan: list[tuple[Step, list[_Ask]]] = []
    for step in steps:
        if not asked_about(step.node, steps[0].node, came, chosen):
            continue
        name = step.name(step.node)
        why = _grad_text(step, came, gradient)
        asks = [_Ask("grad", name, "", f"{name}.grad", step.out_grad, why)]
        lines = step.edge_texts() if step.edges else []
        for edge, line in zip(step.edges, lines, strict=True):
            if asked_about(edge.parent, steps[0].node, came, chosen):
                wrt = step.name(edge.parent)
                asks.append(_Ask("local", name, wrt, f"d{name}/d{wrt}", edge.local, line))
        plan.append((step, asks))
    return plan


def asked_about(
    node: Value, root: Value, came: dict[int, list[Arrival]], chosen: set[int] | None
) -> bool:
    """Nodes the gradient reaches are asked about; leaves only if chosen (``params``)."""
    if node is root:
        return True
    if id(node) not in came:
        return False  # a constant setting (the 2 of x**2): no gradient flows there
    return node._prev != () or chosen is None or id(node) in chosen


def chosen_leaves(params: Iterable[Value] | None, caller: str) -> set[int] | None:
    """The ``id``s of the leaves ``params`` chooses to ask about; None: all of them."""
    if params is None:
        return None
    chosen = list(params)
    for p in chosen:
        if not isinstance(p, Value):
            raise TypeError(
                f"{caller}: params are the Values (leaves) to ask about, got "
                f"{type(p).__name__}: {p!r}"
            )
    return {id(p) for p in chosen}


def formula(step: Step, chosen: set[int] | None) -> str:
    """The step's op as a formula, e.g. ``w1 * 2``: leaves not asked about, unlabelled, as numbers.

    A leaf made from a number (the 2 of ``w1 * 2``) is called ``v44`` in printouts; where it
    is not asked about (``params`` leaves it out), its number reads better.
    """
    if chosen is None:
        return step.forward_text()
    names = dict(step.names)
    for p in step.node._prev:
        if not p._prev and not p.label and id(p) not in chosen:
            names[id(p)] = number(p.data)
    return replace(step, names=names).forward_text()


def _grad_text(step: Step, came: dict[int, list[Arrival]], gradient: float) -> str:
    """Why the node's gradient is what it is: the seed, or the sum of what arrived."""
    name = step.name(step.node)
    parts = came.get(id(step.node), [])
    if not parts:
        return f"{name} is the output: {name}.grad = d{name}/d{name} = {number(gradient)}"
    if len(parts) == 1:
        consumer = parts[0].step.name(parts[0].step.node)
        return f"{name}.grad = what {consumer} passed back = {number(step.out_grad)}"
    terms = " + ".join(
        f"{number(a.edge.contribution)} (from {a.step.name(a.step.node)})" for a in parts
    )
    return (
        f"{name}.grad = sum of what its consumers passed back = {terms} = {number(step.out_grad)}"
    )


def _header(step: Step, chosen: set[int] | None) -> str:
    name = step.name(step.node)
    if step.op is None:
        return f"step {step.index}: {name} is a leaf"
    return f"step {step.index}: {name} = {formula(step, chosen)}"


def quiz(
    root: Value,
    answers: Iterable[str | float] | None = None,
    *,
    rel_tol: float = REL_TOL,
    abs_tol: float = ABS_TOL,
    params: Iterable[Value] | None = None,
    gradient: float = 1.0,
    file: TextIO | None = None,
    ask: Callable[[str], str] = input,
) -> QuizResult:
    """Walk ``root``'s backward pass asking for each gradient and local derivative; score it.

    Without ``answers`` each question is asked with ``ask`` (``input``: type in a REPL or a
    notebook); with them, they are taken in order (numbers, or text as typed: ``1/2``). An
    answer is right within ``rel_tol`` (relative) or ``abs_tol`` (absolute). ``params``: the
    leaves to ask about (default all). Every ``.grad`` stays as it was.

    >>> x = Value(0.5, label="x")
    >>> o = x * x
    >>> o.label = "o"
    >>> result = quiz(o, ["1", "0.5", "0.4", "1"])
    step 0: o = x * x
      o.grad = ? 1
        right: o is the output: o.grad = do/do = 1
      do/dx = ? 0.5
        right: do/dx = 0.5; chain rule: x.grad += x * o.grad = 0.5 * 1 = 0.5
      do/dx = ? 0.4
        wrong: do/dx = 0.5; chain rule: x.grad += x * o.grad = 0.5 * 1 = 0.5
    step 1: x is a leaf
      x.grad = ? 1
        right: x.grad = sum of what its consumers passed back = 0.5 (from o) + 0.5 (from o) = 1
    score: 3/4 right (75%)
    >>> result.right, result.total, x.grad
    (3, 4, 0.0)
    """
    for what, tol in (("rel_tol", rel_tol), ("abs_tol", abs_tol)):
        if not isinstance(tol, numbers.Real) or not 0.0 <= tol < math.inf:
            raise ValueError(f"quiz: {what} must be a number >= 0, got {tol!r}")
    out = file or sys.stdout
    chosen = chosen_leaves(params, "quiz")
    with FreshPass(root, gradient) as steps:
        plan = _questions(steps, gradient, chosen)
    total = sum(len(asks) for _, asks in plan)
    if isinstance(answers, str):
        raise TypeError(
            f"quiz: answers are one per question, e.g. ['1', '0.5'], got one string {answers!r}"
        )
    given_answers = None if answers is None else list(answers)
    if given_answers is not None and len(given_answers) != total:
        raise ValueError(
            f"quiz: this graph has {total} questions, but {len(given_answers)} answers were "
            "passed: pass one answer per question (or none, to be asked)"
        )
    feed = iter(given_answers or [])
    records: list[Question] = []
    for step, asks in plan:
        out.write(_header(step, chosen) + "\n")
        for q in asks:
            if given_answers is None:
                text, given = _asked_answer(q, ask, out)
            else:
                text, given = _passed_answer(q, next(feed), out)
            records.append(_judge(q, text, given, rel_tol=rel_tol, abs_tol=abs_tol, out=out))
    result = QuizResult(tuple(records))
    out.write(f"{result}\n")
    return result


def _judge(
    q: _Ask, text: str, given: float | None, *, rel_tol: float, abs_tol: float, out: TextIO
) -> Question:
    """Check one answer and say what was right and what the chain rule gives."""
    right = given is not None and is_close(given, q.expected, rel_tol, abs_tol)
    verdict = "right" if right else "wrong" if given is not None else f"not a number ({text!r})"
    if q.kind == "local":
        verdict += f": {q.prompt} = {number(q.expected)}; chain rule"
    out.write(f"    {verdict}: {q.explanation}\n")
    return Question(q.kind, q.node, q.wrt, q.prompt, q.expected, text, given, right, q.explanation)


def _passed_answer(q: _Ask, passed: str | float, out: TextIO) -> tuple[str, float | None]:
    """A passed-in answer as text and number (None: it does not read as one), echoed."""
    text = str(passed)
    out.write(f"  {q.prompt} = ? {text}\n")
    try:
        return text, parse_number(passed)
    except (ValueError, TypeError):
        return text, None


def _asked_answer(q: _Ask, ask: Callable[[str], str], out: TextIO) -> tuple[str, float | None]:
    """The learner's typed answer as text and number, asked again until it reads as one."""
    while True:
        text = ask(f"  {q.prompt} = ? ")
        try:
            return text, parse_number(text)
        except ValueError as error:
            out.write(f"    {error}\n")
