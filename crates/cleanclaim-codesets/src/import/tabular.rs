//! The CDC ICD-10-CM tabular XML (`icd10cm_tabular_YYYY.xml`, domain.md §C2): chapters,
//! sections, the nested `diag` tree, instructional notes and `sevenChrDef`.

use super::{CodeSetError, normalize_code};
use crate::model::{ChapterM, NoteKind, SectionM};

#[derive(Debug, Clone, PartialEq)]
pub struct TabNode {
    pub code: String,
    pub desc: String,
    pub parent: Option<String>,
    pub chapter: u8,
    /// Index into [`Tabular::sections`].
    pub section: u16,
    pub has_children: bool,
    pub notes: Vec<(NoteKind, String)>,
    /// `sevenChrDef` declared on this node: (character, meaning).
    pub seven: Option<Vec<(u8, String)>>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tabular {
    pub version: String,
    pub chapters: Vec<ChapterM>,
    pub sections: Vec<SectionM>,
    pub nodes: Vec<TabNode>,
}

fn text_of(n: roxmltree::Node) -> String {
    let mut s = String::new();
    for d in n.descendants().filter(|d| d.is_text()) {
        s.push_str(d.text().unwrap_or(""));
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, tag: &str) -> Option<roxmltree::Node<'a, 'i>> {
    n.children().find(|c| c.has_tag_name(tag))
}

fn notes_of(n: roxmltree::Node) -> Vec<(NoteKind, String)> {
    let mut out = Vec::new();
    for c in n.children().filter(|c| c.is_element()) {
        if let Some(k) = NoteKind::from_xml_name(c.tag_name().name()) {
            for note in c.children().filter(|x| x.has_tag_name("note")) {
                let t = text_of(note);
                if !t.is_empty() {
                    out.push((k, t));
                }
            }
        }
    }
    out
}

pub fn parse(text: &str, file: &str) -> Result<Tabular, CodeSetError> {
    let doc = roxmltree::Document::parse(text).map_err(|e| {
        // roxmltree reports end-of-stream at 1:1; a truncated file ends at its last line.
        let line = match e {
            roxmltree::Error::UnexpectedEndOfStream | roxmltree::Error::UnclosedRootNode => text.lines().count(),
            _ => e.pos().row as usize,
        };
        CodeSetError::new(file, line, format!("XML error: {e} (truncated or malformed file)"))
    })?;
    let line = |n: roxmltree::Node| doc.text_pos_at(n.range().start).row as usize;
    let root = doc.root_element();
    if !root.has_tag_name("ICD10CM.tabular") {
        return Err(CodeSetError::new(file, line(root), "root element is not <ICD10CM.tabular>"));
    }
    let mut t = Tabular { version: child(root, "version").map(text_of).unwrap_or_default(), ..Default::default() };
    for ch in root.children().filter(|c| c.has_tag_name("chapter")) {
        let num: u8 = child(ch, "name")
            .map(text_of)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| CodeSetError::new(file, line(ch), "chapter without a numeric <name>"))?;
        t.chapters.push(ChapterM {
            number: num,
            title: child(ch, "desc").map(text_of).unwrap_or_default(),
            notes: notes_of(ch),
        });
        for sec in ch.children().filter(|c| c.has_tag_name("section")) {
            let id = sec.attribute("id").ok_or_else(|| CodeSetError::new(file, line(sec), "section without id"))?;
            let si = t.sections.len() as u16;
            t.sections.push(SectionM {
                id: id.to_string(),
                title: child(sec, "desc").map(text_of).unwrap_or_default(),
                chapter: num,
                notes: notes_of(sec),
            });
            let mut stack: Vec<(roxmltree::Node, Option<String>)> = sec
                .children()
                .filter(|c| c.has_tag_name("diag"))
                .map(|d| (d, None))
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            while let Some((d, parent)) = stack.pop() {
                let name = child(d, "name")
                    .map(text_of)
                    .ok_or_else(|| CodeSetError::new(file, line(d), "diag without <name>"))?;
                let code = normalize_code(&name)
                    .ok_or_else(|| CodeSetError::new(file, line(d), format!("bad code `{name}`")))?;
                let kids: Vec<_> = d.children().filter(|c| c.has_tag_name("diag")).collect();
                let seven = child(d, "sevenChrDef").map(|s| {
                    s.children()
                        .filter(|e| e.has_tag_name("extension"))
                        .filter_map(|e| {
                            let c = e.attribute("char")?.bytes().next()?;
                            Some((c.to_ascii_uppercase(), text_of(e)))
                        })
                        .collect::<Vec<_>>()
                });
                t.nodes.push(TabNode {
                    code: code.clone(),
                    desc: child(d, "desc").map(text_of).unwrap_or_default(),
                    parent,
                    chapter: num,
                    section: si,
                    has_children: !kids.is_empty(),
                    notes: notes_of(d),
                    seven,
                });
                for k in kids.into_iter().rev() {
                    stack.push((k, Some(code.clone())));
                }
            }
        }
    }
    if t.nodes.is_empty() {
        return Err(CodeSetError::new(file, line(root), "no <diag> codes"));
    }
    Ok(t)
}
