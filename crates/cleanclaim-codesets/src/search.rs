//! Lazy inverted index over ICD-10-CM descriptions and inclusion terms.

use crate::cm::{Icd10Cm, SearchHit};
use std::collections::HashMap;

const STOP: &[&str] =
    &["with", "without", "of", "the", "and", "or", "in", "to", "for", "a", "an", "due", "by", "on", "other"];

pub(crate) fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let w = w.to_ascii_lowercase();
            // light stemming: plural s
            if w.len() > 4 && w.ends_with('s') && !w.ends_with("ss") { w[..w.len() - 1].to_string() } else { w }
        })
        .filter(|w| !STOP.contains(&w.as_str()))
        .collect()
}

#[derive(Debug, Default)]
pub(crate) struct Index {
    postings: HashMap<String, Vec<u32>>,
    /// Per code: number of distinct words in its title (for length normalisation).
    len: Vec<u16>,
    n: usize,
}

impl Index {
    pub fn build(cm: &Icd10Cm) -> Index {
        let mut idx = Index { n: cm.len(), len: vec![0; cm.len()], ..Default::default() };
        for (i, _code, incl) in cm.search_docs() {
            let desc = cm.desc_at(i).unwrap_or_default();
            let mut ws = words(&desc);
            ws.sort();
            ws.dedup();
            idx.len[i] = ws.len() as u16;
            for t in incl {
                ws.extend(words(t));
            }
            ws.sort();
            ws.dedup();
            for w in ws {
                idx.postings.entry(w).or_default().push(i as u32);
            }
        }
        idx
    }

    pub fn query(&self, cm: &Icd10Cm, q: &str, limit: usize) -> Vec<SearchHit> {
        let mut qw = words(q);
        qw.sort();
        qw.dedup();
        let mut score: HashMap<u32, (f32, u16)> = HashMap::new();
        for w in &qw {
            let Some(p) = self.postings.get(w) else { continue };
            let idf = ((self.n as f32 + 1.0) / (p.len() as f32 + 1.0)).ln();
            for &d in p {
                let e = score.entry(d).or_default();
                e.0 += idf;
                e.1 += 1;
            }
        }
        let mut hits: Vec<(u32, f32)> = score
            .into_iter()
            .map(|(d, (s, matched))| {
                let len = self.len[d as usize].max(1) as f32;
                let coverage = matched as f32 / qw.len().max(1) as f32;
                // reward covering every query word; mildly prefer short titles and current codes
                let mut sc = s * coverage * coverage - 0.05 * len;
                if cm.latest_valid(d as usize) {
                    sc += 0.5;
                }
                (d, sc)
            })
            .collect();
        hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        hits.truncate(limit);
        hits.into_iter()
            .map(|(d, s)| SearchHit {
                code: cm.code_at(d as usize),
                description: cm.desc_at(d as usize).unwrap_or_default(),
                score: s,
                billable: cm.latest_valid(d as usize),
            })
            .collect()
    }
}
