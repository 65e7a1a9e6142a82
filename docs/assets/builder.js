// Bibliography builder: filters the published knowledge base (downloads/evwm.json) in the
// browser. The rules mirror src/evwm/kb/query.py and every file is joined from fragments that
// `evwm` wrote into the dump with the exporters themselves, so a selection gives the same file
// here as `evwm export` does on the command line, byte for byte.
(function () {
  "use strict";
  const root = document.getElementById("evwm-builder");
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  const ticked = (id) => Array.from($(id).querySelectorAll("input:checked")).map((i) => i.value);
  const GROUPS = { node: "f-node", application: "f-app", training: "f-training", venue: "f-venue", tag: "f-tag", base: "f-base" };
  const FILES = {
    bibtex: ["evwm-selection.bib", "application/x-bibtex"], biblatex: ["evwm-selection.bib", "application/x-bibtex"],
    "csl-json": ["evwm-selection.json", "application/json"], ris: ["evwm-selection.ris", "application/x-research-info-systems"],
    markdown: ["evwm-selection.md", "text/markdown"], csv: ["evwm-selection.csv", "text/csv"],
  };
  const CSV_HEADER = "id,name,title,authors,year,venue,venue_full,volume,pages,categories,applications,training,code,arxiv,doi,url,headline_metric,headline_value,headline_unit,headline_baseline,headline_base_model,headline_hardware\n";
  let kb = null;
  let current = [];

  function intOrNull(value) {
    const n = parseInt(value, 10);
    return Number.isFinite(n) ? n : null;
  }

  function filters() {
    return {
      nodes: ticked("f-node"), applications: ticked("f-app"), venues: ticked("f-venue"),
      tags: ticked("f-tag"), training: ticked("f-training"), bases: ticked("f-base"),
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
    if (f.venues.length && !f.venues.map((v) => v.toLowerCase()).includes((e.venue_short || "").toLowerCase())) return false;
    if (f.tags.length && !f.tags.some((t) => (e.tags || []).includes(t))) return false;
    if (f.training.length && !f.training.includes(e.training)) return false;
    if (f.bases.length && !f.bases.some((b) => (e.base_model_families || []).includes(b))) return false;
    if (f.code && !(e.links && e.links.code)) return false;
    if (f.text) {
      const hay = [e.name, e.title || "", e.summary, (e.authors || []).join(" ")].join(" ").toLowerCase();
      if (!f.text.split(/\s+/).every((w) => hay.includes(w))) return false;
    }
    if (f.ids.length && !f.ids.includes(e.id)) return false;
    return true;
  }

  function citedKeys(entries) {
    const keys = new Set();
    entries.forEach((e) => {
      e.cites.forEach((k) => { if (kb.citations[k]) keys.add(k); });
      (e.claims || []).forEach((c) => { if (c.cite && kb.citations[c.cite]) keys.add(c.cite); });
    });
    return Array.from(keys).sort();
  }

  // The exports, in the command line's order: entries by id, citations by key.
  function formatted(format, entries) {
    const byId = entries.slice().sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const keys = citedKeys(byId);
    const cit = (k) => kb.citations[k];
    if (format === "bibtex") return keys.map((k) => cit(k).bibtex).join("\n");
    if (format === "biblatex") return keys.map((k) => cit(k).biblatex).join("\n");
    if (format === "ris") return keys.map((k) => cit(k).ris).join("\n");
    if (format === "csl-json") return JSON.stringify(keys.map((k) => cit(k).csl), null, 2) + "\n";
    if (format === "markdown") return keys.map((k, i) => `${i + 1}. ${cit(k).markdown}`).join("");
    return CSV_HEADER + byId.map((e) => e.csv_row).join("");
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }

  function saveToUrl(f) {
    const params = new URLSearchParams();
    Object.entries(GROUPS).forEach(([name, id]) => ticked(id).forEach((v) => params.append(name, v)));
    if (f.yearFrom !== null) params.set("from", String(f.yearFrom));
    if (f.yearTo !== null) params.set("to", String(f.yearTo));
    if (f.text) params.set("text", $("f-text").value.trim());
    if (f.ids.length) params.set("ids", f.ids.join(","));
    if (f.code) params.set("code", "1");
    const format = $("f-format").value;
    if (format !== "bibtex") params.set("format", format);
    history.replaceState(null, "", params.toString() ? "?" + params.toString() : location.pathname);
  }

  function restoreFromUrl() {
    const params = new URLSearchParams(location.search);
    Object.entries(GROUPS).forEach(([name, id]) => {
      const values = params.getAll(name);
      $(id).querySelectorAll("input").forEach((i) => { i.checked = values.includes(i.value); });
    });
    $("f-from").value = params.get("from") || "";
    $("f-to").value = params.get("to") || "";
    $("f-text").value = params.get("text") || "";
    $("f-ids").value = params.get("ids") || "";
    $("f-code").checked = params.get("code") === "1";
    const format = params.get("format");
    if (format && FILES[format]) $("f-format").value = format;
  }

  function render() {
    const f = filters();
    // Newest first, then by name: the order of every table on the site.
    current = kb.entries.filter((e) => matches(e, f)).sort((a, b) =>
      (b.year || 0) - (a.year || 0) || a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
    $("evwm-count").textContent = String(current.length);
    $("evwm-cites").textContent = String(citedKeys(current).length);
    const base = root.dataset.source.replace(/downloads\/evwm\.json$/, "");
    const rows = current.map((e) =>
      `<tr><td><a href="${base}entries/${encodeURIComponent(e.id)}/">${escapeHtml(e.name)}</a></td>` +
      `<td>${e.year ?? "—"}</td><td>${escapeHtml(e.venue_short ?? "—")}</td><td>${escapeHtml(e.title ?? "")}</td></tr>`);
    $("evwm-results").innerHTML = current.length
      ? `<div class="evwm-scroll"><table><thead><tr><th>Entry</th><th>Year</th><th>Venue</th><th>Title</th></tr></thead><tbody>${rows.join("")}</tbody></table></div>`
      : "<p>No entry matches these filters.</p>";
    saveToUrl(f);
  }

  function download() {
    const format = $("f-format").value;
    const [name, type] = FILES[format];
    const url = URL.createObjectURL(new Blob([formatted(format, current)], { type }));
    const a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  async function copy() {
    const format = $("f-format").value;
    try {
      await navigator.clipboard.writeText(formatted(format, current));
      $("evwm-status").textContent = `${$("f-format").selectedOptions[0].textContent} copied`;
    } catch (err) {
      $("evwm-status").textContent = `copying failed: ${err}`;
    }
  }

  fetch(root.dataset.source)
    .then((r) => { if (!r.ok) throw new Error(r.status); return r.json(); })
    .then((data) => {
      kb = data;
      restoreFromUrl();
      root.querySelectorAll("select, input").forEach((el) => el.addEventListener("input", render));
      $("download").addEventListener("click", download);
      $("copy").addEventListener("click", copy);
      $("reset").addEventListener("click", () => {
        root.querySelectorAll("input").forEach((i) => { if (i.type === "checkbox") i.checked = false; else i.value = ""; });
        $("f-format").value = "bibtex";
        render();
      });
      render();
      root.dataset.ready = "true";
    })
    .catch((err) => { $("evwm-status").textContent = `could not load the knowledge base (${err})`; });
})();
