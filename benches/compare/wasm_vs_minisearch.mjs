#!/usr/bin/env node
// civic311's wasm engine and MiniSearch in the same Node process, over the
// same Riverton documents, with the 268 golden questions: latency of the
// search call and hit@3.
//
//   bash bindings-wasm/build.sh                         # the wasm package and demo/riverton.c311
//   benches/compare/setup.sh                            # minisearch (and docs.py's Python)
//   python3 benches/compare/docs.py target/compare/docs.json
//   node benches/compare/wasm_vs_minisearch.mjs target/compare/docs.json [--runs 200]
//
// civic311 searches the bundle of kb-fixtures/riverton (articles, services,
// facilities; snippets and hours included); MiniSearch indexes docs.py's
// documents of the same catalog, with minisearch_options.mjs. Each question
// is searched once to warm up, then `runs` times in a row (as the native
// latency bench does); MiniSearch, a thousand times slower per query, gets
// runs/10. It also prints the size of the package's .wasm: raw, gzip -9
// and brotli at quality 11 (what a server would send).

import { readFileSync } from 'node:fs'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import MiniSearch from 'minisearch'

import { Engine } from '../../bindings-wasm/js/index.js'
import { OPTIONS } from './minisearch_options.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const repo = join(here, '..', '..')
const args = process.argv.slice(2)
const runsAt = args.indexOf('--runs')
const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 200
if (args.length !== 1 || !(runs > 0)) {
  console.error('usage: node wasm_vs_minisearch.mjs DOCS.json [--runs N]')
  process.exit(2)
}

const questions = readFileSync(join(repo, 'eval/riverton/questions.jsonl'), 'utf8')
  .split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l))
const docs = JSON.parse(readFileSync(args[0], 'utf8'))

let t0 = performance.now()
const engine = await Engine.fromBundle(readFileSync(join(repo, 'bindings-wasm/demo/riverton.c311')))
const civicLoadMs = performance.now() - t0
t0 = performance.now()
const mini = new MiniSearch(OPTIONS)
mini.addAll(docs)
const miniBuildMs = performance.now() - t0

const engines = {
  civic311: (q) => engine.search(q, { limit: 5 }).map((a) => `${a.kind}:${a.id}`),
  MiniSearch: (q) => mini.search(q).slice(0, 5).map((h) => h.id)
}

function percentile (sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]
}

const report = {}
for (const [name, search] of Object.entries(engines)) {
  const n = name === 'civic311' ? runs : Math.max(1, Math.round(runs / 10))
  const times = []
  let hits = 0
  for (const q of questions) {
    const top = search(q.query)
    if (q.expected.some((e) => top.slice(0, 3).includes(e))) hits++
    for (let i = 0; i < n; i++) {
      const s = performance.now()
      search(q.query)
      times.push(performance.now() - s)
    }
  }
  times.sort((a, b) => a - b)
  report[name] = {
    runs_per_question: n,
    p50_us: percentile(times, 0.5) * 1000,
    p90_us: percentile(times, 0.9) * 1000,
    p99_us: percentile(times, 0.99) * 1000,
    hit3: hits / questions.length
  }
}

const wasm = readFileSync(join(repo, 'bindings-wasm/pkg/civic311_wasm_bg.wasm'))
const size = {
  raw: wasm.length,
  gzip: gzipSync(wasm, { level: 9 }).length,
  brotli: brotliCompressSync(wasm, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length
}
console.log(`civic311_wasm_bg.wasm: ${size.raw} bytes raw, ${size.gzip} gzip -9, ${size.brotli} brotli 11`)

const us = (v) => (v >= 1000 ? `${(v / 1000).toFixed(2)} ms` : `${v.toFixed(1)} µs`)
console.log(`Node ${process.version}; ${questions.length} golden questions; civic311 bundle loaded in ${civicLoadMs.toFixed(1)} ms, MiniSearch indexed ${docs.length} documents in ${miniBuildMs.toFixed(1)} ms`)
console.log('| engine | p50 | p90 | p99 | hit@3 |')
console.log('|---|---|---|---|---|')
for (const [name, r] of Object.entries(report)) {
  console.log(`| ${name} (each question ${r.runs_per_question}x) | ${us(r.p50_us)} | ${us(r.p90_us)} | ${us(r.p99_us)} | ${(r.hit3 * 100).toFixed(1)}% |`)
}
console.log(JSON.stringify({ node: process.version, wasm_bytes: size, civic311_load_ms: civicLoadMs, minisearch_build_ms: miniBuildMs, ...report }))
