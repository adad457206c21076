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

use serde::Serialize;
use unicode_segmentation::UnicodeSegmentation;

use super::Suggestion;
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
    /// For an emergency: what to tell the resident ("Call 911 now ...").
    pub advice: Option<String>,
    /// For an emergency: the cues found, such as "gas smell".
    pub reasons: Vec<String>,
    /// The most likely categories (for reports, and for the record of an emergency).
    pub suggestions: Vec<Suggestion>,
    /// Answers from the knowledge base (for questions).
    pub answers: Vec<Answer>,
}

/// An emergency cue: every slot must be matched (by one of its words)
/// within `window` words, and none of `cancel` may follow the first slot's
/// word or stand within the window.
pub(crate) struct Cue {
    pub name: &'static str,
    slots: &'static [&'static [&'static str]],
    window: usize,
    cancel_next: &'static [&'static str],
    cancel_near: &'static [&'static str],
}

const FIRE_NEXT: &[&str] = &[
    "hydrant",
    "hydrants",
    "station",
    "stations",
    "department",
    "dept",
    "alarm",
    "alarms",
    "extinguisher",
    "extinguishers",
    "truck",
    "trucks",
    "lane",
    "lanes",
    "code",
    "marshal",
    "inspection",
    "inspector",
    "pit",
    "pits",
    "works",
    "fireworks",
    "escape",
    "safety",
    "chief",
    "street",
    "st",
    "ave",
    "avenue",
    "road",
    "house",
    "fighter",
    "fighters",
    "hall",
];

/// The cues, English and Spanish.
pub(crate) static CUES: &[Cue] = &[
    Cue {
        name: "something on fire",
        slots: &[&["on"], &["fire"]],
        window: 2,
        cancel_next: &[],
        cancel_near: &["hydrant", "station", "st", "street", "ave", "avenue", "road", "rd", "lane"],
    },
    Cue {
        name: "fire",
        slots: &[&["fire", "flames", "blaze", "burning"]],
        window: 1,
        cancel_next: FIRE_NEXT,
        cancel_near: &[
            "hydrant",
            "hazard",
            "permit",
            "pit",
            "ant",
            "ants",
            "fireworks",
            "wood",
            "fireplace",
            "burn",
            "burned",
            "last",
            "year",
            "ago",
            "since",
        ],
    },
    Cue {
        name: "smoke",
        slots: &[
            &["smoke"],
            &[
                "coming",
                "pouring",
                "from",
                "filling",
                "full",
                "out",
                "everywhere",
                "black",
                "thick",
                "house",
                "building",
                "window",
                "windows",
                "roof",
                "apartment",
                "garage",
                "kitchen",
                "hallway",
                "smokin",
            ],
        ],
        window: 6,
        cancel_next: &["detector", "detectors", "shop", "shops"],
        cancel_near: &[
            "detector",
            "detectors",
            "smoking",
            "cigarette",
            "cigarettes",
            "vape",
            "grill",
            "barbecue",
            "bbq",
            "chimney",
            "fireplace",
            "giveaway",
            "program",
        ],
    },
    Cue {
        name: "gas smell",
        slots: &[&["smell", "smells", "smelling", "odor", "odour", "stink", "stinks"], &["gas", "gass", "propane"]],
        window: 8,
        cancel_next: &["station", "stations"],
        cancel_near: &["station", "sewer", "sewage"],
    },
    Cue {
        name: "gas leak",
        slots: &[&["gas", "gass", "propane"], &["leak", "leaking", "leaks", "hissing"]],
        window: 6,
        cancel_next: &["station", "can"],
        cancel_near: &["station", "car", "mower", "lawnmower"],
    },
    Cue {
        name: "someone unconscious",
        slots: &[&[
            "unconscious",
            "unresponsive",
            "collapsed",
            "fainted",
            "overdose",
            "overdosing",
            "seizure",
            "choking",
        ]],
        window: 1,
        cancel_next: &[],
        cancel_near: &["building", "wall", "roof", "ceiling", "barn"],
    },
    Cue {
        name: "turning blue",
        slots: &[&["turning", "turnin", "turned"], &["blue"]],
        window: 2,
        cancel_next: &[],
        cancel_near: &[],
    },
    Cue {
        name: "carbon monoxide",
        slots: &[&["monoxide"]],
        window: 1,
        cancel_next: &["detector", "detectors"],
        cancel_near: &["giveaway", "program", "free"],
    },
    Cue {
        name: "threat of suicide",
        slots: &[
            &["jump", "suicide", "suicidal", "kill"],
            &["going", "gonna", "threatening", "bridge", "himself", "herself", "myself", "wants"],
        ],
        window: 6,
        cancel_next: &[],
        cancel_near: &[],
    },
    Cue {
        name: "someone in the water",
        slots: &[
            &[
                "kid", "kids", "child", "children", "toddler", "boy", "girl", "man", "woman", "someone", "somebody",
                "person", "people", "he", "she",
            ],
            &["river", "pond", "lake", "ice", "water", "creek"],
            &["fell", "went", "under", "wandered", "through", "drowning", "cant", "missing", "swept"],
        ],
        window: 8,
        cancel_next: &[],
        cancel_near: &["fishing", "swimming", "permit", "boat"],
    },
    Cue {
        name: "someone passed out",
        slots: &[&["passed", "past"], &["out"]],
        window: 2,
        cancel_next: &[],
        cancel_near: &["flyers", "flyer", "leaflets", "papers", "handouts"],
    },
    Cue {
        name: "someone not breathing",
        slots: &[&["not", "isnt", "stopped", "cant", "trouble"], &["breathing", "breathe"]],
        window: 3,
        cancel_next: &[],
        cancel_near: &[],
    },
    Cue {
        name: "someone bleeding",
        slots: &[&["bleeding", "blood"]],
        window: 1,
        cancel_next: &["drive", "bank", "hearts", "heart"],
        cancel_near: &["donation", "donate", "drive", "bank", "flower", "flowers", "plants", "bed"],
    },
    Cue {
        name: "someone hurt",
        slots: &[
            &[
                "man",
                "woman",
                "person",
                "someone",
                "somebody",
                "kid",
                "child",
                "boy",
                "girl",
                "guy",
                "lady",
                "pedestrian",
                "cyclist",
                "biker",
                "neighbor",
                "people",
                "he",
                "she",
            ],
            &["hurt", "injured", "bleeding", "unconscious", "hit", "struck", "down", "fell", "fallen"],
        ],
        window: 4,
        cancel_next: &[],
        cancel_near: &[
            "sidewalk", "tree", "branch", "sign", "pole", "trash", "cans", "fence", "graffiti", "years", "ago", "last",
            "before", "could", "might", "gets", "month", "week",
        ],
    },
    Cue { name: "heart attack", slots: &[&["heart"], &["attack"]], window: 2, cancel_next: &[], cancel_near: &[] },
    Cue {
        name: "crime in progress",
        slots: &[
            &[
                "breaking", "break", "broke", "robbing", "robbery", "stealing", "burglar", "burglars", "intruder",
                "kick", "kicking",
            ],
            &["in", "into", "now", "happening", "house", "home", "car", "right", "door"],
        ],
        window: 4,
        cancel_next: &[],
        cancel_near: &[
            "ago",
            "last",
            "yesterday",
            "week",
            "weekend",
            "sometime",
            "overnight",
            "report",
            "police",
            "abandoned",
            "vacant",
            "shed",
            "garden",
        ],
    },
    Cue {
        name: "weapon",
        slots: &[&["gun", "guns", "shooting", "shots", "shot", "gunshots", "knife", "stabbed", "stabbing", "armed"]],
        window: 1,
        cancel_next: &["range", "store", "shop", "club", "off"],
        cancel_near: &["range", "photo", "photos", "nail", "flu", "fireworks", "firework", "hoops", "basketball"],
    },
    Cue {
        name: "fight",
        slots: &[&["fight", "fighting", "beating", "attacking", "assault", "assaulting"]],
        window: 1,
        cancel_next: &["fire"],
        cancel_near: &["fire", "over", "parking", "permit"],
    },
    Cue {
        name: "downed power line",
        slots: &[
            &["power", "electric", "electrical", "live"],
            &["line", "lines", "wire", "wires", "cable", "cables"],
            &["down", "fallen", "fell", "sparking", "sparks", "arcing", "ground", "snapped", "street", "road"],
        ],
        window: 6,
        cancel_next: &[],
        cancel_near: &["trim", "trimming", "request", "tree", "branches", "bury", "buried", "quote"],
    },
    Cue {
        name: "wires sparking",
        slots: &[
            &["wire", "wires", "line", "lines", "transformer", "pole"],
            &["sparking", "sparks", "arcing", "fire", "smoking", "exploded", "buzzing"],
        ],
        window: 6,
        cancel_next: &[],
        cancel_near: &[],
    },
    Cue {
        name: "wires down",
        slots: &[&["wire", "wires", "cable", "cables"], &["down", "came", "fallen", "fell", "lying", "across"]],
        window: 3,
        cancel_next: &[],
        cancel_near: &["trim", "trimming", "request", "bury", "buried", "cable", "tv", "internet", "phone"],
    },
    Cue {
        name: "someone trapped",
        slots: &[
            &["trapped", "drowning", "stuck"],
            &[
                "man", "woman", "person", "someone", "somebody", "kid", "child", "baby", "people", "inside", "water",
                "car", "elevator", "dog", "cat", "animal", "he", "she", "they",
            ],
        ],
        window: 4,
        cancel_next: &[],
        cancel_near: &["truck", "mud", "snow", "plow", "gate", "mail"],
    },
    Cue {
        name: "child or animal in a hot car",
        slots: &[
            &["kid", "child", "baby", "toddler", "dog", "puppy", "cat", "animal"],
            &["car", "vehicle", "truck"],
            &["hot", "locked", "alone", "windows", "heat"],
        ],
        window: 8,
        cancel_next: &[],
        cancel_near: &["abandoned", "weeks", "parked", "days"],
    },
    Cue {
        name: "crash with injuries",
        slots: &[
            &["crash", "accident", "collision", "wreck"],
            &["hurt", "injured", "injuries", "bleeding", "unconscious", "trapped", "ambulance"],
        ],
        window: 8,
        cancel_next: &[],
        cancel_near: &["months", "ago", "last", "old"],
    },
    // Spanish.
    Cue {
        name: "incendio",
        slots: &[&["incendio", "fuego", "llamas", "quemando", "incendiando"]],
        window: 1,
        cancel_next: &[],
        cancel_near: &["hidrante", "estacion", "bomberos", "extintor", "permiso", "artificiales"],
    },
    Cue {
        name: "humo",
        slots: &[
            &["humo"],
            &["sale", "saliendo", "mucho", "negro", "casa", "edificio", "ventana", "cocina", "apartamento"],
        ],
        window: 5,
        cancel_next: &[],
        cancel_near: &["detector", "detectores", "alarma", "cigarro", "parrilla"],
    },
    Cue {
        name: "olor a gas",
        slots: &[&["huele", "olor", "oler", "huelo", "fuga", "escape"], &["gas"]],
        window: 4,
        cancel_next: &[],
        cancel_near: &["gasolinera"],
    },
    Cue {
        name: "persona inconsciente",
        slots: &[&[
            "inconsciente",
            "desmayado",
            "desmayada",
            "desmayo",
            "sangrando",
            "herido",
            "herida",
            "heridos",
            "sobredosis",
            "convulsiones",
            "infarto",
        ]],
        window: 1,
        cancel_next: &[],
        cancel_near: &[],
    },
    Cue {
        name: "no respira",
        slots: &[&["no"], &["respira", "respirando"]],
        window: 2,
        cancel_next: &[],
        cancel_near: &[],
    },
    Cue {
        name: "arma o robo en curso",
        slots: &[&[
            "pistola",
            "arma",
            "disparos",
            "balazos",
            "tiroteo",
            "cuchillo",
            "apunalado",
            "robando",
            "asaltando",
            "metiendo",
            "pelea",
            "peleando",
            "golpeando",
        ]],
        window: 1,
        cancel_next: &[],
        cancel_near: &[],
    },
    Cue {
        name: "cable caido",
        slots: &[
            &["cable", "cables", "linea", "lineas", "poste"],
            &["caido", "caidos", "caida", "chispas", "chispeando", "suelo", "electrico", "electricos", "luz"],
            &["caido", "caidos", "caida", "chispas", "chispeando", "suelo", "calle", "echando"],
        ],
        window: 6,
        cancel_next: &[],
        cancel_near: &["podar", "poda", "arbol", "solicitud"],
    },
    Cue {
        name: "persona atrapada",
        slots: &[&["atrapado", "atrapada", "atrapados", "ahogando", "ahogandose", "encerrado", "encerrada"]],
        window: 1,
        cancel_next: &[],
        cancel_near: &[],
    },
    Cue {
        name: "no puede salir",
        slots: &[&["no"], &["puede", "pueden", "podemos"], &["salir"]],
        window: 3,
        cancel_next: &[],
        cancel_near: &["carro", "coche", "estacionamiento", "entrada"],
    },
];

/// Whether a folded word matches a cue word, allowing one typo from six
/// letters and two from nine; a five-letter cue word may only miss a letter
/// ("smel" is "smell", but "light" is not "fight").
fn word_matches(word: &[char], cue: &str) -> bool {
    let cue: Vec<char> = cue.chars().collect();
    if word == cue.as_slice() {
        return true;
    }
    let allowed = match cue.len() {
        9.. => 2,
        6..=8 => 1,
        5 if word.len() == 4 => 1,
        _ => 0,
    };
    allowed > 0 && word.len() >= 4 && osa_distance(word, &cue, allowed).is_some()
}

/// The emergency cues found in a text. A question about what to do "if"
/// something happens ("what should I do if I smell gas?") is not an
/// emergency: it is asked before anything happened.
pub(crate) fn emergency_cues(text: &str) -> Vec<&'static str> {
    let text = crate::search::truncate_query(text, super::MAX_TEXT_BYTES);
    if is_question(text) && text.unicode_words().any(|w| matches!(fold(w).as_str(), "if" | "si" | "ever")) {
        return Vec::new();
    }
    // Apostrophes are dropped so that "isn't" reads as "isnt".
    let words: Vec<Vec<char>> =
        text.unicode_words().take(400).map(|w| fold(w).chars().filter(|c| *c != '\'').collect()).collect();
    let mut found = Vec::new();
    for cue in CUES {
        'start: for start in 0..words.len() {
            if !cue.slots[0].iter().any(|c| word_matches(&words[start], c)) {
                continue;
            }
            if let Some(next) = words.get(start + 1)
                && cue.cancel_next.iter().any(|c| next.iter().copied().eq(c.chars()))
            {
                continue;
            }
            let from = start.saturating_sub(cue.window);
            let to = (start + cue.window + 1).min(words.len());
            let near = &words[from..to];
            if near.iter().any(|w| cue.cancel_near.iter().any(|c| w.iter().copied().eq(c.chars()))) {
                continue;
            }
            for slot in &cue.slots[1..] {
                let hit = (from..to).any(|i| i != start && slot.iter().any(|c| word_matches(&words[i], c)));
                if !hit {
                    continue 'start;
                }
            }
            found.push(cue.name);
            break;
        }
    }
    found
}

const QUESTION_STARTS: &[&str] = &[
    "am", "are", "can", "could", "do", "does", "how", "is", "may", "should", "what", "whats", "when", "where", "which",
    "who", "whom", "why", "will", "would", "como", "cual", "cuales", "cuando", "cuanto", "cuanta", "donde", "puedo",
    "puede", "que", "quien",
];

/// Words that make a question-shaped text a report ("why hasn't my trash
/// been picked up"): complaints, not requests for information.
const REPORT_MARKERS: &[&str] = &[
    "hasnt",
    "havent",
    "wasnt",
    "werent",
    "isnt",
    "still",
    "again",
    "yet",
    "weeks",
    "days",
    "broken",
    "missed",
    "overflowing",
    "leaking",
    "todavia",
    "aun",
    "semanas",
    "dias",
    "roto",
    "rota",
];

/// Whether a text asks for information rather than reports a problem.
pub(crate) fn is_question(text: &str) -> bool {
    let words: Vec<String> = text.unicode_words().take(64).map(|w| fold(w).replace('\'', "")).collect();
    let Some(first) = words.first() else { return false };
    let asks = text.trim_end().ends_with('?')
        || text.trim_start().starts_with('¿')
        || QUESTION_STARTS.contains(&first.as_str());
    asks && !words.iter().any(|w| REPORT_MARKERS.contains(&w.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cues(t: &str) -> Vec<&'static str> {
        emergency_cues(t)
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
