"""The backward player: one self-contained HTML page that steps through the frames of a pass.

A view only: the frames are pictures made in Python; the page's script shows one at a time.
The frame is scaled to fit the window, so the caption under it is always in sight.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

__all__ = ["MIME", "player_html"]

MIME = {"svg": "image/svg+xml", "png": "image/png", "jpg": "image/jpeg", "gif": "image/gif"}


def player_html(paths: list[Path]) -> str:
    """A self-contained HTML page (no network) with the frames, prev/next buttons and a slider."""
    frames = []
    for path in paths:
        mime = MIME[path.suffix.lstrip(".")]
        frames.append(f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii"))
    return _PLAYER.replace("FRAMES", json.dumps(frames)).replace("LAST", str(len(frames) - 1))


# The slider steps itself on arrow keys (and says so with an input event); the page's own keys
# are for when anything else has the focus, so one key press is always one step.
_PLAYER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>backward(), step by step</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
 html, body { height: 100%; margin: 0; }
 body { font-family: Helvetica, Arial, "Liberation Sans", sans-serif; display: flex;
        flex-direction: column; box-sizing: border-box; padding: 0.6em; }
 #controls { display: flex; gap: 0.6em; align-items: center; margin-bottom: 0.4em; }
 #slider { flex: 1; max-width: 30em; }
 #frame { flex: 1; min-height: 0; width: 100%; object-fit: contain; object-position: left top; }
</style></head>
<body>
<div id="controls">
 <button id="prev" title="left arrow">&#9664; prev</button>
 <input id="slider" type="range" min="0" max="LAST" value="0" aria-label="step">
 <button id="next" title="right arrow">next &#9654;</button>
 <span id="count" aria-live="polite"></span>
</div>
<img id="frame" alt="a step of backward()">
<script>
const frames = FRAMES;
const slider = document.getElementById("slider");
function show(i) {
  i = Math.max(0, Math.min(frames.length - 1, i));
  slider.value = i;
  document.getElementById("frame").src = frames[i];
  document.getElementById("count").textContent = "step " + (i + 1) + " of " + frames.length;
}
document.getElementById("prev").onclick = () => show(+slider.value - 1);
document.getElementById("next").onclick = () => show(+slider.value + 1);
slider.oninput = () => show(+slider.value);
document.addEventListener("keydown", (e) => {
  if (e.target === slider) return;
  if (e.key === "ArrowLeft") show(+slider.value - 1);
  if (e.key === "ArrowRight") show(+slider.value + 1);
});
show(0);
</script>
</body></html>
"""
