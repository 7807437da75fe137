// node-x12 `parse()` to objects on an 837 file: bytes per second (median) and peak RSS.
// usage: node node_x12.js FILE.x12 RUNS
'use strict';
const fs = require('fs');
const { X12Parser } = require('node-x12');

const [file, runsArg] = process.argv.slice(2);
const runs = Number(runsArg || 3);
const text = fs.readFileSync(file, 'utf8');
const rates = [];
let segments = 0;
for (let r = 0; r < runs; r++) {
  // CPU time (user + system) as for the other per-core numbers.
  const t = process.cpuUsage();
  const interchange = new X12Parser(true).parse(text);
  const u = process.cpuUsage(t);
  const secs = (u.user + u.system) / 1e6;
  rates.push(text.length / secs);
  // A file of several interchanges parses to a "fat" interchange.
  const all = interchange.interchanges || [interchange];
  segments = all.reduce((n, i) => n + i.functionalGroups.reduce((m, g) => m + g.transactions.length, 0), 0);
}
rates.sort((a, b) => a - b);
console.log(JSON.stringify({
  bytes: text.length,
  transactions: segments,
  bytes_per_sec: rates[Math.floor(rates.length / 2)],
  peak_rss_mib: process.resourceUsage().maxRSS / 1024,
}));
