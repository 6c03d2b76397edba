//! The built-in source kinds, the fields each one needs, and the header texts the
//! municipality's systems are known to use for them.

use serde::{Deserialize, Serialize};

/// One kind of extract the municipality can upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Population,
    Income,
    Benefits,
    IntegrationProgramme,
    LanguageSchool,
    HousingBenefit,
    MaintenanceContracts,
    ReunificationDeposits,
}

/// One thing a column can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Cpr,
    /// The whole name in one column.
    Name,
    GivenName,
    FamilyName,
    Sex,
    BirthDate,
    CountryOfOrigin,
    Street,
    Postcode,
    City,
    Area,
    ArrivalDate,
    Month,
    Amount,
    IncomeType,
    BenefitType,
    Phone,
    Course,
    StartDate,
    EndDate,
    Date,
    HouseholdIncome,
    SupporterCpr,
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

impl SourceKind {
    pub const ALL: &'static [SourceKind] = &[
        SourceKind::Population,
        SourceKind::Income,
        SourceKind::Benefits,
        SourceKind::IntegrationProgramme,
        SourceKind::LanguageSchool,
        SourceKind::HousingBenefit,
        SourceKind::MaintenanceContracts,
        SourceKind::ReunificationDeposits,
    ];

    /// Stable code, the same as the serde name (used in URLs, the store and the CLI).
    pub fn code(self) -> &'static str {
        match self {
            SourceKind::Population => "population",
            SourceKind::Income => "income",
            SourceKind::Benefits => "benefits",
            SourceKind::IntegrationProgramme => "integration_programme",
            SourceKind::LanguageSchool => "language_school",
            SourceKind::HousingBenefit => "housing_benefit",
            SourceKind::MaintenanceContracts => "maintenance_contracts",
            SourceKind::ReunificationDeposits => "reunification_deposits",
        }
    }

    pub fn from_code(s: &str) -> Option<SourceKind> {
        SourceKind::ALL.iter().copied().find(|k| k.code() == s)
    }

    /// The fields of this kind, in the order a mapping page lists them.
    pub fn fields(self) -> &'static [FieldSpec] {
        match self {
            SourceKind::Population => POPULATION,
            SourceKind::Income => INCOME,
            SourceKind::Benefits => BENEFITS,
            SourceKind::IntegrationProgramme => INTEGRATION_PROGRAMME,
            SourceKind::LanguageSchool => LANGUAGE_SCHOOL,
            SourceKind::HousingBenefit => HOUSING_BENEFIT,
            SourceKind::MaintenanceContracts => MAINTENANCE_CONTRACTS,
            SourceKind::ReunificationDeposits => REUNIFICATION_DEPOSITS,
        }
    }

    /// The spec of `field` in this kind, if the kind has it.
    pub fn spec(self, field: Field) -> Option<&'static FieldSpec> {
        self.fields().iter().find(|s| s.field == field)
    }

    /// Whether every row carries a CPR number. The language school knows some
    /// students only by name and birth date.
    pub fn needs_cpr(self) -> bool {
        self != SourceKind::LanguageSchool
    }

    /// Whether the kind needs a name (`Name`, or `GivenName` and `FamilyName`).
    pub fn needs_name(self) -> bool {
        self.fields().iter().any(|s| s.need == Need::NameGroup)
    }
}

impl Field {
    pub const ALL: &'static [Field] = &[
        Field::Cpr,
        Field::Name,
        Field::GivenName,
        Field::FamilyName,
        Field::Sex,
        Field::BirthDate,
        Field::CountryOfOrigin,
        Field::Street,
        Field::Postcode,
        Field::City,
        Field::Area,
        Field::ArrivalDate,
        Field::Month,
        Field::Amount,
        Field::IncomeType,
        Field::BenefitType,
        Field::Phone,
        Field::Course,
        Field::StartDate,
        Field::EndDate,
        Field::Date,
        Field::HouseholdIncome,
        Field::SupporterCpr,
    ];
    pub const COUNT: usize = Field::ALL.len();

    /// Stable code, the same as the serde name.
    pub fn code(self) -> &'static str {
        match self {
            Field::Cpr => "cpr",
            Field::Name => "name",
            Field::GivenName => "given_name",
            Field::FamilyName => "family_name",
            Field::Sex => "sex",
            Field::BirthDate => "birth_date",
            Field::CountryOfOrigin => "country_of_origin",
            Field::Street => "street",
            Field::Postcode => "postcode",
            Field::City => "city",
            Field::Area => "area",
            Field::ArrivalDate => "arrival_date",
            Field::Month => "month",
            Field::Amount => "amount",
            Field::IncomeType => "income_type",
            Field::BenefitType => "benefit_type",
            Field::Phone => "phone",
            Field::Course => "course",
            Field::StartDate => "start_date",
            Field::EndDate => "end_date",
            Field::Date => "date",
            Field::HouseholdIncome => "household_income",
            Field::SupporterCpr => "supporter_cpr",
        }
    }

    pub fn from_code(s: &str) -> Option<Field> {
        Field::ALL.iter().copied().find(|f| f.code() == s)
    }

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
    use super::*;

    #[test]
    fn codes_round_trip_and_match_serde() {
        for k in SourceKind::ALL {
            assert_eq!(SourceKind::from_code(k.code()), Some(*k));
        }
        for (i, f) in Field::ALL.iter().enumerate() {
            assert_eq!(Field::from_code(f.code()), Some(*f));
            assert_eq!(f.index(), i, "Field::ALL must follow declaration order");
        }
        assert_eq!(SourceKind::from_code("nope"), None);
        assert_eq!(Field::COUNT, 23);
    }

    #[test]
    fn every_kind_requires_what_the_issue_lists() {
        let need = |k: SourceKind, f: Field| k.spec(f).map(|s| s.need);
        assert_eq!(need(SourceKind::Population, Field::Cpr), Some(Need::Required));
        assert_eq!(need(SourceKind::Population, Field::CountryOfOrigin), Some(Need::Required));
        assert_eq!(need(SourceKind::Population, Field::Name), Some(Need::NameGroup));
        assert_eq!(need(SourceKind::Income, Field::Amount), Some(Need::Required));
        assert_eq!(need(SourceKind::Benefits, Field::Amount), Some(Need::Optional));
        assert_eq!(need(SourceKind::LanguageSchool, Field::Cpr), Some(Need::Optional));
        assert_eq!(need(SourceKind::LanguageSchool, Field::BirthDate), Some(Need::Required));
        assert_eq!(need(SourceKind::ReunificationDeposits, Field::SupporterCpr), Some(Need::Required));
        assert_eq!(need(SourceKind::Income, Field::Name), None);
        for k in SourceKind::ALL {
            assert_eq!(k.needs_cpr(), need(*k, Field::Cpr) == Some(Need::Required), "{k:?}");
            let mut seen = std::collections::BTreeSet::new();
            for s in k.fields() {
                assert!(seen.insert(s.field), "{k:?} lists {:?} twice", s.field);
                assert!(!s.aliases.is_empty());
            }
        }
        assert!(SourceKind::Population.needs_name());
        assert!(!SourceKind::IntegrationProgramme.needs_name());
    }
}
