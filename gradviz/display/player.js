// gradviz backward player: one SVG, laid out once by Graphviz; every frame only restyles it.
//
// The same module runs as an anywidget view (model = the widget model) and inside the
// self-contained file written by Player.to_html() (model = a small in-page stand-in).
// Safety: the SVG is parsed with DOMParser and copied through an allowlist (no scripts,
// links, images or event handlers survive); every user-derived string is set with
// textContent, never innerHTML.

const SVG_NS = "http://www.w3.org/2000/svg";
const SPEEDS = [0.5, 1, 2, 4];
const BASE_MS = 1000; // 1x = one frame per second; 4x stays under Jupyter's 5 fps guidance

const SAFE_TAGS = new Set([
  "svg", "g", "title", "desc", "polygon", "polyline", "path", "ellipse", "circle",
  "rect", "line", "text", "tspan",
]);
const SAFE_ATTRS = new Set([
  "id", "class", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "width",
  "height", "viewBox", "points", "d", "fill", "stroke", "stroke-width", "stroke-dasharray",
  "stroke-opacity", "fill-opacity", "opacity", "font-family", "font-size", "font-weight",
  "font-style", "text-anchor", "transform", "preserveAspectRatio", "dominant-baseline",
  "text-decoration", "xml:space",
]);

// Copy an element tree from a parsed document, keeping only allowlisted tags and attributes.
function cleanCopy(src) {
  const tag = src.localName;
  if (src.namespaceURI !== SVG_NS || !SAFE_TAGS.has(tag)) return null;
  const out = document.createElementNS(SVG_NS, tag);
  for (const attr of Array.from(src.attributes)) {
    if (SAFE_ATTRS.has(attr.name) && !/^\s*(javascript|data|vbscript):/i.test(attr.value)) {
      out.setAttribute(attr.name, attr.value);
    }
  }
  for (const child of Array.from(src.childNodes)) {
    if (child.nodeType === 3) out.appendChild(document.createTextNode(child.data));
    else if (child.nodeType === 1) {
      const c = cleanCopy(child);
      if (c) out.appendChild(c);
    }
  }
  return out;
}

function parseSvg(text) {
  const doc = new DOMParser().parseFromString(text, "image/svg+xml");
  const root = doc.documentElement;
  if (!root || root.localName !== "svg" || doc.getElementsByTagName("parsererror").length) {
    return null;
  }
  return cleanCopy(root);
}

// Scoped lookup table: several players (and plain graphs) in one notebook reuse the same ids,
// so never document.getElementById; one pass over this SVG instead.
function idTable(root) {
  const table = new Map();
  for (const el of root.querySelectorAll("[id]")) {
    const id = el.getAttribute("id");
    if (!table.has(id)) table.set(id, el);
  }
  return table;
}

function numbers(s) {
  return (s || "").match(/-?\d*\.?\d+(?:e[-+]?\d+)?/gi)?.map(Number) ?? [];
}

// Midpoint of a Graphviz edge path "M p0 C p1 p2 p3 [p4 p5 p6 ...]" without needing layout.
function pathMiddle(path) {
  const v = numbers(path.getAttribute("d"));
  const pts = [];
  for (let i = 0; i + 1 < v.length; i += 2) pts.push([v[i], v[i + 1]]);
  const n = Math.floor((pts.length - 1) / 3);
  if (n < 1) return pts.length ? pts[0] : null;
  if (n % 2 === 0) return pts[(3 * n) / 2];
  const s = 3 * ((n - 1) / 2);
  const [a, b, c, d] = [pts[s], pts[s + 1], pts[s + 2], pts[s + 3]];
  return [0, 1].map((k) => (a[k] + 3 * b[k] + 3 * c[k] + d[k]) / 8);
}

// Right edge and vertical centre of a node's outline, from its coordinates.
function nodeAnchor(g) {
  const shape = g.querySelector("polygon, ellipse, path");
  if (!shape) return null;
  if (shape.localName === "ellipse") {
    const [cx, cy, rx] = ["cx", "cy", "rx"].map((a) => Number(shape.getAttribute(a)));
    return [cx + rx, cy];
  }
  const v = numbers(shape.getAttribute(shape.localName === "path" ? "d" : "points"));
  const xs = v.filter((_, i) => i % 2 === 0);
  const ys = v.filter((_, i) => i % 2 === 1);
  return [Math.max(...xs), (Math.min(...ys) + Math.max(...ys)) / 2];
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

const MARGIN = 180; // room on the right of the layout for numbers written beside edges and nodes

// Widen the canvas (not the layout) so labels beside the right-most edges are not clipped.
function widen(svg) {
  const vb = numbers(svg.getAttribute("viewBox"));
  if (vb.length !== 4) return;
  svg.setAttribute("viewBox", `${vb[0]} ${vb[1]} ${vb[2] + MARGIN} ${vb[3]}`);
  const w = numbers(svg.getAttribute("width"))[0];
  if (w) svg.setAttribute("width", `${w + MARGIN * (w / vb[2])}pt`);
}

// Greedy placement: move a label down until it no longer overlaps one already placed.
function place(placed, x, y, text) {
  const w = 5.5 * text.length;
  const h = 10;
  for (let tries = 0; tries < 50; tries++) {
    if (!placed.some((b) => x < b[0] + b[2] && b[0] < x + w && y - h < b[1] && b[1] - h < y)) break;
    y += h;
  }
  placed.push([x, y, w]);
  return y;
}

function svgText(cls, x, y, text) {
  const t = document.createElementNS(SVG_NS, "text");
  t.setAttribute("class", cls);
  t.setAttribute("x", String(x));
  t.setAttribute("y", String(y));
  t.textContent = text;
  return t;
}

function render({ model, el: host }) {
  let data;
  try {
    data = JSON.parse(model.get("_payload") || "{}");
  } catch (err) {
    host.textContent = "gradviz player: unreadable data";
    return;
  }
  const frames = data.frames || [];
  const scenes = (data.scenes || []).map((s) => ({ ...s, svg: null, text: s.svg }));
  let k = Math.min(Math.max(model.get("step") || 0, 0), Math.max(frames.length - 1, 0));
  let sceneShown = -1;
  let timer = null;
  let speed = 1;

  const root = el("div", "gradviz-player");
  root.tabIndex = 0;
  const bar = el("div", "gv-controls");
  const button = (action, label, title) => {
    const b = el("button", "gv-btn", label);
    b.type = "button";
    b.dataset.action = action;
    b.title = title;
    b.setAttribute("aria-label", title);
    bar.appendChild(b);
    return b;
  };
  const bReset = button("reset", "\u21BA", "reset");
  const bPrev = button("prev", "\u25C1", "step back");
  const bPlay = button("play", "\u25B6", "play");
  const bNext = button("next", "\u25B7", "step forward");
  const slider = el("input", "gv-slider");
  slider.type = "range";
  slider.min = "0";
  slider.max = String(Math.max(frames.length - 1, 0));
  slider.setAttribute("aria-label", "step");
  bar.appendChild(slider);
  const counter = el("span", "gv-counter");
  bar.appendChild(counter);
  const speedSel = el("select", "gv-speed");
  speedSel.setAttribute("aria-label", "speed");
  for (const s of SPEEDS) {
    const o = el("option", "", `${s}\u00D7`);
    o.value = String(s);
    if (s === 1) o.selected = true;
    speedSel.appendChild(o);
  }
  bar.appendChild(speedSel);
  const key = el("span", "gv-key");
  key.append(el("span", "gv-key-current", "running"), el("span", "gv-key-done", "done"),
    el("span", "gv-key-pending", "waiting"));
  bar.appendChild(key);
  const stage = el("div", "gv-stage");
  const caption = el("div", "gv-caption");
  caption.setAttribute("aria-live", "polite");
  root.append(bar, stage, caption);
  host.appendChild(root);

  function showScene(i) {
    if (i === sceneShown) return scenes[i];
    const sc = scenes[i];
    if (!sc) return null;
    if (!sc.svg) {
      sc.svg = parseSvg(sc.text || "");
      if (sc.svg) {
        widen(sc.svg);
        const graph = sc.svg.querySelector("g.graph") || sc.svg;
        sc.overlay = document.createElementNS(SVG_NS, "g");
        sc.overlay.setAttribute("class", "gv-overlay");
        graph.appendChild(sc.overlay);
        sc.byId = idTable(sc.svg);
        sc.nodeEls = {};
        for (const [idx, ids] of Object.entries(sc.nodes || {})) {
          const gs = [].concat(ids).map((id) => sc.byId.get(id)).filter(Boolean);
          if (gs.length) sc.nodeEls[idx] = gs;
        }
      }
    }
    stage.replaceChildren(sc.svg || el("pre", "gv-error", sc.error || "graph unavailable"));
    sceneShown = i;
    return sc;
  }

  // Keep the running node in view inside a tall graph, scrolling only the graph's own box
  // (scrollIntoView would also scroll the notebook under the reader).
  function follow(g) {
    if (!g || !g.getBoundingClientRect) return;
    const box = g.getBoundingClientRect();
    const view = stage.getBoundingClientRect();
    if (!box.height || !view.height) return;
    if (box.top < view.top || box.bottom > view.bottom) {
      stage.scrollTop += box.top - view.top - (view.height - box.height) / 2;
    }
    if (box.left < view.left || box.right > view.right) {
      stage.scrollLeft += box.left - view.left - (view.width - box.width) / 2;
    }
  }

  function draw() {
    const f = frames[k];
    if (!f) {
      caption.textContent = "no backward steps";
      return;
    }
    const sc = showScene(f.scene || 0);
    if (sc && sc.svg) {
      // Replay this run up to frame k: nodes already run, edge gradients, leaf .grad notes.
      const done = new Set();
      const edgeText = new Map();
      const notes = new Map();
      for (let j = 0; j <= k; j++) {
        const g = frames[j];
        if ((g.scene || 0) !== (f.scene || 0)) continue;
        if (g.note) notes.set(String(g.note.node), g.note.text);
        if (g.run !== f.run) continue;
        for (const s of g.sends || []) if (s.edge) edgeText.set(s.edge, [s.text, j === k]);
        if (j < k && g.node !== null && g.node !== undefined) done.add(String(g.node));
      }
      for (const [idx, gs] of Object.entries(sc.nodeEls)) {
        const state = idx === String(f.node) ? "gv-current" : done.has(idx) ? "gv-done" : "gv-pending";
        for (const g of gs) for (const c of ["gv-current", "gv-done", "gv-pending"]) g.classList.toggle(c, c === state);
      }
      for (const e of sc.svg.querySelectorAll("g.edge.gv-active")) e.classList.remove("gv-active");
      sc.overlay.replaceChildren();
      const placed = [];
      for (const [id, [text, active]] of edgeText) {
        const e = sc.byId.get(id);
        const path = e && e.querySelector("path");
        const mid = path && pathMiddle(path);
        if (!mid) continue;
        if (active) e.classList.add("gv-active");
        const y = place(placed, mid[0] + 4, mid[1], text);
        sc.overlay.appendChild(svgText(active ? "gv-grad gv-grad-active" : "gv-grad", mid[0] + 4, y, text));
      }
      for (const [idx, text] of notes) {
        const g = sc.nodeEls[idx];
        const at = g && nodeAnchor(g[0]);
        if (at) sc.overlay.appendChild(svgText("gv-note", at[0] + 4, place(placed, at[0] + 4, at[1] + 3, text), text));
      }
    }
    if (sc && sc.nodeEls && f.node !== null && f.node !== undefined) follow((sc.nodeEls[String(f.node)] || [])[0]);
    caption.replaceChildren();
    caption.appendChild(el("div", "gv-heading", f.heading || ""));
    const list = el("dl", "gv-lines");
    for (const [label, value] of f.lines || []) {
      list.append(el("dt", "", label), el("dd", "", value));
    }
    caption.appendChild(list);
    slider.value = String(k);
    counter.textContent = `${k + 1} / ${frames.length}`;
    bPrev.disabled = k === 0;
    bNext.disabled = k >= frames.length - 1;
  }

  function go(i, sync = true) {
    k = Math.min(Math.max(i, 0), Math.max(frames.length - 1, 0));
    draw();
    if (sync) {
      model.set("step", k);
      model.save_changes();
    }
  }

  function stop() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    bPlay.textContent = "\u25B6";
    bPlay.title = "play";
    root.classList.remove("gv-playing");
  }

  function play() {
    if (k >= frames.length - 1) go(0, false);
    bPlay.textContent = "\u23F8";
    bPlay.title = "pause";
    root.classList.add("gv-playing");
    timer = setInterval(() => {
      // No message to the kernel per frame: the position is synced once playback stops.
      if (k >= frames.length - 1) {
        stop();
        go(k);
      } else go(k + 1, false);
    }, BASE_MS / speed);
  }

  bReset.addEventListener("click", () => { stop(); go(0); });
  bPrev.addEventListener("click", () => { stop(); go(k - 1); });
  bNext.addEventListener("click", () => { stop(); go(k + 1); });
  bPlay.addEventListener("click", () => {
    if (timer === null) play();
    else { stop(); go(k); }
  });
  slider.addEventListener("input", () => { stop(); go(Number(slider.value)); });
  speedSel.addEventListener("change", () => {
    speed = Number(speedSel.value) || 1;
    if (timer !== null) { stop(); play(); }
  });
  root.addEventListener("keydown", (ev) => {
    if (ev.target !== root) return;
    if (ev.key === "ArrowRight") { stop(); go(k + 1); }
    else if (ev.key === "ArrowLeft") { stop(); go(k - 1); }
    else return;
    ev.preventDefault();
  });
  const onStep = () => {
    const s = model.get("step");
    if (s !== k && timer === null) go(s, false);
  };
  model.on("change:step", onStep);

  draw();
  return () => {
    stop();
    model.off("change:step", onStep);
  };
}

export default { render };
