//! Behaviour of the linker: name rules, a fixed two-list linkage with known truth,
//! determinism, one-to-one links, the review band, empty input and input errors.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;

use linkage::{
    BlockPart, Certainty, Config, FieldKind, FieldValue, LinkError, NameAgreement, Record, Schema, compare_names, link,
};
use time::{Date, Month};

#[test]
fn transliteration_variants_agree_by_skeleton() {
    for (a, b) in [
        ("Mohammed", "Muhammad"),
        ("Mohammed", "Mohamad"),
        ("Muhammad", "Mohamad"),
        ("Fatima", "Fatma"),
        ("Yusuf", "Youssef"),
        ("Yusuf", "Jusuf"),
        ("Aisha", "Ayesha"),
        ("Khadija", "Khadidja"),
        ("Osman", "Usman"),
        ("Ibrahim", "Ebrahim"),
        ("Abdirahman", "Abdurahman"),
    ] {
        assert_eq!(compare_names(a, b), NameAgreement::Transliteration, "{a} / {b}");
    }
    // Folding alone does not equate ø and oe; the skeleton does.
    assert_eq!(compare_names("Jørgensen", "Joergensen"), NameAgreement::Transliteration);
    assert_eq!(compare_names("Jørgensen", "Jorgensen"), NameAgreement::Exact);
}

#[test]
fn particles_diacritics_and_order_are_folded() {
    assert_eq!(compare_names("al-Hassan", "Hassan"), NameAgreement::Exact);
    assert_eq!(compare_names("El Hassan", "Hassan"), NameAgreement::Exact);
    assert_eq!(compare_names("al-Hassan", "El Hassan"), NameAgreement::Exact);
    assert_eq!(compare_names("Şahin", "Sahin"), NameAgreement::Exact);
    assert_eq!(compare_names("ŞAHİN ığdır", "sahin igdir"), NameAgreement::Exact);
    assert_eq!(compare_names("Fatima Hassan", "Hassan Fatima"), NameAgreement::Exact);
    // A particle standing alone is the name itself, not dropped.
    assert_eq!(compare_names("Ali Ben", "Ali"), NameAgreement::Close);
}

#[test]
fn one_column_names_slips_and_differences() {
    // Whole name in one column against given + family name, with a middle name left out.
    assert_eq!(compare_names("Fatima Ali Hassan", "Fatima Hassan"), NameAgreement::Close);
    // A typing slip (two letters swapped) is close, not exact.
    assert_eq!(compare_names("Christensen", "Christesnen"), NameAgreement::Close);
    assert_eq!(compare_names("Fatima Hassan", "Fatima Jensen"), NameAgreement::Partial);
    assert_eq!(compare_names("Mohammed", "Peter"), NameAgreement::Different);
    assert_eq!(compare_names("Ida", "Ide"), NameAgreement::Transliteration);
    assert!(compare_names("Hassan", "Hussein") > NameAgreement::Exact);
}

/// A deterministic generator so the fixture is the same on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const GIVEN: &[&str] = &[
    "Amina", "Leyla", "Sara", "Noor", "Zainab", "Hiba", "Rania", "Yasmin", "Samira", "Huda", "Mette", "Anne", "Hanne",
    "Sofie", "Ida", "Emma", "Aylin", "Elif", "Zeynep", "Merve", "Hodan", "Sahra", "Ifrah", "Nimo", "Parisa", "Shirin",
];
const FAMILY: &[&str] = &[
    "Hussain", "Rahimi", "Nielsen", "Jensen", "Yilmaz", "Kaya", "Demir", "Omar", "Abdi", "Warsame", "Karimi",
    "Haidari", "Petersen", "Andersen", "Celik", "Aydin", "Mahmoud", "Saleh", "Nasser", "Qasim", "Farah", "Osman",
];

/// Spelling noise of the kind a course list has, by general rules: a dropped or doubled
/// letter, a vowel changed, two letters swapped.
fn slip(rng: &mut Lcg, name: &str) -> String {
    let mut c: Vec<char> = name.chars().collect();
    if c.len() < 4 {
        return name.to_owned();
    }
    let at = 1 + (rng.next() as usize % (c.len() - 2));
    match rng.next() % 4 {
        0 => {
            c.remove(at);
        }
        1 => c.insert(at, c[at]),
        2 => c.swap(at, at + 1),
        _ => {
            if let Some(p) = c.iter().skip(1).position(|ch| "aeiou".contains(*ch)) {
                c[p + 1] = if c[p + 1] == 'e' { 'a' } else { 'e' };
            }
        }
    }
    c.into_iter().collect()
}

struct Fixture {
    schema: Schema,
    register: Vec<Record>,
    course: Vec<Record>,
    truth: HashSet<(u64, u64)>,
}

/// A register of 400 people and a course list of 80 of them, without CPR: whole name in
/// one column, often misspelt or reordered, birth dates sometimes off, phones sometimes.
fn fixture() -> Fixture {
    let schema = Schema::builder()
        .field("name", FieldKind::Name)
        .field("birth_date", FieldKind::Date)
        .field("phone", FieldKind::Phone)
        .build()
        .expect("valid schema");
    let mut rng = Lcg(7);
    let mut people = Vec::new();
    for i in 0..400u64 {
        let given = rng.pick(GIVEN).to_owned();
        let family = rng.pick(FAMILY).to_owned();
        let year = 1960 + (rng.next() % 40) as i32;
        let month = Month::try_from(1 + (rng.next() % 12) as u8).expect("month");
        let day = 1 + (rng.next() % 28) as u8;
        let date = Date::from_calendar_date(year, month, day).expect("date");
        let phone = format!("{:08}", 20_000_000 + rng.next() % 79_999_999);
        people.push((i, given, family, date, phone));
    }
    let register: Vec<Record> = people
        .iter()
        .map(|(id, g, f, d, p)| Record {
            id: 1000 + id,
            values: vec![
                Some(FieldValue::Name(format!("{g} {f}"))),
                Some(FieldValue::Date(*d)),
                Some(FieldValue::Text(p.clone())),
            ],
        })
        .collect();
    let mut course = Vec::new();
    let mut truth = HashSet::new();
    for (k, (id, g, f, d, p)) in people.iter().step_by(5).enumerate() {
        let (mut g, mut f) = (g.clone(), f.clone());
        let roll = rng.next() % 10;
        if roll < 3 {
            g = slip(&mut rng, &g);
        } else if roll < 5 {
            f = slip(&mut rng, &f);
        }
        let name = match rng.next() % 4 {
            0 => format!("{f} {g}"),
            1 => format!("{}, {}", f.to_uppercase(), g),
            _ => format!("{g} {f}"),
        };
        let date = if rng.next().is_multiple_of(10) {
            d.replace_day(if d.day() == 1 { 2 } else { 1 }).expect("day")
        } else {
            *d
        };
        let phone = if rng.next().is_multiple_of(3) { None } else { Some(FieldValue::Text(format!("+45 {p}"))) };
        let course_id = 1 + k as u64;
        course.push(Record {
            id: course_id,
            values: vec![Some(FieldValue::Name(name)), Some(FieldValue::Date(date)), phone],
        });
        truth.insert((course_id, 1000 + id));
    }
    Fixture { schema, register, course, truth }
}

fn f1(found: &HashSet<(u64, u64)>, truth: &HashSet<(u64, u64)>) -> f64 {
    let tp = found.intersection(truth).count() as f64;
    if tp == 0.0 {
        return 0.0;
    }
    let (p, r) = (tp / found.len() as f64, tp / truth.len() as f64);
    2.0 * p * r / (p + r)
}

#[test]
fn fixed_lists_link_well_and_better_than_exact_matching() {
    let fx = fixture();
    let links = link(&fx.schema, &fx.course, &fx.register, &Config::default()).expect("links");
    let found: HashSet<(u64, u64)> = links.iter().map(|l| (l.left, l.right)).collect();
    let ours = f1(&found, &fx.truth);

    // The bar: exact agreement on lowercased name (as written) and birth date.
    let key = |r: &Record| match (&r.values[0], &r.values[1]) {
        (Some(FieldValue::Name(n)), Some(FieldValue::Date(d))) => Some((n.to_lowercase(), *d)),
        _ => None,
    };
    let mut exact = HashSet::new();
    for c in &fx.course {
        for r in &fx.register {
            if key(c).is_some() && key(c) == key(r) {
                exact.insert((c.id, r.id));
            }
        }
    }
    let baseline = f1(&exact, &fx.truth);
    eprintln!("fixed lists: F1 {ours:.3}, exact matching {baseline:.3}");
    assert!(ours >= 0.95, "F1 {ours:.3} below 0.95");
    assert!(ours > baseline + 0.2, "F1 {ours:.3} not clearly above exact matching's {baseline:.3}");
}

#[test]
fn output_is_deterministic_and_independent_of_input_order() {
    let fx = fixture();
    let config = Config::default();
    let a = link(&fx.schema, &fx.course, &fx.register, &config).expect("links");
    let b = link(&fx.schema, &fx.course, &fx.register, &config).expect("links");
    assert_eq!(a, b);
    let mut course = fx.course.clone();
    course.reverse();
    let mut register = fx.register.clone();
    register.rotate_left(137);
    let c = link(&fx.schema, &course, &register, &config).expect("links");
    assert_eq!(a, c);
    assert!(a.windows(2).all(|w| (w[0].left, w[0].right) < (w[1].left, w[1].right)));
}

#[test]
fn each_record_is_linked_at_most_once_and_a_person_may_be_on_a_list_twice() {
    let fx = fixture();
    // Every course entry twice, under new ids: a woman on two courses.
    let mut course = fx.course.clone();
    course.extend(fx.course.iter().map(|r| Record { id: r.id + 500, values: r.values.clone() }));
    let once = link(&fx.schema, &fx.course, &fx.register, &Config::default()).expect("links");
    let links = link(&fx.schema, &course, &fx.register, &Config::default()).expect("links");
    let lefts: HashSet<u64> = links.iter().map(|l| l.left).collect();
    assert_eq!(lefts.len(), links.len(), "a left record is linked at most once");
    // Both rows of a woman link to her, and as surely as the one row did alone.
    for l in &once {
        let twin = links.iter().find(|k| k.left == l.left + 500).expect("second row linked");
        let first = links.iter().find(|k| k.left == l.left).expect("first row linked");
        assert_eq!((first.right, twin.right), (l.right, l.right));
        assert_eq!(first.certainty, twin.certainty);
    }
}

fn person(id: u64, name: &str, date: Date) -> Record {
    Record { id, values: vec![Some(FieldValue::Name(name.to_owned())), Some(FieldValue::Date(date)), None] }
}

#[test]
fn review_band_and_rivals() {
    let fx = fixture();
    let defaults = link(&fx.schema, &fx.course, &fx.register, &Config::default()).expect("links");
    assert!(defaults.iter().any(|l| l.certainty == Certainty::Certain));
    assert!(defaults.iter().all(|l| l.probability >= 0.5));
    assert!(defaults.iter().filter(|l| l.certainty == Certainty::Certain).all(|l| l.probability >= 0.99));

    // Nothing is certain when certainty needs probability 1; the links stay, for review.
    let strict = Config { upper: 1.0, ..Config::default() };
    let reviewed = link(&fx.schema, &fx.course, &fx.register, &strict).expect("links");
    assert_eq!(reviewed.len(), defaults.len());
    assert!(reviewed.iter().all(|l| l.certainty == Certainty::Review));

    // A stricter lower bound links a subset.
    let fewer = link(&fx.schema, &fx.course, &fx.register, &Config { lower: 0.999, upper: 0.999, ..Config::default() })
        .expect("links");
    assert!(fewer.len() <= defaults.len());
    assert!(fewer.iter().all(|l| l.probability >= 0.999));

    // Two register entries the list cannot tell apart: the link goes to review.
    let date = Date::from_calendar_date(1985, Month::March, 12).expect("date");
    let mut register = fx.register.clone();
    register.push(person(90_001, "Amal Haddad", date));
    register.push(person(90_002, "Amal Haddad", date));
    let course = vec![person(1, "HADDAD Amal", date)];
    let links = link(&fx.schema, &course, &register, &Config::default()).expect("links");
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].right, 90_001, "ties go to the lower id");
    assert_eq!(links[0].certainty, Certainty::Review);
}

#[test]
fn empty_input_gives_no_links() {
    let fx = fixture();
    let config = Config::default();
    assert!(link(&fx.schema, &[], &fx.register, &config).expect("links").is_empty());
    assert!(link(&fx.schema, &fx.course, &[], &config).expect("links").is_empty());
    assert!(link(&fx.schema, &[], &[], &config).expect("links").is_empty());
}

#[test]
fn bad_input_is_an_error_without_personal_data() {
    let fx = fixture();
    let config = Config::default();
    let short = vec![Record { id: 1, values: vec![Some(FieldValue::Name("Secret Name".into()))] }];
    let err = link(&fx.schema, &short, &fx.register, &config).expect_err("arity");
    assert_eq!(err, LinkError::WrongArity { side: linkage::Side::Left, index: 0, expected: 3, found: 1 });
    assert!(!err.to_string().contains("Secret"));

    let date = Date::from_calendar_date(1990, Month::May, 5).expect("date");
    let twice = vec![person(5, "Secret Name", date), person(5, "Other Name", date)];
    let err = link(&fx.schema, &fx.course, &twice, &config).expect_err("duplicate id");
    assert_eq!(err, LinkError::DuplicateId { side: linkage::Side::Right, index: 1 });

    let err = link(&fx.schema, &fx.course, &fx.register, &Config { lower: 0.9, upper: 0.5, ..config.clone() });
    assert!(matches!(err, Err(LinkError::Thresholds { .. })));

    let schema = Schema::builder().field("name", FieldKind::Name).block_on(&[("nmae", BlockPart::NameToken)]).build();
    assert!(matches!(schema, Err(LinkError::UnknownField { rule: 0, .. })));
    assert!(matches!(Schema::builder().build(), Err(LinkError::EmptySchema)));

    let debug = format!("{:?}", person(1, "Secret Name", date));
    assert!(!debug.contains("Secret") && !debug.contains("1990"), "{debug}");
}

#[test]
fn explicit_blocking_rules_replace_the_defaults() {
    let fx = fixture();
    // Blocking on the phone alone cannot find the course entries that have none.
    let schema = Schema::builder()
        .field("name", FieldKind::Name)
        .field("birth_date", FieldKind::Date)
        .field("phone", FieldKind::Phone)
        .block_on(&[("phone", BlockPart::Whole)])
        .build()
        .expect("schema");
    let links = link(&schema, &fx.course, &fx.register, &Config::default()).expect("links");
    let with_phone = fx.course.iter().filter(|r| r.values[2].is_some()).count();
    assert!(links.len() <= with_phone);
    assert!(!links.is_empty());
}

#[test]
fn agreeing_on_a_common_birth_date_counts_less_than_on_a_rare_one() {
    let fx = fixture();
    let placeholder = Date::from_calendar_date(1990, Month::January, 1).expect("date");
    let rare = Date::from_calendar_date(1990, Month::June, 17).expect("date");
    let mut register = fx.register.clone();
    // Many residents registered with 1 January as birth date, as happens when the real
    // date is unknown.
    for k in 0..60u64 {
        let name = format!("{} {}", GIVEN[k as usize % GIVEN.len()], FAMILY[(k as usize * 7) % FAMILY.len()]);
        register.push(person(50_000 + k, &name, placeholder));
    }
    register.push(person(60_001, "Amal Haddad", placeholder));
    register.push(person(60_002, "Nadia Bakri", rare));
    // The whole course list besides, so that the model has something to learn from.
    let mut course = fx.course.clone();
    course.push(person(1_001, "Amal Haddad", placeholder));
    course.push(person(1_002, "Nadia Bakri", rare));
    let weight = |config: &Config| {
        let links = link(&fx.schema, &course, &register, &Config { lower: 0.0, ..config.clone() }).expect("links");
        let of = |id: u64| links.iter().find(|l| l.left == id).expect("linked");
        let (a, b) = (of(1_001), of(1_002));
        assert_eq!((a.right, b.right), (60_001, 60_002));
        (a.weight, b.weight)
    };
    let (common, uncommon) = weight(&Config::default());
    assert!(common + 2.0 < uncommon, "{common} vs {uncommon}");
    let (common, uncommon) = weight(&Config { term_frequencies: false, ..Config::default() });
    assert!((common - uncommon).abs() < 1e-9, "{common} vs {uncommon}");
}

#[test]
fn namesakes_decades_apart_a_shared_given_name_and_twins_are_never_certain() {
    let fx = fixture();
    let d = |y, m, day| Date::from_calendar_date(y, Month::try_from(m).expect("month"), day).expect("date");
    let mut register = fx.register.clone();
    register.push(person(70_001, "Warda Qureshi", d(2021, 3, 15)));
    register.push(person(70_002, "Zubeida Mansour", d(1984, 6, 2)));
    register.push(person(70_003, "Nawal Baraka", d(1991, 9, 9)));
    register.push(person(70_004, "Sabah Baraka", d(1991, 9, 9)));
    let mut course = fx.course.clone();
    // Born 2000: her namesake in the register is a child born in 2021.
    course.push(person(1_001, "Warda Qureshi", d(2000, 3, 15)));
    // Only the given name and the birth date agree.
    course.push(person(1_002, "Zubeida Haroun", d(1984, 6, 2)));
    // One of two twin sisters, by her own name: right and certain; by a misspelt given
    // name between both sisters' names: not certain.
    course.push(person(1_003, "Nawal Baraka", d(1991, 9, 9)));
    let links = link(&fx.schema, &course, &register, &Config { lower: 0.0, ..Config::default() }).expect("links");
    let of = |id: u64| links.iter().find(|l| l.left == id);
    for id in [1_001, 1_002] {
        if let Some(l) = of(id) {
            assert_eq!(l.certainty, Certainty::Review, "row {id}: {l:?}");
            assert!(!l.doubts.is_empty());
        }
    }
    let decades = of(1_001).expect("the namesake is a candidate");
    assert!(decades.doubts.contains(&linkage::Doubt::DatesDiffer { field: "birth_date".into() }), "{decades:?}");
    assert!(of(1_002).is_none_or(|l| l.doubts.contains(&linkage::Doubt::NamesInPart)));
    let twin = of(1_003).expect("twin linked");
    assert_eq!(twin.right, 70_003);
    assert_eq!(twin.certainty, Certainty::Certain, "{twin:?}");
    // The evidence says why, field by field, and adds up to the weight.
    assert_eq!(twin.evidence.len(), 3);
    assert_eq!(twin.evidence[0].agreement, linkage::Agreement::Name(NameAgreement::Exact));
    assert_eq!(twin.evidence[2].agreement, linkage::Agreement::Missing);
    let sum: f64 = twin.prior_weight + twin.evidence.iter().map(|e| e.weight).sum::<f64>();
    assert!((sum - twin.weight).abs() < 1e-9);
}
