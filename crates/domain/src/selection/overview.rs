//! The overview of a run (G-5.4).

use super::*;

/// Counts of the women a run found, by each of G-5.4's four characteristics. Only
/// aggregates: this is what a run keeps about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub total: u64,
    pub by_country: Vec<(String, u64)>,
    pub by_area: Vec<(String, u64)>,
    pub by_age: Vec<(String, u64)>,
    pub by_years_in_denmark: Vec<(String, u64)>,
}

pub const AGE_BANDS: &[(i32, i32, &str)] =
    &[(18, 29, "18-29"), (30, 39, "30-39"), (40, 49, "40-49"), (50, 64, "50-64")];

/// The years-in-Denmark bands end where the rule's "more than N years" begins
/// ([`more_than_years`]): "0-3" is at most three years, "over 3-9" more than three and
/// at most nine, and so on.
pub const YEAR_BOUNDS: [u32; 3] = [3, 9, 19];
pub const YEAR_BANDS: [&str; 4] = ["0-3", "over 3-9", "over 9-19", "over 19"];

fn band(value: i32, bands: &[(i32, i32, &'static str)]) -> &'static str {
    bands.iter().find(|(lo, hi, _)| (*lo..=*hi).contains(&value)).map_or("other", |(_, _, l)| l)
}

/// Her band of years in Denmark on `reference` (born here: since birth).
pub fn years_band(since: Date, reference: Date) -> &'static str {
    YEAR_BANDS[YEAR_BOUNDS.iter().filter(|&&b| more_than_years(since, reference, b)).count()]
}

fn tally(keys: impl Iterator<Item = String>, order: Option<&[&str]>) -> Vec<(String, u64)> {
    let mut map: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    for k in keys {
        *map.entry(k).or_default() += 1;
    }
    let mut out: Vec<(String, u64)> = map.into_iter().collect();
    match order {
        // Bands in their natural order, every band shown (an empty band is a zero).
        Some(bands) => {
            let mut ordered: Vec<(String, u64)> = bands
                .iter()
                .map(|l| ((*l).to_string(), out.iter().find(|(k, _)| k == l).map_or(0, |(_, n)| *n)))
                .collect();
            ordered.extend(out.into_iter().filter(|(k, _)| !bands.contains(&k.as_str())));
            ordered
        }
        // Largest groups first, then by name.
        None => {
            out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            out
        }
    }
}

/// The overview of a run's women on the date the extracts describe (the same date
/// the rules were applied on, so the bands agree with the rules).
pub fn overview(candidates: &[Candidate], reference: Date) -> Overview {
    let age_labels: Vec<&str> = AGE_BANDS.iter().map(|(_, _, l)| *l).collect();
    Overview {
        total: candidates.len() as u64,
        by_country: tally(candidates.iter().map(|c| c.country_of_origin.clone()), None),
        by_area: tally(candidates.iter().map(|c| c.area_code.clone().unwrap_or_else(|| "-".into())), None),
        by_age: tally(
            candidates.iter().map(|c| band(age_on(c.birth_date, reference), AGE_BANDS).to_string()),
            Some(&age_labels),
        ),
        by_years_in_denmark: tally(
            candidates.iter().map(|c| years_band(c.arrived_in_denmark.unwrap_or(c.birth_date), reference).to_string()),
            Some(&YEAR_BANDS),
        ),
    }
}

/// One table of the overview as a viewer may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownTable {
    pub rows: Vec<(String, Option<u64>)>,
    pub total: Option<u64>,
}

impl Overview {
    /// The tables as `viewer` may see them: coordinators see the counts; every other
    /// role sees them through the one suppression rule (`suppression::suppress_row`).
    /// Each table is suppressed on its own and all four share the same total, which
    /// is shown only when it is itself at or above the threshold, so no table's hidden
    /// cells follow from another's.
    pub fn shown(&self, suppress: bool) -> [ShownTable; 4] {
        let show = |rows: &[(String, u64)]| {
            if !suppress {
                return ShownTable {
                    rows: rows.iter().map(|(k, n)| (k.clone(), Some(*n))).collect(),
                    total: Some(self.total),
                };
            }
            let counts: Vec<u64> = rows.iter().map(|(_, n)| *n).collect();
            let s = crate::suppression::suppress_row(&counts, crate::suppression::THRESHOLD);
            ShownTable { rows: rows.iter().map(|(k, _)| k.clone()).zip(s.cells).collect(), total: s.total }
        };
        [show(&self.by_country), show(&self.by_area), show(&self.by_age), show(&self.by_years_in_denmark)]
    }
}
