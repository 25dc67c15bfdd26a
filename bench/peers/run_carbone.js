// Renders the minutes N times with Carbone, to DOCX (or with --pdf, to PDF through its
// LibreOffice converter); prints per-document times (ms) as JSON.
// Usage: node run_carbone.js WORK N OUT [--pdf]
const fs = require("fs");
const carbone = require("carbone");
const [work, n, out, pdf] = process.argv.slice(2);
const data = JSON.parse(fs.readFileSync(`${work}/context.json`, "utf8"));
const template = `${work}/template-carbone.docx`;
const options = pdf ? { convertTo: "pdf" } : {};
const render = () =>
  new Promise((resolve, reject) =>
    carbone.render(template, data, options, (err, result) => (err ? reject(err) : resolve(result)))
  );
(async () => {
  const times = [];
  let last;
  for (let i = 0; i < Number(n); i++) {
    const t0 = process.hrtime.bigint();
    last = await render();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  fs.writeFileSync(out, last);
  console.log(JSON.stringify({ times, bytes: last.length }));
  process.exit(0);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
