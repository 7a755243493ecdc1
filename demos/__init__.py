"""Runnable stories told with autograd and nn; ``python -m demos`` runs the tour."""

__all__: list[str] = []
