//! One data row as the reader gives it: each mapped cell parsed into its field's type,
//! or an error naming the column.

use super::*;

/// One mapped column.
#[derive(Debug, Clone)]
pub(super) struct Planned {
    pub(super) field: Field,
    pub(super) column: usize,
    pub(super) header: String,
    pub(super) required: bool,
    pub(super) ty: ValueType,
}

#[derive(Clone, PartialEq, Eq)]
pub(super) struct Slot {
    pub(super) present: bool,
    pub(super) value: Value,
}

pub(super) const UNMAPPED: u8 = u8::MAX;

/// One data row: its number and the mapped fields' values. Unmapped columns are never
/// parsed or kept (data minimisation, G-5.5).
#[derive(Clone, PartialEq, Eq)]
pub struct Row {
    pub(super) number: u64,
    pub(super) index: [u8; Field::COUNT],
    pub(super) slots: Vec<Slot>,
    /// The sex the CPR number's last digit gives (`Cpr` does not expose its digits).
    pub(super) cpr_sex: Option<Sex>,
}

/// Puts a non-empty, trimmed text cell into its slot. Text reuses the slot's buffer.
pub(super) fn parse_text(
    slot: &mut Slot,
    text: &str,
    ty: ValueType,
    cpr_sex: Option<&mut Option<Sex>>,
) -> Result<(), ReadErrorKind> {
    let value = match ty {
        ValueType::Text => {
            if let Value::Text(buf) = &mut slot.value {
                buf.clear();
                buf.push_str(text);
            } else {
                slot.value = Value::Text(text.to_owned());
            }
            slot.present = true;
            return Ok(());
        }
        ValueType::Cpr => {
            let (cpr, sex) = value::parse_cpr_and_sex(text).ok_or(ReadErrorKind::Cpr)?;
            if let Some(out) = cpr_sex {
                *out = Some(sex);
            }
            Value::Cpr(cpr)
        }
        ValueType::Date => Value::Date(value::parse_date(text).ok_or(ReadErrorKind::Date)?),
        ValueType::Month => Value::Month(value::parse_month(text).ok_or(ReadErrorKind::Month)?),
        ValueType::Amount => Value::Amount(value::parse_amount(text).ok_or(ReadErrorKind::Amount)?),
        ValueType::Sex => Value::Sex(value::parse_sex(text).ok_or(ReadErrorKind::Sex)?),
        ValueType::Country => Value::Origin(domain::reference::Origin::read(text).ok_or(ReadErrorKind::Country)?),
    };
    slot.value = value;
    slot.present = true;
    Ok(())
}

pub(super) fn type_error(ty: ValueType) -> ReadErrorKind {
    match ty {
        ValueType::Cpr => ReadErrorKind::Cpr,
        ValueType::Date => ReadErrorKind::Date,
        ValueType::Month => ReadErrorKind::Month,
        ValueType::Amount => ReadErrorKind::Amount,
        ValueType::Sex => ReadErrorKind::Sex,
        ValueType::Country => ReadErrorKind::Country,
        // A text cell can always be read; only an error cell (#N/A) fails, see below.
        ValueType::Text => ReadErrorKind::RequiredEmpty,
    }
}

/// Puts a workbook cell into its slot; `Ok(false)` when the cell is empty.
pub(super) fn parse_cell(
    slot: &mut Slot,
    cell: &Data,
    ty: ValueType,
    cpr_sex: Option<&mut Option<Sex>>,
    scratch: &mut String,
) -> Result<bool, ReadErrorKind> {
    match cell {
        Data::Empty => Ok(false),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
            let t = s.trim();
            if t.is_empty() {
                return Ok(false);
            }
            parse_text(slot, t, ty, cpr_sex).map(|()| true)
        }
        Data::Int(i) => match ty {
            ValueType::Amount => {
                slot.value = Value::Amount(i.checked_mul(100).ok_or(ReadErrorKind::Amount)?);
                slot.present = true;
                Ok(true)
            }
            ValueType::Date | ValueType::Month => serial_cell(slot, *i, ty).map(|()| true),
            _ => {
                scratch.clear();
                use std::fmt::Write as _;
                let _ = write!(scratch, "{i}");
                parse_text(slot, scratch, ty, cpr_sex).map(|()| true)
            }
        },
        Data::Float(f) => match ty {
            ValueType::Amount => {
                let ore = (f * 100.0).round();
                // i64 holds ±9.2e18; stay well inside so the cast is exact.
                if !ore.is_finite() || ore.abs() > 9.0e18 {
                    return Err(ReadErrorKind::Amount);
                }
                slot.value = Value::Amount(ore as i64);
                slot.present = true;
                Ok(true)
            }
            ValueType::Date | ValueType::Month => {
                if !f.is_finite() || f.fract() != 0.0 || f.abs() > 1e9 {
                    return Err(type_error(ty));
                }
                serial_cell(slot, *f as i64, ty).map(|()| true)
            }
            _ => {
                xlsx_file::write_number(scratch, *f);
                parse_text(slot, scratch, ty, cpr_sex).map(|()| true)
            }
        },
        Data::DateTime(dt) => match ty {
            ValueType::Date | ValueType::Month => {
                let date = xlsx_file::cell_date(dt).ok_or(type_error(ty))?;
                slot.value = if ty == ValueType::Month { Value::Month(YearMonth::of(date)) } else { Value::Date(date) };
                slot.present = true;
                Ok(true)
            }
            ValueType::Text => {
                xlsx_file::cell_text(cell, scratch);
                parse_text(slot, scratch, ty, cpr_sex).map(|()| true)
            }
            _ => Err(type_error(ty)),
        },
        Data::Bool(_) => match ty {
            ValueType::Text => {
                xlsx_file::cell_text(cell, scratch);
                parse_text(slot, scratch, ty, cpr_sex).map(|()| true)
            }
            _ => Err(type_error(ty)),
        },
        // #N/A, #REF! …: no value. A text field treats it as empty, so a required one
        // fails as empty rather than importing "#N/A" as a name.
        Data::Error(_) => match ty {
            ValueType::Text => Ok(false),
            _ => Err(type_error(ty)),
        },
    }
}

/// A workbook cell's text, for a survey (in `scratch`).
pub(super) fn cell_raw<'a>(cell: &Data, scratch: &'a mut String) -> &'a str {
    xlsx_file::cell_text(cell, scratch);
    scratch.as_str()
}

pub(super) fn serial_cell(slot: &mut Slot, serial: i64, ty: ValueType) -> Result<(), ReadErrorKind> {
    let date = value::excel_serial_date(serial).ok_or(type_error(ty))?;
    slot.value = if ty == ValueType::Month { Value::Month(YearMonth::of(date)) } else { Value::Date(date) };
    slot.present = true;
    Ok(())
}

impl fmt::Debug for Row {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let present: Vec<&str> = Field::ALL.iter().filter(|&&fl| self.get(fl).is_some()).map(|fl| fl.code()).collect();
        f.debug_struct("Row").field("number", &self.number).field("fields", &present).finish()
    }
}

impl Row {
    pub(super) fn new(plan: &[Planned]) -> Row {
        let mut index = [UNMAPPED; Field::COUNT];
        let slots = plan
            .iter()
            .enumerate()
            .map(|(k, p)| {
                index[p.field.index()] = u8::try_from(k).unwrap_or(UNMAPPED);
                let value = match p.ty {
                    ValueType::Text => Value::Text(String::new()),
                    _ => Value::Amount(0),
                };
                Slot { present: false, value }
            })
            .collect();
        Row { number: 0, index, slots, cpr_sex: None }
    }

    /// The row as a spreadsheet user counts it (the header is row 1; for CSV, the line
    /// the record starts on).
    pub fn number(&self) -> u64 {
        self.number
    }

    /// The field's value; `None` when unmapped or the cell is empty.
    pub fn get(&self, f: Field) -> Option<&Value> {
        let k = self.index[f.index()];
        self.slots.get(usize::from(k)).filter(|s| s.present).map(|s| &s.value)
    }

    pub fn cpr(&self) -> Option<&Cpr> {
        match self.get(Field::Cpr) {
            Some(Value::Cpr(c)) => Some(c),
            _ => None,
        }
    }

    pub fn supporter_cpr(&self) -> Option<&Cpr> {
        match self.get(Field::SupporterCpr) {
            Some(Value::Cpr(c)) => Some(c),
            _ => None,
        }
    }

    pub fn text(&self, f: Field) -> Option<&str> {
        match self.get(f) {
            Some(Value::Text(s)) => Some(s),
            _ => None,
        }
    }

    pub fn date(&self, f: Field) -> Option<Date> {
        match self.get(f) {
            Some(Value::Date(d)) => Some(*d),
            _ => None,
        }
    }

    pub fn month(&self) -> Option<YearMonth> {
        match self.get(Field::Month) {
            Some(Value::Month(m)) => Some(*m),
            _ => None,
        }
    }

    /// The country of origin, read (`domain::reference::Origin`).
    pub fn origin(&self) -> Option<domain::reference::Origin> {
        match self.get(Field::CountryOfOrigin) {
            Some(Value::Origin(o)) => Some(*o),
            _ => None,
        }
    }

    /// `Amount` or `HouseholdIncome`, in øre.
    pub fn amount(&self, f: Field) -> Option<i64> {
        match self.get(f) {
            Some(Value::Amount(a)) => Some(*a),
            _ => None,
        }
    }

    /// The `Sex` column, else the CPR number's last digit (even = female).
    pub fn sex(&self) -> Option<Sex> {
        match self.get(Field::Sex) {
            Some(Value::Sex(s)) => Some(*s),
            _ => self.cpr_sex,
        }
    }

    /// The `BirthDate` column, else the CPR number's date.
    pub fn birth_date(&self) -> Option<Date> {
        self.date(Field::BirthDate).or_else(|| self.cpr().map(Cpr::birth_date))
    }

    /// `Name`, else `GivenName` and `FamilyName` joined by a space (allocates).
    pub fn full_name(&self) -> Option<String> {
        if let Some(n) = self.text(Field::Name) {
            return Some(n.to_owned());
        }
        match (self.text(Field::GivenName), self.text(Field::FamilyName)) {
            (Some(g), Some(f)) => Some(format!("{g} {f}")),
            (Some(one), None) | (None, Some(one)) => Some(one.to_owned()),
            (None, None) => None,
        }
    }
}
