//! The CPR parsers, and the cell parsers that share their input, on any text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(cpr) = domain::Cpr::parse(s) {
        // Whatever parses must print masked and re-parse to itself.
        assert_eq!(domain::Cpr::parse(&cpr.expose()).ok().as_ref(), Some(&cpr));
        assert!(cpr.masked().ends_with("-XXXX"));
    }
    if let Some((cpr, _)) = register::value::parse_cpr_and_sex(s) {
        assert_eq!(register::value::parse_cpr(&cpr.expose()).as_ref(), Some(&cpr));
    }
    if let Some(date) = register::value::parse_date(s) {
        let iso = format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day());
        assert_eq!(register::value::parse_date(&iso), Some(date));
    }
    let _ = register::value::parse_month(s);
    if let Some(ore) = register::value::parse_amount(s) {
        let text =
            format!("{}{}.{:02}", if ore < 0 { "-" } else { "" }, ore.unsigned_abs() / 100, ore.unsigned_abs() % 100);
        assert_eq!(register::value::parse_amount(&text), Some(ore));
    }
    let _ = register::value::parse_sex(s);
});
