//! Triage: is a text an emergency that belongs to 911, a report to file,
//! or a question to answer?
//!
//! Emergencies are found by cues: words that must occur within a few words
//! of each other ("smell" and "gas"), cancelled by words that make them
//! ordinary ("fire" followed by "hydrant" or "station"). Words are compared
//! folded, allowing one typo in words of five letters or more ("smel",
//! "unconcious"), in English and Spanish. An emergency is never filed
//! silently: the triage says to call 911 and why, and still carries the
//! category suggestions for the record.
//!
//! The cues, and the phrases that temper them, are data
//! (`core/data/triage-cues.toml`, read by [`super::cues`]); a catalog adds
//! its own local dangers in its `triage.toml`.

use serde::Serialize;
use unicode_segmentation::UnicodeSegmentation;

use super::Suggestion;
use super::cues::{Cue, Tables};
use crate::analyzer::fold;
use crate::search::Answer;
use crate::search::osa_distance;

/// What a text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TriageKind {
    /// Danger now: call 911.
    Emergency,
    /// A problem to file as a service request.
    Report,
    /// A question to answer from the knowledge base.
    Question,
}

impl TriageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TriageKind::Emergency => "emergency",
            TriageKind::Report => "report",
            TriageKind::Question => "question",
        }
    }
}

/// The triage of a text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Triage {
    pub kind: TriageKind,
    /// For a report or a question that mentions danger without reading as
    /// an emergency now ("a kid could get trapped in that fridge", "there was
    /// a fire here last March"): ask the resident whether anyone is in
    /// danger right now before filing it. Always false for an emergency.
    pub possible_emergency: bool,
    /// The learned detector's probability that the text describes an
    /// emergency now (from 0 to 1), whatever the rules found.
    pub emergency_probability: f32,
    /// What to tell the resident: for an emergency, "Call 911 now ..."; for
    /// a possible emergency, to call 911 if anyone is in danger right now.
    pub advice: Option<String>,
    /// For an emergency or a possible one: the cues found, such as "gas
    /// smell", and, when they were tempered, why ("told as past").
    pub reasons: Vec<String>,
    /// The most likely categories (for reports, and for the record of an emergency).
    pub suggestions: Vec<Suggestion>,
    /// Answers from the knowledge base (for questions).
    pub answers: Vec<Answer>,
}

/// Whether a folded word matches a cue word, allowing one typo from six
/// letters and two from ten, but none in the first letter; a five-letter cue
/// word may only miss a letter ("smel" is "smell", but "light" is not
/// "fight"). A cue word ending in `*` is a stem: "convuls*" matches
/// "convulsing" and "convulsiones", and a stem
/// of six letters or more allows one typo ("conbuls...").
fn word_matches(word: &[char], cue: &str) -> bool {
    if let Some(stem) = cue.strip_suffix('*') {
        let stem: Vec<char> = stem.chars().collect();
        if word.starts_with(&stem) {
            return true;
        }
        if stem.len() < 6 || word.len() < stem.len() - 1 || word[0] != stem[0] {
            return false;
        }
        // The stem against the word's head of the same length, one shorter
        // (a dropped letter) and one longer (a doubled or inserted one).
        return (stem.len() - 1..=stem.len() + 1)
            .filter(|n| *n <= word.len())
            .any(|n| osa_distance(&word[..n], &stem, 1).is_some());
    }
    let cue: Vec<char> = cue.chars().collect();
    if word == cue.as_slice() {
        return true;
    }
    let allowed = match cue.len() {
        10.. => 2,
        6..=9 => 1,
        5 if word.len() == 4 => 1,
        _ => 0,
    };
    // Residents' typos rarely touch the first letter, while real words one
    // letter from a cue word mostly differ there ("eating", "turning").
    allowed > 0 && word.len() >= 4 && word[0] == cue[0] && osa_distance(word, &cue, allowed).is_some()
}

/// Whether a folded word is one of the cancelling words (exactly, or by
/// stem for words ending in `*`).
fn word_is(word: &[char], cancel: &str) -> bool {
    match cancel.strip_suffix('*') {
        Some(stem) => word.len() >= stem.len() && word.iter().copied().take(stem.chars().count()).eq(stem.chars()),
        None => word.iter().copied().eq(cancel.chars()),
    }
}

/// The cues of a list found in a text's words: every slot matched within
/// the cue's window, no cancelling word next to or near the first slot's
/// word (near is at least three words either side).
fn find_cues(cues: &[Cue], words: &[Vec<char>], found: &mut Vec<String>) {
    for cue in cues {
        'start: for start in 0..words.len() {
            if !cue.slots[0].iter().any(|c| word_matches(&words[start], c)) {
                continue;
            }
            if let Some(next) = words.get(start + 1)
                && cue.cancel_next.iter().any(|c| word_is(next, c))
            {
                continue;
            }
            let reach = cue.window.max(3);
            let near = &words[start.saturating_sub(reach)..(start + reach + 1).min(words.len())];
            if near.iter().any(|w| cue.cancel_near.iter().any(|c| word_is(w, c))) {
                continue;
            }
            let from = start.saturating_sub(cue.window);
            let to = (start + cue.window + 1).min(words.len());
            for slot in &cue.slots[1..] {
                let hit = (from..to).any(|i| i != start && slot.iter().any(|c| word_matches(&words[i], c)));
                if !hit {
                    continue 'start;
                }
            }
            if !found.contains(&cue.name) {
                found.push(cue.name.clone());
            }
            break;
        }
    }
}

/// How sure the triage is that a text describes danger now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Danger {
    None,
    /// Danger words without a clear emergency, or an emergency's words in a
    /// past, habitual or hypothetical telling: ask the resident.
    Possible,
    /// An emergency cue, told as happening now.
    Emergency,
}

/// What the triage found in a text: the level, the cues (emergency cues
/// first, then danger words) and what tempered them, if anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Assessment {
    pub danger: Danger,
    pub reasons: Vec<String>,
    pub tempered_by: Option<String>,
}

fn has_phrase(words: &[Vec<char>], phrase: &[String]) -> bool {
    words.windows(phrase.len()).any(|w| w.iter().zip(phrase).all(|(word, p)| word_is(word, p)))
}

/// The triage's reading of a text: emergency cues found and told as
/// happening now make an emergency; danger words, or cues told as past,
/// habit, hypothesis or question, make a possible emergency. A question
/// about what to do "if" something happens ("what should I do if I smell
/// gas?") is asked before anything happened, and is not read for danger.
pub(crate) fn assess(tables: &Tables, text: &str) -> Assessment {
    let none = Assessment { danger: Danger::None, reasons: Vec::new(), tempered_by: None };
    let text = crate::search::truncate_query(text, super::MAX_TEXT_BYTES);
    let question = is_question(tables, text);
    if question && text.unicode_words().any(|w| matches!(fold(w).as_str(), "if" | "si" | "ever")) {
        return none;
    }
    // Apostrophes are dropped so that "isn't" reads as "isnt".
    let words: Vec<Vec<char>> =
        text.unicode_words().take(400).map(|w| fold(w).chars().filter(|c| *c != '\'').collect()).collect();
    let mut reasons = Vec::new();
    find_cues(&tables.cues, &words, &mut reasons);
    let cues = reasons.len();
    find_cues(&tables.warnings, &words, &mut reasons);
    if reasons.is_empty() {
        return none;
    }
    let tempered_by = if tables.now.iter().any(|p| has_phrase(&words, p)) {
        None
    } else if question {
        Some("asked as a question".to_string())
    } else {
        tables
            .tempering
            .iter()
            .find(|(_, phrases)| phrases.iter().any(|p| has_phrase(&words, p)))
            .map(|(name, _)| name.clone())
    };
    let danger = match (cues > 0, &tempered_by) {
        (true, None) => Danger::Emergency,
        (true, Some(_)) => Danger::Possible,
        (false, None) => Danger::Possible,
        (false, Some(_)) => Danger::None,
    };
    match danger {
        Danger::None => Assessment { tempered_by, ..none },
        Danger::Emergency => {
            reasons.truncate(cues);
            Assessment { danger, reasons, tempered_by }
        }
        Danger::Possible => Assessment { danger, reasons, tempered_by },
    }
}

/// Whether a text asks for information rather than reports a problem.
pub(crate) fn is_question(tables: &Tables, text: &str) -> bool {
    let words: Vec<String> = text.unicode_words().take(64).map(|w| fold(w).replace('\'', "")).collect();
    let Some(first) = words.first() else { return false };
    let asks =
        text.trim_end().ends_with('?') || text.trim_start().starts_with('¿') || tables.question_starts.contains(first);
    asks && !words.iter().any(|w| tables.report_markers.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assess(t: &str) -> Assessment {
        super::assess(&crate::classify::cues::builtin().unwrap(), t)
    }

    fn is_question(t: &str) -> bool {
        super::is_question(&crate::classify::cues::builtin().unwrap(), t)
    }

    fn cues(t: &str) -> Vec<String> {
        let a = assess(t);
        if a.danger == Danger::Emergency { a.reasons } else { Vec::new() }
    }

    #[test]
    fn danger_words_and_tempered_cues_ask_the_resident() {
        for (t, tempered) in [
            (
                "a kid could get trapped in that old fridge on the curb, please pick it up",
                Some("told as what might happen"),
            ),
            ("there was a house fire on poplar back in march and the lot is full of trash", Some("told as past")),
            ("every weekend somebody sets the dumpster behind the store on fire", Some("told as a habit")),
            ("can someone come look, there is smoke coming out of the storm drain?", Some("asked as a question")),
            ("a man with a knife was yelling at people by the library yesterday", Some("told as past")),
            ("there's a knife lying in the playground sandbox", None),
            ("a big dog is running loose along the highway ramp", None),
        ] {
            let a = assess(t);
            assert_eq!(a.danger, Danger::Possible, "{t}: {a:?}");
            assert_eq!(a.tempered_by.as_deref(), tempered, "{t}");
        }
        // Told as past, but happening now after all.
        assert_eq!(assess("he was robbed at gunpoint and they are still running, right now").danger, Danger::Emergency);
        // Danger words (without a cue) told as past or as a habit are not
        // even a possible emergency.
        assert_eq!(assess("a knife was found in the park last week").danger, Danger::None);
        assert_eq!(assess("the neighbor burns trash every sunday and the smoke comes in").danger, Danger::None);
    }

    #[test]
    fn stems_match_with_one_typo() {
        let w = |s: &str| s.chars().collect::<Vec<_>>();
        assert!(word_matches(&w("convulsionando"), "convuls*"));
        assert!(word_matches(&w("conbulsiones"), "convuls*"));
        assert!(word_matches(&w("convlsing"), "convuls*"));
        assert!(!word_matches(&w("conveyor"), "convuls*"));
        assert!(!word_matches(&w("gu"), "gun*"));
        assert!(word_is(&w("podarlas"), "podar*"));
        assert!(!word_is(&w("pod"), "podar*"));
    }

    #[test]
    fn emergencies_in_english_spanish_and_typos() {
        for t in [
            "I smell gas in my kitchen",
            "smel gas in my kitchen",
            "theres smoke comming from the house next door",
            "the garage is on fire",
            "man passd out on the sidewalk",
            "someone is breaking into my neighbors house right now",
            "power line down across elm street and sparking",
            "dog locked in a hot car at the mall",
            "huele a gas en la cocina",
            "hay un incendio en la casa de al lado",
            "un hombre inconsciente en la calle",
            "a woman was hit by a car and she is bleeding",
        ] {
            assert!(!cues(t).is_empty(), "missed: {t}");
        }
    }

    #[test]
    fn ordinary_reports_that_mention_such_words() {
        for t in [
            "the fire hydrant is leaking",
            "graffiti on the police station",
            "street light out near the fire station",
            "the gas station sign is blocking the view",
            "request to trim the tree near the power lines",
            "dead raccoon on the road, it was hit by a car last night",
            "smoke detector giveaway program?",
            "people smoking in the park",
            "abandoned car, looks like it was in an accident months ago",
            "streetlight on walnut burning in the middle of the day",
            "water main break, water shooting up out of the road",
            "my dog's rabies shot is up to date, how do I renew his tag",
            "how do I fight a parking ticket",
            "la boca de incendio en la calle grant esta tirando agua",
            "mosquitoes eating us alive by the pond",
            "someone painted a swastika on the slide",
            "trucks keep turning onto briar lane",
            "a car backed into the light pole and now it is tilting toward the sidewalk, wires look ok",
            "",
            "🚒🚒",
        ] {
            assert!(cues(t).is_empty(), "false alarm on {t:?}: {:?}", cues(t));
        }
    }

    #[test]
    fn questions_and_reports() {
        assert!(is_question("when is bulky pickup"));
        assert!(is_question("¿cuándo pasa la basura?"));
        assert!(is_question("is the library open on sunday?"));
        assert!(!is_question("why hasn't my trash been picked up?"));
        assert!(!is_question("pothole on elm street"));
        assert!(!is_question(""));
    }
}
