'use strict'
// Throughput of each entry point on the example claims: `node bench.js [seconds-per-case]`.
// Not part of the test suite; numbers depend on the machine (cores, contention).
const fs = require('node:fs')
const path = require('node:path')
const { Engine } = require('.')

const dir = path.join(__dirname, '..', '..', 'examples', 'claims')
const texts = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
const objects = texts.map((t) => JSON.parse(t))
const lineTexts = objects.map((o) => JSON.stringify(o))
const engine = new Engine({ asOf: '2026-11-30' })
const SECONDS = Number(process.argv[2] || 2)

async function measure(name, claimsPerCall, fn) {
  for (let i = 0; i < 20; i++) await fn(i)
  let calls = 0
  const cpu0 = process.cpuUsage()
  const start = process.hrtime.bigint()
  const end = start + BigInt(Math.round(SECONDS * 1e9))
  while (process.hrtime.bigint() < end) await fn(calls++)
  const s = Number(process.hrtime.bigint() - start) / 1e9
  const cpu = process.cpuUsage(cpu0)
  const cpuS = (cpu.user + cpu.system) / 1e6
  const fmt = (x) => Math.round(x).toLocaleString('en-US').padStart(10)
  // Per CPU-second too: on a shared machine wall time mostly measures the neighbours.
  console.log(`${name.padEnd(44)} ${fmt((calls * claimsPerCall) / s)} checks/s wall ${fmt((calls * claimsPerCall) / cpuS)} checks/CPU-s`)
}

;(async () => {
  const N = 1000
  const batchObjects = Array.from({ length: N }, (_, i) => objects[i % objects.length])
  const batchLines = Array.from({ length: N }, (_, i) => lineTexts[i % lineTexts.length]).join('\n')
  console.log(`node ${process.version}, ${require('node:os').availableParallelism()} cores, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE || 4}`)
  await measure('check(object), one at a time', 1, (i) => engine.check(objects[i % objects.length]))
  await measure('check(JSON text), one at a time', 1, (i) => engine.check(texts[i % texts.length]))
  await measure(`checkMany(${N} objects)`, N, () => engine.checkMany(batchObjects))
  await measure(`checkJson(${N} JSON lines)`, N, () => engine.checkJson(batchLines))
  await measure('checkAsync(object), one awaited at a time', 1, (i) => engine.checkAsync(objects[i % objects.length]))
  await measure(`checkAsync(object) x ${N} concurrent`, N, () => Promise.all(batchObjects.map((c) => engine.checkAsync(c))))
  await measure(`checkManyAsync(${N} objects)`, N, () => engine.checkManyAsync(batchObjects))
  await measure(`checkJsonAsync(${N} JSON lines)`, N, () => engine.checkJsonAsync(batchLines))
})()
