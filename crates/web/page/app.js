// The asymwar classroom page: draws what the server's simulation sends, and sends the
// controls back. Plain JavaScript with no dependencies, so it works offline.
"use strict";

const $ = (id) => document.getElementById(id);

// Charts: the model's main columns first (the server's `charts`, the metrics `asymwar
// render` charts), then others up to three; any column can be picked from each chart's menu.
const MAX_CHARTS = 6;
const FLASH_MS = 1200;

// How each kind of marker looks. `label` is for the legend.
const STYLE = {
  settlement: { label: "Town (colour: days of fuel left)" },
  convoy: { label: "Fuel convoy", fill: "#f4d03f", stroke: "#5d4a00" },
  cell: { label: "Insurgent cell", fill: "#c0392b", stroke: "#4a0f08" },
  command: { label: "Insurgent command", fill: "#7b241c", stroke: "#fff" },
  army: { label: "Army unit", fill: "#2e86c1", stroke: "#0b2a40" },
  quiet: { label: "Quiet citizen", fill: "#7fb77e" },
  active: { label: "Active (rebelling) citizen", fill: "#e74c3c" },
  cop: { label: "Cop", fill: "#1f3a93" },
};

const state = {
  ws: null,
  init: null,
  terrain: null, // ImageBitmap of the terrain, in tiles x scale pixels
  markers: [], // flat [kind, x, y, size, value] * n
  flashes: [], // {x, y, kind, at}
  series: null, // {days: [], cols: [[]...]}
  charts: [], // {column, canvas, select, value}
  frame: null,
  view: { scale: 1, ox: 0, oy: 0, fitted: false },
  pendingLevers: new Set(),
  lastAccepted: {}, // lever key -> value the server accepted (or the scenario's)
  outstanding: [], // lever keys of sent `set` commands, in order
  frames: 0,
  lastError: null,
  drawPending: false, // a redraw is queued for the next screen refresh
  draws: 0, // redraws done (the browser test checks at most one per refresh)
  chartsDirty: false,
  unacked: 0, // number of the last frame received and not yet acknowledged
  prev: null, // the previous run of this scenario: {days, cols, names}, drawn in grey
  events: [], // {day, kind, x, y, place}, newest last: the event list
  link: null, // scenario, seed and levers from the address, applied once
  class: null, // the class run this page is in: {code, role: "teacher" | "student", links}
};

// ---------------------------------------------------------------- connection

function connect() {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  // ?class=CODE: watch that class run (the teacher's) instead of running one's own.
  const code = new URLSearchParams(location.search).get("class");
  const query = code ? `?class=${encodeURIComponent(code)}` : "";
  const ws = new WebSocket(`${proto}//${location.host}/ws${query}`);
  ws.binaryType = "arraybuffer";
  state.ws = ws;
  ws.onopen = () => setClock("connected, starting…");
  ws.onclose = () => {
    setClock("disconnected");
    // The server's last word (say, "the classroom is full") explains the close best.
    const why = state.lastError ? `${state.lastError}. ` : "";
    showStatus(`${why}The connection to the server was closed: reload the page to try again.`, "error", 0);
  };
  ws.onmessage = (ev) => {
    if (typeof ev.data !== "string") {
      // Binary: a frame (tagged "F") or the terrain picture (a PNG).
      if (new Uint8Array(ev.data, 0, 1)[0] === FRAME_TAG) onFrame(decodeFrame(ev.data));
      else onTerrain(new Blob([ev.data], { type: "image/png" }));
      return;
    }
    let msg;
    try {
      msg = JSON.parse(ev.data);
    } catch (e) {
      return;
    }
    if (msg.type === "init") onInit(msg);
    else if (msg.type === "frame") onFrame(msg);
    else if (msg.type === "error") onReply(msg, "error");
    else if (msg.type === "ok") onReply(msg, "ok");
    else if (msg.type === "class") onClass(msg);
    else if (msg.type === "class_ended") onClassEnded(msg);
  };
}

function send(cmd) {
  if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify(cmd));
}

// ---------------------------------------------------------------- messages

// Frames are binary (the server's frame.rs has the layout): a JSON header, then one block
// per marker kind, as a bitmap or list of grid cells or as f32 points. Decoded here into
// the flat [kind, x, y, size, value] list that the map draws.
const FRAME_TAG = 0x46;
function decodeFrame(buf) {
  const dv = new DataView(buf);
  const headLen = dv.getUint32(1, true);
  const f = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 5, headLen)));
  const [w, h] = f.grid;
  const m = [];
  let at = 5 + headLen;
  while (at < buf.byteLength) {
    const kind = dv.getUint8(at);
    const enc = dv.getUint8(at + 1);
    const count = dv.getUint32(at + 2, true);
    at += 6;
    if (enc === 0 || enc === 1) {
      const size = dv.getFloat32(at, true);
      at += 4;
      const cell = (c) => m.push(kind, (c % w) + 0.5, Math.floor(c / w) + 0.5, size, null);
      if (enc === 1) {
        for (let i = 0; i < count; i++, at += 4) cell(dv.getUint32(at, true));
      } else {
        const bytes = Math.ceil((w * h) / 8);
        const bits = new Uint8Array(buf, at, bytes);
        for (let b = 0; b < bytes; b++) {
          const v = bits[b];
          if (v === 0) continue;
          for (let k = 0; k < 8; k++) if (v & (1 << k)) cell(b * 8 + k);
        }
        at += bytes;
      }
    } else {
      const withValue = dv.getUint8(at) !== 0;
      at += 1;
      for (let i = 0; i < count; i++) {
        const x = dv.getFloat32(at, true), y = dv.getFloat32(at + 4, true), size = dv.getFloat32(at + 8, true);
        at += 12;
        let value = null;
        if (withValue) {
          const v = dv.getFloat32(at, true);
          at += 4;
          if (!Number.isNaN(v)) value = v;
        }
        m.push(kind, x, y, size, value);
      }
    }
  }
  f.m = m;
  return f;
}

// At most one redraw is pending at a time: frames, flashes, zooms and resizes all ask for
// one, and the next screen refresh draws once. (Each frame starting its own animation loop
// made 30-150 redraws a refresh on the Mali map, and the page fell minutes behind.)
function requestDraw() {
  if (state.drawPending) return;
  state.drawPending = true;
  requestAnimationFrame(() => {
    state.drawPending = false;
    if (state.chartsDirty) {
      state.chartsDirty = false;
      drawCharts();
    }
    draw();
    // The frame is on screen: the server may send the next (it sends none before, so a
    // slow laptop gets fewer frames, never a growing queue).
    if (state.unacked) {
      send({ cmd: "ack", seq: state.unacked });
      state.unacked = 0;
    }
  });
}

function onInit(msg) {
  // The run being replaced becomes "the previous run" (grey lines, the summary's
  // comparison) when it is the same scenario and got anywhere.
  if (state.init && state.series && state.init.scenario === msg.scenario && state.series.days.length > 1) {
    state.prev = { days: state.series.days, cols: state.series.cols, names: state.init.columns.map((c) => c.name) };
  } else if (!state.init || state.init.scenario !== msg.scenario) {
    state.prev = null;
  }
  state.events = [];
  if (applyLink(msg)) return;
  state.init = msg;
  state.terrain = null;
  state.markers = [];
  state.flashes = [];
  state.series = { days: [], cols: msg.columns.map(() => []) };
  state.pendingLevers.clear();
  state.outstanding = [];
  $("reset").classList.remove("pending");
  if (!state.view.fitted || state.view.scenario !== msg.scenario) {
    state.view.fitted = false;
    state.view.scenario = msg.scenario;
  }
  buildScenarioPicker(msg);
  buildLevers(msg);
  buildCharts(msg);
  buildLegend(msg);
  $("speed").max = String(msg.speeds.length - 1);
  $("speed").value = String(msg.speed);
  showSpeed();
  $("seed").value = String(msg.seed);
  $("description").textContent = msg.description || "";
  showLesson(msg.lesson || "");
  const cv = msg.model === "CivilViolence";
  $("explain-conflict").hidden = cv;
  $("explain-cv").hidden = !cv;
  drawEvents();
  drawSummary();
  applyRole();
  requestDraw();
}

function onTerrain(blob) {
  createImageBitmap(blob).then((bmp) => {
    state.terrain = bmp;
    requestDraw();
  });
}

function onFrame(f) {
  state.frame = f;
  state.frames += 1;
  state.markers = f.m;
  for (const [kind, x, y, losses] of f.ev) {
    state.flashes.push({ kind, x, y, age: 0 });
    // A checkpoint that only taxed a convoy (over a hundred a day on the Mali roads) would
    // push every fight out of the list: the list keeps what burned, killed or fought.
    const l = losses || [0, 0, 0, 0];
    if (kind === "checkpoint" && !l.some((v) => v > 0)) continue;
    state.events.push({ day: f.day, tick: f.tick, kind, x, y, place: nearestTown(x, y), losses: l });
  }
  if (state.events.length > 500) state.events.splice(0, state.events.length - 500);
  if (f.ev.length) drawEvents();
  for (const row of f.rows) {
    state.series.days.push(row[0]);
    for (let c = 0; c < state.series.cols.length; c++) {
      const v = row[c + 1];
      state.series.cols[c].push(v === null ? NaN : v);
    }
  }
  const play = $("play");
  play.innerHTML = f.running ? "&#10073;&#10073; Pause" : "&#9654; Play";
  play.dataset.running = f.running ? "1" : "0";
  const unit = state.init && state.init.index === "tick" ? "tick" : "day";
  let text = f.date ? `${f.date} · day ${f.day}` : `${unit} ${f.tick}`;
  if (f.finished) text += " · run over";
  else if (f.lagging) text += " · (the model runs slower than this speed)";
  setClock(text, f.tick);
  state.unacked = f.seq;
  // In a class, the teacher's levers and speed: a student's controls show them.
  if (f.levers) {
    for (const [key, v] of Object.entries(f.levers)) {
      state.lastAccepted[key] = v;
      if (!state.outstanding.includes(key)) revertLever(key);
    }
  }
  if (state.class && f.students !== undefined && $("class-students")) $("class-students").textContent = `${f.students} watching`;
  if (state.class && f.speed !== undefined && Number($("speed").value) !== f.speed) {
    $("speed").value = String(f.speed);
    showSpeed();
  }
  if (f.rows.length) {
    state.chartsDirty = true;
    drawSummary();
  }
  requestDraw();
}

function onReply(msg, kind) {
  state.lastError = kind === "error" ? msg.message : null;
  if (msg.lever) {
    const i = state.outstanding.indexOf(msg.lever);
    if (i >= 0) state.outstanding.splice(i, 1);
    if (kind === "ok") {
      state.lastAccepted[msg.lever] = msg.value;
      // A live lever is already at work in the run; the others wait for Reset.
      if (!msg.live) {
        state.pendingLevers.add(msg.lever);
        $("reset").classList.add("pending");
      }
    } else {
      revertLever(msg.lever);
    }
  } else if (kind === "ok" && msg.pending) {
    $("reset").classList.add("pending");
  }
  showStatus(msg.message, kind, kind === "error" ? 8000 : 4000);
}

// ---------------------------------------------------------------- class runs

// The page is in a class run: the teacher's (who keeps the controls and sees the address
// students type) or a student's (who watches: the controls that would change the run are
// disabled, and the server refuses them anyway).
function onClass(msg) {
  state.class = msg;
  const bar = $("class-bar");
  const text = $("class-text");
  text.innerHTML = "";
  const code = document.createElement("span");
  code.className = "code";
  code.textContent = msg.code;
  if (msg.role === "teacher") {
    const link = (msg.links && msg.links[0]) || `${location.origin}/?class=${msg.code}`;
    const watching = document.createElement("span");
    watching.id = "class-students";
    watching.textContent = `${msg.students} watching`;
    text.append("Class run ", code, ` · students open ${link} · `, watching);
    $("class-leave").textContent = "End the class run";
  } else {
    text.append("Watching the class run ", code, " · only the teacher changes it");
    $("class-leave").textContent = "Leave the class (run my own)";
  }
  bar.hidden = false;
  applyRole();
  showStatus(msg.message, "ok", 12000);
}

function onClassEnded(msg) {
  state.class = null;
  $("class-bar").hidden = true;
  // A reload should not try to join the class again.
  const q = new URLSearchParams(location.search);
  if (q.has("class")) {
    q.delete("class");
    history.replaceState(null, "", `${location.pathname}${[...q.keys()].length ? "?" + q : ""}`);
  }
  applyRole();
  showStatus(msg.message, "ok", 12000);
}

// Enables the controls for whoever may use them.
function applyRole() {
  const watching = !!state.class && state.class.role === "student";
  for (const id of ["play", "step", "reset", "seed", "speed", "scenario"]) $(id).disabled = watching;
  for (const input of document.querySelectorAll("#levers input, #levers select")) {
    const l = state.init && state.init.levers.find((x) => `lever-${x.key}` === input.id);
    input.disabled = watching || !(l && l.available);
  }
  $("class-start").hidden = !!state.class;
  document.body.classList.toggle("watching", watching);
}

let statusTimer = null;
function showStatus(text, kind, ms) {
  const el = $("status");
  el.textContent = text;
  el.className = kind;
  clearTimeout(statusTimer);
  if (ms > 0) statusTimer = setTimeout(() => (el.className = ""), ms);
}

function setClock(text, tick) {
  const el = $("clock");
  el.textContent = text;
  if (tick !== undefined) el.dataset.tick = String(tick);
}

// ---------------------------------------------------------------- controls

function showSpeed() {
  if (!state.init) return;
  const v = state.init.speeds[Number($("speed").value)];
  const unit = state.init.index === "tick" ? "ticks" : "days";
  $("speed-out").textContent = `${v} ${unit}/s`;
}

function buildScenarioPicker(msg) {
  const sel = $("scenario");
  sel.innerHTML = "";
  for (const name of msg.scenarios) {
    const o = document.createElement("option");
    o.value = name;
    o.textContent = (msg.titles && msg.titles[name]) || name;
    sel.appendChild(o);
  }
  sel.value = msg.scenario;
}

function fmt(v) {
  if (typeof v !== "number") return String(v);
  const a = Math.abs(v);
  // Large counts (people, litres) read better short: 505k, 2.1M.
  if (a >= 1e6) return `${(v / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`;
  if (a >= 1e4) return `${(v / 1e3).toFixed(0)}k`;
  if (Number.isInteger(v)) return String(v);
  return a >= 100 ? v.toFixed(0) : v.toFixed(2);
}

// A lever's value as set: 0.89, 1.7, 0.035, 15 (no rounding to the chart's two places).
function leverFmt(v) {
  return String(Number(v.toPrecision(4)));
}

function buildLevers(msg) {
  const box = $("levers");
  box.innerHTML = "";
  if (msg.levers.length === 0) {
    box.textContent = "This model has no levers.";
    return;
  }
  for (const l of msg.levers) {
    state.lastAccepted[l.key] = l.value;
    const row = document.createElement("div");
    row.className = "lever" + (l.available ? "" : " unavailable");
    row.title = l.about;
    const label = document.createElement("label");
    label.textContent = l.label;
    label.htmlFor = `lever-${l.key}`;
    const out = document.createElement("output");
    let input;
    if (l.kind === "number") {
      input = document.createElement("input");
      input.type = "range";
      input.min = l.min;
      input.max = l.max;
      // The scenario's own value exactly (Epstein's L = 0.89, vision 1.7), even off the
      // slider's steps: the slider takes any value, and a move snaps to the steps.
      input.step = "any";
      input.value = l.value ?? l.min;
      out.textContent = l.value === null ? "–" : leverFmt(Number(input.value));
      const snap = () => {
        const v = l.min + Math.round((Number(input.value) - l.min) / l.step) * l.step;
        return Number(Math.min(l.max, Math.max(l.min, v)).toFixed(6));
      };
      input.oninput = () => (out.textContent = leverFmt(snap()));
      input.onchange = () => {
        const v = snap();
        input.value = v;
        setLever(l.key, v);
      };
    } else if (l.kind === "choice") {
      input = document.createElement("select");
      for (const opt of l.options) {
        const o = document.createElement("option");
        o.value = opt;
        o.textContent = opt.replace(/_/g, " ");
        input.appendChild(o);
      }
      if (l.value !== null) input.value = l.value;
      input.onchange = () => setLever(l.key, input.value);
    } else {
      input = document.createElement("input");
      input.type = "checkbox";
      input.checked = l.value === true;
      out.textContent = input.checked ? "on" : "off";
      input.onchange = () => {
        out.textContent = input.checked ? "on" : "off";
        setLever(l.key, input.checked);
      };
    }
    input.id = `lever-${l.key}`;
    input.dataset.kind = l.kind;
    input.dataset.live = l.live ? "1" : "0";
    input.disabled = !l.available;
    if (!l.live) {
      const tag = document.createElement("small");
      tag.className = "on-reset";
      tag.textContent = " (on Reset)";
      tag.title = "shapes the world as it is built: applies when you press Reset";
      label.appendChild(tag);
    }
    row.append(label, input, out);
    if (!l.available) {
      const note = document.createElement("div");
      note.className = "note";
      note.textContent = "not in this scenario's model yet";
      row.appendChild(note);
    }
    box.appendChild(row);
  }
}

function setLever(key, value) {
  state.outstanding.push(key);
  send({ cmd: "set", lever: key, value });
}

// Puts a control back to the last value the server accepted.
function revertLever(key) {
  const input = $(`lever-${key}`);
  if (!input) return;
  const v = state.lastAccepted[key];
  const out = input.parentElement.querySelector("output");
  if (input.dataset.kind === "switch") {
    input.checked = v === true;
    out.textContent = input.checked ? "on" : "off";
  } else if (v !== null && v !== undefined) {
    input.value = v;
    if (input.dataset.kind === "number") out.textContent = leverFmt(Number(v));
  }
}

function wireControls() {
  $("play").onclick = () => send({ cmd: $("play").dataset.running === "1" ? "pause" : "play" });
  $("step").onclick = () => send({ cmd: "step" });
  $("class-start").onclick = () => send({ cmd: "class" });
  $("class-leave").onclick = () => send({ cmd: "leave" });
  $("reset").onclick = () => send({ cmd: "reset" });
  $("speed").oninput = showSpeed;
  $("speed").onchange = () => send({ cmd: "speed", level: Number($("speed").value) });
  $("scenario").onchange = () => send({ cmd: "scenario", name: $("scenario").value });
  $("seed").onchange = () => {
    const v = Number($("seed").value);
    if (Number.isInteger(v) && v >= 0) send({ cmd: "seed", value: v });
    else showStatus("The seed is a whole number, 0 or more.", "error", 6000);
  };
  $("fit").onclick = () => {
    state.view.fitted = false;
    requestDraw();
  };
  document.addEventListener("keydown", (e) => {
    if (e.code === "Space" && !/INPUT|SELECT|BUTTON|TEXTAREA/.test(e.target.tagName)) {
      e.preventDefault();
      $("play").click();
    }
  });
}

// ---------------------------------------------------------------- map

const canvas = $("map");
const ctx = canvas.getContext("2d");

function resizeCanvas() {
  const r = canvas.getBoundingClientRect();
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(r.width * dpr));
  const h = Math.max(1, Math.round(r.height * dpr));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
    state.view.fitted = false;
  }
}

function fitView() {
  const init = state.init;
  if (!init) return;
  const v = state.view;
  const margin = 16 * (window.devicePixelRatio || 1);
  v.scale = Math.min((canvas.width - 2 * margin) / init.width, (canvas.height - 2 * margin) / init.height);
  v.ox = (canvas.width - init.width * v.scale) / 2;
  v.oy = (canvas.height - init.height * v.scale) / 2;
  v.fitted = true;
}

// Colour of a 0-1 supply level: red (dry) through yellow to green (well supplied).
function ramp(t) {
  t = Math.max(0, Math.min(1, t));
  const stops = [[215, 48, 39], [254, 224, 139], [26, 152, 80]];
  const s = t < 0.5 ? 0 : 1;
  const u = t < 0.5 ? t * 2 : (t - 0.5) * 2;
  const c = stops[s].map((a, i) => Math.round(a + (stops[s + 1][i] - a) * u));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

// Radius of a marker in canvas pixels: grows with its size (people, fighters, trucks) and
// a little with the zoom, within bounds so that a zoomed-in map stays readable.
function markerRadius(kind, size, tile, dpr) {
  const zoom = Math.min(1.6, Math.max(0.7, Math.sqrt(tile / dpr / 8)));
  if (kind === "settlement") {
    const r = (3 + Math.sqrt(Math.max(size, 0)) / 90) * zoom;
    return Math.min(22, Math.max(3, r)) * dpr;
  }
  const r = (3 + Math.sqrt(Math.max(size, 0)) / 2.5) * zoom;
  return Math.min(12, Math.max(4, r)) * dpr;
}

// Draws one marker centred at (px, py) in canvas pixels; `tile` is one tile in pixels.
function drawMarker(c, kind, px, py, size, value, tile, dpr = window.devicePixelRatio || 1) {
  const st = STYLE[kind] || STYLE.cell;
  c.lineWidth = 1.5;
  if (kind === "settlement") {
    const r = markerRadius(kind, size, tile, dpr);
    c.beginPath();
    c.arc(px, py, r, 0, 2 * Math.PI);
    c.fillStyle = Number.isFinite(value) ? ramp(value) : "#f5f5f5";
    c.fill();
    c.strokeStyle = "#222";
    c.stroke();
    return;
  }
  if (kind === "quiet" || kind === "active" || kind === "cop") {
    const s = Math.max(2, tile * 0.9);
    c.fillStyle = st.fill;
    c.fillRect(px - s / 2, py - s / 2, s, s);
    return;
  }
  const r = markerRadius(kind, size, tile, dpr);
  c.fillStyle = st.fill;
  c.strokeStyle = st.stroke;
  c.beginPath();
  if (kind === "cell") {
    c.moveTo(px, py - r);
    c.lineTo(px + r * 0.9, py + r * 0.7);
    c.lineTo(px - r * 0.9, py + r * 0.7);
    c.closePath();
  } else if (kind === "command") {
    c.moveTo(px, py - r * 1.2);
    c.lineTo(px + r, py);
    c.lineTo(px, py + r * 1.2);
    c.lineTo(px - r, py);
    c.closePath();
  } else if (kind === "army") {
    c.rect(px - r * 0.8, py - r * 0.8, r * 1.6, r * 1.6);
  } else if (kind === "convoy") {
    c.rect(px - r, py - r * 0.45, r * 2, r * 0.9);
  }
  c.fill();
  c.stroke();
}

function draw() {
  state.draws += 1;
  resizeCanvas();
  const init = state.init;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = "#d8d4ca";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  if (!init) return;
  if (!state.view.fitted) fitView();
  const v = state.view;
  const tile = v.scale;
  // The map's background: the terrain picture, or a plain grid for abstract models.
  ctx.imageSmoothingEnabled = false;
  if (state.terrain) {
    ctx.drawImage(state.terrain, v.ox, v.oy, init.width * tile, init.height * tile);
  } else {
    ctx.fillStyle = init.terrain ? "#e8e2d0" : "#f4f4f0";
    ctx.fillRect(v.ox, v.oy, init.width * tile, init.height * tile);
    if (!init.terrain && tile >= 6) {
      ctx.strokeStyle = "rgba(0,0,0,0.07)";
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (let x = 0; x <= init.width; x++) {
        ctx.moveTo(v.ox + x * tile, v.oy);
        ctx.lineTo(v.ox + x * tile, v.oy + init.height * tile);
      }
      for (let y = 0; y <= init.height; y++) {
        ctx.moveTo(v.ox, v.oy + y * tile);
        ctx.lineTo(v.ox + init.width * tile, v.oy + y * tile);
      }
      ctx.stroke();
    }
  }
  ctx.strokeStyle = "#555";
  ctx.lineWidth = 1;
  ctx.strokeRect(v.ox, v.oy, init.width * tile, init.height * tile);
  // Towns first, so that units and convoys passing through stay visible.
  const m = state.markers;
  for (const pass of [0, 1]) {
    for (let i = 0; i + 4 < m.length; i += 5) {
      const kind = init.kinds[m[i]];
      if ((kind === "settlement") !== (pass === 0)) continue;
      const value = m[i + 4] === null ? NaN : m[i + 4];
      drawMarker(ctx, kind, v.ox + m[i + 1] * tile, v.oy + m[i + 2] * tile, m[i + 3], value, tile);
    }
  }
  drawTownNames(tile);
  drawScaleBar(tile);
  // Engagements: an orange ring that widens and fades while the run plays, and stays as it
  // is while paused, so that a paused map still shows what just happened. (Steps between
  // refreshes are capped: a long pause must not count as played time.)
  const now = performance.now();
  const dt = Math.min(100, now - (state.lastDrawAt ?? now));
  state.lastDrawAt = now;
  const playing = state.frame ? state.frame.running : true;
  if (playing) for (const f of state.flashes) f.age += dt;
  state.flashes = state.flashes.filter((f) => f.age < FLASH_MS);
  for (const f of state.flashes) {
    const t = f.age / FLASH_MS;
    ctx.beginPath();
    ctx.arc(v.ox + f.x * tile, v.oy + f.y * tile, Math.max(6, tile * 1.5) * (0.4 + t), 0, 2 * Math.PI);
    ctx.strokeStyle = `rgba(255,120,0,${1 - t})`;
    ctx.lineWidth = 3;
    ctx.stroke();
  }
  // The date on the map itself, so that a screenshot for a slide says when it is.
  if (state.frame) {
    const f = state.frame;
    const text = f.date ? `${f.date}  (day ${f.day})` : `${init.index} ${f.tick}`;
    const dpr = window.devicePixelRatio || 1;
    ctx.font = `${14 * dpr}px system-ui, sans-serif`;
    const w = ctx.measureText(text).width + 16 * dpr;
    ctx.fillStyle = "rgba(255,255,255,0.85)";
    ctx.fillRect(canvas.width - w - 10 * dpr, 10 * dpr, w, 26 * dpr);
    ctx.fillStyle = "#222";
    ctx.textBaseline = "middle";
    ctx.fillText(text, canvas.width - w - 2 * dpr, 23 * dpr);
  }
  // Fading rings need the next refresh too; requestDraw never queues a second one.
  if (state.flashes.length && playing) requestDraw();
}

// Town names, largest towns first: as many as the zoom leaves room for.
function drawTownNames(tile) {
  const init = state.init;
  const towns = init.towns || [];
  if (!towns.length) return;
  const v = state.view;
  const dpr = window.devicePixelRatio || 1;
  const shown = Math.max(8, Math.round(((tile / dpr) * init.width) / 60));
  ctx.font = `600 ${12 * dpr}px system-ui, sans-serif`;
  ctx.textBaseline = "middle";
  ctx.lineJoin = "round";
  const placed = [];
  for (const [name, x, y, population] of towns.slice(0, shown)) {
    const px = v.ox + x * tile + markerRadius("settlement", population, tile, dpr) + 4 * dpr;
    const py = v.oy + y * tile;
    // Larger towns come first and keep their label; a smaller one that would overlap
    // waits for the user to zoom in.
    const box = [px, py - 8 * dpr, px + ctx.measureText(name).width, py + 8 * dpr];
    if (placed.some((b) => box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3])) continue;
    placed.push(box);
    ctx.strokeStyle = "rgba(255,255,255,0.85)";
    ctx.lineWidth = 3 * dpr;
    ctx.strokeText(name, px, py);
    ctx.fillStyle = "#1d1d1d";
    ctx.fillText(name, px, py);
  }
}

// A bar of a round number of km, bottom right.
function drawScaleBar(tile) {
  const km = state.init.tile_km;
  if (!km) return;
  const dpr = window.devicePixelRatio || 1;
  const want = (120 * dpr * km) / tile; // km in about 120 css pixels
  const nice = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000].find((n) => n >= want * 0.6) || 1000;
  const len = (nice / km) * tile;
  const x = canvas.width - len - 20 * dpr;
  const y = canvas.height - 22 * dpr;
  ctx.fillStyle = "rgba(255,255,255,0.8)";
  ctx.fillRect(x - 8 * dpr, y - 18 * dpr, len + 16 * dpr, 28 * dpr);
  ctx.strokeStyle = "#222";
  ctx.lineWidth = 2 * dpr;
  ctx.beginPath();
  ctx.moveTo(x, y - 5 * dpr);
  ctx.lineTo(x, y);
  ctx.lineTo(x + len, y);
  ctx.lineTo(x + len, y - 5 * dpr);
  ctx.stroke();
  ctx.fillStyle = "#222";
  ctx.font = `${12 * dpr}px system-ui, sans-serif`;
  ctx.textAlign = "center";
  ctx.textBaseline = "bottom";
  ctx.fillText(`${nice} km`, x + len / 2, y - 4 * dpr);
  ctx.textAlign = "start";
}

function wireMap() {
  canvas.addEventListener(
    "wheel",
    (e) => {
      e.preventDefault();
      const dpr = window.devicePixelRatio || 1;
      const r = canvas.getBoundingClientRect();
      const px = (e.clientX - r.left) * dpr;
      const py = (e.clientY - r.top) * dpr;
      const v = state.view;
      const k = Math.exp(-e.deltaY * 0.0015);
      const scale = Math.max(0.5, Math.min(200, v.scale * k));
      // Zoom about the pointer: the tile under it stays under it.
      v.ox = px - ((px - v.ox) * scale) / v.scale;
      v.oy = py - ((py - v.oy) * scale) / v.scale;
      v.scale = scale;
      requestDraw();
    },
    { passive: false },
  );
  let drag = null;
  canvas.addEventListener("pointerdown", (e) => {
    drag = { x: e.clientX, y: e.clientY, ox: state.view.ox, oy: state.view.oy };
    canvas.setPointerCapture(e.pointerId);
    canvas.classList.add("dragging");
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!drag) {
      hover(e);
      return;
    }
    const dpr = window.devicePixelRatio || 1;
    state.view.ox = drag.ox + (e.clientX - drag.x) * dpr;
    state.view.oy = drag.oy + (e.clientY - drag.y) * dpr;
    requestDraw();
  });
  const end = () => {
    drag = null;
    canvas.classList.remove("dragging");
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  window.addEventListener("resize", requestDraw);
}

// Hover details: the marker under the pointer (a town's name, people and fuel; a unit's
// or cell's strength), in the map's title attribute.
function hover(e) {
  const init = state.init;
  if (!init) return;
  const dpr = window.devicePixelRatio || 1;
  const r = canvas.getBoundingClientRect();
  const v = state.view;
  const x = ((e.clientX - r.left) * dpr - v.ox) / v.scale;
  const y = ((e.clientY - r.top) * dpr - v.oy) / v.scale;
  const reach = Math.max(0.7, (10 * dpr) / v.scale);
  const m = state.markers;
  let best = -1;
  let d = reach * reach;
  for (let i = 0; i + 4 < m.length; i += 5) {
    const e2 = (m[i + 1] - x) ** 2 + (m[i + 2] - y) ** 2;
    if (e2 < d) [best, d] = [i, e2];
  }
  let text = "";
  if (best >= 0) {
    const kind = init.kinds[m[best]];
    const label = (STYLE[kind] || {}).label || kind;
    const size = m[best + 3];
    if (kind === "settlement") {
      const town = (init.towns || []).find(([, tx, ty]) => Math.abs(tx - m[best + 1]) < 0.01 && Math.abs(ty - m[best + 2]) < 0.01);
      const fuel = m[best + 4];
      // The value is the fuel stock in days of need / 10, capped at 1.
      let stock = "";
      if (fuel !== null && Number.isFinite(fuel)) {
        const days = Math.round(fuel * 10);
        stock = fuel >= 1 ? ", fuel for 10 days or more" : `, fuel for ${days} day${days === 1 ? "" : "s"}`;
      }
      text = `${town ? town[0] : "Town"}: ${fmt(size)} people${stock}`;
    } else if (kind === "quiet" || kind === "active" || kind === "cop") {
      text = `${label} at cell ${Math.floor(m[best + 1])}, ${Math.floor(m[best + 2])}`;
    } else {
      text = `${label}: strength ${fmt(size)}`;
    }
  }
  canvas.title = text;
  canvas.dataset.hover = text;
}

// ---------------------------------------------------------------- legend

function buildLegend(msg) {
  const box = $("legend");
  box.innerHTML = "";
  const kinds = msg.model === "CivilViolence" ? ["quiet", "active", "cop"] : ["settlement", "convoy", "cell", "command", "army"];
  const add = (paint, text) => {
    const c = document.createElement("canvas");
    c.width = 40;
    c.height = 40;
    const g = c.getContext("2d");
    g.scale(2, 2);
    paint(g);
    const span = document.createElement("span");
    span.textContent = text;
    box.append(c, span);
  };
  for (const k of kinds) {
    const size = k === "settlement" ? 100000 : 25;
    add((g) => drawMarker(g, k, 10, 10, size, k === "settlement" ? 0.8 : NaN, 5, 1), STYLE[k].label);
  }
  if (msg.model !== "CivilViolence") {
    add((g) => {
      g.beginPath();
      g.arc(10, 10, 7, 0, 2 * Math.PI);
      g.strokeStyle = "rgb(255,120,0)";
      g.lineWidth = 2.5;
      g.stroke();
    }, "Engagement (ambush, raid, strike …)");
    const ramp = document.createElement("div");
    ramp.className = "ramp";
    const span = document.createElement("span");
    span.textContent = "fuel: dry → well supplied (grey: not modelled yet)";
    box.append(ramp, span);
  }
}

// ---------------------------------------------------------------- charts

function chosenColumns(msg) {
  const names = msg.columns.map((c) => c.name);
  const chosen = [...(msg.charts ?? [])];
  for (const n of names) {
    if (chosen.length >= 3) break;
    if (!chosen.includes(n)) chosen.push(n);
  }
  return chosen.slice(0, MAX_CHARTS);
}

// Quiet, active and jailed belong on one chart: together they are the whole population.
const COMBINED = [["quiet", "#7fb77e"], ["active", "#e74c3c"], ["jailed", "#555"]];

function buildCharts(msg) {
  const box = $("charts");
  box.innerHTML = "";
  state.charts = [];
  state.combined = null;
  if (msg.columns.length === 0) {
    box.textContent = "This model records no time series.";
    return;
  }
  if (COMBINED.every(([n]) => msg.columns.some((c) => c.name === n))) {
    const wrap = document.createElement("div");
    wrap.className = "chart combined";
    const title = document.createElement("div");
    title.className = "title";
    const key = document.createElement("span");
    for (const [n, colour] of COMBINED) {
      const b = document.createElement("b");
      b.style.color = colour;
      b.textContent = `${n} `;
      key.appendChild(b);
    }
    const value = document.createElement("b");
    title.append(key, value);
    const c = document.createElement("canvas");
    c.width = 712;
    c.height = 260;
    wrap.append(title, c);
    box.appendChild(wrap);
    state.combined = { canvas: c, value };
  }
  for (const name of chosenColumns(msg)) {
    const wrap = document.createElement("div");
    wrap.className = "chart";
    const title = document.createElement("div");
    title.className = "title";
    const select = document.createElement("select");
    for (const c of msg.columns) {
      const o = document.createElement("option");
      o.value = c.name;
      o.textContent = c.label || c.name.replace(/_/g, " ");
      o.title = c.about;
      select.appendChild(o);
    }
    select.value = name;
    const value = document.createElement("b");
    title.append(select, value);
    const c = document.createElement("canvas");
    c.width = 712;
    c.height = 220;
    wrap.append(title, c);
    box.appendChild(wrap);
    const chart = { column: name, canvas: c, select, value };
    select.onchange = () => {
      chart.column = select.value;
      drawCharts();
    };
    state.charts.push(chart);
  }
  drawCharts();
}

// The combined chart: each line in its colour, the previous run's dashed in the same colour,
// on one axis from 0 to the population.
function drawCombined(lastDay) {
  const ch = state.combined;
  if (!ch) return;
  const init = state.init;
  const g = ch.canvas.getContext("2d");
  const W = ch.canvas.width, H = ch.canvas.height;
  // Axis text at 30 of 712 canvas pixels: about 15 px on the page, 21 px in projector mode.
  const L = 92, R = 12, T = 16, B = 42;
  g.clearRect(0, 0, W, H);
  const days = state.series.days;
  const col = (names, cols, n) => cols[names.indexOf(n)] || [];
  const names = init.columns.map((c) => c.name);
  let hi = 1;
  for (const [n] of COMBINED) {
    for (const v of col(names, state.series.cols, n)) if (Number.isFinite(v)) hi = Math.max(hi, v);
    if (state.prev) for (const v of col(state.prev.names, state.prev.cols, n)) if (Number.isFinite(v)) hi = Math.max(hi, v);
  }
  const X = (d) => L + (d / lastDay) * (W - L - R);
  const Y = (v) => T + (1 - v / hi) * (H - T - B);
  g.strokeStyle = "#ccc";
  g.lineWidth = 1;
  g.beginPath();
  g.moveTo(L, T);
  g.lineTo(L, H - B);
  g.lineTo(W - R, H - B);
  g.stroke();
  g.fillStyle = "#555";
  g.font = "30px system-ui, sans-serif";
  g.textAlign = "right";
  g.textBaseline = "middle";
  g.fillText(fmt(hi), L - 8, T + 6);
  g.fillText("0", L - 8, H - B);
  g.textAlign = "center";
  g.textBaseline = "top";
  g.fillText(`${init.index} ${lastDay}`, W - R - 70, H - B + 6);
  const line = (xs, ys, colour, dashed) => {
    g.strokeStyle = colour;
    g.lineWidth = 3;
    g.setLineDash(dashed ? [8, 5] : []);
    g.globalAlpha = dashed ? 0.45 : 1;
    g.beginPath();
    let on = false;
    for (let i = 0; i < ys.length; i++) {
      if (!Number.isFinite(ys[i])) {
        on = false;
        continue;
      }
      if (on) g.lineTo(X(xs[i]), Y(ys[i]));
      else g.moveTo(X(xs[i]), Y(ys[i]));
      on = true;
    }
    g.stroke();
    g.setLineDash([]);
    g.globalAlpha = 1;
  };
  const last = [];
  for (const [n, colour] of COMBINED) {
    if (state.prev) line(state.prev.days, col(state.prev.names, state.prev.cols, n), colour, true);
    const ys = col(names, state.series.cols, n);
    line(days, ys, colour, false);
    if (ys.length) last.push(`${n} ${fmt(ys[ys.length - 1])}`);
  }
  ch.value.textContent = last.join(" · ");
  ch.canvas.dataset.points = String(days.length);
}

function drawCharts() {
  const init = state.init;
  if (!init || !state.series) return;
  const days = state.series.days;
  const lastDay = Math.max(1, Math.ceil(init.end_tick / init.ticks_per_day), days.length ? days[days.length - 1] : 0);
  drawCombined(lastDay);
  for (const ch of state.charts) {
    const ci = init.columns.findIndex((c) => c.name === ch.column);
    const col = init.columns[ci];
    const ys = state.series.cols[ci] || [];
    const g = ch.canvas.getContext("2d");
    const W = ch.canvas.width;
    const H = ch.canvas.height;
    ch.canvas.dataset.points = String(ys.length);
    ch.canvas.title = `${col.about} (${col.unit})`;
    g.clearRect(0, 0, W, H);
    const finite = ys.filter(Number.isFinite);
    const last = finite.length ? finite[finite.length - 1] : NaN;
    ch.value.textContent = Number.isFinite(last) ? `${fmt(last)} (${col.unit})` : `(${col.unit})`;
    // The previous run of the scenario, in grey under this one, on the same axes.
    const pi = state.prev ? state.prev.names.indexOf(ch.column) : -1;
    const prevYs = pi >= 0 ? state.prev.cols[pi] : [];
    const both = finite.concat(prevYs.filter(Number.isFinite));
    let lo = both.length ? Math.min(...both) : 0;
    let hi = both.length ? Math.max(...both) : 1;
    if (lo >= 0) lo = 0; // counts and stocks read best against zero
    if (hi - lo < 1e-9) hi = lo + (Math.abs(lo) || 1);
    // Axis text at 30 of 712 canvas pixels: about 15 px on the page, 21 px in projector mode.
    const L = 92, R = 12, T = 16, B = 42;
    const X = (d) => L + (d / lastDay) * (W - L - R);
    const Y = (v) => T + (1 - (v - lo) / (hi - lo)) * (H - T - B);
    g.strokeStyle = "#ccc";
    g.lineWidth = 1;
    g.beginPath();
    g.moveTo(L, T);
    g.lineTo(L, H - B);
    g.lineTo(W - R, H - B);
    g.stroke();
    g.fillStyle = "#555";
    g.font = "30px system-ui, sans-serif";
    g.textAlign = "right";
    g.textBaseline = "middle";
    g.fillText(fmt(hi), L - 8, T + 6);
    g.fillText(fmt(lo), L - 8, H - B);
    g.textAlign = "center";
    g.textBaseline = "top";
    g.fillText(`${init.index} ${lastDay}`, W - R - 70, H - B + 6);
    g.fillText("0", L, H - B + 6);
    ch.canvas.dataset.previous = String(prevYs.length);
    if (prevYs.length) {
      g.strokeStyle = "#9a9a9a";
      g.lineWidth = 3;
      g.setLineDash([8, 5]);
      g.beginPath();
      let on = false;
      for (let i = 0; i < prevYs.length; i++) {
        if (!Number.isFinite(prevYs[i])) {
          on = false;
          continue;
        }
        const x = X(state.prev.days[i]);
        const y = Y(prevYs[i]);
        if (on) g.lineTo(x, y);
        else g.moveTo(x, y);
        on = true;
      }
      g.stroke();
      g.setLineDash([]);
    }
    g.strokeStyle = "#c0392b";
    g.lineWidth = 3;
    g.beginPath();
    let pen = false;
    for (let i = 0; i < ys.length; i++) {
      if (!Number.isFinite(ys[i])) {
        pen = false;
        continue;
      }
      const x = X(days[i]);
      const y = Y(ys[i]);
      if (pen) g.lineTo(x, y);
      else g.moveTo(x, y);
      pen = true;
    }
    g.stroke();
    if (ys.length === 1 && Number.isFinite(ys[0])) {
      g.fillStyle = "#c0392b";
      g.fillRect(X(days[0]) - 3, Y(ys[0]) - 3, 6, 6);
    }
  }
}

// ---------------------------------------------------------------- debriefing

// The closest town to a place, for the event list ("near Kati"); models without towns
// give the grid cell.
function nearestTown(x, y) {
  const towns = (state.init && state.init.towns) || [];
  let best = null;
  let d = Infinity;
  for (const [name, tx, ty] of towns) {
    const e = (tx - x) ** 2 + (ty - y) ** 2;
    if (e < d) [best, d] = [name, e];
  }
  if (!best) return `cell ${Math.floor(x)}, ${Math.floor(y)}`;
  const km = Math.sqrt(d) * (state.init.tile_km || 1);
  return km < 8 ? best : `${Math.round(km)} km from ${best}`;
}

// The event list: newest first, kept while paused; a click centres the map on the place.
// What an event cost, in words: trucks burned, civilians killed, each side's losses.
function lossText([attacker, defender, trucks, civilians]) {
  const parts = [];
  if (trucks > 0) parts.push(`${trucks} trucks burned`);
  if (civilians > 0) parts.push(`${civilians} civilians killed`);
  if (attacker > 0) parts.push(`attackers lost ${attacker}`);
  if (defender > 0) parts.push(`defenders lost ${defender}`);
  return parts.length ? ` · ${parts.join(", ")}` : "";
}

function drawEvents() {
  const box = $("events");
  if (!box) return;
  box.innerHTML = "";
  const unit = state.init && state.init.index === "tick" ? "tick" : "day";
  const shown = state.events.slice(-60).reverse();
  if (!shown.length) {
    box.textContent = "No events yet.";
    return;
  }
  for (const e of shown) {
    const li = document.createElement("li");
    li.textContent = `${unit} ${unit === "tick" ? e.tick : e.day} · ${e.kind.replace(/_/g, " ")} · ${e.place}${lossText(e.losses)}`;
    li.title = "show on the map";
    li.onclick = () => {
      const v = state.view;
      v.ox = canvas.width / 2 - e.x * v.scale;
      v.oy = canvas.height / 2 - e.y * v.scale;
      state.flashes.push({ kind: e.kind, x: e.x, y: e.y, age: 0 });
      requestDraw();
    };
    box.appendChild(li);
  }
}

// The summary: each charted measure now, the previous run at the same day, and the change.
function drawSummary() {
  const box = $("summary");
  if (!box || !state.init || !state.series) return;
  const s = state.series;
  const day = s.days.length ? s.days[s.days.length - 1] : 0;
  const unit = state.init.index === "tick" ? "tick" : "day";
  const rows = state.charts.map((ch) => {
    const ci = state.init.columns.findIndex((c) => c.name === ch.column);
    const col = state.init.columns[ci];
    const ys = s.cols[ci] || [];
    const now = ys.length ? ys[ys.length - 1] : NaN;
    let before = NaN;
    if (state.prev) {
      const pi = state.prev.names.indexOf(ch.column);
      const k = state.prev.days.indexOf(day);
      const pys = pi >= 0 ? state.prev.cols[pi] : [];
      before = k >= 0 ? pys[k] : pys[pys.length - 1];
    }
    return [col.label || col.name, now, before];
  });
  const show = (v) => (Number.isFinite(v) ? fmt(v) : "–");
  let html = `<table><tr><th>${unit} ${day}</th><th>this run</th>`;
  if (state.prev) html += "<th>previous run</th><th>change</th>";
  html += "</tr>";
  for (const [name, now, before] of rows) {
    html += `<tr><td>${name}</td><td>${show(now)}</td>`;
    if (state.prev) {
      const d = now - before;
      html += `<td>${show(before)}</td><td>${Number.isFinite(d) ? (d > 0 ? "+" : "") + fmt(d) : "–"}</td>`;
    }
    html += "</tr>";
  }
  box.innerHTML = html + "</table>";
}

// The scenario's lesson plan (docs/teaching.md): paragraphs, numbered questions and
// **bold** headings, written as text nodes (the guide is ours, but no HTML is trusted).
function showLesson(text) {
  const box = $("lesson");
  box.innerHTML = "";
  box.hidden = !text;
  const plain = (t) => t.replace(/`/g, "");
  // Blocks: runs of numbered lines become a list, other runs a paragraph.
  const blocks = [];
  for (const para of text.split(/\n\s*\n/)) {
    for (const l of para.split("\n").map((x) => x.trim()).filter(Boolean)) {
      const numbered = /^\d+\./.test(l);
      const last = blocks[blocks.length - 1];
      if (last && last.numbered === numbered && last.para === para) last.lines.push(l);
      else blocks.push({ numbered, para, lines: [l] });
    }
  }
  for (const { numbered, lines } of blocks) {
    if (numbered) {
      const ol = document.createElement("ol");
      for (const l of lines) {
        const li = document.createElement("li");
        li.textContent = plain(l.replace(/^\d+\.\s*/, ""));
        ol.appendChild(li);
      }
      box.appendChild(ol);
      continue;
    }
    const p = document.createElement("p");
    const joined = plain(lines.join(" "));
    const m = joined.match(/^\*\*(.+?)\*\*\s*(.*)$/);
    if (m) {
      const b = document.createElement("b");
      b.textContent = m[1] + " ";
      p.append(b, m[2].replace(/\*\*/g, ""));
    } else p.textContent = joined.replace(/\*\*/g, "");
    box.appendChild(p);
  }
}

// ---------------------------------------------------------------- links and exports

// ?scenario=epstein_run2&seed=7&legitimacy=0.7: every student opens the same run. Applied
// once, on the first init: switch scenario if needed, then seed and levers, then Reset.
function readLink() {
  const q = new URLSearchParams(location.search);
  // A class link joins the teacher's run: nothing to set.
  if (![...q.keys()].length || q.has("class")) return null;
  const levers = {};
  for (const [k, v] of q) if (k !== "scenario" && k !== "seed") levers[k] = v;
  return { scenario: q.get("scenario"), seed: q.get("seed"), levers, stage: 0 };
}

// True when the init was consumed by the link (a scenario switch follows).
function applyLink(msg) {
  const link = state.link;
  if (!link || link.stage === 2) return false;
  if (link.scenario && link.scenario !== msg.scenario && link.stage === 0) {
    link.stage = 1;
    send({ cmd: "scenario", name: link.scenario });
    return false;
  }
  link.stage = 2;
  if (link.seed !== null && /^\d+$/.test(link.seed)) send({ cmd: "seed", value: Number(link.seed) });
  for (const [key, raw] of Object.entries(link.levers)) {
    const l = msg.levers.find((x) => x.key === key);
    if (!l) continue;
    const value = l.kind === "number" ? Number(raw) : l.kind === "switch" ? raw === "true" : raw;
    send({ cmd: "set", lever: key, value });
  }
  send({ cmd: "reset" });
  return false;
}

function shareLink() {
  const q = new URLSearchParams();
  q.set("scenario", state.init.scenario);
  q.set("seed", $("seed").value);
  for (const l of state.init.levers) {
    const v = state.lastAccepted[l.key];
    if (l.available && v !== null && v !== undefined) q.set(l.key, String(v));
  }
  return `${location.origin}${location.pathname}?${q}`;
}

// The map as exported: the picture on screen, then a strip below it with the run's title,
// date and the legend, so that a slide or a worksheet explains itself.
function mapWithLegend() {
  const kinds = state.init.model === "CivilViolence" ? ["quiet", "active", "cop"] : ["settlement", "convoy", "cell", "command", "army"];
  const font = 18, pad = 14, rowH = 36, colW = 330;
  const perRow = Math.max(1, Math.floor((canvas.width - 2 * pad) / colW));
  const rows = Math.ceil(kinds.length / perRow);
  const out = document.createElement("canvas");
  out.width = canvas.width;
  out.height = canvas.height + 2 * pad + font + 10 + rows * rowH;
  const g = out.getContext("2d");
  g.fillStyle = "#fff";
  g.fillRect(0, 0, out.width, out.height);
  g.drawImage(canvas, 0, 0);
  g.fillStyle = "#222";
  g.font = `bold ${font}px sans-serif`;
  g.fillText(`${state.init.scenario} · ${$("clock").textContent}`, pad, canvas.height + pad + font);
  g.font = `${font - 2}px sans-serif`;
  kinds.forEach((k, i) => {
    const x = pad + (i % perRow) * colW;
    const y = canvas.height + pad + font + 10 + Math.floor(i / perRow) * rowH;
    g.save();
    g.translate(x, y);
    drawMarker(g, k, 12, 14, k === "settlement" ? 100000 : 25, k === "settlement" ? 0.8 : NaN, 5, 1);
    g.restore();
    g.fillStyle = "#222";
    g.fillText(STYLE[k].label, x + 32, y + 20);
  });
  return out;
}

function download(name, blobOrUrl) {
  const a = document.createElement("a");
  a.download = name;
  a.href = typeof blobOrUrl === "string" ? blobOrUrl : URL.createObjectURL(blobOrUrl);
  a.click();
}

function runCsv() {
  const cols = state.init.columns.map((c) => c.name);
  const lines = [[state.init.index, ...cols].join(",")];
  const s = state.series;
  for (let i = 0; i < s.days.length; i++) lines.push([s.days[i], ...s.cols.map((c) => (Number.isFinite(c[i]) ? c[i] : ""))].join(","));
  return new Blob([lines.join("\n") + "\n"], { type: "text/csv" });
}

function wireDebrief() {
  $("projector").onclick = () => {
    const on = document.body.classList.toggle("projector");
    // The legend goes over the map, where the back of the room can see it.
    (on ? $("map-panel") : $("legend-home")).appendChild($("legend"));
    state.view.fitted = false;
    requestDraw();
  };
  $("explain-button").onclick = () => {
    const d = $("explain-box");
    d.open = true;
    d.scrollIntoView({ behavior: "smooth" });
  };
  $("link").onclick = () => {
    const url = shareLink();
    if (navigator.clipboard) navigator.clipboard.writeText(url).catch(() => {});
    showStatus(`Link for this scenario, seed and levers (copied): ${url}`, "ok", 12000);
  };
  $("export-map").onclick = () => download(`${state.init.scenario}-map.png`, mapWithLegend().toDataURL("image/png"));
  $("export-charts").onclick = () =>
    state.charts.forEach((ch) => download(`${state.init.scenario}-${ch.column}.png`, ch.canvas.toDataURL("image/png")));
  $("export-csv").onclick = () => download(`${state.init.scenario}-run.csv`, runCsv());
}

// ---------------------------------------------------------------- start

wireControls();
wireMap();
wireDebrief();
state.link = readLink();
connect();
