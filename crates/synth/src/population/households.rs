//! Households: their shapes (singles, couples, single parents), who lives in them by
//! background (Danish, mixed, Western, non-Western), children's ages, when immigrants
//! came and how (descendants, refugees, guest workers, reunified spouses).

use super::naming::{WESTERN, female_form, patronymic, takes_husbands_name};
use super::{Background, Gen, Member, Sex, TWENTY_FOUR_YEAR_RULE};
use crate::names;
use crate::origin::{Lang, ORIGINS, Origin};
use crate::pick::weighted;
use time::{Date, Month};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Single,
    Couple,
    SingleParent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Danish,
    /// A Dane with a partner from abroad.
    Mixed,
    Western,
    NonWestern,
}

/// Children ever born, in a Danish-like and a non-Western-like family.
const DANISH_KIDS: &[(u32, u32)] = &[(0, 12), (1, 18), (2, 44), (3, 20), (4, 6)];
const WESTERN_KIDS: &[(u32, u32)] = &[(0, 20), (1, 30), (2, 35), (3, 15)];
const NON_WESTERN_KIDS: &[(u32, u32)] = &[(0, 6), (1, 12), (2, 28), (3, 26), (4, 16), (5, 12)];

/// A husband's age minus his wife's.
const AGE_GAP: &[(i32, i32, u32)] = &[(-4, 0, 25), (1, 4, 50), (5, 10, 25)];

impl Gen {
    pub(super) fn household(&mut self) -> Vec<Member> {
        let kinds = [(Kind::Danish, 860), (Kind::Mixed, 20), (Kind::Western, 40), (Kind::NonWestern, 78)];
        let mut members = match weighted(&mut self.rng, &kinds, |k| k.1).map_or(Kind::Danish, |k| k.0) {
            Kind::Danish => self.danish(),
            Kind::Mixed => self.mixed(),
            Kind::Western => self.western(),
            Kind::NonWestern => self.non_western(),
        };
        self.distinct_given_names(&mut members);
        members
    }

    /// Parents do not give two children one name, however spelt (nor a child a
    /// parent's, mostly).
    fn distinct_given_names(&mut self, members: &mut [Member]) {
        // "Hussein" and "Husein", "Ayşe" and "Ayse" are one name.
        let key = |name: &str| {
            let mut k: Vec<char> = names::fold(name).to_lowercase().chars().collect();
            k.dedup();
            k
        };
        for i in 1..members.len() {
            let (before, rest) = members.split_at_mut(i);
            let Some(m) = rest.first_mut() else { continue };
            for _ in 0..5 {
                let mine = key(&m.given_name);
                if !before.iter().any(|b| key(&b.given_name) == mine) {
                    break;
                }
                m.given_name = self.name(m.background, m.first, m.sex, m.birth).0;
            }
        }
    }

    fn shape(&mut self, shapes: &[(Shape, u32)]) -> Shape {
        weighted(&mut self.rng, shapes, |s| s.1).map_or(Shape::Single, |s| s.0)
    }

    pub(super) fn danish(&mut self) -> Vec<Member> {
        let bg = Background::Danish;
        match self.shape(&[(Shape::Single, 40), (Shape::Couple, 48), (Shape::SingleParent, 8)]) {
            Shape::Single => {
                let age = self.age_in(&[
                    (18, 24, 14),
                    (25, 34, 17),
                    (35, 49, 14),
                    (50, 64, 17),
                    (65, 79, 24),
                    (80, 89, 12),
                    (90, 100, 2),
                ]);
                // Women outlive men.
                let sex = self.sex(match age {
                    ..30 => 0.45,
                    30..65 => 0.42,
                    65..80 => 0.6,
                    _ => 0.72,
                });
                let birth = self.years_ago(age);
                vec![self.member(bg, None, sex, birth, None)]
            }
            Shape::Couple => {
                let wife_age = self.age_in(&[
                    (20, 29, 10),
                    (30, 39, 13),
                    (40, 49, 14),
                    (50, 59, 16),
                    (60, 69, 16),
                    (70, 79, 13),
                    (80, 92, 3),
                ]);
                let husband_age = (wife_age + self.age_in(AGE_GAP)).clamp(18, 100);
                let (wb, hb) = (self.years_ago(wife_age), self.years_ago(husband_age));
                let mut wife = self.member(bg, None, Sex::Female, wb, None);
                let husband = self.member(bg, None, Sex::Male, hb, None);
                if self.chance(0.5) {
                    wife.family_name.clone_from(&husband.family_name);
                }
                let family_name = husband.family_name.clone();
                let mut members = marry(wife, husband);
                for age in self.child_ages(wife_age, DANISH_KIDS, (23, 34), false) {
                    let birth = self.years_ago(age);
                    members.push(self.child(bg, None, birth, None, &family_name));
                }
                members
            }
            Shape::SingleParent => {
                let age = self.age_in(&[(22, 29, 15), (30, 39, 40), (40, 55, 45)]);
                let sex = self.sex(0.82);
                let birth = self.years_ago(age);
                let parent = self.member(bg, None, sex, birth, None);
                let family_name = parent.family_name.clone();
                let mother_age = if sex == Sex::Female { age } else { age - 3 };
                let mut members = vec![parent];
                for age in self.child_ages(mother_age, DANISH_KIDS, (22, 34), true) {
                    let birth = self.years_ago(age);
                    members.push(self.child(bg, None, birth, None, &family_name));
                }
                members
            }
        }
    }

    /// A Dane and a partner from abroad: Thai women above all, then other non-Western
    /// and Western partners.
    fn mixed(&mut self) -> Vec<Member> {
        let foreign = if self.chance(0.4) {
            Background::Western(weighted(&mut self.rng, WESTERN, |w| w.weight).unwrap_or(&WESTERN[0]))
        } else if self.chance(0.55) {
            Background::NonWestern(ORIGINS.iter().find(|o| o.code == "TH").unwrap_or(&ORIGINS[0]))
        } else {
            Background::NonWestern(
                weighted(&mut self.rng, ORIGINS, |o| if o.code == "TH" { 0 } else { o.weight }).unwrap_or(&ORIGINS[0]),
            )
        };
        let (first, thai, non_western) = match foreign {
            Background::NonWestern(o) => (weighted(&mut self.rng, o.languages, |l| l.weight), o.code == "TH", true),
            _ => (None, false, false),
        };
        let foreign_wife = self.chance(if thai {
            0.96
        } else if non_western {
            0.6
        } else {
            0.55
        });
        let wife_age = self.age_in(&[(22, 29, 15), (30, 39, 30), (40, 49, 25), (50, 64, 22), (65, 80, 8)]);
        let gap = if thai && foreign_wife { self.range(3, 15) } else { self.age_in(AGE_GAP) };
        let husband_age = (wife_age + gap).clamp(18, 100);
        let (wb, hb) = (self.years_ago(wife_age), self.years_ago(husband_age));
        // They met as adults, most before fifty.
        let foreign_age = if foreign_wife { wife_age } else { husband_age };
        let earliest = (foreign_age - 50).max(0);
        let candidate = self.range(earliest, (foreign_age - 20).min(35).max(earliest));
        // EU partners come under EU rules, not Danish family reunification.
        let Some(arrived) = self.arrival_as_adult(if foreign_wife { wb } else { hb }, candidate, non_western) else {
            return self.danish();
        };
        let (wife_bg, husband_bg) =
            if foreign_wife { (foreign, Background::Danish) } else { (Background::Danish, foreign) };
        let (wife_first, husband_first) = if foreign_wife { (first, None) } else { (None, first) };
        let mut wife = self.member(wife_bg, wife_first, Sex::Female, wb, foreign_wife.then_some(arrived));
        let mut husband = self.member(husband_bg, husband_first, Sex::Male, hb, (!foreign_wife).then_some(arrived));
        let maiden_name = wife.family_name.clone();
        if foreign_wife {
            wife.family_reunified = non_western;
            if self.chance(if thai {
                0.6
            } else if non_western {
                0.3
            } else {
                0.5
            }) {
                wife.family_name.clone_from(&husband.family_name);
            }
        } else {
            husband.family_reunified = non_western;
            if self.chance(0.3) {
                wife.family_name = female_form(&husband.family_name);
            }
        }
        let fathers_name = foreign_wife || wife.family_name == female_form(&husband.family_name) || self.chance(0.5);
        let kids_name = if fathers_name { husband.family_name.clone() } else { wife.family_name.clone() };
        let mut members = marry(wife, husband);
        for age in self.child_ages(wife_age, DANISH_KIDS, (22, 34), false) {
            let birth = self.years_ago(age);
            if foreign_wife && birth < arrived {
                // Her child from before, who came with her.
                members.push(self.child(foreign, first, birth, Some(arrived), &maiden_name));
                continue;
            }
            let mut kid = self.child(Background::Danish, None, birth, None, &kids_name);
            if self.chance(0.25) {
                kid.given_name = self.name(foreign, first, kid.sex, birth).0;
            }
            let home = match foreign {
                Background::Western(w) => Some(w.language),
                _ => first.map(|l| l.code),
            };
            if let Some(code) = home.filter(|c| !kid.languages.iter().any(|l| l == c))
                && self.chance(0.5)
            {
                kid.languages.push(code.to_string());
            }
            members.push(kid);
        }
        members
    }

    /// Labour migrants from the EU and the Nordic countries: mostly young, many alone.
    pub(super) fn western(&mut self) -> Vec<Member> {
        let w = weighted(&mut self.rng, WESTERN, |w| w.weight).unwrap_or(&WESTERN[0]);
        let bg = Background::Western(w);
        let span = if self.chance(0.7) { 12 } else { 30 };
        match self.shape(&[(Shape::Single, 55), (Shape::Couple, 45)]) {
            Shape::Couple => {
                let wife_age = self.age_in(&[(22, 29, 30), (30, 44, 50), (45, 64, 20)]);
                let husband_age = (wife_age + self.age_in(AGE_GAP)).clamp(18, 100);
                let years = self.range(0, span.min(wife_age.min(husband_age) - 18));
                let arrived = self.years_ago(years);
                let (wb, hb) = (self.years_ago(wife_age), self.years_ago(husband_age));
                let mut wife = self.member(bg, None, Sex::Female, wb, Some(arrived));
                let husband = self.member(bg, None, Sex::Male, hb, Some(arrived));
                if self.chance(0.6) {
                    wife.family_name = female_form(&husband.family_name);
                }
                let family_name = husband.family_name.clone();
                let mut members = marry(wife, husband);
                for age in self.child_ages(wife_age, WESTERN_KIDS, (22, 33), false) {
                    let birth = self.years_ago(age);
                    members.push(self.child(bg, None, birth, Some(arrived), &family_name));
                }
                members
            }
            _ => {
                let age = self.age_in(&[(20, 29, 40), (30, 44, 35), (45, 64, 20), (65, 85, 5)]);
                let sex = self.sex(0.4);
                let years = self.range(0, span.min(age - 18));
                let arrived = self.years_ago(years);
                let birth = self.years_ago(age);
                vec![self.member(bg, None, sex, birth, Some(arrived))]
            }
        }
    }

    pub(super) fn non_western(&mut self) -> Vec<Member> {
        // Thai women mostly live with Danish men (see `mixed`); few Thai men come.
        let origin =
            weighted(&mut self.rng, ORIGINS, |o| if o.code == "TH" { 1 } else { o.weight }).unwrap_or(&ORIGINS[0]);
        let first = weighted(&mut self.rng, origin.languages, |l| l.weight);
        match self.shape(&[(Shape::Couple, 58), (Shape::SingleParent, 12), (Shape::Single, 30)]) {
            Shape::Couple => self.non_western_couple(origin, first),
            Shape::SingleParent => self.non_western_single_parent(origin, first),
            Shape::Single => self.non_western_single(origin, first),
        }
    }

    fn non_western_couple(&mut self, o: &'static Origin, first: Option<&'static Lang>) -> Vec<Member> {
        let bg = Background::NonWestern(o);
        let descendant_head = self.chance(descendant_share(o.code));
        let wife_age = if descendant_head {
            self.age_in(&[(20, 29, 35), (30, 39, 40), (40, 52, 25)])
        } else {
            self.age_in(&[(20, 29, 18), (30, 39, 30), (40, 49, 25), (50, 64, 18), (65, 85, 9)])
        };
        let husband_age = (wife_age + self.age_in(&[(-2, 0, 15), (1, 4, 45), (5, 10, 40)])).clamp(18, 100);
        let (wb, hb) = (self.years_ago(wife_age), self.years_ago(husband_age));

        // (her arrival, his arrival, who was reunified with a supporting spouse, refugees)
        let (her_arrival, his_arrival, reunified, refugee) = if descendant_head {
            // Marriage migration: one grew up here, the other came to marry (G-1.2).
            let reverse = self.chance(0.2);
            let candidate = self.range(0, 15);
            let came = if self.chance(0.45) {
                self.arrival_as_adult(if reverse { hb } else { wb }, candidate, true)
            } else {
                None
            };
            match came {
                Some(d) if reverse => (None, Some(d), Some(Sex::Male), false),
                Some(d) => (Some(d), None, Some(Sex::Female), false),
                None => (None, None, None, false),
            }
        } else {
            let refugee = self.chance(refugee_share(o.code));
            let his_years = self.settled_years(o, husband_age, 18);
            let his_arrival = self.years_ago(his_years);
            let lag = if self.chance(0.35) { self.range(1, 6) } else { 0 };
            // Reunification with a refugee has no 24-year rule to meet.
            let later = if lag == 0 { None } else { self.arrival_as_adult(wb, his_years - lag, !refugee) };
            match later {
                Some(d) => (Some(d), Some(his_arrival), (!refugee).then_some(Sex::Female), refugee),
                None => (Some(his_arrival), Some(his_arrival), None, refugee),
            }
        };

        let mut wife = self.member(bg, first, Sex::Female, wb, her_arrival);
        let mut husband = self.member(bg, first, Sex::Male, hb, his_arrival);
        wife.refugee = refugee;
        husband.refugee = refugee;
        wife.family_reunified = reunified == Some(Sex::Female);
        husband.family_reunified = reunified == Some(Sex::Male);
        if self.chance(takes_husbands_name(o.code)) {
            wife.family_name.clone_from(&husband.family_name);
        }
        let family_name = if patronymic(o.code) {
            husband.given_name.split(' ').next().unwrap_or_default().to_string()
        } else {
            husband.family_name.clone()
        };
        let family_arrival = wife.arrived;
        let mut members = marry(wife, husband);
        for age in self.child_ages(wife_age, NON_WESTERN_KIDS, (19, 30), false) {
            let birth = self.years_ago(age);
            members.push(self.child(bg, first, birth, family_arrival, &family_name));
        }
        members
    }

    fn non_western_single_parent(&mut self, o: &'static Origin, first: Option<&'static Lang>) -> Vec<Member> {
        let bg = Background::NonWestern(o);
        let age = self.age_in(&[(22, 29, 25), (30, 39, 40), (40, 55, 35)]);
        let sex = self.sex(0.9);
        let descendant = self.chance(descendant_share(o.code));
        let refugee = !descendant && self.chance(refugee_share(o.code));
        let arrived = if descendant {
            None
        } else {
            let years = self.settled_years(o, age, 18);
            Some(self.years_ago(years))
        };
        let birth = self.years_ago(age);
        let mut parent = self.member(bg, first, sex, birth, arrived);
        parent.refugee = refugee;
        let mother_age = if sex == Sex::Female { age } else { age - 4 };
        let keep_own = patronymic(o.code) && sex == Sex::Female;
        let family_name = if sex == Sex::Male && patronymic(o.code) {
            parent.given_name.split(' ').next().unwrap_or_default().to_string()
        } else {
            parent.family_name.clone()
        };
        let mut members = vec![parent];
        for age in self.child_ages(mother_age, NON_WESTERN_KIDS, (19, 30), true) {
            let birth = self.years_ago(age);
            let mut kid = self.child(bg, first, birth, arrived, &family_name);
            if keep_own {
                // Named after the father who does not live here.
                kid.family_name = self.name(bg, first, kid.sex, birth).1;
            }
            members.push(kid);
        }
        members
    }

    fn non_western_single(&mut self, o: &'static Origin, first: Option<&'static Lang>) -> Vec<Member> {
        let bg = Background::NonWestern(o);
        let who = weighted(&mut self.rng, &[(0u8, 50), (1, 25), (2, 25)], |w| w.1).map_or(0, |w| w.0);
        let descendant = who == 1 && descendant_share(o.code) > 0.0;
        let (age, sex) = match who {
            1 if descendant => {
                let age = self.range(20, 35);
                (age, self.sex(0.5))
            }
            2 => {
                let age = self.age_in(&[(45, 64, 50), (65, 90, 50)]);
                (age, self.sex(0.6))
            }
            _ => {
                let age = self.range(18, 39);
                (age, self.sex(0.3))
            }
        };
        let birth = self.years_ago(age);
        let refugee = !descendant && self.chance(refugee_share(o.code));
        let arrived = if descendant {
            None
        } else {
            // Some of the young came as unaccompanied minors.
            let years = self.settled_years(o, age, if age < 30 { 15 } else { 18 });
            Some(self.years_ago(years))
        };
        let mut m = self.member(bg, first, sex, birth, arrived);
        m.refugee = refugee;
        vec![m]
    }

    /// Years since an immigrant of `age` came, having come at `min_age` or older.
    fn settled_years(&mut self, o: &Origin, age: i32, min_age: i32) -> i32 {
        let most = (age - min_age).max(0);
        if guest_workers(o.code) && age >= 60 && self.chance(0.7) {
            return self.range(40.min(most), 55.min(most));
        }
        let (lo, hi) = o.arrival_years_ago;
        let (lo, hi) =
            if self.chance(0.75) { (i32::try_from(lo).unwrap_or(1), i32::try_from(hi).unwrap_or(30)) } else { (1, 30) };
        self.range(lo.min(most), hi.min(most))
    }

    /// When someone born on `birth` came to a spouse here, about `years` ago: as an
    /// adult, and if `reunified` from 2002 at 24 or older; `None` when the rules would not
    /// have let them come yet.
    pub(super) fn arrival_as_adult(&mut self, birth: Date, years: i32, reunified: bool) -> Option<Date> {
        if years < 0 {
            return None;
        }
        let mut arrived = self.years_ago(years).max(birthday(birth, 18));
        if reunified && arrived.year() >= TWENTY_FOUR_YEAR_RULE {
            arrived = arrived.max(birthday(birth, 24));
        }
        (arrived <= self.today).then_some(arrived)
    }

    /// Ages of the children still living with a mother of `mother_age`: born from a
    /// first birth in `first_at` on, one to five years apart, leaving home from 18.
    fn child_ages(
        &mut self,
        mother_age: i32,
        ever: &[(u32, u32)],
        first_at: (i32, i32),
        at_least_one: bool,
    ) -> Vec<i32> {
        let mut ages = Vec::new();
        let mut at = self.range(first_at.0, first_at.1);
        for _ in 0..self.count(ever) {
            if at > mother_age || at > 45 {
                break;
            }
            let age = mother_age - at;
            let leaves = match age {
                ..18 => 0.0,
                18 => 0.15,
                19 => 0.3,
                20 => 0.45,
                21 => 0.55,
                22 => 0.65,
                23 => 0.75,
                24 => 0.85,
                _ => 1.0,
            };
            if !self.chance(leaves) {
                ages.push(age);
            }
            at += weighted(&mut self.rng, &[(1, 15), (2, 35), (3, 25), (4, 15), (5, 10)], |g| g.1).map_or(2, |g| g.0);
        }
        if ages.is_empty() && at_least_one {
            let oldest = (mother_age - first_at.0).clamp(0, 17);
            ages.push(self.range(0, oldest));
        }
        ages
    }

    pub(super) fn child(
        &mut self,
        bg: Background,
        first: Option<&'static Lang>,
        birth: Date,
        family_arrival: Option<Date>,
        family_name: &str,
    ) -> Member {
        let sex = self.sex(0.49);
        let arrived = family_arrival.filter(|a| birth < *a);
        let mut kid = self.member(bg, first, sex, birth, arrived);
        kid.family_name = if sex == Sex::Female { female_form(family_name) } else { family_name.to_string() };
        kid.child = true;
        kid
    }

    fn member(
        &mut self,
        bg: Background,
        first: Option<&'static Lang>,
        sex: Sex,
        birth: Date,
        arrived: Option<Date>,
    ) -> Member {
        let mut birth = birth;
        if let (Background::NonWestern(o), Some(_)) = (bg, arrived)
            && self.chance(o.first_of_january)
        {
            // Refugees without papers were registered as born on 1 January.
            birth = Date::from_calendar_date(birth.year(), Month::January, 1).unwrap_or(birth);
        }
        let (given_name, family_name) = self.name(bg, first, sex, birth);
        let languages = self.languages(bg, first, birth, arrived);
        Member {
            sex,
            birth,
            background: bg,
            first,
            arrived,
            given_name,
            family_name,
            languages,
            refugee: false,
            family_reunified: false,
            spouse: None,
            child: false,
            employed: false,
            on_benefit: false,
        }
    }
}

/// The two as spouses: wife first, then husband.
fn marry(mut wife: Member, mut husband: Member) -> Vec<Member> {
    wife.spouse = Some(1);
    husband.spouse = Some(0);
    vec![wife, husband]
}

/// The day someone born on `birth` turns `age` (1 March for 29 February in a common
/// year, since only then are they that old).
pub(super) fn birthday(birth: Date, age: i32) -> Date {
    let year = birth.year() + age;
    Date::from_calendar_date(year, birth.month(), birth.day())
        .or_else(|_| Date::from_calendar_date(year, Month::March, 1))
        .unwrap_or(birth)
}

/// Share of non-Western couples whose head was born here (a descendant): the older the
/// migration, the more.
fn descendant_share(code: &str) -> f64 {
    match code {
        "TR" | "PK" => 0.5,
        "MA" => 0.45,
        "LB" => 0.4,
        "PS" | "VN" | "LK" => 0.3,
        "IQ" => 0.2,
        "IR" | "SO" | "BA" => 0.15,
        "AF" | "ET" => 0.05,
        "SY" | "ER" => 0.02,
        _ => 0.0,
    }
}

fn refugee_share(code: &str) -> f64 {
    match code {
        "SY" | "ER" => 0.92,
        "BA" => 0.9,
        "AF" | "SO" => 0.85,
        "IQ" | "PS" => 0.7,
        "LB" | "LK" => 0.55,
        "IR" => 0.5,
        "VN" => 0.35,
        "ET" => 0.3,
        "TR" => 0.05,
        "PK" => 0.02,
        _ => 0.0,
    }
}

/// Came as guest workers from the late 1960s.
fn guest_workers(code: &str) -> bool {
    matches!(code, "TR" | "PK" | "MA")
}
