// Row browser of report.html: filters and paging over the JSON in #row-data.
// Data is untrusted (LLM output): it is only ever written with textContent, never HTML.
(function () {
  "use strict";
  const PAGE = 100;
  const rows = JSON.parse(document.getElementById("row-data").textContent);
  const box = document.getElementById("rows");
  const count = document.getElementById("row-count");
  const more = document.getElementById("more");
  const filters = {
    status: document.getElementById("f-status"),
    code: document.getElementById("f-code"),
    style: document.getElementById("f-style"),
    function: document.getElementById("f-function"),
  };
  const text = document.getElementById("f-text");
  let shown = PAGE;

  function values(key) {
    const seen = new Set();
    for (const r of rows) {
      if (key === "function") (r.functions || []).forEach((f) => seen.add(f));
      else if (r[key]) seen.add(r[key]);
    }
    return Array.from(seen).sort();
  }
  for (const [key, select] of Object.entries(filters)) {
    for (const v of values(key)) {
      const opt = document.createElement("option");
      opt.value = v;
      opt.textContent = v;
      select.appendChild(opt);
    }
  }

  function matches(r) {
    const f = filters;
    if (f.status.value && r.status !== f.status.value) return false;
    if (f.code.value && r.code !== f.code.value) return false;
    if (f.style.value && r.style !== f.style.value) return false;
    if (f.function.value && !(r.functions || []).includes(f.function.value)) return false;
    const t = text.value.trim().toLowerCase();
    return !t || (r.query || "").toLowerCase().includes(t);
  }

  function el(tag, cls, content) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (content !== undefined) e.textContent = content;
    return e;
  }

  function card(r) {
    const ok = r.status === "exported" || r.status === "unexported";
    const div = el("div", "row " + (ok ? r.status : "rejected"));
    div.dataset.id = r.id;
    div.appendChild(
      el("div", "head", `${r.status}${r.code ? " · " + r.code : ""} · ${r.style} · task ${r.task} · ${r.generator} · ${r.id}`)
    );
    div.appendChild(el("div", "query", r.query || ""));
    (r.calls || []).forEach((c, i) => {
      div.appendChild(el("pre", "call", `${c.name}(${JSON.stringify(c.arguments || {})})`));
      if (r.results && r.results[i] !== undefined) div.appendChild(el("pre", "result", "→ " + r.results[i]));
    });
    if (r.thought) div.appendChild(el("div", "thought", "judge: " + r.thought));
    if (r.reason) div.appendChild(el("div", "reason", "dropped: " + r.reason));
    return div;
  }

  function render() {
    const hits = rows.filter(matches);
    box.replaceChildren(...hits.slice(0, shown).map(card));
    count.textContent = `${hits.length} of ${rows.length} rows match; showing ${Math.min(shown, hits.length)}`;
    more.hidden = hits.length <= shown;
  }

  for (const select of Object.values(filters)) select.addEventListener("change", () => { shown = PAGE; render(); });
  text.addEventListener("input", () => { shown = PAGE; render(); });
  more.addEventListener("click", () => { shown += PAGE; render(); });
  render();
})();
