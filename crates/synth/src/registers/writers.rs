//! One writer per extract kind (population, income, benefits, integration programme,
//! language school as CSV and XLSX, housing benefit, maintenance contracts, deposits),
//! each in its system's layout, with the Municipal style's noise.

use super::csv_out::push_month;
use super::csv_out::{AmountForm, CsvOut, DateForm, Encoding, Layout, MonthForm, push_amount, push_cpr, push_date};
use super::monthly::{Traits, income};
use super::shapes::{BenefitDates, CountryForm};
use super::{
    BENEFITS_HEADER, Ctx, DEPOSITS_HEADER, HOUSING_HEADER, INCOME_HEADER, INTEGRATION_HEADER, IncomeRows,
    LANGUAGE_SCHOOL_HEADER, LANGUAGE_SCHOOL_SHEET, MAINTENANCE_HEADER, POPULATION_HEADER, SALT_BENEFIT_ROWS,
    SALT_FILES, SALT_HOUSING, SALT_INCOME, SALT_INCOME_ROWS, SALT_INTEGRATION, SALT_POPULATION_ROWS,
    SALT_REUNIFICATION, SALT_SCHOOL_ROWS, Style, digits, stream,
};
use super::{school, shapes};
use crate::pick::chance;
use crate::population::Sex;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::io;
use std::path::Path;
use time::{Date, Duration};

/// A row's noise draws: the other CPR form, an ISO date, a second copy.
pub(super) struct Noise {
    rng: ChaCha8Rng,
    on: bool,
}

impl Noise {
    pub(super) fn new(ctx: &Ctx<'_>, salt: u64, n: u64) -> Noise {
        Noise { rng: stream(ctx.seed, salt, n), on: ctx.municipal() }
    }

    fn happens(&mut self, p: f64) -> bool {
        self.on && chance(&mut self.rng, p)
    }
}

pub(super) fn layout(ctx: &Ctx<'_>, separator: u8, encoding: Encoding) -> Layout {
    match ctx.style {
        Style::Municipal => Layout { separator, encoding, crlf: true },
        Style::Plain => Layout { separator: b',', encoding: Encoding::Utf8, crlf: false },
    }
}

/// The file's CPR form, and the other one for a few rows.
fn cpr_form(ctx: &Ctx<'_>, hyphen: bool, noise: &mut Noise) -> bool {
    if !ctx.municipal() {
        return false;
    }
    if noise.happens(0.005) { !hyphen } else { hyphen }
}

pub(super) fn date_form(ctx: &Ctx<'_>, form: DateForm, noise: &mut Noise, p_iso: f64) -> DateForm {
    if !ctx.municipal() || noise.happens(p_iso) { DateForm::Iso } else { form }
}

pub(super) fn write_population(ctx: &Ctx<'_>, dir: &Path, country: CountryForm) -> io::Result<u64> {
    let layout = layout(ctx, b';', Encoding::Windows1252);
    let mut out = CsvOut::create(dir, "befolkning.csv", layout, POPULATION_HEADER)?;
    for (i, r) in ctx.population.iter().enumerate() {
        let mut noise = Noise::new(ctx, SALT_POPULATION_ROWS, i as u64);
        let hyphen = cpr_form(ctx, true, &mut noise);
        let form = date_form(ctx, DateForm::DayMonthYearDash, &mut noise, 0.005);
        out.ascii(|b| push_cpr(b, &digits(&r.cpr), hyphen));
        out.text(&r.given_name);
        out.text(&r.family_name);
        out.text(if r.sex == Sex::Female { "K" } else { "M" });
        out.ascii(|b| push_date(b, r.birth_date, form));
        out.text(shapes::country_as(&r.country_of_origin, country));
        out.text(&r.street);
        out.text(&r.postcode);
        out.text(crate::CITY);
        out.text(r.area_code);
        match r.arrived_in_denmark {
            Some(a) => out.ascii(|b| push_date(b, a, form)),
            None => out.empty(),
        }
        out.end_row()?;
    }
    out.finish()
}

/// Writes one person's monthly rows: `cpr`, month, then `fields` in the file's order.
struct MonthRows<'o> {
    out: &'o mut CsvOut,
    month_form: MonthForm,
    amount_form: AmountForm,
    hyphen: bool,
    repeat: Vec<u8>,
}

impl MonthRows<'_> {
    fn income_row(
        &mut self,
        noise: &mut Noise,
        cpr: &[u8; 10],
        month: Date,
        amount: i64,
        kind: &str,
    ) -> io::Result<()> {
        let hyphen = if noise.happens(0.005) { !self.hyphen } else { self.hyphen };
        let (mf, af) = (self.month_form, self.amount_form);
        self.out.ascii(|b| push_cpr(b, cpr, hyphen));
        self.out.ascii(|b| push_month(b, month, mf));
        self.out.ascii(|b| push_amount(b, amount, af));
        self.out.text(kind);
        self.end(noise)
    }

    fn benefit_row(
        &mut self,
        noise: &mut Noise,
        cpr: &[u8; 10],
        month: Date,
        amount: i64,
        kind: &str,
    ) -> io::Result<()> {
        let hyphen = if noise.happens(0.005) { !self.hyphen } else { self.hyphen };
        let iso = match self.month_form {
            MonthForm::LastWeekday(_) => MonthForm::LastWeekday(DateForm::Iso),
            _ => MonthForm::YearMonth,
        };
        let (af, mf) = (self.amount_form, if noise.happens(0.005) { iso } else { self.month_form });
        self.out.ascii(|b| push_cpr(b, cpr, hyphen));
        self.out.ascii(|b| push_month(b, month, mf));
        self.out.text(kind);
        self.out.ascii(|b| push_amount(b, amount, af));
        self.end(noise)
    }

    pub(super) fn end(&mut self, noise: &mut Noise) -> io::Result<()> {
        let twice = noise.happens(0.003);
        if twice {
            self.repeat.clear();
            self.repeat.extend_from_slice(self.out.current());
        }
        self.out.end_row()?;
        if twice {
            self.out.repeat_row(&self.repeat)?;
        }
        Ok(())
    }
}

pub(super) fn write_income(ctx: &Ctx<'_>, dir: &Path) -> io::Result<u64> {
    let layout = layout(ctx, b';', Encoding::Utf8Bom);
    let mut out = CsvOut::create(dir, "eindkomst.csv", layout, INCOME_HEADER)?;
    let month_form = match ctx.style {
        Style::Municipal if chance(&mut stream(ctx.seed, SALT_FILES, 0), 0.5) => MonthForm::MonthYear,
        _ => MonthForm::YearMonth,
    };
    let amount_form = if ctx.municipal() { AmountForm::Danish } else { AmountForm::Dot };
    let mut rows = MonthRows { out: &mut out, month_form, amount_form, hyphen: false, repeat: Vec::new() };
    let former_zero_reports = ctx.income_rows != IncomeRows::EarnersOnly;
    for (i, r) in ctx.population.iter().enumerate() {
        let t = Traits::of(r, ctx.today);
        let plan = income(&mut stream(ctx.seed, SALT_INCOME, i as u64), &t);
        let zero_reports = match ctx.income_rows {
            IncomeRows::EarnersOnly => false,
            IncomeRows::EveryAdult => t.age >= 15,
            IncomeRows::EveryResident => true,
        };
        if plan.is_some() || zero_reports {
            let mut noise = Noise::new(ctx, SALT_INCOME_ROWS, i as u64);
            let cpr = digits(&r.cpr);
            let (kind, amounts) = plan.map_or(("Løn", [0; 12]), |p| (p.kind, p.amounts));
            for (month, amount) in ctx.months.iter().zip(amounts) {
                rows.income_row(&mut noise, &cpr, *month, amount, kind)?;
            }
        }
        if let Some(f) = ctx.former_after(i) {
            let mut noise = Noise::new(ctx, SALT_INCOME_ROWS, (ctx.population.len() + i) as u64);
            if f.income.is_some() || former_zero_reports {
                let (kind, amounts) = f.income.as_ref().map_or(("Løn", [0; 12]), |p| (p.kind, p.amounts));
                for (month, amount) in ctx.months.iter().zip(amounts).take(f.months) {
                    rows.income_row(&mut noise, &f.cpr, *month, amount, kind)?;
                }
            }
        }
    }
    out.finish()
}

pub(super) fn write_benefits(ctx: &Ctx<'_>, dir: &Path, dates: BenefitDates) -> io::Result<u64> {
    let layout = layout(ctx, b',', Encoding::Utf8);
    let header = match dates {
        BenefitDates::Month => BENEFITS_HEADER,
        BenefitDates::PaymentDate => shapes::BENEFITS_PAID_HEADER,
    };
    let mut out = CsvOut::create(dir, "ydelser.csv", layout, header)?;
    let (month_form, amount_form) = match (ctx.style, dates) {
        (Style::Municipal, BenefitDates::Month) => (MonthForm::FirstDay(DateForm::DayMonthYearDot), AmountForm::Danish),
        (Style::Plain, BenefitDates::Month) => (MonthForm::YearMonth, AmountForm::Dot),
        (Style::Municipal, BenefitDates::PaymentDate) => {
            (MonthForm::LastWeekday(DateForm::DayMonthYearDot), AmountForm::Danish)
        }
        (Style::Plain, BenefitDates::PaymentDate) => (MonthForm::LastWeekday(DateForm::Iso), AmountForm::Dot),
    };
    let hyphen = ctx.municipal();
    let mut rows = MonthRows { out: &mut out, month_form, amount_form, hyphen, repeat: Vec::new() };
    for (i, r) in ctx.population.iter().enumerate() {
        if r.on_benefit {
            let (_, plan) = ctx.plans(i, r);
            if let Some(plan) = plan {
                let mut noise = Noise::new(ctx, SALT_BENEFIT_ROWS, i as u64);
                let cpr = digits(&r.cpr);
                for (month, amount) in ctx.months.iter().zip(plan.amounts) {
                    if amount > 0 {
                        rows.benefit_row(&mut noise, &cpr, *month, amount, plan.kind)?;
                    }
                }
            }
        }
        if let Some(f) = ctx.former_after(i)
            && let Some(plan) = &f.benefit
        {
            let mut noise = Noise::new(ctx, SALT_BENEFIT_ROWS, (ctx.population.len() + i) as u64);
            for (month, amount) in ctx.months.iter().zip(plan.amounts) {
                if amount > 0 {
                    rows.benefit_row(&mut noise, &f.cpr, *month, amount, plan.kind)?;
                }
            }
        }
    }
    out.finish()
}

pub(super) fn write_integration(ctx: &Ctx<'_>, dir: &Path) -> io::Result<u64> {
    let layout = layout(ctx, b';', Encoding::Windows1252);
    let mut out = CsvOut::create(dir, "integrationsprogram.csv", layout, INTEGRATION_HEADER)?;
    for (i, r) in ctx.population.iter().enumerate() {
        if !r.in_integration_programme {
            continue;
        }
        let Some(arrived) = r.arrived_in_denmark else { continue };
        let mut noise = Noise::new(ctx, SALT_INTEGRATION, i as u64);
        // The municipality takes over within three months of arrival.
        let start =
            arrived.checked_add(Duration::days(noise.rng.random_range(0..=90))).unwrap_or(arrived).min(ctx.today);
        let hyphen = cpr_form(ctx, true, &mut noise);
        let form = date_form(ctx, DateForm::DayMonthYearDot, &mut noise, 0.01);
        out.ascii(|b| push_cpr(b, &digits(&r.cpr), hyphen));
        out.text(&format!("{} {}", r.given_name, r.family_name));
        out.ascii(|b| push_date(b, start, form));
        out.end_row()?;
    }
    out.finish()
}

pub(super) fn write_school_csv(ctx: &Ctx<'_>, list: &[school::Participant], dir: &Path) -> io::Result<u64> {
    let layout = layout(ctx, b';', Encoding::Utf8Bom);
    let mut out = CsvOut::create(dir, "sprogskole.csv", layout, LANGUAGE_SCHOOL_HEADER)?;
    let mut noise = Noise::new(ctx, SALT_SCHOOL_ROWS, 0);
    for p in list {
        let form = date_form(ctx, DateForm::DayMonthYearDash, &mut noise, 0.01);
        out.text(&p.name);
        out.ascii(|b| push_date(b, p.birth_date, form));
        match &p.phone {
            Some(phone) => out.text(phone),
            None => out.empty(),
        }
        out.text(&p.course);
        out.end_row()?;
    }
    out.finish()
}

pub(super) fn write_school_xlsx(ctx: &Ctx<'_>, list: &[school::Participant], dir: &Path) -> io::Result<u64> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};
    const NAME: &str = "sprogskole.xlsx";
    let xlsx = |e: XlsxError| io::Error::other(format!("{NAME}: {e}"));
    let excel_date = |d: Date| ExcelDateTime::from_ymd(d.year().max(0) as u16, u8::from(d.month()), d.day());
    let mut book = Workbook::new();
    // A fixed creation time keeps the file a function of the seed.
    let created = excel_date(ctx.today).map_err(xlsx)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let date_format = Format::new().set_num_format("dd-mm-yyyy");
    let sheet = book.add_worksheet();
    sheet.set_name(LANGUAGE_SCHOOL_SHEET).map_err(xlsx)?;
    for (col, h) in (0u16..).zip(LANGUAGE_SCHOOL_HEADER) {
        sheet.write_string(0, col, *h).map_err(xlsx)?;
    }
    let mut rows = 0u64;
    for (row, p) in (1u32..).zip(list) {
        sheet.write_string(row, 0, &p.name).map_err(xlsx)?;
        sheet
            .write_datetime_with_format(row, 1, excel_date(p.birth_date).map_err(xlsx)?, &date_format)
            .map_err(xlsx)?;
        if let Some(phone) = &p.phone {
            sheet.write_string(row, 2, phone).map_err(xlsx)?;
        }
        sheet.write_string(row, 3, &p.course).map_err(xlsx)?;
        rows += 1;
    }
    sheet.set_column_width(0, 28).map_err(xlsx)?;
    sheet.set_column_width(1, 12).map_err(xlsx)?;
    sheet.set_column_width(2, 14).map_err(xlsx)?;
    sheet.set_column_width(3, 20).map_err(xlsx)?;
    book.save(dir.join(NAME)).map_err(xlsx)?;
    Ok(rows)
}

/// One row per household that applied for housing benefit, with the household's income
/// (every member's income-register income and benefits over the 12 months, whole
/// kroner): pensioners and low-income households, as in boligstøtte.
pub(super) fn write_housing(ctx: &Ctx<'_>, dir: &Path) -> io::Result<u64> {
    let layout = Layout { crlf: false, ..layout(ctx, b';', Encoding::Utf8) };
    let mut out = CsvOut::create(dir, "boligstoette.csv", layout, HOUSING_HEADER)?;
    let pop = ctx.population;
    let mut start = 0;
    while let Some(first) = pop.get(start) {
        let end = pop[start..].iter().position(|r| r.household != first.household).map_or(pop.len(), |n| start + n);
        let members = &pop[start..end];
        let mut total = 0i64;
        for (offset, r) in members.iter().enumerate() {
            let (income, benefit) = ctx.plans(start + offset, r);
            total += income.map_or(0, |m| m.total()) + benefit.map_or(0, |m| m.total());
        }
        let kroner = total / 100;
        let pensioner = members.iter().any(|r| r.age_on(ctx.today) >= 67);
        let children = members.iter().any(|r| r.age_on(ctx.today) < 18);
        let applicant = members.iter().position(|r| r.age_on(ctx.today) >= 18);
        let mut rng = stream(ctx.seed, SALT_HOUSING, first.household as u64);
        let p = match (pensioner, kroner) {
            (true, ..300_000) => 0.3,
            (true, _) => 0.05,
            (false, ..250_000) => 0.2,
            (false, ..450_000) if children => 0.12,
            _ => 0.01,
        };
        if let Some(a) = applicant
            && chance(&mut rng, p)
            && let Some(r) = members.get(a)
        {
            let mut noise = Noise::new(ctx, SALT_HOUSING, (pop.len() + start) as u64);
            let applied = ctx.today.checked_sub(Duration::days(rng.random_range(30..=1_000))).unwrap_or(ctx.today);
            let hyphen = cpr_form(ctx, false, &mut noise);
            out.ascii(|b| push_cpr(b, &digits(&r.cpr), hyphen));
            out.ascii(|b| push_amount(b, kroner * 100, AmountForm::WholeKroner));
            out.ascii(|b| push_date(b, applied, DateForm::Iso));
            out.end_row()?;
        }
        start = end;
    }
    out.finish()
}

pub(super) fn write_maintenance(ctx: &Ctx<'_>, dir: &Path) -> io::Result<u64> {
    let layout = layout(ctx, b';', Encoding::Windows1252);
    let mut out = CsvOut::create(dir, "forsoergelsespligt.csv", layout, MAINTENANCE_HEADER)?;
    for (i, r) in ctx.population.iter().enumerate() {
        let Some(c) = ctx.reunification(i, r) else { continue };
        let mut noise = Noise::new(ctx, SALT_REUNIFICATION, (ctx.population.len() + i) as u64);
        let hyphen = cpr_form(ctx, true, &mut noise);
        let form = date_form(ctx, DateForm::DayMonthYearDash, &mut noise, 0.01);
        out.ascii(|b| push_cpr(b, &digits(&r.cpr), hyphen));
        out.ascii(|b| push_cpr(b, &digits(&c.supporter.cpr), hyphen));
        out.ascii(|b| push_date(b, c.start, form));
        out.ascii(|b| push_date(b, c.end, form));
        out.end_row()?;
    }
    out.finish()
}

pub(super) fn write_deposits(ctx: &Ctx<'_>, dir: &Path) -> io::Result<u64> {
    let layout = layout(ctx, b';', Encoding::Utf8Bom);
    let mut out = CsvOut::create(dir, "sikkerhedsstillelse.csv", layout, DEPOSITS_HEADER)?;
    for (i, r) in ctx.population.iter().enumerate() {
        let Some(c) = ctx.reunification(i, r) else { continue };
        let Some(paid) = c.deposit else { continue };
        let mut noise = Noise::new(ctx, SALT_REUNIFICATION, (2 * ctx.population.len() + i) as u64);
        let hyphen = cpr_form(ctx, false, &mut noise);
        let form = date_form(ctx, DateForm::DayMonthYearShort, &mut noise, 0.01);
        out.ascii(|b| push_cpr(b, &digits(&r.cpr), hyphen));
        out.ascii(|b| push_cpr(b, &digits(&c.supporter.cpr), hyphen));
        out.ascii(|b| push_date(b, paid, form));
        out.end_row()?;
    }
    out.finish()
}
