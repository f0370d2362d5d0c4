function (rootId, script) {
  /* Attention explorer for one output. Plain DOM, no libraries, no network.
     The root element carries its state in data attributes (data-ready, data-layer,
     data-head, data-view, data-selected-token, data-top-target) so tests can read it. */
  "use strict";
  var parent = script && script.parentNode;  /* found even before the output is attached */
  var root = parent && parent.id === rootId ? parent : document.getElementById(rootId);
  if (!root || root.getAttribute("data-ready") !== "0") return;
  root.setAttribute("data-ready", "loading");
  var spec = JSON.parse(root.querySelector("script.la-data").textContent);
  var n = spec.tokens.length, L = spec.layers, H = spec.heads;
  var ROW = 20;
  var weights = null;
  var state = { layer: spec.layer, head: spec.head, view: "head", pinned: null, hover: null };
  var app = root.querySelector(".la-app");

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function decode(b64) {
    var bin = atob(b64.replace(/-/g, "+").replace(/_/g, "/"));
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    if (typeof DecompressionStream === "undefined") {
      return Promise.reject(new Error("this browser has no DecompressionStream; use a current one"));
    }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Response(stream).arrayBuffer().then(function (buffer) { return new Uint8Array(buffer); });
  }

  /* Weight of query i on key j in [0, 1]; head -1 is the average of the heads. */
  function w(layer, head, i, j) {
    if (head >= 0) return weights[((layer * H + head) * n + i) * n + j] / 255;
    var sum = 0;
    for (var h = 0; h < H; h++) sum += weights[((layer * H + h) * n + i) * n + j];
    return sum / (255 * H);
  }

  var VIRIDIS = [[68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142],
    [31, 158, 137], [53, 183, 121], [109, 205, 89], [180, 222, 44], [253, 231, 37]];
  function viridis(x) {
    var t = Math.max(0, Math.min(1, x)) * (VIRIDIS.length - 1);
    var k = Math.min(Math.floor(t), VIRIDIS.length - 2), f = t - k;
    var a = VIRIDIS[k], b = VIRIDIS[k + 1];
    return [0, 1, 2].map(function (c) { return Math.round(a[c] + f * (b[c] - a[c])); });
  }

  /* Controls */
  var controls = el("div", "la-controls");
  var layerSelect = el("select", "la-layer");
  for (var l = 0; l < L; l++) layerSelect.appendChild(new Option("layer " + l, String(l)));
  var headSelect = el("select", "la-head");
  headSelect.appendChild(new Option("average of heads", "-1"));
  for (var h = 0; h < H; h++) headSelect.appendChild(new Option("head " + h, String(h)));
  var headButton = el("button", "la-view", "Tokens");
  var gridButton = el("button", "la-view", "Layers \u00d7 heads");
  headButton.type = gridButton.type = "button";
  [el("span", "", "Show:"), headButton, gridButton, layerSelect, headSelect].forEach(function (c) {
    controls.appendChild(c);
  });
  var hint = el("div", "la-hint");
  var status = el("div", "la-status");

  /* Head view: queries on the left, keys on the right, lines between. */
  var headView = el("div", "la-headview");
  var left = el("div", "la-col la-left"), right = el("div", "la-col la-right");
  left.appendChild(el("div", "la-colhead", "token attending \u2192"));
  right.appendChild(el("div", "la-colhead", "\u2192 token attended to"));
  var leftTokens = [], rightTokens = [];
  spec.tokens.forEach(function (label, i) {
    [[left, leftTokens, "q"], [right, rightTokens, "k"]].forEach(function (side) {
      var t = el("span", "la-tok", label);
      t.setAttribute("role", "button");
      t.setAttribute("tabindex", "0");
      t.setAttribute("data-token", side[2] + i);
      side[0].appendChild(t);
      side[1].push(t);
    });
  });
  var canvas = el("canvas", "la-lines");
  var ratio = window.devicePixelRatio || 1, WIDTH = 150;
  canvas.width = WIDTH * ratio;
  canvas.height = n * ROW * ratio;
  canvas.style.width = WIDTH + "px";
  canvas.style.height = n * ROW + "px";
  headView.appendChild(left);
  headView.appendChild(canvas);
  headView.appendChild(right);

  /* Overview: a grid of small heatmaps, one per layer and head (plus their average). */
  var gridWrap = el("div", "la-gridwrap la-hide");
  var gridCells = [];
  var gridDrawn = false;

  function buildGrid() {
    var table = el("table", "la-grid"), header = el("tr");
    header.appendChild(el("th"));
    for (var h = 0; h < H; h++) header.appendChild(el("th", "", "head " + h));
    header.appendChild(el("th", "", "average"));
    table.appendChild(header);
    var size = Math.max(28, Math.min(56, 4 * n));
    for (var l = 0; l < L; l++) {
      var row = el("tr");
      row.appendChild(el("th", "", "layer " + l));
      for (var k = 0; k <= H; k++) {
        var head = k < H ? k : -1;
        var cell = el("td"), c = el("canvas");
        c.width = c.height = n;
        c.style.width = c.style.height = size + "px";
        c.setAttribute("data-cell", l + "," + head);
        c.title = "layer " + l + ", " + (head < 0 ? "average of heads" : "head " + head);
        var ctx = c.getContext("2d"), image = ctx.createImageData(n, n);
        for (var i = 0; i < n; i++) {
          for (var j = 0; j < n; j++) {
            var rgb = viridis(w(l, head, i, j)), p = 4 * (i * n + j);
            image.data[p] = rgb[0]; image.data[p + 1] = rgb[1]; image.data[p + 2] = rgb[2];
            image.data[p + 3] = 255;
          }
        }
        ctx.putImageData(image, 0, 0);
        cell.appendChild(c);
        row.appendChild(cell);
        gridCells.push(c);
      }
      table.appendChild(row);
    }
    table.addEventListener("click", function (event) {
      var target = event.target.closest ? event.target.closest("canvas[data-cell]") : null;
      if (!target) return;
      var parts = target.getAttribute("data-cell").split(",");
      state.layer = Number(parts[0]);
      state.head = Number(parts[1]);
      state.view = "head";
      render();
    });
    gridWrap.appendChild(table);
    gridDrawn = true;
  }

  function headName() { return state.head < 0 ? "average of heads" : "head " + state.head; }

  function describe(sel, values) {
    var order = values.map(function (v, k) { return k; }).sort(function (a, b) {
      return values[b] - values[a] || a - b;
    });
    var label = spec.tokens[sel.index];
    var top = order.slice(0, 3).filter(function (k) { return values[k] > 0; }).map(function (k) {
      return spec.tokens[k] + " " + values[k].toFixed(2);
    }).join(", ");
    return (sel.side === "q" ? label + " (token " + sel.index + ") attends most to: "
      : "attending most to " + label + " (token " + sel.index + "): ") + top;
  }

  function drawHead() {
    var sel = state.pinned || state.hover;
    var ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, WIDTH, n * ROW);
    var i, j, values = null, top = -1;
    if (sel) {
      values = [];
      for (var k = 0; k < n; k++) {
        values.push(sel.side === "q" ? w(state.layer, state.head, sel.index, k)
          : w(state.layer, state.head, k, sel.index));
        if (top < 0 || values[k] > values[top]) top = k;
      }
    }
    for (i = 0; i < n; i++) {
      for (j = 0; j < n; j++) {
        if (sel && (sel.side === "q" ? i !== sel.index : j !== sel.index)) continue;
        var value = w(state.layer, state.head, i, j);
        if (value <= 0) continue;
        ctx.strokeStyle = "rgba(59, 111, 182, " + (sel ? value : 0.6 * value).toFixed(3) + ")";
        ctx.lineWidth = 1 + 3 * value;
        ctx.beginPath();
        ctx.moveTo(0, (i + 0.5) * ROW);
        ctx.lineTo(WIDTH, (j + 0.5) * ROW);
        ctx.stroke();
      }
    }
    for (i = 0; i < n; i++) {
      [[leftTokens[i], "q", sel && sel.side === "k"], [rightTokens[i], "k", sel && sel.side === "q"]]
        .forEach(function (t) {
          var isSel = sel && sel.side === t[1] && sel.index === i;
          var isPinned = state.pinned && state.pinned.side === t[1] && state.pinned.index === i;
          t[0].classList.toggle("la-sel", Boolean(isSel));
          t[0].classList.toggle("la-pinned", Boolean(isPinned));
          t[0].style.backgroundColor = t[2] ? "rgba(232, 113, 10, " + values[i].toFixed(3) + ")" : "";
          t[0].title = t[2] ? "weight " + values[i].toFixed(3) : "";
        });
    }
    root.setAttribute("data-selected-token", sel ? sel.side + sel.index : "");
    root.setAttribute("data-pinned", state.pinned ? "1" : "0");
    root.setAttribute("data-top-target", sel ? String(top) : "");
    status.textContent = sel ? describe(sel, values)
      : "Layer " + state.layer + ", " + headName() + ": all lines, faint. Pick a token.";
  }

  function render() {
    layerSelect.value = String(state.layer);
    headSelect.value = String(state.head);
    var grid = state.view === "grid";
    if (grid && !gridDrawn) buildGrid();
    headView.classList.toggle("la-hide", grid);
    gridWrap.classList.toggle("la-hide", !grid);
    headButton.classList.toggle("la-on", !grid);
    gridButton.classList.toggle("la-on", grid);
    hint.textContent = grid
      ? "Each square is one head: row = token attending, column = token attended to " +
        "(dark = 0, yellow = 1). Click a square to open it."
      : "Hover over a token to see where it attends (left) or what attends to it (right); " +
        "click to pin, click again to unpin.";
    gridCells.forEach(function (c) {
      c.classList.toggle("la-cur", c.getAttribute("data-cell") === state.layer + "," + state.head);
    });
    root.setAttribute("data-layer", String(state.layer));
    root.setAttribute("data-head", String(state.head));
    root.setAttribute("data-view", state.view);
    if (grid) status.textContent = "Current: layer " + state.layer + ", " + headName() + ".";
    else drawHead();
  }

  function tokenOf(target) {
    var t = target && target.closest ? target.closest(".la-tok") : null;
    if (!t || !headView.contains(t)) return null;
    var id = t.getAttribute("data-token");
    return { side: id[0], index: Number(id.slice(1)) };
  }

  function togglePin(sel) {
    var same = state.pinned && state.pinned.side === sel.side && state.pinned.index === sel.index;
    state.pinned = same ? null : sel;
    drawHead();
  }

  headView.addEventListener("click", function (event) {
    var sel = tokenOf(event.target);
    if (sel) togglePin(sel);
  });
  headView.addEventListener("keydown", function (event) {
    var sel = tokenOf(event.target);
    if (sel && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      togglePin(sel);
    }
  });
  headView.addEventListener("mouseover", function (event) {
    var sel = tokenOf(event.target);
    if (sel && !state.pinned) { state.hover = sel; drawHead(); }
  });
  headView.addEventListener("mouseleave", function () {
    if (state.hover) { state.hover = null; drawHead(); }
  });
  layerSelect.addEventListener("change", function () { state.layer = Number(layerSelect.value); render(); });
  headSelect.addEventListener("change", function () { state.head = Number(headSelect.value); render(); });
  headButton.addEventListener("click", function () { state.view = "head"; render(); });
  gridButton.addEventListener("click", function () { state.view = "grid"; render(); });

  /* Clicks the element a reader would hit at the centre of `target`, as a mouse does. */
  function clickAsReader(target) {
    target.scrollIntoView({ block: "center", inline: "center" });
    var box = target.getBoundingClientRect();
    var x = box.left + box.width / 2, y = box.top + box.height / 2;
    var hit = document.elementFromPoint(x, y);
    if (hit !== target && !target.contains(hit)) {
      return "covered by " + (hit ? hit.tagName.toLowerCase() + "." + hit.className : "nothing");
    }
    hit.dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true, clientX: x, clientY: y }));
    return "";
  }

  /* With #explorer-selftest in the page address: click the last query token, then open
     the last layer's head 0 from the overview, and record what happened in the DOM. */
  function selfTest() {
    var problems = [];
    var problem = clickAsReader(leftTokens[n - 1]);
    if (problem) problems.push("token: " + problem);
    root.setAttribute("data-selftest-token", root.getAttribute("data-selected-token"));
    root.setAttribute("data-selftest-top", root.getAttribute("data-top-target"));
    if (root.getAttribute("data-selected-token") !== "q" + (n - 1)) problems.push("token click not seen");
    problem = clickAsReader(gridButton);
    if (problem) problems.push("overview button: " + problem);
    if (state.view !== "grid") problems.push("overview did not open");
    var cell = gridWrap.querySelector('canvas[data-cell="' + (L - 1) + ',0"]');
    problem = cell ? clickAsReader(cell) : "no cell";
    if (problem) problems.push("overview cell: " + problem);
    if (state.view !== "head" || state.layer !== L - 1 || state.head !== 0) {
      problems.push("overview click did not select layer " + (L - 1) + ", head 0");
    }
    root.setAttribute("data-selftest", problems.length ? "fail: " + problems.join("; ") : "pass");
  }

  decode(spec.data).then(function (bytes) {
    if (bytes.length !== L * H * n * n) throw new Error("the weights are " + bytes.length + " bytes, not " + L * H * n * n);
    weights = bytes;
    var fallback = root.querySelector(".la-fallback");
    if (fallback) fallback.remove();
    [controls, hint, headView, gridWrap, status].forEach(function (c) { app.appendChild(c); });
    render();
    root.setAttribute("data-ready", "1");
    if (/explorer-selftest/.test(window.location.hash)) selfTest();
  }).catch(function (error) {
    root.setAttribute("data-ready", "error");
    app.appendChild(el("div", "la-error", "The attention explorer could not start: " + error.message));
  });
}
