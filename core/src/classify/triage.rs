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
            "light",
            "lights",
            "streetlight",
            "streetlights",
            "lamp",
            "bulb",
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
            "seizure*",
            "convuls*",
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
    Cue {
        name: "someone not waking up",
        slots: &[&["wont", "cant", "not", "doesnt", "isnt"], &["wake", "waking", "responding", "respond"]],
        window: 2,
        cancel_next: &[],
        cancel_near: &["calls", "emails", "email", "landlord", "office", "city"],
    },
    Cue {
        name: "someone shot",
        slots: &[&["shot"], &["got", "been", "was", "just", "getting", "is"]],
        window: 2,
        cancel_next: &["clock", "glass", "put"],
        cancel_near: &["flu", "photo", "vaccine*", "booster", "basketball", "hoops", "rabies", "tetanus"],
    },
    Cue {
        name: "robbery in progress",
        slots: &[
            &["robbed", "robbing", "mugged", "mugging", "carjacked", "carjacking", "holdup"],
            &["just", "now", "right", "gunpoint", "running", "still", "happening"],
        ],
        window: 5,
        cancel_next: &[],
        cancel_near: &["ago", "last", "yesterday", "report"],
    },
    Cue {
        name: "child alone in danger",
        slots: &[
            &["kid", "child", "toddler", "baby", "boy", "girl", "little"],
            &["alone", "unattended", "wandering", "nobody", "no"],
            &[
                "river", "pond", "lake", "pool", "water", "creek", "road", "street", "highway", "traffic", "edge",
                "railing", "roof", "tracks", "car",
            ],
        ],
        window: 8,
        cancel_next: &[],
        cancel_near: &["crossing", "guard", "school", "bus", "sign"],
    },
    Cue {
        name: "someone still inside",
        slots: &[
            &[
                "someone",
                "somebody",
                "people",
                "person",
                "kids",
                "children",
                "family",
                "residents",
                "tenants",
                "neighbors",
                "he",
                "she",
                "they",
                "grandmother",
                "grandma",
                "grandpa",
            ],
            &["still", "trapped", "stuck"],
            &["inside"],
        ],
        window: 4,
        cancel_next: &[],
        cancel_near: &["parked", "lives", "living", "moved", "garbage", "trash", "bins", "cans", "mail"],
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
        name: "someone with a weapon",
        slots: &[
            &["gun", "guns", "pistol", "rifle", "knife", "knives", "machete", "armed"],
            &[
                "with",
                "has",
                "pulled",
                "pointing",
                "points",
                "waving",
                "holding",
                "threatening",
                "carrying",
                "brandishing",
                "man",
                "guy",
                "woman",
                "someone",
                "somebody",
                "person",
                "robbery",
                "robber",
            ],
        ],
        window: 4,
        cancel_next: &["range", "store", "shop", "club", "show", "safety", "lock", "locks"],
        cancel_near: &["range", "photo", "photos", "nail", "toy", "water", "sharpening", "permit", "license"],
    },
    Cue {
        name: "shooting or stabbing",
        slots: &[&["gunpoint", "shooting", "shots", "gunshots", "gunshot", "gunfire", "stabbed", "stabbing"]],
        window: 1,
        cancel_next: &["range", "store", "shop", "club", "off", "clock", "hoops", "baskets", "photos", "star"],
        cancel_near: &[
            "range",
            "photo",
            "photos",
            "nail",
            "flu",
            "fireworks",
            "firework",
            "hoops",
            "basketball",
            "water",
            "pain",
            "pains",
            "rabies",
            "vaccine*",
            "booster",
        ],
    },
    Cue {
        name: "fight",
        slots: &[&["fight", "fighting", "beating", "attacking", "assault", "assaulting"]],
        window: 1,
        cancel_next: &["fire"],
        cancel_near: &["fire", "over", "parking", "permit", "ticket", "tickets", "citation", "fine", "bill"],
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
            &["car", "vehicle", "truck", "suv", "van", "minivan"],
            &["hot", "locked", "alone", "windows", "heat", "degrees", "panting"],
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
        cancel_near: &["hidrante", "boca", "estacion", "bomberos", "extintor", "permiso", "artificiales"],
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
            "convuls*",
            "infarto",
        ]],
        window: 1,
        cancel_next: &[],
        cancel_near: &[],
    },
    Cue {
        name: "no respira",
        slots: &[&["no"], &["respira", "respirando", "reacciona", "responde", "despierta"]],
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
        cancel_near: &["podar*", "poda", "arbol*", "rama*", "solicitud"],
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

/// Danger words that are not an emergency on their own ("gas", "knife",
/// "drowning"): a text with one of them, and no cue, is filed only after
/// asking the resident whether anyone is in danger right now.
pub(crate) static WARNINGS: &[Cue] = &[
    Cue {
        name: "fire or smoke",
        slots: &[&["fire", "flames", "blaze", "burning", "burnt", "smoke", "fuego", "incendio*", "humo", "quemando"]],
        window: 1,
        cancel_next: FIRE_NEXT,
        cancel_near: &[
            "hydrant",
            "hydrants",
            "hidrante",
            "detector",
            "detectors",
            "shop",
            "pit",
            "pits",
            "permit",
            "fireworks",
            "fireplace",
            "ant",
            "ants",
            "bbq",
            "barbecue",
            "grill",
            "smoker",
            "cigarette",
            "cigarettes",
            "alarma",
            "bomberos",
            "estacion",
            "artificiales",
        ],
    },
    Cue {
        name: "gas",
        slots: &[&["gas", "gass", "propane", "monoxide"]],
        window: 1,
        cancel_next: &["station", "stations", "can", "cans", "mower", "prices", "pump", "pumps", "company", "bill"],
        cancel_near: &["station", "gasolinera", "mileage", "tank", "tanks", "dispose", "disposal", "cylinders"],
    },
    Cue {
        name: "weapon",
        slots: &[&[
            "gun*", "knife", "knives", "weapon*", "armed", "shoot*", "shots", "stab*", "pistola", "arma", "armas",
            "armado", "cuchillo", "disparo*", "balazo*", "tiroteo",
        ]],
        window: 1,
        cancel_next: &["range", "store", "shop", "club", "off", "clock"],
        cancel_near: &["range", "basketball", "hoops", "photo", "photos", "photography", "nail", "flu", "film"],
    },
    Cue {
        name: "someone hurt",
        slots: &[&[
            "hurt",
            "injur*",
            "bleed*",
            "blood",
            "unconscious*",
            "unresponsive",
            "seizure*",
            "convuls*",
            "overdos*",
            "ambulance",
            "cpr",
            "herid*",
            "sangr*",
            "desmay*",
            "inconscien*",
            "ambulancia",
            "sobredosis",
        ]],
        window: 1,
        cancel_next: &["drive", "bank"],
        cancel_near: &["tire", "tires", "rim", "rims", "car", "business", "sales", "feelings", "donation", "donate"],
    },
    Cue {
        name: "danger to life",
        slots: &[&["drown*", "trapped", "suicid*", "dying", "choking", "atrapad*", "ahog*", "muriendo"]],
        window: 1,
        cancel_next: &[],
        cancel_near: &["trash", "garbage", "leaves", "weeds", "paperwork", "bills", "basura", "hojas", "mosquitoes"],
    },
    Cue {
        name: "crime",
        slots: &[&[
            "robb*",
            "burglar*",
            "intruder*",
            "assault*",
            "threaten*",
            "attack*",
            "mugg*",
            "robo",
            "robando",
            "asalt*",
            "amenaz*",
            "pelea*",
        ]],
        window: 1,
        cancel_next: &[],
        cancel_near: &["heart", "panic", "ant", "ants", "bees", "wasps"],
    },
    Cue {
        name: "electrical danger",
        slots: &[&["spark*", "arcing", "chispa*", "transformer", "electrocut*", "electrocutado"]],
        window: 1,
        cancel_next: &["plug", "plugs"],
        cancel_near: &["plug", "plugs", "mower", "car"],
    },
    Cue {
        name: "power line down",
        slots: &[
            &["power", "electric", "electrical", "live", "luz", "electricos"],
            &["line", "lines", "wire", "wires", "cable", "cables"],
        ],
        window: 2,
        cancel_next: &[],
        cancel_near: &["trim", "trimming", "request", "bury", "buried", "poda*", "podar*", "quote", "outage"],
    },
    Cue {
        name: "child alone",
        slots: &[
            &["kid", "kids", "child", "children", "toddler", "baby", "boy", "girl", "nino*", "nina*", "bebe"],
            &["alone", "unattended", "locked", "wandering", "solo", "sola", "solos", "encerrad*"],
        ],
        window: 6,
        cancel_next: &[],
        cancel_near: &["bus", "school", "crossing", "guard", "sign"],
    },
    Cue {
        name: "animal in danger",
        slots: &[
            &[
                "dog", "dogs", "puppy", "cat", "kitten", "pet", "horse", "horses", "cow", "cows", "perro", "gato",
                "caballo*", "vaca*",
            ],
            &[
                "hot",
                "locked",
                "heat",
                "panting",
                "drowning",
                "trapped",
                "highway",
                "interstate",
                "freeway",
                "carretera",
                "encerrad*",
                "atrapad*",
            ],
        ],
        window: 6,
        cancel_next: &[],
        cancel_near: &["barking", "poop", "waste", "license", "licence", "adopt", "adoption", "dead"],
    },
];

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
fn find_cues(cues: &'static [Cue], words: &[Vec<char>], found: &mut Vec<&'static str>) {
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
                found.push(cue.name);
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
    pub reasons: Vec<&'static str>,
    pub tempered_by: Option<&'static str>,
}

/// Phrases that place what a text tells in the past, as a habit, or as
/// something that might happen, with the name used in the explanation.
/// Each is a run of words; a word ending in `*` is a stem.
const TEMPERING: &[(&str, &[&[&str]])] = &[
    (
        "told as past",
        &[
            &["ago"],
            &["yesterday"],
            &["earlier"],
            &["ayer"],
            &["anoche"],
            &["pasado"],
            &["pasada"],
            &["hace"],
            &["back", "in"],
            &["used", "to"],
            &["all", "season"],
            &["last", "week"],
            &["last", "weekend"],
            &["last", "month"],
            &["last", "year"],
            &["last", "night"],
            &["last", "summer"],
            &["last", "winter"],
            &["last", "spring"],
            &["last", "fall"],
            &["last", "time"],
        ],
    ),
    (
        "told as a habit",
        &[
            &["every"],
            &["always"],
            &["constantly"],
            &["nightly"],
            &["siempre"],
            &["cada"],
            &["all", "the", "time"],
            &["ordinance"],
            &["todos", "los"],
        ],
    ),
    (
        "told as what might happen",
        &[
            &["might"],
            &["could", "get"],
            &["could", "be"],
            &["could", "fall"],
            &["could", "catch"],
            &["before", "someone"],
            &["before", "somebody"],
            &["waiting", "to", "happen"],
            &["someday"],
            &["podria"],
            &["podrian"],
        ],
    ),
];

/// Words that say it is happening now; they keep a cue an emergency even
/// when the text also tells of the past or of habits.
const NOW: &[&[&str]] = &[
    &["now"],
    &["hurry"],
    &["asap"],
    &["immediately"],
    &["currently"],
    &["happening"],
    &["911"],
    &["ahora"],
    &["ahorita"],
    &["urgente"],
    &["rapido"],
    &["auxilio"],
];

fn has_phrase(words: &[Vec<char>], phrase: &[&str]) -> bool {
    words.windows(phrase.len()).any(|w| w.iter().zip(phrase).all(|(word, p)| word_is(word, p)))
}

/// The triage's reading of a text: emergency cues found and told as
/// happening now make an emergency; danger words, or cues told as past,
/// habit, hypothesis or question, make a possible emergency. A question
/// about what to do "if" something happens ("what should I do if I smell
/// gas?") is asked before anything happened, and is not read for danger.
pub(crate) fn assess(text: &str) -> Assessment {
    let none = Assessment { danger: Danger::None, reasons: Vec::new(), tempered_by: None };
    let text = crate::search::truncate_query(text, super::MAX_TEXT_BYTES);
    let question = is_question(text);
    if question && text.unicode_words().any(|w| matches!(fold(w).as_str(), "if" | "si" | "ever")) {
        return none;
    }
    // Apostrophes are dropped so that "isn't" reads as "isnt".
    let words: Vec<Vec<char>> =
        text.unicode_words().take(400).map(|w| fold(w).chars().filter(|c| *c != '\'').collect()).collect();
    let mut reasons = Vec::new();
    find_cues(CUES, &words, &mut reasons);
    let cues = reasons.len();
    find_cues(WARNINGS, &words, &mut reasons);
    if reasons.is_empty() {
        return none;
    }
    let tempered_by = if NOW.iter().any(|p| has_phrase(&words, p)) {
        None
    } else if question {
        Some("asked as a question")
    } else {
        TEMPERING.iter().find(|(_, phrases)| phrases.iter().any(|p| has_phrase(&words, p))).map(|(name, _)| *name)
    };
    let danger = match (cues > 0, tempered_by) {
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
            assert_eq!(a.tempered_by, tempered, "{t}");
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
