//! The truth beside the extracts (`truth/`): the target group the guide's example
//! selection must find, what the extracts say of each resident, the maintenance
//! contracts, the language-school list's links and who moved away.

use super::csv_out::push_padded;
use super::csv_out::{AmountForm, CsvOut, DateForm, Encoding, Layout, context, push_amount, push_cpr, push_date};
use super::monthly::Monthly;
use super::school;
use super::{Ctx, ExtractOptions, digits};
use crate::population::{Resident, Sex};
use domain::reference::is_non_western;
use std::collections::HashMap;
use std::io;
use std::path::Path;
use time::Date;

/// Writes `truth/` under `dir`:
/// - `target.csv` (`cpr`): the women the guide's example selection must find — women
///   18–64 on `today`, non-Western origin, more than three years in Denmark
///   (`Resident::in_denmark_more_than(3, today)`), no income row with an amount above 0 and
///   no benefit row in the 12 months. Population order, ten digits.
/// - `language_school_links.csv` (`row,cpr`): each list row as a spreadsheet numbers it
///   (header = 1) and the resident's CPR, empty for a participant who moved away.
/// - `residents.csv`: per resident what the extracts say about them (income months and
///   total, benefit type and months, programme, reunification, list rows, target).
/// - `maintenance_truth.csv`: every reunified spouse with the supporter, the contract's
///   start and end, whether it is still running on `today`, and the deposit date.
/// - `moved_away.csv` (`cpr,months_before_moving`): the CPRs in the income and benefit
///   files that are not residents (none in the Plain style).
pub fn write_truth(population: &[Resident], options: &ExtractOptions, dir: &Path) -> io::Result<()> {
    let dir = dir.join("truth");
    std::fs::create_dir_all(&dir).map_err(|e| context("truth folder", e))?;
    let ctx = Ctx::new(population, options);
    let plain = Layout { separator: b',', encoding: Encoding::Utf8, crlf: false };
    let today = options.today;

    let list = school::participants(population, options.seed, today, options.style);
    let mut rows_of: HashMap<usize, u32> = HashMap::new();
    let mut links = CsvOut::create(&dir, "language_school_links.csv", plain, &["row", "cpr"])?;
    for (i, p) in list.iter().enumerate() {
        links.ascii(|b| push_padded(b, (i + 2) as u32, 1));
        match p.resident.and_then(|r| population.get(r).map(|res| (r, res))) {
            Some((r, res)) => {
                *rows_of.entry(r).or_default() += 1;
                links.ascii(|b| push_cpr(b, &digits(&res.cpr), false));
            }
            None => links.empty(),
        }
        links.end_row()?;
    }
    links.finish()?;

    let mut target = CsvOut::create(&dir, "target.csv", plain, &["cpr"])?;
    let mut residents = CsvOut::create(
        &dir,
        "residents.csv",
        plain,
        &[
            "cpr",
            "sex",
            "age",
            "country_of_origin",
            "non_western",
            "years_in_denmark",
            "income_months",
            "income_total",
            "benefit_type",
            "benefit_months",
            "in_integration_programme",
            "family_reunified",
            "language_school_rows",
            "target",
        ],
    )?;
    for (i, r) in population.iter().enumerate() {
        let (income, benefit) = ctx.plans(i, r);
        let cpr = digits(&r.cpr);
        let in_target = is_target(r, today, income.as_ref(), benefit.as_ref());
        if in_target {
            target.ascii(|b| push_cpr(b, &cpr, false));
            target.end_row()?;
        }
        let flag = |b: bool| if b { "1" } else { "0" };
        residents.ascii(|b| push_cpr(b, &cpr, false));
        residents.text(if r.sex == Sex::Female { "K" } else { "M" });
        residents.ascii(|b| push_padded(b, r.age_on(today).max(0).unsigned_abs(), 1));
        residents.text(&r.country_of_origin);
        residents.text(flag(is_non_western(&r.country_of_origin)));
        residents.ascii(|b| push_padded(b, r.years_in_denmark(today).max(0).unsigned_abs(), 1));
        residents.ascii(|b| push_padded(b, income.as_ref().map_or(0, Monthly::months) as u32, 1));
        residents.ascii(|b| push_amount(b, income.as_ref().map_or(0, Monthly::total), AmountForm::Dot));
        residents.text(benefit.as_ref().map_or("", |m| m.kind));
        residents.ascii(|b| push_padded(b, benefit.as_ref().map_or(0, Monthly::months) as u32, 1));
        residents.text(flag(r.in_integration_programme));
        residents.text(flag(r.family_reunified));
        residents.ascii(|b| push_padded(b, rows_of.get(&i).copied().unwrap_or(0), 1));
        residents.text(flag(in_target));
        residents.end_row()?;
    }
    target.finish()?;
    residents.finish()?;

    let mut contracts = CsvOut::create(
        &dir,
        "maintenance_truth.csv",
        plain,
        &["cpr", "supporter_cpr", "start_date", "end_date", "active_on_today", "deposit_date"],
    )?;
    for (i, r) in population.iter().enumerate() {
        let Some(c) = ctx.reunification(i, r) else { continue };
        contracts.ascii(|b| push_cpr(b, &digits(&r.cpr), false));
        contracts.ascii(|b| push_cpr(b, &digits(&c.supporter.cpr), false));
        contracts.ascii(|b| push_date(b, c.start, DateForm::Iso));
        contracts.ascii(|b| push_date(b, c.end, DateForm::Iso));
        contracts.text(if c.end > today { "1" } else { "0" });
        match c.deposit {
            Some(d) => contracts.ascii(|b| push_date(b, d, DateForm::Iso)),
            None => contracts.empty(),
        }
        contracts.end_row()?;
    }
    contracts.finish()?;

    let mut moved = CsvOut::create(&dir, "moved_away.csv", plain, &["cpr", "months_before_moving"])?;
    for f in &ctx.formers {
        moved.ascii(|b| push_cpr(b, &f.cpr, false));
        moved.ascii(|b| push_padded(b, f.months as u32, 1));
        moved.end_row()?;
    }
    moved.finish()?;
    Ok(())
}

fn is_target(r: &Resident, today: Date, income: Option<&Monthly>, benefit: Option<&Monthly>) -> bool {
    r.sex == Sex::Female
        && (18..=64).contains(&r.age_on(today))
        && is_non_western(&r.country_of_origin)
        && r.in_denmark_more_than(3, today)
        && income.is_none_or(|m| m.months() == 0)
        && benefit.is_none_or(|m| m.months() == 0)
}
