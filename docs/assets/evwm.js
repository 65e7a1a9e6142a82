/* evwm's small script: sortable, filterable comparison tables and copy buttons.
 * Progressive enhancement only: every table is complete HTML and every reference is on the
 * page as text without it. No dependencies, nothing fetched. */
(function () {
  "use strict";

  function cellValue(cell) {
    return cell.getAttribute("data-value") !== null ? cell.getAttribute("data-value") : cell.textContent.trim();
  }

  function sortKey(cell, numeric) {
    if (!numeric) return cell.textContent.trim().toLowerCase();
    var raw = cell.getAttribute("data-sort");
    var n = raw === null || raw === "" ? NaN : parseFloat(raw);
    return isNaN(n) ? null : n;
  }

  function setupTable(box) {
    var table = box.querySelector("table");
    var body = table.tBodies[0];
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var rows = Array.prototype.slice.call(body.rows);
    var filters = [];
    var status = document.createElement("p");
    status.className = "evwm-compare-status";
    status.setAttribute("role", "status");

    function apply() {
      var shown = 0;
      rows.forEach(function (row) {
        var ok = filters.every(function (f) {
          return !f.select.value || cellValue(row.cells[f.column]) === f.select.value;
        });
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      status.textContent = shown === rows.length ? rows.length + (rows.length === 1 ? " row" : " rows")
        : shown + " of " + rows.length + " rows shown";
    }

    heads.forEach(function (th, column) {
      var numeric = th.getAttribute("data-type") === "number";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "evwm-sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var keyed = rows.map(function (row, i) { return [sortKey(row.cells[column], numeric), i, row]; });
        keyed.sort(function (a, b) {
          // rows without a number stay at the end whichever way the column is sorted
          if (a[0] === null || b[0] === null) return a[0] === b[0] ? a[1] - b[1] : a[0] === null ? 1 : -1;
          var c = a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1];
          return ascending ? c : -c;
        });
        keyed.forEach(function (k) { body.appendChild(k[2]); });
      });
      var label = th.getAttribute("data-filter");
      if (!label) return;
      var values = {};
      rows.forEach(function (row) {
        var v = cellValue(row.cells[column]);
        if (v) values[v] = true;
      });
      var names = Object.keys(values).sort(function (a, b) {
        return numeric ? parseFloat(b) - parseFloat(a) : a.localeCompare(b);
      });
      if (names.length < 2) return;
      var select = document.createElement("select");
      select.setAttribute("data-column", String(column));
      var all = document.createElement("option");
      all.value = "";
      all.textContent = "all";
      select.appendChild(all);
      names.forEach(function (name) {
        var option = document.createElement("option");
        option.value = name;
        option.textContent = name;
        select.appendChild(option);
      });
      select.addEventListener("change", apply);
      filters.push({ column: column, select: select, label: label });
    });

    if (filters.length) {
      var bar = document.createElement("div");
      bar.className = "evwm-compare-filters";
      filters.forEach(function (f, i) {
        var id = box.id + "-filter-" + i;
        var wrap = document.createElement("span");
        var label = document.createElement("label");
        label.setAttribute("for", id);
        label.textContent = f.label;
        f.select.id = id;
        wrap.appendChild(label);
        wrap.appendChild(f.select);
        bar.appendChild(wrap);
      });
      var reset = document.createElement("button");
      reset.type = "button";
      reset.className = "md-button evwm-reset";
      reset.textContent = "Show all";
      reset.addEventListener("click", function () {
        filters.forEach(function (f) { f.select.value = ""; });
        apply();
      });
      bar.appendChild(reset);
      box.insertBefore(bar, box.firstChild);
    }
    box.insertBefore(status, box.querySelector(".evwm-scroll"));
    apply();
    box.setAttribute("data-ready", "true");
  }

  function setupCopy(button) {
    button.addEventListener("click", function () {
      var text = button.getAttribute("data-copy-text") || "";
      var box = button.closest(".evwm-cite");
      var status = box ? box.querySelector(".evwm-copy-status") : null;
      var done = function (message) { if (status) status.textContent = message; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(
          function () { done("Reference copied."); },
          function () { done("Copying was refused: select the reference and copy it by hand."); }
        );
      } else {
        done("This browser cannot copy from a page: select the reference and copy it by hand.");
      }
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-evwm-compare]"), function (box) {
      if (!box.getAttribute("data-ready")) setupTable(box);
    });
    Array.prototype.forEach.call(document.querySelectorAll("button[data-copy-text]"), setupCopy);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
