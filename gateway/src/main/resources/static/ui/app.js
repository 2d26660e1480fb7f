// The jobs page: lists the caller's jobs and draws one job's metrics and events, polling the
// same /v1 API users script against. No libraries: charts are plain SVG.
"use strict";

const CHARTS = [
  { title: "Reward", series: ["reward_mean"], colors: ["#1f5fd1"] },
  { title: "Accuracy", series: ["rewards.accuracy.mean"], colors: ["#17803d"] },
  { title: "Completion length", series: ["completion_length_mean"], colors: ["#9a6700"] },
  { title: "Loss", series: ["loss"], colors: ["#b42318"] },
];
const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);
const POLL_MS = 2000;

const state = {
  key: null,
  jobId: null,
  finishedJobId: null,
  lastEventId: null,
  events: [],
  timer: null,
};

function readHash() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  return { key: params.get("key"), job: params.get("job") };
}

async function api(path) {
  const response = await fetch(path, {
    headers: { Authorization: "Bearer " + state.key, Accept: "application/json" },
  });
  if (!response.ok) {
    let detail = response.statusText;
    try {
      detail = (await response.json()).detail || detail;
    } catch (e) {
      // not JSON; keep the status text
    }
    throw new Error(response.status + " " + detail);
  }
  return response.json();
}

function setStatus(text) {
  document.getElementById("status-line").textContent = text;
}

function el(tag, attrs, children) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
  (children || []).forEach((c) => node.append(c));
  return node;
}

function fmt(v, digits) {
  return v === null || v === undefined || Number.isNaN(v) ? "–" : Number(v).toFixed(digits);
}

async function loadJobs() {
  const page = await api("/v1/jobs?limit=100");
  const body = document.querySelector("#jobs tbody");
  body.replaceChildren();
  for (const job of page.data) {
    const row = el("tr", { "data-job": job.id }, [
      el("td", {}, [job.id]),
      el("td", {}, [job.method]),
      el("td", { class: "status-" + job.status }, [job.status]),
      el("td", {}, [String(job.trained_steps)]),
      el("td", {}, [new Date(job.created_at * 1000).toLocaleString()]),
    ]);
    if (job.id === state.jobId) row.classList.add("selected");
    row.addEventListener("click", () => selectJob(job.id));
    body.append(row);
  }
  return page.data;
}

function selectJob(id) {
  state.jobId = id;
  state.lastEventId = null;
  state.events = [];
  document.getElementById("events").replaceChildren();
  document.getElementById("job-pane").hidden = false;
  document.querySelectorAll("#jobs tbody tr").forEach((r) => {
    r.classList.toggle("selected", r.dataset.job === id);
  });
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  params.set("job", id);
  params.delete("key");
  history.replaceState(null, "", "#" + params.toString());
  refreshJob();
}

async function loadNewEvents() {
  for (;;) {
    const after = state.lastEventId ? "&after=" + encodeURIComponent(state.lastEventId) : "";
    const page = await api("/v1/jobs/" + state.jobId + "/events?limit=100" + after);
    for (const e of page.data) {
      state.events.push(e);
      state.lastEventId = e.id;
      const text =
        new Date(e.created_at * 1000).toLocaleTimeString() +
        " " + e.type + (e.step !== null && e.step !== undefined ? " step " + e.step : "") +
        (e.message ? ": " + e.message : "");
      document.getElementById("events").prepend(el("li", { class: "level-" + e.level }, [text]));
    }
    if (!page.has_more) return;
  }
}

function drawStages() {
  const done = state.events.filter((e) => e.type === "stage_completed");
  const table = document.getElementById("stages");
  table.hidden = done.length === 0;
  const body = table.querySelector("tbody");
  body.replaceChildren();
  for (const e of done) {
    const m = e.metrics || {};
    body.append(
      el("tr", {}, [
        el("td", {}, [e.message || "stage " + m.stage]),
        el("td", {}, [fmt(m["eval.pass_at_1"], 3)]),
        el("td", {}, [fmt(m["eval.cons_at_k"], 3)]),
        el("td", {}, [fmt(m["eval.format_rate"], 3)]),
        el("td", {}, [fmt(m["eval.language_rate"], 3)]),
        el("td", {}, [fmt(m["eval.mean_length"], 1)]),
      ]),
    );
  }
}

// One SVG line chart; x is the point's index (steps restart in each pipeline stage), dashed
// lines mark stage changes. data-* attributes let tests and scripts read what was drawn.
function chart(spec, metrics) {
  const W = 440, H = 170, L = 44, R = 8, T = 10, B = 22;
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("class", "chart");
  svg.setAttribute("width", W);
  svg.setAttribute("height", H);
  svg.setAttribute("viewBox", "0 0 " + W + " " + H);
  const n = metrics.steps.length;
  const values = spec.series.flatMap((s) => (metrics.series[s] || []).filter((v) => v !== null));
  const min = Math.min(...values), max = Math.max(...values);
  const span = max - min || 1;
  const x = (i) => L + (n <= 1 ? 0 : (i * (W - L - R)) / (n - 1));
  const y = (v) => H - B - ((v - min) * (H - T - B)) / span;
  const svgEl = (tag, attrs, text) => {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    Object.entries(attrs).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined) node.textContent = text;
    svg.append(node);
    return node;
  };
  const stage = metrics.series.stage;
  if (stage) {
    for (let i = 1; i < n; i++) {
      if (stage[i] !== null && stage[i - 1] !== null && stage[i] !== stage[i - 1]) {
        svgEl("line", { class: "stage", x1: x(i), x2: x(i), y1: T, y2: H - B });
      }
    }
  }
  svgEl("text", { x: 2, y: T + 8 }, fmt(max, 3));
  svgEl("text", { x: 2, y: H - B }, fmt(min, 3));
  svgEl("text", { x: L, y: H - 6 }, "0");
  svgEl("text", { x: W - R - 30, y: H - 6 }, String(Math.max(0, n - 1)));
  spec.series.forEach((name, k) => {
    const data = metrics.series[name] || [];
    const points = [];
    data.forEach((v, i) => {
      if (v !== null) points.push(x(i).toFixed(1) + "," + y(v).toFixed(1));
    });
    svgEl("polyline", {
      "data-series": name,
      "data-points": String(points.length),
      "data-last": data.length ? String(data.filter((v) => v !== null).slice(-1)[0]) : "",
      stroke: spec.colors[k],
      points: points.join(" "),
    });
  });
  const figure = el("figure", { class: "chart", "data-chart": spec.series.join(",") });
  figure.append(el("figcaption", {}, [spec.title]), svg);
  return figure;
}

function drawCharts(metrics) {
  const box = document.getElementById("charts");
  box.replaceChildren();
  for (const spec of CHARTS) {
    if (spec.series.some((s) => (metrics.series[s] || []).some((v) => v !== null))) {
      box.append(chart(spec, metrics));
    }
  }
  box.setAttribute("data-steps", String(metrics.steps.length));
}

async function refreshJob() {
  if (!state.jobId) return;
  const id = state.jobId;
  const job = await api("/v1/jobs/" + id);
  document.getElementById("job-title").textContent = job.method + " job " + job.id;
  document.getElementById("job-summary").textContent =
    "Status " + job.status + ", " + job.trained_steps + " steps, model " + job.model +
    (job.error ? ", error: " + job.error : "");
  await loadNewEvents();
  drawStages();
  drawCharts(await api("/v1/jobs/" + id + "/metrics"));
  document.getElementById("job-pane").setAttribute("data-loaded", job.status);
  return job;
}

async function tick() {
  try {
    await loadJobs();
    // A finished job changes no more: draw it once, then only refresh the list.
    if (state.jobId !== state.finishedJobId) {
      const job = await refreshJob();
      if (job && TERMINAL.has(job.status)) state.finishedJobId = job.id;
      document.body.setAttribute("data-ready", job ? job.status : "jobs");
    }
    setStatus("Updated " + new Date().toLocaleTimeString());
  } catch (e) {
    setStatus("Could not load: " + e.message);
    document.body.setAttribute("data-error", e.message);
  }
  state.timer = setTimeout(tick, POLL_MS);
}

function start() {
  const hash = readHash();
  state.key = hash.key || localStorage.getItem("r1.key");
  if (hash.key) localStorage.setItem("r1.key", hash.key);
  document.getElementById("key").value = state.key || "";
  document.getElementById("key-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    state.key = document.getElementById("key").value.trim();
    localStorage.setItem("r1.key", state.key);
    clearTimeout(state.timer);
    tick();
  });
  if (hash.job) {
    state.jobId = hash.job;
    document.getElementById("job-pane").hidden = false;
  }
  if (state.key) {
    tick();
  } else {
    setStatus("Enter an API key to see your jobs.");
  }
}

start();
