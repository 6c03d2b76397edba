//! Names and languages: given and family names by origin, sex and generation, the
//! women's forms, patronymics and taking the husband's name, and what each speaks.

use super::{Background, Gen, Sex};
use crate::age_on;
use crate::names::{self, Rule};
use crate::origin::Lang;
use crate::pick::{chance, common};
use time::Date;

impl Gen {
    pub(super) fn name(
        &mut self,
        bg: Background,
        first: Option<&'static Lang>,
        sex: Sex,
        birth: Date,
    ) -> (String, String) {
        let female = sex == Sex::Female;
        match bg {
            Background::Danish => {
                let generation = match birth.year() {
                    ..1965 => 0,
                    1965..1990 => 1,
                    _ => 2,
                };
                let pool = if female { DANISH_FEMALE[generation] } else { DANISH_MALE[generation] };
                let given = common(&mut self.rng, pool).copied().unwrap_or("Anne");
                let family = if self.chance(0.7) {
                    common(&mut self.rng, names::DANISH_FAMILY)
                } else {
                    common(&mut self.rng, DANISH_FAMILY_MORE)
                };
                (given.to_string(), family.copied().unwrap_or("Jensen").to_string())
            }
            Background::Western(w) => {
                let given = common(&mut self.rng, if female { w.female } else { w.male }).copied().unwrap_or("Anna");
                let family = common(&mut self.rng, w.family).copied().unwrap_or("Nowak");
                let family = if female { female_form(family) } else { family.to_string() };
                (given.to_string(), family)
            }
            Background::NonWestern(o) => {
                let kurdish = first.is_some_and(|l| matches!(l.code, "ckb" | "kmr"));
                let kurdish_given = kurdish && self.chance(0.8);
                let kurdish_family = kurdish && self.chance(0.5);
                let (pool, given_rules): (&[&str], &[Rule]) = match (female, kurdish_given) {
                    (true, true) => (names::KURDISH_GIVEN, names::KURDISH),
                    (true, false) => (o.given, o.rules),
                    (false, true) => (KURDISH_MALE, names::KURDISH),
                    (false, false) => (male_given(o.code), o.rules),
                };
                let (family_pool, family_rules) =
                    if kurdish_family { (names::KURDISH_FAMILY, names::KURDISH) } else { (o.family, o.rules) };
                let mut given = common(&mut self.rng, pool).copied().unwrap_or("Amina").to_string();
                if o.code == "VN" && self.chance(0.35) {
                    given = format!("{} {given}", if female { "Thị" } else { "Văn" });
                }
                let mut family = common(&mut self.rng, family_pool).copied().unwrap_or("").to_string();
                if o.code == "SO" && self.chance(0.25) {
                    // Father's and grandfather's names, both carried.
                    if let Some(grandfather) = common(&mut self.rng, family_pool).filter(|g| **g != family) {
                        family = format!("{family} {grandfather}");
                    }
                }
                (
                    names::spelling(&mut self.rng, &given, given_rules, 0.3),
                    names::spelling(&mut self.rng, &family, family_rules, 0.3),
                )
            }
        }
    }

    pub(super) fn languages(
        &mut self,
        bg: Background,
        first: Option<&'static Lang>,
        birth: Date,
        arrived: Option<Date>,
    ) -> Vec<String> {
        let age = age_on(birth, self.today);
        let mut out: Vec<String> = Vec::with_capacity(3);
        let mut add = |code: &str| {
            if !out.iter().any(|l| l == code) {
                out.push(code.to_string());
            }
        };
        match bg {
            Background::Danish => {
                add("da");
                if age >= 10 && chance(&mut self.rng, if age < 70 { 0.9 } else { 0.5 }) {
                    add("en");
                }
            }
            Background::Western(w) => {
                add(w.language);
                if arrived.is_none() {
                    add("da");
                }
                if age >= 10 && chance(&mut self.rng, 0.7) {
                    add("en");
                }
                if arrived.is_some_and(|a| age_on(a, self.today) >= 4) && chance(&mut self.rng, 0.5) {
                    add("da");
                }
            }
            Background::NonWestern(o) => {
                let home = first.map_or(o.main_language(), |l| l.code);
                match arrived {
                    None => {
                        // Descendants: the home language, not always kept, and Danish.
                        if age < 3 || chance(&mut self.rng, 0.85) {
                            add(home);
                        }
                        add("da");
                        if age >= 10 && chance(&mut self.rng, 0.7) {
                            add("en");
                        }
                    }
                    Some(a) => {
                        let years = age_on(a, self.today);
                        let segment = crate::latent::segment(&mut self.rng, o, years, age.max(18));
                        for l in crate::latent::languages(&mut self.rng, o, first, &segment) {
                            if age >= 10 || l.code == home {
                                add(&l.code);
                            }
                        }
                        // Children who came young learn Danish at school.
                        if age_on(birth, a) < 16 && years >= 1 {
                            add("da");
                        }
                    }
                }
            }
        }
        out
    }
}

/// Polish family names in -ski and -cki agree with the woman who bears them, whatever
/// her own origin (no other name in the tables ends so).
pub(super) fn female_form(family: &str) -> String {
    match family.strip_suffix("ki") {
        Some(stem) if stem.ends_with(['s', 'c']) => format!("{stem}ka"),
        _ => family.to_string(),
    }
}

/// Where the wife's name is her father's, the children's is their father's given name.
pub(super) fn patronymic(code: &str) -> bool {
    matches!(code, "SO" | "ER" | "ET")
}

pub(super) fn takes_husbands_name(code: &str) -> f64 {
    match code {
        "TR" => 0.85,
        "BA" => 0.8,
        "LK" => 0.6,
        "PK" | "TH" => 0.5,
        "AF" => 0.3,
        "SO" | "ER" | "ET" => 0.0,
        _ => 0.1,
    }
}

/// Men's given names by country, most common first; the women's are in `origin`.
pub(super) fn male_given(code: &str) -> &'static [&'static str] {
    match code {
        "SY" => &[
            "Mohammed", "Ahmad", "Khaled", "Omar", "Mahmoud", "Ali", "Hassan", "Mustafa", "Yousef", "Ibrahim",
            "Abdullah", "Bashar", "Rami", "Fadi",
        ],
        "IQ" => &[
            "Ali", "Hussein", "Mohammed", "Ahmed", "Haider", "Mustafa", "Abbas", "Karrar", "Hassan", "Ammar", "Sajjad",
            "Qasim",
        ],
        "LB" => &["Mohamad", "Ali", "Hassan", "Hussein", "Ahmad", "Khalil", "Bilal", "Rabih", "Ziad", "Walid", "Samir"],
        "PS" => &["Mohammed", "Ahmad", "Mahmoud", "Khaled", "Yasser", "Omar", "Ibrahim", "Nidal", "Tarek", "Jamal"],
        "MA" => &["Mohamed", "Ahmed", "Youssef", "Rachid", "Mustapha", "Said", "Hassan", "Driss", "Karim", "Brahim"],
        "SO" => &[
            "Maxamed",
            "Axmed",
            "Cabdi",
            "Cali",
            "Xasan",
            "Yuusuf",
            "Cabdullaahi",
            "Ibraahim",
            "Cumar",
            "Faarax",
            "Muuse",
            "Aadan",
        ],
        "TR" => &[
            "Mehmet", "Mustafa", "Ahmet", "Ali", "Hüseyin", "Hasan", "İbrahim", "Murat", "Osman", "Yusuf", "Emre",
            "Burak", "Ömer",
        ],
        "PK" => &[
            "Muhammad", "Imran", "Asif", "Tariq", "Kashif", "Shahid", "Naveed", "Zahid", "Bilal", "Usman", "Faisal",
            "Adnan",
        ],
        "IR" => {
            &["Mohammad", "Ali", "Reza", "Hossein", "Mehdi", "Amir", "Hamid", "Saeed", "Majid", "Dariush", "Farhad"]
        }
        "AF" => &[
            "Mohammad", "Ahmad", "Abdul", "Mahmood", "Ali", "Rahim", "Farid", "Jawad", "Naveed", "Hamid", "Sayed",
            "Mustafa",
        ],
        "ER" => &[
            "Yonas", "Samuel", "Dawit", "Filmon", "Mehari", "Habtom", "Yohannes", "Daniel", "Michael", "Tesfay",
            "Kidane",
        ],
        "ET" => &["Dawit", "Yonas", "Abebe", "Getachew", "Solomon", "Bereket", "Henok", "Mulugeta", "Girma", "Chala"],
        "BA" => &["Amir", "Edin", "Adnan", "Emir", "Haris", "Mirza", "Senad", "Damir", "Jasmin", "Almir", "Kenan"],
        "VN" => &["Minh", "Tuấn", "Hùng", "Dũng", "Nam", "Hải", "Long", "Quang", "Sơn", "Thành", "Đức"],
        "TH" => &["Somchai", "Somsak", "Prasert", "Anan", "Wichai", "Sakda", "Chaiwat", "Surachai", "Kittisak"],
        "LK" => {
            &["Sivakumar", "Rajan", "Suresh", "Kumar", "Ramesh", "Sathees", "Kannan", "Murali", "Prakash", "Ganesh"]
        }
        _ => &["Mohammed", "Ali", "Ahmed", "Omar"],
    }
}

const KURDISH_MALE: &[&str] = &[
    "Azad", "Rebwar", "Dilshad", "Karwan", "Hevar", "Shvan", "Kawa", "Baran", "Serhat", "Rojhat", "Aram", "Dara",
    "Zana",
];

/// Danish given names by when their bearers were born: before 1965, to 1989, after.
const DANISH_FEMALE: [&[&str]; 3] = [
    &[
        "Kirsten", "Hanne", "Susanne", "Lene", "Inge", "Karen", "Bente", "Jytte", "Birgitte", "Lis", "Grethe", "Ruth",
        "Else", "Tove", "Annette",
    ],
    &[
        "Mette",
        "Anne",
        "Camilla",
        "Louise",
        "Maria",
        "Charlotte",
        "Tina",
        "Pia",
        "Heidi",
        "Lone",
        "Trine",
        "Line",
        "Helle",
        "Marianne",
    ],
    &[
        "Emma", "Ida", "Sofie", "Freja", "Clara", "Laura", "Anna", "Ella", "Isabella", "Alma", "Josefine", "Mathilde",
        "Olivia", "Agnes", "Nora",
    ],
];

const DANISH_MALE: [&[&str]; 3] = [
    &[
        "Jens", "Niels", "Hans", "Poul", "Erik", "Ole", "Bent", "Jørgen", "Henning", "Leif", "Svend", "Knud", "Per",
        "Finn",
    ],
    &[
        "Lars",
        "Peter",
        "Michael",
        "Thomas",
        "Søren",
        "Henrik",
        "Martin",
        "Jesper",
        "Morten",
        "Rasmus",
        "Anders",
        "Christian",
        "Jacob",
        "Brian",
    ],
    &[
        "William", "Noah", "Oscar", "Lucas", "Carl", "Victor", "Malthe", "Emil", "Frederik", "Magnus", "Alfred",
        "Oliver", "Mads", "Anton",
    ],
];

/// Beyond the dozen commonest in `names::DANISH_FAMILY`.
pub(super) const DANISH_FAMILY_MORE: &[&str] = &[
    "Petersen",
    "Olsen",
    "Thomsen",
    "Christiansen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
    "Knudsen",
    "Jakobsen",
    "Mikkelsen",
    "Frederiksen",
    "Laursen",
    "Holm",
    "Schmidt",
    "Østergaard",
    "Lund",
    "Kjær",
    "Bach",
    "Dahl",
    "Nørgaard",
];

/// A Western country of origin (Danmarks Statistik's list) with its names.
#[derive(Debug)]
pub(super) struct Western {
    pub(super) code: &'static str,
    pub(super) weight: u32,
    pub(super) language: &'static str,
    pub(super) female: &'static [&'static str],
    pub(super) male: &'static [&'static str],
    pub(super) family: &'static [&'static str],
}

pub(super) const WESTERN: &[Western] = &[
    Western {
        code: "PL",
        weight: 30,
        language: "pl",
        female: &["Anna", "Katarzyna", "Agnieszka", "Magdalena", "Joanna", "Monika", "Aleksandra", "Ewa", "Małgorzata"],
        male: &["Piotr", "Krzysztof", "Tomasz", "Paweł", "Marcin", "Michał", "Jakub", "Łukasz", "Andrzej", "Kamil"],
        family: &[
            "Nowak",
            "Kowalski",
            "Wiśniewski",
            "Wójcik",
            "Kowalczyk",
            "Kamiński",
            "Lewandowski",
            "Zieliński",
            "Szymański",
            "Woźniak",
        ],
    },
    Western {
        code: "RO",
        weight: 18,
        language: "ro",
        female: &["Maria", "Elena", "Ioana", "Andreea", "Alexandra", "Mihaela", "Cristina", "Georgiana"],
        male: &["Andrei", "Alexandru", "Ionuț", "Mihai", "Florin", "Gabriel", "Adrian", "Constantin"],
        family: &["Popescu", "Ionescu", "Popa", "Stan", "Dumitru", "Stoica", "Gheorghe", "Munteanu", "Rusu"],
    },
    Western {
        code: "DE",
        weight: 16,
        language: "de",
        female: &["Julia", "Sabine", "Katrin", "Lena", "Anja", "Stefanie", "Claudia", "Laura"],
        male: &["Thomas", "Stefan", "Michael", "Jan", "Jonas", "Lukas", "Andreas", "Markus"],
        family: &["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann"],
    },
    Western {
        code: "GB",
        weight: 10,
        language: "en",
        female: &["Sarah", "Emma", "Claire", "Emily", "Rachel", "Sophie", "Hannah"],
        male: &["James", "David", "John", "Daniel", "Matthew", "Thomas", "Christopher"],
        family: &["Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson"],
    },
    Western {
        code: "SE",
        weight: 10,
        language: "sv",
        female: &["Anna", "Eva", "Maria", "Karin", "Sara", "Elin", "Johanna"],
        male: &["Erik", "Lars", "Karl", "Anders", "Johan", "Per", "Nils", "Mikael"],
        family: &["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson"],
    },
    Western {
        code: "NO",
        weight: 8,
        language: "nb",
        female: &["Ingrid", "Kari", "Marit", "Hilde", "Ingeborg", "Silje", "Ragnhild"],
        male: &["Ole", "Bjørn", "Knut", "Arne", "Kjetil", "Terje", "Håkon"],
        family: &["Hansen", "Johansen", "Olsen", "Larsen", "Nilsen", "Berg", "Haugen", "Bakken"],
    },
    Western {
        code: "IT",
        weight: 5,
        language: "it",
        female: &["Giulia", "Francesca", "Chiara", "Sara", "Valentina", "Martina"],
        male: &["Marco", "Luca", "Andrea", "Giuseppe", "Francesco", "Alessandro"],
        family: &["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo"],
    },
];
