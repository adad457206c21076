//! The words of an index, for correcting residents' misspellings.
//!
//! A symmetric-deletion index (the SymSpell idea): every stem is stored under
//! each string that one or two deletions make of it, so a misspelt stem finds
//! its candidates by looking up its own deletions, with no scan of the
//! vocabulary. Candidates are then checked with the optimal-string-alignment
//! distance, where swapping two neighbouring letters is one edit.

use std::collections::HashMap;

/// Stems of at least this many characters may be corrected at distance 1.
const MIN_LEN_DISTANCE_1: usize = 4;
/// Stems of at least this many characters may be corrected at distance 2.
const MIN_LEN_DISTANCE_2: usize = 7;

/// The stems of one language's fields, with how many documents hold each.
#[derive(Debug, Default, Clone)]
pub(crate) struct Vocabulary {
    stems: Vec<String>,
    doc_freq: Vec<u32>,
    ids: HashMap<String, u32>,
    deletions: HashMap<u64, Vec<u32>>,
}

/// A known stem close to a misspelt one.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Correction {
    pub stem: String,
    pub distance: u8,
}

fn max_distance(len: usize) -> u8 {
    if len >= MIN_LEN_DISTANCE_2 {
        2
    } else if len >= MIN_LEN_DISTANCE_1 {
        1
    } else {
        0
    }
}

fn hash(s: &[char]) -> u64 {
    // Note: FNV-1a over the chars: deletions are looked up by hash only, and
    // every candidate is verified by distance, so a collision costs a check,
    // never a wrong answer.
    let mut h: u64 = 0xcbf29ce484222325;
    for c in s {
        h ^= *c as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// Calls `f` with every distinct string made by deleting up to `depth` chars.
fn deletions(word: &[char], depth: u8, f: &mut impl FnMut(&[char])) {
    let mut seen = std::collections::HashSet::new();
    let mut frontier = vec![word.to_vec()];
    for _ in 0..depth {
        let mut next = Vec::new();
        for w in &frontier {
            for i in 0..w.len() {
                let mut d = w.clone();
                d.remove(i);
                if seen.insert(d.clone()) {
                    f(&d);
                    next.push(d);
                }
            }
        }
        frontier = next;
    }
}

impl Vocabulary {
    /// Builds the vocabulary from stems with their document frequencies.
    pub(crate) fn new(stems: impl IntoIterator<Item = (String, u32)>) -> Vocabulary {
        let mut v = Vocabulary::default();
        for (stem, df) in stems {
            if v.ids.contains_key(&stem) {
                continue;
            }
            let id = v.stems.len() as u32;
            let chars: Vec<char> = stem.chars().collect();
            let depth = max_distance(chars.len());
            // A stem is also stored under itself, so that an extra letter in
            // the misspelling (a deletion of the query) finds it.
            v.deletions.entry(hash(&chars)).or_default().push(id);
            deletions(&chars, depth, &mut |d| v.deletions.entry(hash(d)).or_default().push(id));
            v.ids.insert(stem.clone(), id);
            v.stems.push(stem);
            v.doc_freq.push(df);
        }
        for ids in v.deletions.values_mut() {
            ids.sort_unstable();
            ids.dedup();
        }
        v
    }

    pub(crate) fn contains(&self, stem: &str) -> bool {
        self.ids.contains_key(stem)
    }

    /// How many answers hold the stem (0 when none does).
    pub(crate) fn doc_freq(&self, stem: &str) -> u32 {
        self.ids.get(stem).map(|&id| self.doc_freq[id as usize]).unwrap_or(0)
    }

    /// The known stems nearest to an unknown one (all at the smallest
    /// distance found), most frequent first, at most `limit`.
    pub(crate) fn corrections(&self, stem: &str, limit: usize) -> Vec<Correction> {
        let chars: Vec<char> = stem.chars().collect();
        let max = max_distance(chars.len());
        if max == 0 || self.contains(stem) {
            return Vec::new();
        }
        let mut candidates: Vec<u32> = Vec::new();
        let mut look = |d: &[char]| {
            if let Some(ids) = self.deletions.get(&hash(d)) {
                candidates.extend_from_slice(ids);
            }
        };
        look(&chars);
        deletions(&chars, max, &mut look);
        candidates.sort_unstable();
        candidates.dedup();
        let mut found: Vec<(u8, u32)> = Vec::new();
        for id in candidates {
            let known: Vec<char> = self.stems[id as usize].chars().collect();
            // Note: a stem may be shorter than the word typed ("hazardus" is
            // two edits from "hazard"), so the typed word's allowance counts;
            // only very short stems are held to one edit, or every long typo
            // would find some three-letter word.
            let allowed = if known.len() >= 5 { max } else { max.min(1) };
            if let Some(d) = osa_distance(&chars, &known, allowed) {
                found.push((d, id));
            }
        }
        let Some(best) = found.iter().map(|(d, _)| *d).min() else { return Vec::new() };
        found.retain(|(d, _)| *d == best);
        // Note: among equally distant words, the one sharing the longer
        // beginning wins (residents rarely misspell the first letters:
        // "potol" is "pothol", not "pool"), then the one sharing more
        // letter pairs, then the more frequent.
        let rank = |id: u32| {
            let known: Vec<char> = self.stems[id as usize].chars().collect();
            let prefix = chars.iter().zip(&known).take_while(|(a, b)| a == b).count();
            (prefix, shared_bigrams(&chars, &known), self.doc_freq[id as usize])
        };
        found.sort_by(|a, b| rank(b.1).cmp(&rank(a.1)).then(a.1.cmp(&b.1)));
        found
            .into_iter()
            .take(limit)
            .map(|(distance, id)| Correction { stem: self.stems[id as usize].clone(), distance })
            .collect()
    }
}

/// How many letter pairs two words share.
fn shared_bigrams(a: &[char], b: &[char]) -> usize {
    let pairs = |w: &[char]| w.windows(2).map(|p| (p[0], p[1])).collect::<std::collections::HashSet<_>>();
    pairs(a).intersection(&pairs(b)).count()
}

/// The optimal-string-alignment distance between `a` and `b`, if it is at
/// most `max`.
pub(crate) fn osa_distance(a: &[char], b: &[char], max: u8) -> Option<u8> {
    let max = max as usize;
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        let mut row_min = usize::MAX;
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
    }
    (d[n][m] <= max).then_some(d[n][m] as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vocabulary {
        Vocabulary::new(
            [
                ("pothol", 9),
                ("graffiti", 7),
                ("recycl", 12),
                ("street", 40),
                ("garbag", 20),
                ("librari", 8),
                ("strait", 1),
            ]
            .map(|(s, n)| (s.to_string(), n)),
        )
    }

    fn best(v: &Vocabulary, s: &str) -> Option<String> {
        v.corrections(s, 3).first().map(|c| c.stem.clone())
    }

    #[test]
    fn corrects_residents_misspellings() {
        let v = vocab();
        assert_eq!(best(&v, "potol").as_deref(), Some("pothol"), "a missing letter");
        assert_eq!(best(&v, "grafitti").as_deref(), Some("graffiti"), "two edits in a long word");
        assert_eq!(best(&v, "recyl").as_deref(), Some("recycl"));
        assert_eq!(best(&v, "strret").as_deref(), Some("street"), "an extra letter; the more frequent of two");
        assert_eq!(best(&v, "garbeg").as_deref(), Some("garbag"));
        assert_eq!(best(&v, "libari").as_deref(), Some("librari"));
        assert_eq!(best(&v, "stret").as_deref(), Some("street"));
        assert_eq!(best(&v, "tsreet").as_deref(), Some("street"), "a swap is one edit");
        let v = Vocabulary::new([("hazard", 3), ("was", 9)].map(|(s, n)| (s.to_string(), n)));
        assert_eq!(best(&v, "hazardus").as_deref(), Some("hazard"), "the stem is shorter than the word typed");
        assert!(v.corrections("wasps", 3).is_empty(), "short stems stay within one edit");
        let v = Vocabulary::new([("pool", 50), ("pothol", 9)].map(|(s, n)| (s.to_string(), n)));
        assert_eq!(best(&v, "potol").as_deref(), Some("pothol"), "the longer shared beginning wins over frequency");
    }

    #[test]
    fn leaves_known_short_and_distant_words_alone() {
        let v = vocab();
        assert!(v.corrections("street", 3).is_empty(), "known");
        assert!(v.corrections("pot", 3).is_empty(), "too short to correct");
        assert!(v.corrections("banana", 3).is_empty());
        assert!(v.corrections("", 3).is_empty());
        assert!(v.corrections("ñandúes", 3).is_empty());
    }

    #[test]
    fn distances() {
        let d = |a: &str, b: &str| osa_distance(&a.chars().collect::<Vec<_>>(), &b.chars().collect::<Vec<_>>(), 3);
        assert_eq!(d("abc", "abc"), Some(0));
        assert_eq!(d("abc", "acb"), Some(1));
        assert_eq!(d("graffiti", "grafitti"), Some(2));
        assert_eq!(d("a", "abcde"), None);
        assert_eq!(d("", ""), Some(0));
    }
}
