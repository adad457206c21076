//! Classification and triage: zero-shot from the catalog, trained models
//! (deterministic, saved and loaded, carried by bundles), and the 911 triage.

use civic311::classify::{Classifier, TrainOptions, TriageKind};
use civic311::{Engine, ErrorKind};

use crate::search::riverton;

#[test]
fn zero_shot_ranks_the_catalog() {
    let engine = riverton();
    for (text, code) in [
        ("car with no plates parked in front of my house for two weeks", "VH-ABANDONED"),
        ("there's a huge hole in the road on river street", "ST-POTHOLE"),
        ("somebody spray painted the bus shelter", "GR-PUBLIC"),
        ("my garbage wasnt picked up this week", "SW-MISSED-TRASH"),
        ("el perro del vecino ladra toda la noche", "AN-BARKING"),
    ] {
        let s = engine.classify(text, 3).unwrap();
        assert!(s.iter().any(|x| x.service_code == code), "{text}: {s:#?}");
    }
    let all = engine.classify("streetlight out on maple", 100).unwrap();
    let total: f32 = all.iter().map(|s| s.score).sum();
    assert!((total - 1.0).abs() < 1e-3, "the scores of all categories sum to 1: {total}");
    assert!(all.windows(2).all(|w| w[0].score >= w[1].score));
    assert_eq!(all[0].department.as_deref(), Some("traffic"));
    for text in ["", "   ", "🚧🚧", &"pothole ".repeat(5000), "\u{0}"] {
        assert_eq!(engine.classify(text, 3).unwrap().len(), 3, "{text:?}");
    }
    assert_eq!(engine.classify("x", 1000).unwrap_err().kind(), ErrorKind::Query);
}

fn rows() -> Vec<(String, String)> {
    let mut rows = Vec::new();
    for i in 0..30 {
        rows.push((format!("pothole number {i} on elm street"), "roads".to_string()));
        rows.push((format!("graffiti tag {i} on the wall"), "graffiti".to_string()));
        rows.push((format!("trash can {i} was not emptied"), "trash".to_string()));
    }
    rows.push(("one lone dead deer on the highway".to_string(), "animals".to_string()));
    rows
}

fn train(options: &TrainOptions) -> Classifier {
    let rows = rows();
    Classifier::train(rows.iter().map(|(t, l)| (t.as_str(), l.as_str())), options).unwrap()
}

#[test]
fn training_is_deterministic_and_saves_exactly() {
    let a = train(&TrainOptions::default());
    let b = train(&TrainOptions::default());
    assert_eq!(a.to_bytes(), b.to_bytes(), "same rows and seed, same model");
    let c = train(&TrainOptions { seed: 7, ..TrainOptions::default() });
    assert_ne!(a.to_bytes(), c.to_bytes(), "another seed shuffles differently");
    assert_eq!(a.labels(), ["animals", "graffiti", "roads", "trash"]);
    assert_eq!(a.predict_top("big pothole on main street", 1)[0].0, "roads");
    assert_eq!(a.predict(["someone tagged the wall", "trash not picked up"]), ["graffiti", "trash"]);

    let loaded = Classifier::from_bytes(&a.to_bytes()).unwrap();
    assert_eq!(loaded.predict_top("pothole", 4), a.predict_top("pothole", 4));
    let dir = std::env::temp_dir().join(format!("civic311-model-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("model.c311m");
    a.save(&path).unwrap();
    assert_eq!(Classifier::load(&path).unwrap().to_bytes(), a.to_bytes());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A long batch is shared among the cores; its answers are each text's own.
#[test]
fn a_long_batch_answers_as_one_text_at_a_time() {
    let model = train(&TrainOptions::default());
    let texts: Vec<String> = (0..700)
        .map(|i| {
            ["pothole by the school", "tag on the bridge", "bins not emptied", "dead deer"][i % 4].to_string()
                + &format!(" {i}")
        })
        .collect();
    let batch = model.predict_top_batch(texts.iter().map(String::as_str), 2);
    let one_by_one: Vec<_> = texts.iter().map(|t| model.predict_top(t, 2)).collect();
    assert_eq!(batch, one_by_one);
    let labels = model.predict(texts.iter().map(String::as_str));
    assert_eq!(labels, one_by_one.iter().map(|top| top[0].0.clone()).collect::<Vec<_>>());
    assert_eq!(&labels[..3], ["roads", "graffiti", "trash"]);
}

#[test]
fn damaged_models_are_refused() {
    let bytes = train(&TrainOptions::default()).to_bytes();
    let mut altered = bytes.clone();
    let mid = altered.len() / 2;
    altered[mid] ^= 1;
    for (bad, words) in [
        (Vec::new(), "not a civic311 model"),
        (b"C311BNDL........................".to_vec(), "not a civic311 model"),
        (bytes[..bytes.len() - 3].to_vec(), "truncated"),
        (altered, "checksum"),
    ] {
        let err = Classifier::from_bytes(&bad).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Model);
        assert!(err.to_string().contains(words), "{words}: {err}");
    }
}

#[test]
fn training_errors_say_what_to_fix() {
    let err = Classifier::train([("a", "x"), ("b", "x")], &TrainOptions::default()).unwrap_err();
    assert!(err.to_string().contains("at least two labels"), "{err}");
    let err = Classifier::train([("a", "x"), ("b", " ")], &TrainOptions::default()).unwrap_err();
    assert!(err.to_string().contains("empty label"), "{err}");
    let err = Classifier::train([("a", "x"), ("b", "y")], &TrainOptions { epochs: 0, ..TrainOptions::default() })
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Model);
}

#[test]
fn a_trained_model_travels_with_the_engine() {
    let mut engine = Engine::from_bundle(&riverton().to_bundle().unwrap()).unwrap();
    engine.set_classifier(train(&TrainOptions::default()));
    let s = engine.classify("pothole on elm", 2).unwrap();
    assert_eq!(s[0].service_code, "roads");
    assert_eq!(s[0].service_name, None, "a label the catalog does not know has no name");
    let loaded = Engine::from_bundle(&engine.to_bundle().unwrap()).unwrap();
    assert_eq!(loaded.classify("pothole on elm", 2).unwrap(), s);
}

#[test]
fn triage_sends_emergencies_to_911() {
    let engine = riverton();
    let t = engine.triage("I smell gas in my basement and it's getting stronger").unwrap();
    assert_eq!(t.kind, TriageKind::Emergency);
    assert!(t.advice.as_deref().unwrap().starts_with("Call 911 now"));
    assert_eq!(t.reasons, ["gas smell"]);
    let t = engine.triage("huele a gas en la cocina").unwrap();
    assert!(t.advice.as_deref().unwrap().starts_with("Llame al 911"));
    let t = engine.triage("the fire hydrant is leaking all over the sidewalk").unwrap();
    assert_eq!(t.kind, TriageKind::Report);
    assert_eq!(t.suggestions[0].service_code, "WS-HYDRANT");
    assert!(!t.possible_emergency && t.advice.is_none());
    // Danger told as a possibility: filed as a report, but only after asking.
    let t = engine.triage("someone dumped an old fridge on the curb, a kid could get trapped inside").unwrap();
    assert_eq!(t.kind, TriageKind::Report);
    assert!(t.possible_emergency);
    assert!(t.advice.as_deref().unwrap().starts_with("If anyone is in danger right now, call 911"));
    assert!(t.reasons.iter().any(|r| r == "told as what might happen"), "{:?}", t.reasons);
    let t = engine.triage("is the main library open on sunday?").unwrap();
    assert_eq!(t.kind, TriageKind::Question);
    assert!(t.answers.iter().any(|a| a.id == "main-library"));
}

/// A person down, an overdose, choking or drowning, a child or a pet in a
/// hot car, threats to hurt oneself or others (issue 19): straight to 911,
/// in English and Spanish, typos included; their look-alikes are not. The
/// blind set of these (`triage-heldout-3.jsonl`) is scored by the
/// `classify_eval` bench, not here.
#[test]
fn a_person_in_danger_goes_to_911() {
    let engine = riverton();
    for text in [
        "a man is lying on the sidewalk and not moving",
        "there's a guy laying in the middle of the road not moving",
        "my neighbor collapsed in her yard and isnt breathing",
        "some lady is passed out on the bus bench and wont wake up",
        "I think the guy at the bus stop is ODing, he's turning gray",
        "hay un senor tirado en la calle y no se mueve",
        "my son is choking on a grape and can't breathe",
        "mi bebe se esta atragantando",
        "a kid fell in the pond and is drowning",
        "un nino se esta ahogando en el rio",
        "there's a baby locked in a hot car in the Walmart parking lot",
        "dog locked in a parked car windows up it's 95 degrees",
        "hay un perro encerrado en un carro con las ventanas cerradas y hace mucho calor",
        "my brother says he's going to kill himself tonight",
        "my neighbor is threatening to shoot us with a rifle",
        "mi vecino esta amenazando con matar a su esposa",
        "mi hijo dice que quiere suicidarse",
        "a man on the overpass says he wants to end his life",
        "a women is unconcious on the sidewalk",
        "guy overdosed in the park restroom",
        "somebody is lying in the street at 5th and Main and cars are swerving around him",
        "my grandma fell and can't get up, she's on the kitchen floor",
        "guy slumped over the wheel of his car at the light",
        "his lips are blue and he's foaming at the mouth",
        "my roommate took a whole bottle of pills",
        "the kid went under the water at the lake and hasn't come up",
        "mi abuela se cayo y no se levanta",
        "un nino se cayo al rio",
        "el dice que se va a matar",
        "my ex is at the door yelling that he's going to kill me",
        "he says he's gonna shoot up the school",
    ] {
        let t = engine.triage(text).unwrap();
        assert_eq!(t.kind, TriageKind::Emergency, "{text}: {:?}", t.reasons);
    }
    for text in [
        "my neighbor isn't moving his car from in front of my driveway",
        "the line at the permit office is not moving",
        "a homeless man is sleeping on the bench at the park again",
        "dead deer lying in the road on Route 9",
        "the storm drain is choked with leaves",
        "I'm drowning in paperwork from the city, can someone help with my permit",
        "streetlight on elm has reached end of life and flickers",
        "mattress laying in the middle of the road",
        "car with a dog sticker parked for weeks on maple",
        "where can I sign up for swim lessons at the city pool",
        "the construction crew isn't moving fast enough on main street",
        "el carro abandonado no se mueve desde hace semanas",
        "raccoon foaming at the mouth in my backyard",
        "where do I drop off old pills for disposal",
        "the city crew said they would kill the weeds along the trail",
        "no levantan la basura en la calle Sauce desde hace dos semanas",
        "la rama se cayo al rio y tapa el canal",
        "my car can't get up the hill when it snows, please salt Elm St",
    ] {
        let t = engine.triage(text).unwrap();
        assert_ne!(t.kind, TriageKind::Emergency, "{text}: {:?}", t.reasons);
    }
}

/// A catalog's own cue (docs/classify.md, "Adding a cue"): the example of
/// the docs, on the test catalog, in English and Spanish, with a typo; its
/// look-alike stays a report; a bundle carries the cue.
#[test]
fn a_catalogs_own_cue_fires() {
    let cues = r#"
[words]
water = ["water", "agua", "flooding", "inundando", "pouring"]

[[cue]]
name = "levee breach"
slots = [["levee", "dique", "bordo"], ["breach*", "broke", "rompio", "overtopping", "@water"]]
window = 5
cancel_near = ["inspection", "mowing", "inspeccion"]

[[warning]]
name = "open mine shaft"
slots = [["shaft", "tiro"], ["open", "abierto", "uncovered", "collapsed"]]
window = 3
"#;
    let plain = Engine::build(civic311::Catalog::from_files(crate::util::base_files()).unwrap()).unwrap();
    let local =
        Engine::build(civic311::Catalog::from_files(crate::util::with_file("triage.toml", cues)).unwrap()).unwrap();
    let breach = "the levee behind Quail Run just broke and water is coming into the houses";
    assert!(
        !plain.triage(breach).unwrap().reasons.iter().any(|r| r == "levee breach"),
        "without the file, no such cue"
    );
    for text in [breach, "se rompió el dique y el agua está entrando a las casas", "the leve is breeched!!"] {
        let t = local.triage(text).unwrap();
        assert_eq!(t.kind, TriageKind::Emergency, "{text}: {t:?}");
        assert!(t.reasons.iter().any(|r| r == "levee breach"), "{text}: {:?}", t.reasons);
    }
    let t = local.triage("levee mowing is overdue, the grass is knee high").unwrap();
    assert_eq!(t.kind, TriageKind::Report, "{t:?}");
    assert!(!t.reasons.iter().any(|r| r == "levee breach"), "{:?}", t.reasons);
    // A warning asks first.
    let t = local.triage("there is an open shaft in the lot behind the school").unwrap();
    assert!(t.possible_emergency && t.kind != TriageKind::Emergency, "{t:?}");
    assert!(t.reasons.iter().any(|r| r == "open mine shaft"), "{:?}", t.reasons);
    // Bundles carry the catalog's cues.
    let loaded = Engine::from_bundle(&local.to_bundle().unwrap()).unwrap();
    assert!(loaded.triage(breach).unwrap().reasons.iter().any(|r| r == "levee breach"));
}

/// Catalogs with fewer than two categories classify without a model: the
/// only category, certain, or none (a folder of articles); triage works.
#[test]
fn one_category_or_none_classifies_and_triages() {
    let one = Engine::build(civic311::Catalog::from_files(crate::util::base_files()).unwrap()).unwrap();
    let s = one.classify("anything at all", 3).unwrap();
    assert_eq!((s.len(), s[0].service_code.as_str(), s[0].score), (1, "ST-POTHOLE", 1.0));
    assert!(one.classify("anything", 0).unwrap().is_empty());
    let faq = civic311::Catalog::from_files([(
        "articles/faq.md",
        "+++\nid = \"faq\"\ntitle = \"Hours\"\n+++\nOpen daily.\n",
    )]);
    let faq = Engine::build(faq.unwrap()).unwrap();
    assert!(faq.classify("a pothole", 3).unwrap().is_empty());
    let t = faq.triage("I smell gas in my kitchen").unwrap();
    assert_eq!(t.kind, TriageKind::Emergency);
    assert!(t.suggestions.is_empty());
    assert_eq!(faq.triage("when are you open?").unwrap().kind, TriageKind::Question);
}

fn eval_set(name: &str) -> Vec<serde_json::Value> {
    let path = format!("{}/../eval/riverton/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn zero_shot_on_the_golden_complaints() {
    let rows = eval_set("complaints.jsonl");
    assert!(rows.len() >= 200);
    let engine = riverton();
    let texts: Vec<&str> = rows.iter().map(|r| r["text"].as_str().unwrap()).collect();
    let all = engine.classify_batch(&texts, 3).unwrap();
    let top3 =
        rows.iter().zip(&all).filter(|(r, s)| s.iter().any(|x| x.service_code == r["label"].as_str().unwrap())).count();
    let top1 = rows.iter().zip(&all).filter(|(r, s)| s[0].service_code == r["label"].as_str().unwrap()).count();
    let (top1, top3) = (top1 as f64 / rows.len() as f64, top3 as f64 / rows.len() as f64);
    assert!(top3 >= 0.8, "zero-shot top-3 accuracy {top3:.3}");
    assert!(top1 >= 0.6, "zero-shot accuracy {top1:.3}");
}

/// The two development sets (the first held-out set was spent on changing
/// the rules). The held-out set, `triage-heldout-2.jsonl`, is measured by
/// the `classify_eval` bench, never asserted on here.
#[test]
fn triage_on_the_development_sets() {
    let engine = riverton();
    for name in ["triage.jsonl", "triage-heldout.jsonl"] {
        let rows = eval_set(name);
        let (mut emergencies, mut caught, mut silent, mut others, mut false_alarms) = (0, 0, 0, 0, 0);
        for r in &rows {
            let t = engine.triage(r["text"].as_str().unwrap()).unwrap();
            if r["expected"] == "emergency" {
                emergencies += 1;
                caught += (t.kind == TriageKind::Emergency) as usize;
                silent += (t.kind != TriageKind::Emergency && !t.possible_emergency) as usize;
            } else {
                others += 1;
                false_alarms += (t.kind == TriageKind::Emergency) as usize;
            }
        }
        let recall = caught as f64 / emergencies as f64;
        let false_alarm_rate = false_alarms as f64 / others as f64;
        assert!(recall >= 0.95, "{name}: emergency recall {recall:.3} ({caught}/{emergencies})");
        assert!(silent <= 1, "{name}: {silent} emergencies filed without asking");
        assert!(false_alarm_rate <= 0.05, "{name}: false alarms {false_alarm_rate:.3} ({false_alarms}/{others})");
    }
}
