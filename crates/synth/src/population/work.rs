//! Employment and benefits in the last twelve months (income register, benefits),
//! by age, sex, origin and household, with reunified spouses' supporters in work.

use super::{Background, Gen, Member, Sex};
use crate::age_on;
use crate::origin::Schooling;

impl Gen {
    /// Work and benefits in the last twelve months, supporters of a reunified spouse
    /// first (they must be in work), then men, then women, whose benefit can depend on
    /// a working husband.
    pub(super) fn work(&mut self, members: &mut [Member]) {
        let today = self.today;
        let toddler = members.iter().any(|m| m.child && age_on(m.birth, today) < 3);
        let supporter: Vec<bool> =
            members.iter().map(|m| m.spouse.and_then(|s| members.get(s)).is_some_and(|s| s.family_reunified)).collect();
        let mut order: Vec<usize> = (0..members.len()).collect();
        order.sort_by_key(|&i| {
            (!supporter.get(i).copied().unwrap_or(false), members.get(i).is_some_and(|m| m.sex == Sex::Female))
        });
        let mut decided = vec![false; members.len()];
        for i in order {
            let Some(m) = members.get(i) else { continue };
            let spouse_employed = m
                .spouse
                .filter(|s| decided.get(*s).copied().unwrap_or(false))
                .and_then(|s| members.get(s))
                .map(|s| s.employed);
            let situation = Situation {
                supporter: supporter.get(i).copied().unwrap_or(false),
                spouse_employed,
                small_child: toddler && !m.child && m.sex == Sex::Female,
            };
            let (employed, on_benefit) = self.work_and_benefit(m, situation);
            if let Some(m) = members.get_mut(i) {
                m.employed = employed;
                m.on_benefit = on_benefit;
            }
            if let Some(d) = decided.get_mut(i) {
                *d = true;
            }
        }
    }

    fn work_and_benefit(&mut self, m: &Member, s: Situation) -> (bool, bool) {
        let age = age_on(m.birth, self.today);
        if age < 15 {
            return (false, false);
        }
        if age < 18 {
            // Paper rounds and supermarket jobs are in the income register too.
            return (self.chance(0.45), false);
        }
        if age >= 65 {
            let employed = match age {
                65..70 => 0.2,
                70..75 => 0.07,
                _ => 0.02,
            };
            return (self.chance(employed), self.chance(0.97));
        }
        // (employed, a benefit besides work, a benefit without work); the young study on SU.
        let (mut employed, mut with_work, mut without_work) = match age {
            18..25 => (0.72, 0.2, 0.7),
            25..30 => (0.8, 0.06, 0.6),
            30..60 => (0.87, 0.03, 0.55),
            _ => (0.64, 0.05, 0.6),
        };
        let mut means_tested = false;
        match (m.background, m.arrived) {
            (Background::Danish, _) => {}
            (Background::Western(_), None) => employed *= 0.97,
            (Background::Western(_), Some(_)) => {
                employed *= 0.95;
                // EU citizens are often not (yet) entitled.
                without_work = 0.35;
                means_tested = true;
            }
            (Background::NonWestern(_), None) => {
                employed *= 0.92;
                without_work = f64::max(without_work, 0.8);
            }
            (Background::NonWestern(o), Some(arrived)) => {
                let years = age_on(arrived, self.today);
                employed = match (m.sex, years) {
                    (Sex::Male, ..2) => 0.3,
                    (Sex::Male, 2..5) => 0.55,
                    (Sex::Male, _) => 0.72,
                    (Sex::Female, ..2) => 0.15,
                    (Sex::Female, 2..5) => 0.35,
                    (Sex::Female, 5..10) => 0.52,
                    (Sex::Female, _) => 0.58,
                };
                employed *= match o.schooling {
                    Schooling::Low => 0.85,
                    Schooling::Mid => 1.0,
                    Schooling::High => 1.1,
                };
                if age < 25 {
                    employed *= 0.9;
                } else if age >= 60 {
                    employed *= 0.7;
                }
                with_work = 0.1;
                without_work = if m.family_reunified {
                    // The maintenance contract bars social assistance for years.
                    if years < 5 { 0.15 } else { 0.6 }
                } else if m.refugee {
                    0.95
                } else {
                    0.85
                };
                means_tested = true;
            }
        }
        if s.small_child {
            employed *= 0.75;
        }
        if means_tested && s.spouse_employed == Some(true) {
            // Spouses must support each other: a working spouse's income rules
            // social assistance out (G-1.2).
            without_work *= 0.9;
        }
        if s.supporter {
            employed = 1.0;
        }
        let e = self.chance(employed);
        let b = self.chance(if e { with_work } else { without_work });
        (e, b)
    }
}

#[derive(Debug, Clone, Copy)]
struct Situation {
    /// Spouse of someone reunified on a maintenance contract.
    supporter: bool,
    /// When already decided.
    spouse_employed: Option<bool>,
    small_child: bool,
}
