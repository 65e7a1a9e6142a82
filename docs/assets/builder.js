// Bibliography builder: filters the published knowledge base (downloads/evwm.json) in the
// browser. The rules mirror src/evwm/export/select.py and the output mirrors
// `evwm export --format bibtex|csl-json`, so a selection gives the same file either way.
(function () {
  "use strict";
  const root = document.getElementById("evwm-builder");
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  const chosen = (id) => Array.from($(id).selectedOptions).map((o) => o.value);
  let kb = null;
  let current = [];

  function intOrNull(value) {
    const n = parseInt(value, 10);
    return Number.isFinite(n) ? n : null;
  }

  function filters() {
    return {
      nodes: chosen("f-node"), applications: chosen("f-app"), venues: chosen("f-venue"),
      tags: chosen("f-tag"), training: chosen("f-training"),
      yearFrom: intOrNull($("f-from").value), yearTo: intOrNull($("f-to").value),
      code: $("f-code").checked, text: $("f-text").value.trim().toLowerCase(),
      ids: $("f-ids").value.split(",").map((s) => s.trim()).filter(Boolean),
    };
  }

  function matches(e, f) {
    const nodes = new Set(e.nodes);
    if (f.nodes.length && !f.nodes.some((n) => nodes.has(n))) return false;
    if (f.applications.length && !f.applications.some((a) => nodes.has("applications/" + a))) return false;
    if ((f.yearFrom !== null || f.yearTo !== null) && (e.year === null || e.year === undefined)) return false;
    if (f.yearFrom !== null && e.year < f.yearFrom) return false;
    if (f.yearTo !== null && e.year > f.yearTo) return false;
    if (f.venues.length && !f.venues.map((v) => v.toLowerCase()).includes((e.venue || "").toLowerCase())) return false;
    if (f.tags.length && !f.tags.some((t) => (e.tags || []).includes(t))) return false;
    if (f.training.length && !f.training.includes(e.training)) return false;
    if (f.code && !(e.links && e.links.code)) return false;
    if (f.text) {
      const hay = [e.name, e.title || "", e.summary].join(" ").toLowerCase();
      if (!f.text.split(/\s+/).every((w) => hay.includes(w))) return false;
    }
    if (f.ids.length && !f.ids.includes(e.id)) return false;
    return true;
  }

  function citedKeys(entries) {
    const keys = new Set();
    entries.forEach((e) => e.cites.forEach((k) => { if (kb.citations[k]) keys.add(k); }));
    return Array.from(keys).sort();
  }

  function bibtex(entries) {
    return citedKeys(entries).map((k) => kb.citations[k].bibtex).join("\n");
  }

  function csl(entries) {
    return JSON.stringify(citedKeys(entries).map((k) => kb.citations[k].csl), null, 2) + "\n";
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }

  function render() {
    const f = filters();
    current = kb.entries.filter((e) => matches(e, f));
    $("evwm-count").textContent = String(current.length);
    $("evwm-cites").textContent = String(citedKeys(current).length);
    const base = root.dataset.source.replace(/downloads\/evwm\.json$/, "");
    const rows = current.map((e) =>
      `<tr><td><a href="${base}entries/${encodeURIComponent(e.id)}/">${escapeHtml(e.name)}</a></td>` +
      `<td>${e.year ?? "—"}</td><td>${escapeHtml(e.venue ?? "—")}</td><td>${escapeHtml(e.title ?? "")}</td></tr>`);
    $("evwm-results").innerHTML = current.length
      ? `<table><thead><tr><th>Entry</th><th>Year</th><th>Venue</th><th>Title</th></tr></thead><tbody>${rows.join("")}</tbody></table>`
      : "<p>No entry matches these filters.</p>";
    const params = new URLSearchParams();
    f.nodes.forEach((n) => params.append("node", n));
    f.applications.forEach((a) => params.append("application", a));
    history.replaceState(null, "", params.toString() ? "?" + params.toString() : location.pathname);
  }

  function download(name, text, type) {
    const url = URL.createObjectURL(new Blob([text], { type }));
    const a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  async function copy(text, what) {
    try {
      await navigator.clipboard.writeText(text);
      $("evwm-status").textContent = `${what} copied`;
    } catch (err) {
      $("evwm-status").textContent = `copying failed: ${err}`;
    }
  }

  function preselect() {
    const params = new URLSearchParams(location.search);
    const pick = (id, values) => Array.from($(id).options).forEach((o) => { o.selected = values.includes(o.value); });
    pick("f-node", params.getAll("node"));
    pick("f-app", params.getAll("application"));
  }

  fetch(root.dataset.source)
    .then((r) => { if (!r.ok) throw new Error(r.status); return r.json(); })
    .then((data) => {
      kb = data;
      preselect();
      root.querySelectorAll("select, input").forEach((el) => el.addEventListener("input", render));
      $("dl-bibtex").addEventListener("click", () => download("evwm-selection.bib", bibtex(current), "application/x-bibtex"));
      $("dl-csl").addEventListener("click", () => download("evwm-selection.json", csl(current), "application/json"));
      $("cp-bibtex").addEventListener("click", () => copy(bibtex(current), "BibTeX"));
      $("cp-csl").addEventListener("click", () => copy(csl(current), "CSL-JSON"));
      $("reset").addEventListener("click", () => {
        root.querySelectorAll("select").forEach((s) => Array.from(s.options).forEach((o) => { o.selected = false; }));
        root.querySelectorAll("input").forEach((i) => { if (i.type === "checkbox") i.checked = false; else i.value = ""; });
        render();
      });
      render();
      root.dataset.ready = "true";
    })
    .catch((err) => { $("evwm-status").textContent = `could not load the knowledge base (${err})`; });
})();
