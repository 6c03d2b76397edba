//! A list without CPR numbers (the language school's) in a selection step: each row
//! is linked to a woman still in the running by name, birth date and phone
//! (`linkage`). A row that has a CPR number after all is matched by it. Several rows
//! may be one woman (on two courses); a row whose woman is not among them stays
//! unlinked or goes to review, never certain (`linkage`'s doubts).
//!
//! Lists are small (a school's participants), so the rows are read whole; the women
//! they are compared with are only those the earlier steps kept.

use crate::kinds::{ExtractKind, Field};
use crate::read::Reader;
use crate::select::{Counts, PoolView, ReviewLink, SelectError, SourceFile, names, source_row};
use domain::selection::Step;
use linkage::{Certainty, Config, FieldKind, FieldValue, Record, Schema};
use std::collections::{HashMap, HashSet};
use time::Date;

struct ListRow {
    number: u64,
    name: String,
    birth_date: Option<Date>,
    phone: Option<String>,
}

fn schema() -> Result<Schema, linkage::LinkError> {
    Schema::builder()
        .field("name", FieldKind::Name)
        .field("birth_date", FieldKind::Date)
        .field("phone", FieldKind::Phone)
        .build()
}

fn record(id: u64, name: &str, birth: Option<Date>, phone: Option<&str>) -> Record {
    Record {
        id,
        values: vec![
            Some(FieldValue::Name(name.to_string())),
            birth.map(FieldValue::Date),
            phone.map(|p| FieldValue::Text(p.to_string())),
        ],
    }
}

/// Matches the list's rows against the pool: certain links and CPR matches go into
/// `matched`; uncertain links go into the pool's review queue and are returned, so
/// that the step keeps them there instead of dropping them.
pub(crate) fn match_list(
    step: &Step,
    file: &SourceFile,
    run_date: Date,
    pool: &mut PoolView<'_>,
    matched: &mut HashSet<usize>,
    counts: &mut Counts,
) -> Result<HashSet<usize>, SelectError> {
    let linkage_error =
        |e: linkage::LinkError| SelectError::Linkage { file: file.file_name.clone(), message: e.to_string() };
    let mut reader = Reader::open(&file.path, &file.file_name, &file.mapping)?;
    let mut rows: Vec<ListRow> = Vec::new();
    let mut seen: HashSet<(String, Option<Date>, Option<String>)> = HashSet::new();
    while let Some(row) = reader.next_row()? {
        if !step.matches(&source_row(row), run_date) {
            continue;
        }
        if let Some(cpr) = row.cpr() {
            if let Some(&i) = pool.by_cpr.get(&cpr.key())
                && pool.alive[i]
            {
                matched.insert(i);
            }
            continue;
        }
        let (given, family) = names(row);
        let name = format!("{given} {family}").trim().to_string();
        let birth_date = row.date(Field::BirthDate);
        let phone = row.text(Field::Phone).map(str::to_string);
        // The same participant twice (an exported duplicate) is one row.
        if !seen.insert((name.to_lowercase(), birth_date, phone.clone())) {
            continue;
        }
        rows.push(ListRow { number: row.number(), name, birth_date, phone });
    }
    if rows.is_empty() {
        return Ok(HashSet::new());
    }
    let schema = schema().map_err(linkage_error)?;
    let left: Vec<Record> = rows.iter().map(|r| record(r.number, &r.name, r.birth_date, r.phone.as_deref())).collect();
    let right: Vec<Record> = pool
        .women
        .iter()
        .enumerate()
        .filter(|(i, _)| pool.alive[*i])
        .map(|(i, w)| record(i as u64, &format!("{} {}", w.given_name, w.family_name), Some(w.birth_date), None))
        .collect();
    if right.is_empty() {
        counts.unlinked += rows.len() as u64;
        return Ok(HashSet::new());
    }
    let links = linkage::link(&schema, &left, &right, &Config::default()).map_err(linkage_error)?;
    let by_number: HashMap<u64, &ListRow> = rows.iter().map(|r| (r.number, r)).collect();
    // Several rows may link to one woman (on two courses); a certain link of any of
    // them settles her, so her uncertain ones do not send her to review as well.
    let certain: HashSet<u64> = links.iter().filter(|l| l.certainty == Certainty::Certain).map(|l| l.right).collect();
    let mut reviewed = HashSet::new();
    let mut linked_rows = 0u64;
    for link in links {
        let (Some(row), Ok(i)) = (by_number.get(&link.left), usize::try_from(link.right)) else { continue };
        let Some(woman) = pool.women.get_mut(i) else { continue };
        linked_rows += 1;
        // A phone from the list is kept for outreach; it is not known to be hers alone.
        if woman.phone.is_none() {
            woman.phone.clone_from(&row.phone);
        }
        match link.certainty {
            Certainty::Certain => {
                counts.linked_certain += 1;
                matched.insert(i);
            }
            // Uncertain, but she is already in by a certain row: nothing to review.
            Certainty::Review if certain.contains(&link.right) => counts.linked_review += 1,
            Certainty::Review => {
                counts.linked_review += 1;
                reviewed.insert(i);
                pool.review.insert(
                    i,
                    ReviewLink {
                        list_kind: ExtractKind::LanguageSchool,
                        list_file: file.file_name.clone(),
                        list_row: row.number,
                        probability: link.probability,
                        list_name: row.name.clone(),
                        list_birth_date: row.birth_date,
                        list_phone: row.phone.clone(),
                        candidate: woman.clone(),
                        why: crate::select::LinkWhy::of(&link),
                    },
                );
            }
        }
    }
    counts.unlinked += rows.len() as u64 - linked_rows;
    Ok(reviewed)
}
