#!/usr/bin/env node
// MiniSearch side of benches/compare/search_quality.py.
//
// Usage: node minisearch_eval.mjs DOCS.json QUESTIONS.jsonl [--limit N]
//
// DOCS.json is the output of docs.py (a JSON array of documents with key,
// title, questions, keywords, body). QUESTIONS.jsonl has one JSON object per
// line with at least "query"; blank lines and lines that are not JSON (a
// file still being written) are skipped with a note on stderr.
//
// Prints one JSON line per question, in order:
//   {"query": "...", "ids": ["article:...", ...], "ms": 0.123}
// where ms is the time of the search call alone (process.hrtime), and last a
// line {"meta": {...}} with the MiniSearch version and the index build time.
//
// Settings are MiniSearch's stock ones plus the search options its README
// suggests for a search box: fuzzy 0.2, prefix, OR, field boosts.

import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import MiniSearch from 'minisearch'

import { OPTIONS } from './minisearch_options.mjs'

const args = process.argv.slice(2)
let limit = 5
const files = []
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--limit') {
    limit = Number(args[++i])
  } else {
    files.push(args[i])
  }
}
if (files.length !== 2 || !(limit > 0)) {
  console.error('usage: node minisearch_eval.mjs DOCS.json QUESTIONS.jsonl [--limit N]')
  process.exit(2)
}
const [docsPath, questionsPath] = files

const docs = JSON.parse(readFileSync(docsPath, 'utf8'))
const questions = []
readFileSync(questionsPath, 'utf8').split('\n').forEach((line, i) => {
  if (!line.trim()) return
  try {
    const q = JSON.parse(line)
    if (typeof q.query !== 'string') throw new Error('no "query" string')
    questions.push(q)
  } catch (e) {
    console.error(`minisearch_eval: ${questionsPath}:${i + 1}: skipped (${e.message})`)
  }
})

const t0 = process.hrtime.bigint()
const index = new MiniSearch(OPTIONS)
index.addAll(docs)
const buildMs = Number(process.hrtime.bigint() - t0) / 1e6

const out = []
for (const q of questions) {
  const start = process.hrtime.bigint()
  const hits = index.search(q.query)
  const ids = hits.slice(0, limit).map((h) => h.id)
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  out.push(JSON.stringify({ query: q.query, ids, ms }))
}

const require = createRequire(import.meta.url)
let version = 'unknown'
try {
  version = require('minisearch/package.json').version
} catch {
  // package.json not exported: fall back to reading it from node_modules
  try {
    const main = require.resolve('minisearch')
    const pkg = main.slice(0, main.lastIndexOf('node_modules/minisearch/') + 'node_modules/minisearch/'.length) + 'package.json'
    version = JSON.parse(readFileSync(pkg, 'utf8')).version
  } catch {}
}
out.push(JSON.stringify({
  meta: {
    engine: 'minisearch',
    version,
    node: process.version,
    documents: docs.length,
    questions: questions.length,
    index_build_ms: buildMs,
    options: OPTIONS
  }
}))
process.stdout.write(out.join('\n') + '\n')
