// Builds static/build/ from node_modules: the compiled stylesheet, and the scripts and
// images the pages load. Nothing is fetched from a CDN at run time.
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "static", "build");
const modules = join(root, "node_modules");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const css = sass.compile(join(root, "assets", "scss", "app.scss"), {
  loadPaths: [root],
  style: "compressed",
  quietDeps: true,
  // MOJ Frontend still calls mixins GOV.UK Frontend has deprecated; errors still throw.
  logger: sass.Logger.silent,
});
mkdirSync(join(out, "css"));
writeFileSync(join(out, "css", "app.css"), css.css);

const copies = {
  "govuk-frontend/dist/govuk/all.bundle.js": "govuk/govuk-frontend.bundle.js",
  "govuk-frontend/dist/govuk/assets/images": "assets/images",
  "govuk-frontend/dist/govuk/assets/manifest.json": "assets/manifest.json",
  "@ministryofjustice/frontend/moj/all.bundle.js": "moj/moj-frontend.bundle.js",
  "@ministryofjustice/frontend/moj/assets/images": "assets/images",
  "htmx.org/dist/htmx.min.js": "htmx/htmx.min.js",
  // Type-ahead where a person is picked (GOV.UK's accessible autocomplete, on a <select>).
  "accessible-autocomplete/dist/accessible-autocomplete.min.js":
    "autocomplete/accessible-autocomplete.min.js",
  "accessible-autocomplete/dist/accessible-autocomplete.min.css":
    "autocomplete/accessible-autocomplete.min.css",
  "leaflet/dist/leaflet.js": "leaflet/leaflet.js",
  "leaflet/dist/leaflet.css": "leaflet/leaflet.css",
  "leaflet/dist/images": "leaflet/images",
  "axe-core/axe.min.js": "axe/axe.min.js",
};
for (const [from, to] of Object.entries(copies)) {
  cpSync(join(modules, from), join(out, to), { recursive: true });
}
// The packages' bundles name source maps that are not shipped; the manifest storage of
// collectstatic (production) fails on a reference to a missing file, so drop the comment.
const sourceMap = /^\/[/*][#@] sourceMappingURL=.*$/gm;
for (const entry of readdirSync(out, { recursive: true })) {
  const path = join(out, entry);
  if (/\.(js|css)$/.test(entry)) {
    const text = readFileSync(path, "utf8");
    if (sourceMap.test(text)) writeFileSync(path, text.replace(sourceMap, ""));
    sourceMap.lastIndex = 0;
  }
}
console.log(`built ${out}`);
