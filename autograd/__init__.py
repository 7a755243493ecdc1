"""A scalar autograd engine: Values record ops into a graph; backward() runs the chain rule."""

from autograd.backward import backward, grad, hessian, topological_order
from autograd.check import GradcheckError, gradcheck
from autograd.modes import named_scope, no_grad, record_scopes
from autograd.ops import OPS, Op
from autograd.value import Value

__all__ = [
    "OPS",
    "GradcheckError",
    "Op",
    "Value",
    "backward",
    "grad",
    "gradcheck",
    "hessian",
    "named_scope",
    "no_grad",
    "record_scopes",
    "topological_order",
]
