"""A scalar autograd engine: Values record ops into a graph; backward() runs the chain rule."""

from autograd.anomaly import detect_anomaly
from autograd.backward import backward, grad, hessian, topological_order
from autograd.check import GradcheckError, RuleCheck, check_rules, gradcheck
from autograd.custom import define_op
from autograd.debug import Edge, Step, backward_steps, format_trace, trace_backward
from autograd.draw import DotNotFoundError, draw_dot
from autograd.explore import explore
from autograd.forward import jvp
from autograd.frames import render_backward
from autograd.fused import linear, sum  # autograd.sum shadows the builtin, as torch.sum
from autograd.hooks import RemovableHandle
from autograd.modes import gc_paused, named_scope, no_grad, record_scopes
from autograd.nudge import Nudge, nudge
from autograd.ops import OPS, MissingRuleError, Op
from autograd.paths import PathSum, paths
from autograd.quiz import Question, QuizResult, quiz
from autograd.replay import CompiledStep, CompileError, GraphChangedError, Replay, compile
from autograd.value import Value
from autograd.worksheet import worksheet, worksheet_html

__all__ = [
    "OPS",
    "CompileError",
    "CompiledStep",
    "DotNotFoundError",
    "Edge",
    "GradcheckError",
    "GraphChangedError",
    "MissingRuleError",
    "Nudge",
    "Op",
    "PathSum",
    "Question",
    "QuizResult",
    "RemovableHandle",
    "Replay",
    "RuleCheck",
    "Step",
    "Value",
    "backward",
    "backward_steps",
    "check_rules",
    "compile",
    "define_op",
    "detect_anomaly",
    "draw_dot",
    "explore",
    "format_trace",
    "gc_paused",
    "grad",
    "gradcheck",
    "hessian",
    "jvp",
    "linear",
    "named_scope",
    "no_grad",
    "nudge",
    "paths",
    "quiz",
    "record_scopes",
    "render_backward",
    "sum",
    "topological_order",
    "trace_backward",
    "worksheet",
    "worksheet_html",
]
