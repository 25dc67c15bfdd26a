// Renders the minutes N times with docxtemplater + pizzip; prints per-document times (ms) as JSON.
// Usage: node run_docxtemplater.js WORK N OUT
const fs = require("fs");
const PizZip = require("pizzip");
const Docxtemplater = require("docxtemplater");
const [work, n, out] = process.argv.slice(2);
const template = fs.readFileSync(`${work}/template-docxtemplater.docx`);
const data = JSON.parse(fs.readFileSync(`${work}/context.json`, "utf8"));
const times = [];
let last;
for (let i = 0; i < Number(n); i++) {
  const t0 = process.hrtime.bigint();
  const doc = new Docxtemplater(new PizZip(template), { paragraphLoop: true, linebreaks: true });
  doc.render(data);
  last = doc.getZip().generate({ type: "nodebuffer", compression: "DEFLATE" });
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
fs.writeFileSync(out, last);
console.log(JSON.stringify({ times, bytes: last.length }));
