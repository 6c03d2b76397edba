//! The kinds of extract (`domain::extract::ExtractKind`), the fields each one needs, and the header texts the
//! municipality's systems are known to use for them.

use serde::{Deserialize, Serialize};

pub use domain::extract::ExtractKind;

domain::code_enum! {
    /// One thing a column can hold.
    #[derive(PartialOrd, Ord, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum Field {
        Cpr = "cpr",
        /// The whole name in one column.
        Name = "name",
        GivenName = "given_name",
        FamilyName = "family_name",
        Sex = "sex",
        BirthDate = "birth_date",
        CountryOfOrigin = "country_of_origin",
        Street = "street",
        Postcode = "postcode",
        City = "city",
        Area = "area",
        ArrivalDate = "arrival_date",
        Month = "month",
        Amount = "amount",
        IncomeType = "income_type",
        BenefitType = "benefit_type",
        Phone = "phone",
        Course = "course",
        StartDate = "start_date",
        EndDate = "end_date",
        Date = "date",
        HouseholdIncome = "household_income",
        SupporterCpr = "supporter_cpr",
    }
}

/// How a cell of a field is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueType {
    Cpr,
    Text,
    Date,
    Month,
    Amount,
    Sex,
    /// A country of origin (`domain::reference::Origin`).
    Country,
}

/// Whether a kind needs a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Need {
    Required,
    Optional,
    /// One of a group is required: `Name`, or both `GivenName` and `FamilyName`.
    NameGroup,
}

/// A field of a source kind, and the header texts that suggest it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    pub field: Field,
    pub need: Need,
    /// In order of preference; matched by [`crate::mapping::normalize_header`].
    pub aliases: &'static [&'static str],
}

const CPR: &[&str] = &["CPR", "CPR-nr", "CPR-nummer", "Personnummer", "CPR nr.", "cpr_number", "person_cpr"];
// In the spouse kinds "CPR" alone still means her: the export lists the reunified spouse
// first, the supporter under his own header.
const CPR_SPOUSE: &[&str] =
    &["CPR ægtefælle", "CPR-nr ægtefælle", "CPR", "CPR-nr", "CPR-nummer", "Personnummer", "spouse_cpr", "cpr_spouse"];
const SUPPORTER_CPR: &[&str] =
    &["CPR herboende", "CPR forsørger", "CPR-nr herboende", "CPR-nr forsørger", "supporter_cpr", "cpr_supporter"];
const NAME: &[&str] = &["Navn", "Fulde navn", "Fuldt navn", "name", "full_name"];
const GIVEN_NAME: &[&str] = &["Fornavn", "Fornavne", "first_name", "given_name", "first_names", "given_names"];
const FAMILY_NAME: &[&str] = &["Efternavn", "last_name", "family_name", "surname"];
const SEX: &[&str] = &["Køn", "sex", "gender"];
const BIRTH_DATE: &[&str] = &[
    "Fødselsdato",
    "Født",
    "Fødselsdag",
    "Fødselsdato (dd-mm-åååå)",
    "birth_date",
    "date_of_birth",
    "birthdate",
    "dob",
];
const COUNTRY: &[&str] = &[
    "Oprindelsesland",
    "Statsborgerskab/oprindelse",
    "Herkomstland",
    "Oprindelse",
    "Statsborgerskab",
    "Oprindelsesland (navn)",
    "Fødeland",
    "Herkomst",
    "Nationalitet",
    "country_of_origin",
    "origin",
    "origin_country",
    "country",
];
const STREET: &[&str] = &[
    "Adresse",
    "Vejnavn og nr",
    "Vejnavn og nr.",
    "Vejnavn og husnr.",
    "Vejnavn og husnummer",
    "Vejnavn husnr",
    "Bopælsadresse",
    "Vej",
    "address",
    "street",
];
const POSTCODE: &[&str] = &["Postnr", "Postnummer", "Postnr.", "postcode", "postal_code", "zip"];
const CITY: &[&str] = &["By", "Postdistrikt", "Bynavn", "city", "town"];
const AREA: &[&str] = &["Distrikt", "Område", "Bydel", "area", "district"];
const ARRIVAL_DATE: &[&str] = &[
    "Indrejsedato",
    "Indrejsedato DK",
    "Seneste indrejsedato",
    "Tilflytningsdato DK",
    "Tilflytningsdato",
    "Indrejst",
    "arrival_date",
    "date_of_arrival",
];
// A payment date where a month is expected is read as its month (`value::parse_month`).
const MONTH: &[&str] = &[
    "Måned",
    "Periode",
    "Indkomstmåned",
    "Udbetalingsmåned",
    "Ydelsesmåned",
    "Udbetalingsdato",
    "month",
    "period",
    "payment_date",
];
const AMOUNT: &[&str] = &["Beløb", "Beløb kr", "Beløb (kr.)", "Beløb DKK", "amount", "amount_dkk"];
const INCOME_TYPE: &[&str] = &["Indkomsttype", "Art", "income_type", "type"];
const BENEFIT_TYPE: &[&str] = &["Ydelse", "Ydelsestype", "Ydelsesart", "benefit", "benefit_type"];
const PHONE: &[&str] = &["Telefon", "Mobil", "Tlf", "Tlf.", "Telefonnummer", "Mobilnummer", "phone", "mobile"];
const COURSE: &[&str] = &["Hold", "Modul", "Kursus", "course", "module", "class"];
const START_DATE: &[&str] = &["Startdato", "Start", "Fra", "Fra dato", "start_date", "start", "from"];
const END_DATE: &[&str] = &["Slutdato", "Slut", "Til", "Til dato", "end_date", "end", "to"];
const DATE: &[&str] = &["Dato", "Ansøgningsdato", "Indbetalingsdato", "date", "application_date", "deposit_date"];
const HOUSEHOLD_INCOME: &[&str] = &["Husstandsindkomst", "Husstandens indkomst", "household_income"];

const fn spec(field: Field, need: Need, aliases: &'static [&'static str]) -> FieldSpec {
    FieldSpec { field, need, aliases }
}

use Need::{NameGroup, Optional, Required};

const POPULATION: &[FieldSpec] = &[
    spec(Field::Cpr, Required, CPR),
    spec(Field::Name, NameGroup, NAME),
    spec(Field::GivenName, NameGroup, GIVEN_NAME),
    spec(Field::FamilyName, NameGroup, FAMILY_NAME),
    spec(Field::Sex, Optional, SEX),
    spec(Field::BirthDate, Optional, BIRTH_DATE),
    spec(Field::CountryOfOrigin, Required, COUNTRY),
    spec(Field::Street, Optional, STREET),
    spec(Field::Postcode, Optional, POSTCODE),
    spec(Field::City, Optional, CITY),
    spec(Field::Area, Optional, AREA),
    spec(Field::ArrivalDate, Optional, ARRIVAL_DATE),
];
const INCOME: &[FieldSpec] = &[
    spec(Field::Cpr, Required, CPR),
    spec(Field::Month, Required, MONTH),
    spec(Field::Amount, Required, AMOUNT),
    spec(Field::IncomeType, Optional, INCOME_TYPE),
];
const BENEFITS: &[FieldSpec] = &[
    spec(Field::Cpr, Required, CPR),
    spec(Field::Month, Required, MONTH),
    spec(Field::BenefitType, Required, BENEFIT_TYPE),
    spec(Field::Amount, Optional, AMOUNT),
];
const INTEGRATION_PROGRAMME: &[FieldSpec] = &[
    spec(Field::Cpr, Required, CPR),
    spec(Field::Name, Optional, NAME),
    spec(Field::GivenName, Optional, GIVEN_NAME),
    spec(Field::FamilyName, Optional, FAMILY_NAME),
    spec(Field::StartDate, Optional, START_DATE),
];
const LANGUAGE_SCHOOL: &[FieldSpec] = &[
    spec(Field::Cpr, Optional, CPR),
    spec(Field::Name, NameGroup, NAME),
    spec(Field::GivenName, NameGroup, GIVEN_NAME),
    spec(Field::FamilyName, NameGroup, FAMILY_NAME),
    spec(Field::BirthDate, Required, BIRTH_DATE),
    spec(Field::Phone, Optional, PHONE),
    spec(Field::Course, Optional, COURSE),
];
const HOUSING_BENEFIT: &[FieldSpec] = &[
    spec(Field::Cpr, Required, CPR),
    spec(Field::HouseholdIncome, Required, HOUSEHOLD_INCOME),
    spec(Field::Date, Optional, DATE),
];
const MAINTENANCE_CONTRACTS: &[FieldSpec] = &[
    spec(Field::Cpr, Required, CPR_SPOUSE),
    spec(Field::SupporterCpr, Required, SUPPORTER_CPR),
    spec(Field::StartDate, Required, START_DATE),
    spec(Field::EndDate, Optional, END_DATE),
];
const REUNIFICATION_DEPOSITS: &[FieldSpec] = &[
    spec(Field::Cpr, Required, CPR_SPOUSE),
    spec(Field::SupporterCpr, Required, SUPPORTER_CPR),
    spec(Field::Date, Required, DATE),
];

/// What register search knows of each kind of extract: its fields and what it needs.
/// A trait because the kind itself is a `domain` name the store keeps.
pub trait ExtractFields {
    /// The fields of this kind, in the order a mapping page lists them.
    fn fields(self) -> &'static [FieldSpec];
    /// The spec of `field` in this kind, if the kind has it.
    fn spec(self, field: Field) -> Option<&'static FieldSpec>;
    /// Whether every row carries a CPR number. The language school knows some
    /// students only by name and birth date.
    fn needs_cpr(self) -> bool;
    /// Whether the kind needs a name (`Name`, or `GivenName` and `FamilyName`).
    fn needs_name(self) -> bool;
}

impl ExtractFields for ExtractKind {
    fn fields(self) -> &'static [FieldSpec] {
        match self {
            ExtractKind::Population => POPULATION,
            ExtractKind::Income => INCOME,
            ExtractKind::Benefits => BENEFITS,
            ExtractKind::IntegrationProgramme => INTEGRATION_PROGRAMME,
            ExtractKind::LanguageSchool => LANGUAGE_SCHOOL,
            ExtractKind::HousingBenefit => HOUSING_BENEFIT,
            ExtractKind::MaintenanceContracts => MAINTENANCE_CONTRACTS,
            ExtractKind::ReunificationDeposits => REUNIFICATION_DEPOSITS,
        }
    }

    fn spec(self, field: Field) -> Option<&'static FieldSpec> {
        self.fields().iter().find(|s| s.field == field)
    }

    fn needs_cpr(self) -> bool {
        self != ExtractKind::LanguageSchool
    }

    fn needs_name(self) -> bool {
        self.fields().iter().any(|s| s.need == Need::NameGroup)
    }
}

impl Field {
    pub const COUNT: usize = Field::ALL.len();

    /// Position in [`Field::ALL`]; the discriminants are declared in that order.
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn value_type(self) -> ValueType {
        match self {
            Field::Cpr | Field::SupporterCpr => ValueType::Cpr,
            Field::Sex => ValueType::Sex,
            Field::BirthDate | Field::ArrivalDate | Field::StartDate | Field::EndDate | Field::Date => ValueType::Date,
            Field::Month => ValueType::Month,
            Field::Amount | Field::HouseholdIncome => ValueType::Amount,
            Field::CountryOfOrigin => ValueType::Country,
            Field::Name
            | Field::GivenName
            | Field::FamilyName
            | Field::Street
            | Field::Postcode
            | Field::City
            | Field::Area
            | Field::IncomeType
            | Field::BenefitType
            | Field::Phone
            | Field::Course => ValueType::Text,
        }
    }

    /// Whether the field is one of the name group.
    pub fn is_name(self) -> bool {
        matches!(self, Field::Name | Field::GivenName | Field::FamilyName)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn codes_round_trip_and_match_serde() {
        for k in ExtractKind::ALL {
            assert_eq!(serde_json::to_string(&k).unwrap(), format!("\"{}\"", k.code()));
        }
        for (i, f) in Field::ALL.into_iter().enumerate() {
            assert_eq!(serde_json::to_string(&f).unwrap(), format!("\"{}\"", f.code()));
            assert_eq!(f.index(), i, "Field::ALL must follow declaration order");
        }
        assert_eq!(Field::COUNT, 23);
    }

    #[test]
    fn every_kind_requires_what_the_issue_lists() {
        let need = |k: ExtractKind, f: Field| k.spec(f).map(|s| s.need);
        assert_eq!(need(ExtractKind::Population, Field::Cpr), Some(Need::Required));
        assert_eq!(need(ExtractKind::Population, Field::CountryOfOrigin), Some(Need::Required));
        assert_eq!(need(ExtractKind::Population, Field::Name), Some(Need::NameGroup));
        assert_eq!(need(ExtractKind::Income, Field::Amount), Some(Need::Required));
        assert_eq!(need(ExtractKind::Benefits, Field::Amount), Some(Need::Optional));
        assert_eq!(need(ExtractKind::LanguageSchool, Field::Cpr), Some(Need::Optional));
        assert_eq!(need(ExtractKind::LanguageSchool, Field::BirthDate), Some(Need::Required));
        assert_eq!(need(ExtractKind::ReunificationDeposits, Field::SupporterCpr), Some(Need::Required));
        assert_eq!(need(ExtractKind::Income, Field::Name), None);
        for k in ExtractKind::ALL {
            assert_eq!(k.needs_cpr(), need(k, Field::Cpr) == Some(Need::Required), "{k:?}");
            let mut seen = std::collections::BTreeSet::new();
            for s in k.fields() {
                assert!(seen.insert(s.field), "{k:?} lists {:?} twice", s.field);
                assert!(!s.aliases.is_empty());
            }
        }
        assert!(ExtractKind::Population.needs_name());
        assert!(!ExtractKind::IntegrationProgramme.needs_name());
    }
}
