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
  loadHistory();
}

async function loadHistory() {
  let body;
  try {
    const resp = await fetch("/v1/reviews?limit=20");
    if (!resp.ok) return;
    body = await resp.json();
  } catch (e) { return; }
  const rows = body.reviews || [];
  $("history").hidden = !rows.length;
  $("history-list").innerHTML = rows.map((r) => {
    const bs = r.by_severity || {};
    return "<li><a href='#/reviews/" + esc(r.id) + "' data-id='" + esc(r.id) + "'>" + esc(r.title || r.filename || r.id) +
      "</a> <span class='hint'>" + esc((r.created_at || "").replace("T", " ").slice(0, 16)) + "　" +
      Object.keys(SEVS).map((k) => SEVS[k] + " " + (bs[k] || 0)).join("，") + "</span></li>";
  }).join("");
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
  setLinks();
  renderFilters();
  renderTables();
  render();
}

function setLinks() {
  const links = state.review.links;
  const q = state.sev === "all" ? "" : "?severity=" + state.sev;
  $("dl-docx").href = links.annotated_docx + q;
  $("dl-docx").setAttribute("download", "");
  $("dl-html").href = links.report_html + q;
  $("dl-json").href = links.export + q;
  $("dl-json").setAttribute("download", "");
}

// Where a finding is marked: its span, or each sentence a grouped finding lists.
function spansOf(f) {
  const listed = (f.evidence && f.evidence.sentences) || [];
  if (!listed.length) return [f];
  return listed.map((x, i) => Object.assign({}, f, {start: x.start, end: x.end, part: i}))
    .filter((x) => !isDismissed(f.id + "." + x.part));
}
function isDismissed(id) { return (state.feedback[id] || {}).decision === "dismissed"; }

function renderTables() {
  const grids = state.review.table_grids || [];
  $("tables").hidden = !grids.length;
  let html = "";
  for (const g of grids) {
    const uniform = g.rows.every((r) => r.cells.length === g.columns.length && !r.columns);
    html += "<table class='grid' data-table='" + esc(g.table) + "'><caption>" + esc(g.title) + "</caption>";
    if (uniform) html += "<tr><th></th>" + g.columns.map((c) => "<th>" + esc(c) + "</th>").join("") + "</tr>";
    for (const r of g.rows) {
      html += "<tr><th>" + esc(r.label) + "</th>";
      r.cells.forEach((c, i) => {
        const v = c.value === null || c.value === undefined ? "—" : String(c.value);
        html += "<td class='cell" + (c.findings.length ? " idc" : "") + "' data-key='" + esc(c.key) + "'" +
          (c.findings.length ? " title='勾稽问题：" + esc(c.findings.join("、")) + "（点击更正）'" : " title='点击更正'") + ">" +
          (uniform ? "" : "<small>" + esc(r.columns[i]) + "</small> ") + "<span class='v'>" + esc(v) + "</span></td>";
      });
      html += "</tr>";
    }
    html += "</table>";
  }
  $("table-grids").innerHTML = html;
}

function editCell(td) {
  if (td.querySelector("input")) return;
  const span = td.querySelector(".v");
  const input = document.createElement("input");
  input.type = "number"; input.min = "0"; input.step = "any"; input.className = "cell-input";
  input.value = span.textContent === "—" ? "" : span.textContent;
  span.hidden = true;
  td.appendChild(input);
  input.focus();
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") correctCell(td.dataset.key, input.value);
    if (e.key === "Escape") { input.remove(); span.hidden = false; }
  });
}

async function correctCell(key, value) {
  const v = Number(value);
  if (value === "" || !isFinite(v) || v < 0) { setStatus("单元格的更正值应为非负数。", true); return; }
  setStatus("正在按更正后的表格重新审查……");
  const resp = await fetch("/v1/reviews/" + state.review.id + "/cells", {
    method: "POST", headers: Object.assign({"Content-Type": "application/json"}, headers()),
    body: JSON.stringify({cells: {[key]: v}})});
  const body = await resp.json();
  if (!resp.ok) { setStatus("更正未保存：" + (body.message || resp.status), true); return; }
  show(body, body.feedback || {});
  setStatus("已更正单元格并重新审查，共 " + body.findings.length + " 个问题。");
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
  for (const f of fs.flatMap(spansOf)) {
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
    const over = fs.flatMap(spansOf).filter((f) => f.start <= a && z <= f.end && f.end > f.start);
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
      const st = fb.decision === "accepted" ? "已采纳" : fb.decision === "dismissed" ? "不采纳（不会出现在下载的文件中）" : "";
      const quote = f.quote.length > 50 ? f.quote.slice(0, 50) + "…" : f.quote;
      const listed = (f.evidence && f.evidence.sentences) || [];
      const parts = listed.length > 1 ? "<ol class='parts'>" + listed.map((x, i) => {
        const off = isDismissed(f.id + "." + i);
        return "<li class='part" + (off ? " dismissed" : "") + "' data-part='" + i + "'>" + esc(x.quote.length > 40 ? x.quote.slice(0, 40) + "…" : x.quote) +
          " <button data-act='" + (off ? "undo-part" : "dismiss-part") + "'>" + (off ? "撤销" : "不是套话") + "</button></li>";
      }).join("") + "</ol>" : "";
      html += "<div class='finding sev-" + esc(f.severity) + (fb.decision ? " " + fb.decision : "") + "' id='fd-" + esc(f.id) +
        "' data-f='" + esc(f.id) + "'><div class='meta'>[" + SEVS[f.severity] + "] " + esc(CATS[f.category] || f.category) +
        "<span class='code'>" + esc(f.rule) + "</span></div><div><span class='quote'>“" + esc(quote) + "”</span> " + esc(f.message) + "</div>" +
        (f.suggestions && f.suggestions.length ? "<div>建议：" + esc(f.suggestions.join("；")) + "</div>" : "") + parts +
        "<div class='actions'><button data-act='accepted'>采纳</button><button data-act='dismissed'>不采纳</button>" +
        (fb.decision ? "<button data-act='undo'>撤销</button>" : "") +
        "<span class='state'>" + st + "</span></div>" +
        "<div class='note-row'><textarea class='note' rows='1' maxlength='2000' placeholder='备注（随批注和报告导出）'>" +
        esc(fb.note || "") + "</textarea><button data-act='note'>保存备注</button></div></div>";
    }
    html += "</div>";
  }
  $("findings").innerHTML = html;
}

function render() { renderText(); renderFindings(); }

// decision: "accepted" | "dismissed" | null (undo); part: a listed sentence of a grouped finding.
async function decide(fid, decision, note, part) {
  const payload = {decision: decision};
  if (note !== undefined) payload.note = note;
  else if (part === undefined && state.feedback[fid] && state.feedback[fid].note) payload.note = state.feedback[fid].note;
  if (part !== undefined) payload.sentence = part;
  const resp = await fetch("/v1/reviews/" + state.review.id + "/findings/" + encodeURIComponent(fid), {
    method: "POST", headers: Object.assign({"Content-Type": "application/json"}, headers()),
    body: JSON.stringify(payload)});
  const body = await resp.json();
  if (!resp.ok) { setStatus("反馈未保存：" + (body.message || resp.status), true); return; }
  state.feedback[body.finding_id] = body;
  setStatus(note !== undefined ? "备注已保存。" : decision === "accepted" ? "已采纳该问题。" :
    decision === "dismissed" ? (part !== undefined ? "已将该句标为不是套话。" : "已标记为不采纳，下载的文件中不再包含该问题。") : "已撤销。");
  render();
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
  $("sev-filter").addEventListener("change", (e) => { state.sev = e.target.value; setLinks(); render(); });
  $("table-grids").addEventListener("click", (e) => {
    const td = e.target.closest("td.cell");
    if (td) editCell(td);
  });
  $("history-list").addEventListener("click", (e) => {
    const a = e.target.closest("a[data-id]");
    if (a) { e.preventDefault(); location.hash = "#/reviews/" + a.dataset.id; load(a.dataset.id); }
  });
  loadHistory();
  $("findings").addEventListener("click", (e) => {
    const card = e.target.closest(".finding");
    if (!card) return;
    const act = e.target.dataset && e.target.dataset.act;
    const fid = card.dataset.f, fb = state.feedback[fid] || {};
    if (!act) { if (e.target.tagName !== "TEXTAREA") focusFinding(fid); return; }
    const li = e.target.closest(".part");
    if (act === "accepted" || act === "dismissed") decide(fid, act);
    else if (act === "undo") decide(fid, null);
    else if (act === "note") decide(fid, fb.decision || null, card.querySelector("textarea.note").value);
    else if (act === "dismiss-part") decide(fid, "dismissed", undefined, Number(li.dataset.part));
    else if (act === "undo-part") decide(fid, null, undefined, Number(li.dataset.part));
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
