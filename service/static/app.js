"use strict";
// 年报审查 reviewer page: upload, highlighted text, findings by section, filters, feedback.
const CATS = {structure: "结构", missing_element: "要素缺失", table_identity: "表格勾稽", contradiction: "前后矛盾",
  typo: "错别字", format: "格式", boilerplate: "套话雷同"};
const SEVS = {error: "错误", warning: "警告", info: "提示"};
const SEV_RANK = {error: 0, warning: 1, info: 2};
const SECTIONS = {1: "一、总体情况", 2: "二、主动公开政府信息情况", 3: "三、收到和处理政府信息公开申请情况",
  4: "四、政府信息公开行政复议、行政诉讼情况", 5: "五、存在的主要问题及改进情况", 6: "六、其他需要报告的事项"};
const state = {review: null, cats: new Set(Object.keys(CATS)), sev: "all", feedback: {}, auth: false};
const $ = (id) => document.getElementById(id);

function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
}
function setStatus(msg, isError) {
  const el = $("status");
  el.textContent = msg;
  el.className = isError ? "error" : "";
}
function headers() {
  const h = {};
  const t = $("token").value.trim();
  if (t) { h["Authorization"] = "Bearer " + t; localStorage.setItem("nlpReviewToken", t); }
  return h;
}
function visible(f) {
  if (!state.cats.has(f.category)) return false;
  if (state.sev === "error") return f.severity === "error";
  if (state.sev === "warning") return f.severity !== "info";
  return true;
}

async function upload(file) {
  if (!file) return;
  const fd = new FormData();
  fd.append("file", file, file.name);
  const prev = $("previous").files[0];
  if (prev) fd.append("previous", prev, prev.name);
  setStatus("正在审查「" + file.name + "」……");
  let resp, body;
  try {
    resp = await fetch("/v1/reviews", {method: "POST", body: fd, headers: headers()});
    body = await resp.json();
  } catch (e) {
    setStatus("上传失败：无法连接审查服务。", true);
    return;
  }
  if (!resp.ok) { setStatus("无法审查：" + (body.message || resp.status), true); return; }
  location.hash = "#/reviews/" + body.id;
  show(body, {});
}

async function load(id) {
  const resp = await fetch("/v1/reviews/" + encodeURIComponent(id));
  const body = await resp.json();
  if (!resp.ok) { setStatus(body.message || "无法打开该审查记录。", true); return; }
  show(body, body.feedback || {});
}

function show(review, feedback) {
  state.review = review;
  state.feedback = feedback;
  const n = review.findings.length;
  setStatus(n ? "审查完成，共发现 " + n + " 个问题。" : "审查完成，未发现问题。");
  $("result").hidden = false;
  const r = review.report || {}, s = review.scores || {}, bs = s.by_severity || {};
  $("summary").innerHTML =
    "<div><b>" + esc(r.title || review.source.filename || "（未识别标题）") + "</b></div>" +
    "<div>机关：" + esc(r.agency || "（未识别）") + "　年度：" + esc(r.year || "（未识别）") +
    "　综合得分 <span class='score'>" + esc(s.overall ?? "—") + "</span>　" +
    Object.keys(SEVS).map((k) => SEVS[k] + " " + (bs[k] || 0) + " 个").join("，") + "</div>" +
    // tables read partly or not at all: which checks did not run (scores.coverage.notes)
    ((s.coverage && s.coverage.notes) || []).map((t) => "<div class='coverage'>" + esc(t) + "</div>").join("");
  $("dl-docx").href = review.links.annotated_docx;
  $("dl-docx").setAttribute("download", "");
  $("dl-html").href = review.links.report_html;
  renderFilters();
  render();
}

function renderFilters() {
  const counts = {};
  for (const f of state.review.findings) counts[f.category] = (counts[f.category] || 0) + 1;
  $("cat-filters").innerHTML = Object.keys(CATS).map((c) =>
    "<span class='chip" + (state.cats.has(c) ? " on" : "") + "' data-cat='" + c + "' role='checkbox' aria-checked='" +
    state.cats.has(c) + "'><span class='sw' style='background:var(--" + c + ")'></span>" + CATS[c] +
    " " + (counts[c] || 0) + "</span>").join("");
}

function renderText() {
  const text = state.review.text || "";
  const fs = state.review.findings.filter(visible);
  const cuts = new Set([0, text.length]);
  const pins = {};
  for (const f of fs) {
    if (f.end > f.start) { cuts.add(f.start); cuts.add(f.end); }
    else { (pins[f.start] = pins[f.start] || []).push(f); cuts.add(f.start); }
  }
  const b = [...cuts].sort((x, y) => x - y);
  let html = "";
  for (let i = 0; i < b.length; i++) {
    const a = b[i], z = b[i + 1];
    for (const f of pins[a] || []) html += "<span class='pin' data-f='" + esc(f.id) + "' title='" + esc(f.message) + "'>▲</span>";
    if (z === undefined || z <= a) continue;
    const seg = esc(text.slice(a, z));
    const over = fs.filter((f) => f.start <= a && z <= f.end && f.end > f.start);
    if (!over.length) { html += seg; continue; }
    over.sort((x, y) => SEV_RANK[x.severity] - SEV_RANK[y.severity]);
    html += "<mark class='cat-" + esc(over[0].category) + "' data-f='" + esc(over.map((f) => f.id).join(" ")) +
      "' title='" + esc(over.map((f) => f.message).join("；")) + "'>" + seg + "</mark>";
  }
  $("doc-text").innerHTML = html;
}

function renderFindings() {
  const groups = {};
  for (const f of state.review.findings.filter(visible)) (groups[f.section ?? 0] = groups[f.section ?? 0] || []).push(f);
  const keys = Object.keys(groups).map(Number).sort((x, y) => x - y);
  let html = keys.length ? "" : "<p>没有符合筛选条件的问题。</p>";
  for (const k of keys) {
    html += "<div class='sec'><h3>" + esc(SECTIONS[k] || "标题、前言与落款") + "</h3>";
    for (const f of groups[k]) {
      const fb = state.feedback[f.id] || {};
      const st = fb.decision === "accepted" ? "已采纳" : fb.decision === "dismissed" ? "已忽略" : "";
      const quote = f.quote.length > 50 ? f.quote.slice(0, 50) + "…" : f.quote;
      html += "<div class='finding sev-" + esc(f.severity) + (fb.decision ? " " + fb.decision : "") + "' id='fd-" + esc(f.id) +
        "' data-f='" + esc(f.id) + "'><div class='meta'>[" + SEVS[f.severity] + "] " + esc(CATS[f.category] || f.category) +
        " · " + esc(f.rule) + "</div><div><span class='quote'>“" + esc(quote) + "”</span> " + esc(f.message) + "</div>" +
        (f.suggestions && f.suggestions.length ? "<div>建议：" + esc(f.suggestions.join("；")) + "</div>" : "") +
        "<div class='actions'><button data-act='accepted'>采纳</button><button data-act='dismissed'>不采纳</button>" +
        "<span class='state'>" + st + "</span></div></div>";
    }
    html += "</div>";
  }
  $("findings").innerHTML = html;
}

function render() { renderText(); renderFindings(); }

async function decide(fid, decision) {
  const resp = await fetch("/v1/reviews/" + state.review.id + "/findings/" + encodeURIComponent(fid), {
    method: "POST", headers: Object.assign({"Content-Type": "application/json"}, headers()),
    body: JSON.stringify({decision: decision})});
  const body = await resp.json();
  if (!resp.ok) { setStatus("反馈未保存：" + (body.message || resp.status), true); return; }
  state.feedback[fid] = body;
  setStatus(decision === "accepted" ? "已采纳该问题。" : "已标记为不采纳。");
  renderFindings();
}

function focusFinding(fid) {
  document.querySelectorAll("mark.active").forEach((m) => m.classList.remove("active"));
  const marks = [...document.querySelectorAll("#doc-text [data-f]")].filter((m) => m.dataset.f.split(" ").includes(fid));
  marks.forEach((m) => m.classList.add("active"));
  if (marks[0]) marks[0].scrollIntoView({block: "center", behavior: "smooth"});
}

function init() {
  const drop = $("drop"), input = $("file");
  drop.addEventListener("click", (e) => { if (e.target.tagName !== "LABEL") input.click(); });
  drop.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") input.click(); });
  input.addEventListener("change", () => upload(input.files[0]));
  for (const ev of ["dragenter", "dragover"]) drop.addEventListener(ev, (e) => { e.preventDefault(); drop.classList.add("over"); });
  for (const ev of ["dragleave", "drop"]) drop.addEventListener(ev, (e) => { e.preventDefault(); drop.classList.remove("over"); });
  drop.addEventListener("drop", (e) => upload(e.dataTransfer.files[0]));
  $("cat-filters").addEventListener("click", (e) => {
    const chip = e.target.closest(".chip");
    if (!chip) return;
    const c = chip.dataset.cat;
    if (state.cats.has(c)) state.cats.delete(c); else state.cats.add(c);
    renderFilters(); render();
  });
  $("sev-filter").addEventListener("change", (e) => { state.sev = e.target.value; render(); });
  $("findings").addEventListener("click", (e) => {
    const card = e.target.closest(".finding");
    if (!card) return;
    const act = e.target.dataset && e.target.dataset.act;
    if (act) decide(card.dataset.f, act); else focusFinding(card.dataset.f);
  });
  $("doc-text").addEventListener("click", (e) => {
    const m = e.target.closest("[data-f]");
    if (!m) return;
    const card = $("fd-" + m.dataset.f.split(" ")[0]);
    if (card) card.scrollIntoView({block: "center", behavior: "smooth"});
  });
  $("token").value = localStorage.getItem("nlpReviewToken") || "";
  fetch("/healthz").then((r) => r.json()).then((h) => {
    if (h.auth) { $("token-row").hidden = false; $("more").open = true; }
    if (h.max_upload_mb) $("limit").textContent = h.max_upload_mb;
  }).catch(() => {});
  const m = location.hash.match(/^#\/reviews\/([0-9a-f]{32})$/);
  if (m) load(m[1]);
}
init();
