'use strict'
// The addon loads in several worker threads at once, each with its own engines, and gives the
// same reports as the main thread.
const test = require('node:test')
const assert = require('node:assert/strict')
const { Worker } = require('node:worker_threads')
const { binding, loadVectors } = require('./helpers')

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const { Engine } = require(workerData.binding)
;(async () => {
  const out = []
  for (let round = 0; round < workerData.rounds; round++) {
    for (const v of workerData.vectors) {
      const engine = new Engine({ asOf: v.as_of })
      out.push(round % 2 ? await engine.checkAsync(v.claim) : engine.check(v.claim))
    }
  }
  parentPort.postMessage(out)
})().catch((e) => { throw e })
`

function runWorker(vectors, rounds) {
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER, {
      eval: true,
      workerData: { binding: require.resolve('..'), vectors, rounds },
    })
    let result
    w.once('message', (m) => (result = m))
    w.once('error', reject)
    w.once('exit', (code) => (code === 0 ? resolve(result) : reject(new Error(`worker exited with ${code}`))))
  })
}

test('four workers checking every vector agree with the main thread', async () => {
  const vectors = loadVectors().filter((v) => !v.profile)
  const rounds = 4
  const single = []
  for (let round = 0; round < rounds; round++) {
    for (const v of vectors) single.push(new binding.Engine({ asOf: v.as_of }).check(v.claim))
  }
  const results = await Promise.all([1, 2, 3, 4].map(() => runWorker(vectors, rounds)))
  for (const r of results) assert.deepEqual(r, single)
})

test('workers can start and stop repeatedly while the main thread keeps checking', async () => {
  const vectors = loadVectors().filter((v) => !v.profile).slice(0, 3)
  const engine = new binding.Engine({ asOf: vectors[0].as_of })
  for (let i = 0; i < 3; i++) {
    const pending = runWorker(vectors, 1)
    const mine = await engine.checkManyAsync(vectors.map((v) => v.claim))
    assert.equal(mine.length, vectors.length)
    assert.equal((await pending).length, vectors.length)
  }
})
