'use strict'
// Shared fixtures: the binding, every shared vector (globbed at run time) and the example claims.
const fs = require('node:fs')
const path = require('node:path')

const ROOT = path.resolve(__dirname, '..', '..', '..')
const VECTORS_DIR = path.join(ROOT, 'tests', 'vectors')
const EXAMPLES_DIR = path.join(ROOT, 'examples', 'claims')

const binding = require('..')

function loadVectors() {
  return fs
    .readdirSync(VECTORS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ file: f, ...JSON.parse(fs.readFileSync(path.join(VECTORS_DIR, f), 'utf8')) }))
}

function loadExamples() {
  return fs
    .readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ file: f, text: fs.readFileSync(path.join(EXAMPLES_DIR, f), 'utf8') }))
}

/** The sorted, distinct rule ids of a report: what the vectors' `expect` lists. */
function ruleIds(report) {
  return [...new Set(report.findings.map((f) => f.rule))].sort()
}

/** The raw addon, for the panic test hooks the loader does not re-export. */
function nativeAddon() {
  const dir = path.resolve(__dirname, '..')
  const file = fs.readdirSync(dir).find((f) => f.endsWith('.node'))
  return require(path.join(dir, file))
}

module.exports = { ROOT, binding, loadVectors, loadExamples, ruleIds, nativeAddon }
