// Audits pages of a running Lore in headless Chromium (issue 17): for each page, how wide the document is
// (does it scroll sideways?), where the content starts, and axe-core's critical and serious violations. Runs
// against any build, so a branch can be compared with main on the same wiki. Not part of CI; the browser tests
// (`tests/browser/main_pages.rs`) assert the same things on every run.
//
//   node benches/ui_audit.mjs BASE_URL light|dark WIDTH HEIGHT PATH... [--login USER:PASSWORD] [--screenshots DIR]
//
// It starts chromedriver (Debian's chromium-driver) itself and reads axe-core from
// themes/default/vendor/node_modules. Prints one JSON line per page, then the totals.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const option = (name) => {
  const at = args.indexOf(name);
  return at >= 0 ? args.splice(at, 2)[1] : null;
};
const login = option("--login");
const shots = option("--screenshots");
const [base, scheme, width, height, ...paths] = args;
if (!base || !["light", "dark"].includes(scheme) || !paths.length) {
  console.error("usage: node benches/ui_audit.mjs BASE_URL light|dark WIDTH HEIGHT PATH... [--login USER:PASSWORD]");
  process.exit(2);
}
const axe = fs.readFileSync(path.join(root, "themes/default/vendor/node_modules/axe-core/axe.min.js"), "utf8");
const tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];

const port = await new Promise((resolve) => {
  const server = net.createServer().listen(0, "127.0.0.1", () => {
    const { port } = server.address();
    server.close(() => resolve(port));
  });
});
const driver = spawn("/usr/bin/chromedriver", [`--port=${port}`], { stdio: "ignore" });
const driverUrl = `http://127.0.0.1:${port}`;
async function command(method, where, body) {
  const res = await fetch(driverUrl + where, {
    method,
    headers: { "content-type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  const answer = await res.json();
  if (!res.ok) {
    throw new Error(`${method} ${where}: ${JSON.stringify(answer.value).slice(0, 300)}`);
  }
  return answer.value;
}
for (let i = 0; ; i++) {
  try {
    await command("GET", "/status");
    break;
  } catch (err) {
    if (i > 100) throw err;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
const chromeArgs = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars"];
const { sessionId } = await command("POST", "/session", {
  capabilities: { alwaysMatch: { browserName: "chrome", "goog:chromeOptions": { binary: "/usr/bin/chromium", args: chromeArgs } } },
});
const session = (method, where, body) => command(method, `/session/${sessionId}${where}`, body);
const cdp = (cmd, params) => session("POST", "/goog/cdp/execute", { cmd, params });
const run = (script, scriptArgs = []) => session("POST", "/execute/sync", { script, args: scriptArgs });
const mobile = Number(width) < 600;
await session("POST", "/timeouts", { script: 120000 });
await cdp("Emulation.setDeviceMetricsOverride", { width: Number(width), height: Number(height), deviceScaleFactor: 1, mobile });
await cdp("Emulation.setTouchEmulationEnabled", { enabled: mobile });
await cdp("Emulation.setEmulatedMedia", { features: [{ name: "prefers-color-scheme", value: scheme }] });

if (login) {
  const [user, password] = login.split(":");
  await session("POST", "/url", { url: `${base}/-/login` });
  await run(
    "document.getElementById('login-username').value = arguments[0]; \
     document.getElementById('login-password').value = arguments[1]; \
     document.getElementById('login-username').form.submit();",
    [user, password],
  );
  for (let i = 0; i < 100 && (await session("GET", "/url")).includes("/-/login"); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const totals = {};
let nodes = 0;
for (const where of paths) {
  await session("POST", "/url", { url: base + where });
  // Diagrams draw after load; give mermaid its moment.
  for (let i = 0; i < 100; i++) {
    const drawn = await run(
      "return !window.mermaid || Array.from(document.querySelectorAll('.page-body pre.mermaid')).every(function (it) { return it.querySelector('svg'); });",
    );
    if (drawn) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const layout = await run(
    "var main = document.querySelector('main'); var heading = main && main.querySelector('h1'); \
     return { width: document.scrollingElement.scrollWidth, \
              heading_top: heading ? Math.round(heading.getBoundingClientRect().top + scrollY) : null };",
  );
  await run(`${axe}\nreturn true;`);
  const violations = await session("POST", "/execute/async", {
    script:
      "var done = arguments[arguments.length - 1]; \
       axe.run(document, { resultTypes: ['violations'], runOnly: { type: 'tag', values: arguments[0] } }) \
         .then(function (r) { done(r.violations.map(function (v) { return { id: v.id, impact: v.impact, nodes: v.nodes.length }; })); }) \
         .catch(function (e) { done([{ id: 'axe-error: ' + e, impact: 'critical', nodes: 1 }]); });",
    args: [tags],
  });
  const serious = violations.filter((it) => it.impact === "critical" || it.impact === "serious");
  for (const it of serious) {
    totals[it.id] = (totals[it.id] || 0) + it.nodes;
    nodes += it.nodes;
  }
  if (shots) {
    fs.mkdirSync(shots, { recursive: true });
    const name = where.replace(/[^a-z0-9]+/gi, "_").replace(/^_|_$/g, "") || "home";
    const png = await session("GET", "/screenshot");
    fs.writeFileSync(path.join(shots, `${name}-${width}-${scheme}.png`), Buffer.from(png, "base64"));
  }
  console.log(JSON.stringify({ page: where, ...layout, serious: serious.map((it) => `${it.impact} ${it.id} ×${it.nodes}`) }));
}
console.log(JSON.stringify({ scheme, width: Number(width), pages: paths.length, critical_and_serious_nodes: nodes, by_rule: totals }));
await command("DELETE", `/session/${sessionId}`);
driver.kill();
