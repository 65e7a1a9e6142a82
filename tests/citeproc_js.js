// Formats CSL-JSON with citeproc-js, the CSL processor Zotero and Mendeley use:
//   node citeproc_js.js ITEMS.json STYLE.csl LOCALE.xml  ->  the bibliography as plain text
"use strict";
const fs = require("fs");
const CSL = require("citeproc");
const [items, style, locale] = process.argv.slice(2).map((p) => fs.readFileSync(p, "utf8"));
const byId = Object.fromEntries(JSON.parse(items).map((item) => [item.id, item]));
const engine = new CSL.Engine(
  { retrieveLocale: () => locale, retrieveItem: (id) => byId[id] },
  style,
);
engine.setOutputFormat("text");
engine.updateItems(Object.keys(byId));
const [, entries] = engine.makeBibliography();
process.stdout.write(entries.join(""));
