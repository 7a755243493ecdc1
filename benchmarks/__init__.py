"""Benchmarks against micrograd and a hand-written float floor: run ``python -m benchmarks``."""

__all__: list[str] = []
