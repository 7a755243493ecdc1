// explore(o): shows the views Python computed and sends back the user's picks. No maths here.
// A view: {panel: HTML, cells: {id: {grad|data: text}}, fills: {id: colour}, marks: {class: [id]}}
// where an id is a DOT name in the picture: n3 (a box), n3op (its op), n1->n3op (an edge).

const MODES = { step: "Step", nudge: "Nudge", paths: "Paths", forward: "Forward mode" };

function render({ model, el }) {
  const scene = model.get("scene");
  el.classList.add("fb-explore");
  el.innerHTML = `
    <div class="fb-bar">
      <span class="fb-modes">${Object.entries(MODES)
        .map(([m, text]) => `<button data-mode="${m}">${text}</button>`).join(" ")}</span>
      <label class="fb-leaf">leaf <select>${scene.leaves
        .map((l) => `<option value="${l.id}">${l.name} (data ${l.data})</option>`).join("")}</select></label>
      <span class="fb-h">h <input class="fb-h-slider" type="range" min="-1" max="1" step="0.001" value="0.001">
        <input class="fb-h-text" type="number" step="any" value="0.001"></span>
      <span class="fb-stepper"><button class="fb-prev" title="left arrow">&#9664; prev</button>
        <input class="fb-slider" type="range" min="0" value="0">
        <button class="fb-next" title="right arrow">next &#9654;</button> <span class="fb-count"></span></span>
    </div>
    <div class="fb-picture">${scene.svg}</div>
    <div class="fb-panel"></div>
    <div class="fb-note">${scene.note}</div>`;
  const $ = (selector) => el.querySelector(selector);
  const picture = indexPicture($(".fb-picture"));
  let mode = "step", views = scene.steps, pickCount = 0, pathMarks = [];

  function show(k) {  // the stepper's view k: cells and fills build up from view 0, marks are k's
    k = Math.max(0, Math.min(views.length - 1, k));
    picture.reset();
    views.slice(0, k + 1).forEach((view) => picture.paint(view));
    picture.mark(views[k].marks);
    $(".fb-panel").innerHTML = views[k].panel || "";
    $(".fb-slider").max = views.length - 1;
    $(".fb-slider").value = k;
    $(".fb-count").textContent = `frame ${k + 1} of ${views.length}`;
    pathRows();
  }

  function pathRows() {  // in Paths mode, a row of the table highlights its own path
    el.querySelectorAll("tr[data-path]").forEach((row) => {
      row.onclick = () => {
        el.querySelectorAll("tr.fb-on").forEach((r) => r.classList.remove("fb-on"));
        row.classList.add("fb-on");
        picture.mark({ "path-one": pathMarks[+row.dataset.path] }, false);
      };
    });
  }

  function ask() {  // a pick goes to Python (or to the static page's precomputed answers)
    if (mode === "step") return;
    pickCount += 1;
    const h = parseFloat($(".fb-h-text").value);
    model.set("pick", { mode, leaf: $(".fb-leaf select").value, h: Number.isFinite(h) ? h : 0, n: pickCount });
    model.save_changes();
  }

  model.on("change:answer", () => {
    const answer = model.get("answer");
    if (!answer.pick || answer.pick.n !== pickCount) return;  // an answer to an older pick
    views = answer.views || [answer.view];
    pathMarks = answer.paths || [];
    show(0);
  });

  function setMode(m) {
    mode = m;
    el.querySelectorAll(".fb-modes button").forEach((b) => b.classList.toggle("fb-on", b.dataset.mode === m));
    $(".fb-leaf").classList.toggle("fb-hidden", m === "step");
    $(".fb-h").classList.toggle("fb-hidden", m !== "nudge");
    $(".fb-stepper").classList.toggle("fb-hidden", m !== "step" && m !== "forward");
    if (m === "step") {
      views = scene.steps;
      show(0);
    } else {
      ask();
    }
  }

  el.querySelectorAll(".fb-modes button").forEach((b) => (b.onclick = () => setMode(b.dataset.mode)));
  $(".fb-leaf select").onchange = ask;
  $(".fb-h-slider").oninput = () => ($(".fb-h-text").value = $(".fb-h-slider").value);
  $(".fb-h-slider").onchange = ask;
  $(".fb-h-text").onchange = ask;
  $(".fb-prev").onclick = () => show(+$(".fb-slider").value - 1);
  $(".fb-next").onclick = () => show(+$(".fb-slider").value + 1);
  $(".fb-slider").oninput = () => show(+$(".fb-slider").value);
  el.tabIndex = 0;
  el.onkeydown = (e) => {
    if (e.target.tagName === "INPUT" || e.target.tagName === "SELECT") return;
    if (e.key === "ArrowLeft") show(+$(".fb-slider").value - 1);
    if (e.key === "ArrowRight") show(+$(".fb-slider").value + 1);
  };
  for (const leaf of scene.leaves) {  // clicking a leaf's box picks it
    (picture.parts.get(leaf.id) || []).forEach((g) => g.addEventListener("click", () => {
      $(".fb-leaf select").value = leaf.id;
      if (mode === "step") setMode("paths"); else ask();
    }));
  }
  setMode("step");
}

// The picture's parts by DOT id, with their original texts and colours to go back to.
function indexPicture(root) {
  const parts = new Map();
  for (const g of root.querySelectorAll("g.node, g.edge")) {
    const id = g.querySelector("title").textContent;
    if (!parts.has(id)) parts.set(id, []);
    parts.get(id).push(g);
  }
  const cells = new Map();  // id -> {grad: <text>, data: <text>}, by each text's first word
  const shapes = new Map();  // id -> the box's outline, whose fill shows the gradient
  const texts = new Map();  // <text> -> its original words
  const fills = new Map();  // outline -> its original fill
  for (const [id, [g]] of parts) {
    const byWord = {};
    for (const t of g.querySelectorAll("text")) {
      byWord[t.textContent.split(" ")[0]] = t;
      texts.set(t, t.textContent);
    }
    cells.set(id, byWord);
    const shape = g.querySelector("a > path, a > polygon");
    if (shape) {
      shapes.set(id, shape);
      fills.set(shape, shape.getAttribute("fill"));
    }
  }
  const widths = new Map();  // <text> -> its original width, measured once the page shows it
  return {
    parts,
    reset() {
      texts.forEach((text, t) => {
        t.textContent = text;
        t.removeAttribute("textLength");
      });
      fills.forEach((fill, shape) => shape.setAttribute("fill", fill));
    },
    paint(view) {
      for (const [id, changes] of Object.entries(view.cells || {})) {
        for (const [word, text] of Object.entries(changes)) {
          const t = (cells.get(id) || {})[word];
          if (!t) continue;
          if (!widths.get(t)) widths.set(t, t.getComputedTextLength());
          t.textContent = text;
          const width = widths.get(t);
          if (width && t.getComputedTextLength() > width) t.setAttribute("textLength", width);
        }
      }
      for (const [id, fill] of Object.entries(view.fills || {})) shapes.get(id)?.setAttribute("fill", fill);
    },
    mark(marks, clear = true) {  // clear=false: add to the marks shown, replacing path-one only
      root.querySelectorAll("g[class*='fb-']").forEach((g) => [...g.classList].forEach((c) => {
        if (c.startsWith("fb-") && (clear || c === "fb-path-one")) g.classList.remove(c);
      }));
      for (const [name, ids] of Object.entries(marks || {})) {
        for (const id of ids) (parts.get(id) || []).forEach((g) => g.classList.add(`fb-${name}`));
      }
    },
  };
}

export default { render };
