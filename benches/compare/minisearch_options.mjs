// MiniSearch's settings for the comparisons (minisearch_eval.mjs,
// wasm_vs_minisearch.mjs): stock, plus the search options its README
// suggests for a search box: fuzzy 0.2, prefix, OR, field boosts.

export const OPTIONS = {
  idField: 'key',
  fields: ['title', 'questions', 'keywords', 'body'],
  storeFields: ['key'],
  searchOptions: {
    boost: { title: 3, questions: 2.5, keywords: 2 },
    fuzzy: 0.2,
    prefix: true,
    combineWith: 'OR'
  }
}
