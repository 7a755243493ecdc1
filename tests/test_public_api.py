"""The public surface: __all__ in every module, docstrings and type hints on public functions."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType

import pytest

import autograd
import nn

PACKAGES = [autograd, nn]


def modules() -> list[ModuleType]:
    names = [
        info.name
        for package in PACKAGES
        for info in pkgutil.iter_modules(package.__path__, package.__name__ + ".")
    ]
    return [*PACKAGES, *(importlib.import_module(name) for name in names)]


def public_callables(module: ModuleType) -> list[tuple[str, object]]:
    names = getattr(module, "__all__", [])
    objects = [(n, getattr(module, n)) for n in names]
    return [(n, o) for n, o in objects if inspect.isfunction(o) or inspect.isclass(o)]


@pytest.mark.parametrize("module", modules(), ids=lambda m: m.__name__)
def test_every_module_declares_all_and_defines_it(module: ModuleType) -> None:
    assert isinstance(module.__all__, list)
    for name in module.__all__:
        assert hasattr(module, name), f"{module.__name__}.__all__ names missing {name!r}"


@pytest.mark.parametrize("package", PACKAGES, ids=lambda m: m.__name__)
def test_package_all_lists_exactly_its_public_names(package: ModuleType) -> None:
    public = {
        name
        for name, value in vars(package).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    listed = {n for n in package.__all__ if not inspect.ismodule(getattr(package, n))}
    assert listed == public  # submodules such as nn.optim may be listed too


@pytest.mark.parametrize("module", modules(), ids=lambda m: m.__name__)
def test_public_functions_have_a_docstring_and_type_hints(module: ModuleType) -> None:
    for name, obj in public_callables(module):
        assert inspect.getdoc(obj), f"{module.__name__}.{name} has no docstring"
        functions = [obj] if inspect.isfunction(obj) else []
        if inspect.isclass(obj) and obj.__module__ == module.__name__:
            functions = [
                f
                for attr, f in vars(obj).items()
                if inspect.isfunction(f) and not attr.startswith("_")
            ]
        for function in functions:
            where = f"{module.__name__}.{name}.{function.__name__}"
            assert inspect.getdoc(function), f"{where} has no docstring"
            hints = function.__annotations__
            params = [p for p in inspect.signature(function).parameters if p not in ("self", "cls")]
            missing = [p for p in params if p not in hints]
            assert not missing, f"{where} lacks type hints for {missing}"
            assert "return" in hints, f"{where} lacks a return type"
