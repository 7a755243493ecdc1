"""The anywidget behind ``explore``: the scene goes to the page, the user's picks come back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anywidget
import traitlets

from autograd.explore import Scene, StaticExplorer, static_html

__all__ = ["Explorer"]

HERE = Path(__file__).parent


class Explorer(anywidget.AnyWidget):
    """``explore(o)`` in a notebook: the page shows views, Python answers each pick with more."""

    _esm = HERE / "explore.js"
    _css = HERE / "explore.css"
    scene = traitlets.Dict().tag(sync=True)  # the picture, the leaves, the backward steps
    pick = traitlets.Dict().tag(sync=True)  # from the page: {"mode", "leaf", "h", "n"}
    answer = traitlets.Dict().tag(sync=True)  # to the page: the views for the latest pick

    def __init__(self, scene: Scene) -> None:
        super().__init__(scene=scene.data())
        self._scene = scene
        self.observe(self._answer, names="pick")

    def _answer(self, change: dict[str, Any]) -> None:
        self.answer = self._scene.answer(change["new"])

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The widget, with the static page beside it for places that cannot run widgets."""
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle
        return {**data, "text/html": static_html(self._scene)}, metadata

    def save(self, path: str | Path) -> Path:
        """Write the static page (steps, paths and forward mode; no nudges) to ``path``."""
        return StaticExplorer(self._scene).save(path)

    def __repr__(self) -> str:
        return repr(StaticExplorer(self._scene)).replace("a view for notebooks", "a widget")
