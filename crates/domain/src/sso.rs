//! Single sign-on's rules (issue 13, item 5): which identities the municipality's
//! identity broker (Context Handler, MitID Erhverv) vouches for may log in, and as
//! which login. The broker proves who she is; Opsøg decides whether that is enough and
//! which of its existing logins she is. It never creates a login, and never gives a
//! role: an administrator makes the login first, with the username the broker sends.

/// What an identity must show, from the configuration's `[sso]` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoRules {
    /// The assurance levels (`acr`) accepted, e.g. NSIS "substantial" and "high". A login
    /// at one of them counts as two-factor: MitID Erhverv at substantial is itself two
    /// factors (issue 13, item 5).
    pub accepted_acr: Vec<String>,
    /// The claim that names her organisation, and the value it must have: the
    /// municipality's CVR number. A colleague from another municipality on the same
    /// broker is not one of ours.
    pub organisation_claim: String,
    pub organisation: String,
    /// The claim whose value is her Opsøg username (compared in lower case).
    pub user_claim: String,
}

/// Why an identity from the broker does not log in. Each is audited; the page says
/// which, as none of them tells anything about a woman.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SsoRefusal {
    /// The answer did not belong to a login begun here, or it came too late.
    Expired,
    /// The broker refused, or its answer could not be verified.
    Broker,
    /// Her assurance level is missing or not one of those accepted.
    AssuranceTooLow,
    /// Another organisation, or none named.
    NotTheMunicipality,
    /// The claim with her username is missing.
    NoUsername,
    /// No active Opsøg login has that username.
    NoLogin,
}

impl SsoRefusal {
    /// As the audit entry and the page's message name it.
    pub fn code(self) -> &'static str {
        match self {
            SsoRefusal::Expired => "sso-expired",
            SsoRefusal::Broker => "sso-broker",
            SsoRefusal::AssuranceTooLow => "sso-assurance",
            SsoRefusal::NotTheMunicipality => "sso-organisation",
            SsoRefusal::NoUsername => "sso-no-username",
            SsoRefusal::NoLogin => "sso-no-login",
        }
    }
}

impl SsoRules {
    /// The rules' own faults, for `config check`: each named by its key.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.accepted_acr.iter().all(|a| a.trim().is_empty()) {
            out.push("sso.accepted_acr names no assurance level".into());
        }
        if self.organisation_claim.trim().is_empty() || self.organisation.trim().is_empty() {
            out.push("sso.organisation_claim and sso.organisation must both be given".into());
        }
        if self.user_claim.trim().is_empty() {
            out.push("sso.user_claim is empty".into());
        }
        out
    }

    /// The username a verified identity logs in as, from its assurance level and its
    /// claims (`claim(name)` gives a claim's value as text): the assurance level first,
    /// then the organisation, then the username.
    pub fn username(&self, acr: Option<&str>, claim: impl Fn(&str) -> Option<String>) -> Result<String, SsoRefusal> {
        let acr = acr.map(str::trim).unwrap_or_default();
        if acr.is_empty() || !self.accepted_acr.iter().any(|a| a.trim() == acr) {
            return Err(SsoRefusal::AssuranceTooLow);
        }
        let organisation = claim(&self.organisation_claim).unwrap_or_default();
        if organisation.trim().is_empty() || organisation.trim() != self.organisation.trim() {
            return Err(SsoRefusal::NotTheMunicipality);
        }
        claim(&self.user_claim).map(|u| u.trim().to_lowercase()).filter(|u| !u.is_empty()).ok_or(SsoRefusal::NoUsername)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUBSTANTIAL: &str = "https://data.gov.dk/concept/core/nsis/loa/Substantial";

    fn rules() -> SsoRules {
        SsoRules {
            accepted_acr: vec![SUBSTANTIAL.into(), "https://data.gov.dk/concept/core/nsis/loa/High".into()],
            organisation_claim: "https://data.gov.dk/model/core/eid/professional/cvr".into(),
            organisation: "29189900".into(),
            user_claim: "preferred_username".into(),
        }
    }

    fn claims<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
    }

    #[test]
    fn an_accepted_level_of_our_municipality_logs_in_as_her_username() {
        let ours =
            [("https://data.gov.dk/model/core/eid/professional/cvr", "29189900"), ("preferred_username", "Mette")];
        assert_eq!(rules().username(Some(SUBSTANTIAL), claims(&ours)), Ok("mette".into()));
    }

    #[test]
    fn a_low_level_another_municipality_or_no_username_is_refused_in_that_order() {
        let cvr = "https://data.gov.dk/model/core/eid/professional/cvr";
        let ours = [(cvr, "29189900"), ("preferred_username", "mette")];
        let low = "https://data.gov.dk/concept/core/nsis/loa/Low";
        assert_eq!(rules().username(Some(low), claims(&ours)), Err(SsoRefusal::AssuranceTooLow));
        assert_eq!(rules().username(None, claims(&ours)), Err(SsoRefusal::AssuranceTooLow));
        let theirs = [(cvr, "55133018"), ("preferred_username", "mette")];
        assert_eq!(rules().username(Some(SUBSTANTIAL), claims(&theirs)), Err(SsoRefusal::NotTheMunicipality));
        let none = [("preferred_username", "mette")];
        assert_eq!(rules().username(Some(SUBSTANTIAL), claims(&none)), Err(SsoRefusal::NotTheMunicipality));
        let nameless = [(cvr, "29189900"), ("preferred_username", " ")];
        assert_eq!(rules().username(Some(SUBSTANTIAL), claims(&nameless)), Err(SsoRefusal::NoUsername));
    }

    #[test]
    fn rules_without_a_level_or_an_organisation_are_named() {
        assert!(rules().problems().is_empty());
        let empty = SsoRules {
            accepted_acr: vec![],
            organisation_claim: String::new(),
            organisation: String::new(),
            user_claim: String::new(),
        };
        assert_eq!(empty.problems().len(), 3);
    }
}
