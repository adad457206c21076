//! What is searchable: every article, every service residents may request,
//! and every facility, each cut into weighted fields per language.

use crate::analyzer::{Language, detect_language};
use crate::catalog::Catalog;

use super::AnswerKind;

/// The text of one answer, field by field, for one language.
#[derive(Debug, Default, Clone)]
pub(crate) struct FieldTexts {
    pub title: Vec<String>,
    pub questions: Vec<String>,
    pub keywords: Vec<String>,
    pub body: Vec<String>,
}

/// One searchable answer.
#[derive(Debug, Clone)]
pub(crate) struct AnswerDoc {
    pub kind: AnswerKind,
    pub id: String,
    pub title: String,
    pub url: Option<String>,
    /// The language of an article; services and facilities serve every language.
    pub lang: Option<Language>,
    pub department: Option<String>,
    /// The service to report, for services and for articles that name one.
    pub service_code: Option<String>,
    /// The plain text snippets are cut from.
    pub body: String,
    /// Field texts by language, in `Language::ALL` order.
    pub fields: [FieldTexts; 2],
}

fn slot(lang: Language) -> usize {
    Language::ALL.iter().position(|l| *l == lang).unwrap_or(0)
}

/// The answers of a catalog, in a fixed order: articles, services, facilities.
pub(crate) fn answer_docs(catalog: &Catalog) -> Vec<AnswerDoc> {
    let mut docs = Vec::new();
    for a in catalog.articles() {
        let lang = Language::from_code(&a.lang).unwrap_or(Language::English);
        let mut fields: [FieldTexts; 2] = Default::default();
        let f = &mut fields[slot(lang)];
        f.title.push(a.title.clone());
        f.questions.extend(a.questions.iter().cloned());
        f.keywords.extend(a.keywords.iter().cloned());
        f.body.push(a.body_text.clone());
        docs.push(AnswerDoc {
            kind: AnswerKind::Article,
            id: a.id.clone(),
            title: a.title.clone(),
            url: a.url.clone(),
            lang: Some(lang),
            department: a.department.clone(),
            service_code: a.services.first().cloned(),
            body: a.body_text.clone(),
            fields,
        });
    }
    for s in catalog.services().iter().filter(|s| !s.staff_only) {
        let mut fields: [FieldTexts; 2] = Default::default();
        fields[slot(Language::English)].title.push(s.name.clone());
        fields[slot(Language::English)].body.push(s.description.clone());
        // Note: phrasings are filed under the language they are written in,
        // so that a Spanish phrasing is analyzed with the Spanish stemmer.
        for p in &s.phrasings {
            let lang = detect_language(p).unwrap_or(Language::English);
            fields[slot(lang)].questions.push(p.clone());
        }
        // Keywords are short and often shared between languages
        // ("grafiti", "graffiti"): both languages index them.
        for f in fields.iter_mut() {
            f.keywords.extend(s.keywords.iter().cloned());
        }
        let body = if s.description.is_empty() { s.name.clone() } else { s.description.clone() };
        docs.push(AnswerDoc {
            kind: AnswerKind::Service,
            id: s.code.clone(),
            title: s.name.clone(),
            url: s.articles.first().and_then(|id| catalog.article(id)).and_then(|a| a.url.clone()),
            lang: None,
            department: Some(s.department.clone()),
            service_code: Some(s.code.clone()),
            body,
            fields,
        });
    }
    for f in catalog.facilities() {
        let mut fields: [FieldTexts; 2] = Default::default();
        let en = &mut fields[slot(Language::English)];
        en.title.push(f.name.clone());
        en.body.extend(f.description.iter().cloned());
        en.body.extend(f.address.iter().cloned());
        en.body.push(f.kind.clone());
        // The week's hours are part of what a facility answers: "open",
        // "hours" and the days it opens are indexed in both languages.
        for lang in Language::ALL {
            fields[slot(lang)].body.push(week_words(f, lang));
        }
        for texts in fields.iter_mut() {
            texts.keywords.extend(f.keywords.iter().cloned());
        }
        let body = [f.description.clone(), f.address.clone()].into_iter().flatten().collect::<Vec<_>>().join(" ");
        docs.push(AnswerDoc {
            kind: AnswerKind::Facility,
            id: f.id.clone(),
            title: f.name.clone(),
            url: f.url.clone(),
            lang: None,
            department: f.department.clone(),
            service_code: None,
            body,
            fields,
        });
    }
    docs
}

/// "Hours, open Monday Tuesday ... closes" in a language: the words of a
/// facility's week, for matching questions about its hours.
fn week_words(f: &crate::catalog::Facility, lang: Language) -> String {
    use jiff::civil::Weekday::*;
    let (lead, names) = match lang {
        Language::English => {
            ("hours open close", ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])
        }
        Language::Spanish => {
            ("horario abierto cierra", ["lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo"])
        }
    };
    let days = [Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday];
    let mut words = vec![lead.to_string()];
    for (day, name) in days.iter().zip(names) {
        if !f.hours.on(*day).is_empty() {
            words.push(name.to_string());
        }
    }
    words.join(" ")
}
