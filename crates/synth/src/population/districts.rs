//! Where a household lives: the districts of `crate::areas` with their profiles
//! (segregation as in a Danish provincial town), and a street address in them.

use super::{Background, Gen, Member};
use crate::areas;
use crate::pick::{any, weighted};
use rand::Rng;

impl Gen {
    /// A district for the household: non-Western newcomers where the social housing is,
    /// their children who grew up here a little more spread, Danes everywhere.
    pub(super) fn place<'p>(&mut self, places: &'p [Place], members: &[Member]) -> Option<&'p Place> {
        let head = members.first()?;
        let weight = |p: &Place| match (head.background, head.arrived) {
            (Background::Danish, _) => p.profile.danish,
            (Background::Western(_), _) => p.profile.western,
            (Background::NonWestern(_), Some(_)) => p.profile.non_western,
            (Background::NonWestern(_), None) => p.profile.non_western + p.profile.danish / 2,
        };
        weighted(&mut self.rng, places, weight).or_else(|| places.first())
    }

    pub(super) fn street(&mut self, place: &Place) -> String {
        let p = place.profile;
        let name = any(&mut self.rng, p.streets).copied().unwrap_or("Nørregade");
        let flat = self.chance(p.flats);
        let number = self.rng.random_range(1..=if flat { 60 } else { 140 });
        let letter = if self.chance(0.08) { "B" } else { "" };
        if !flat {
            return format!("{name} {number}{letter}");
        }
        let floor = match self.rng.random_range(0..=p.top_floor) {
            0 => "st.".to_string(),
            f => format!("{f}."),
        };
        let side = any(&mut self.rng, &["th.", "tv.", "mf."]).copied().unwrap_or("th.");
        format!("{name} {number}{letter}, {floor} {side}")
    }
}

/// How a district's households are drawn and what its streets look like.
#[derive(Debug)]
pub(super) struct Profile {
    pub(super) code: &'static str,
    danish: u32,
    western: u32,
    non_western: u32,
    /// Share of homes that are flats.
    flats: f64,
    top_floor: u8,
    streets: &'static [&'static str],
}

/// A district of [`crate::areas`] with its profile.
pub(super) struct Place {
    pub(super) code: &'static str,
    pub(super) postcodes: Vec<String>,
    profile: &'static Profile,
}

pub(super) fn places() -> Vec<Place> {
    areas()
        .into_iter()
        .map(|a| Place {
            code: a.code,
            postcodes: a.postcodes,
            profile: PROFILES.iter().find(|p| p.code == a.code).unwrap_or(&ELSEWHERE),
        })
        .collect()
}

const ELSEWHERE: Profile = Profile {
    code: "",
    danish: 10,
    western: 10,
    non_western: 10,
    flats: 0.5,
    top_floor: 3,
    streets: &["Nørregade", "Søndergade", "Vestergade", "Møllevej", "Engvej"],
};

/// Segregation as in a Danish provincial town: the social-housing estates of
/// Vestparken and Nørrevang are where most newcomers are given a flat.
pub(super) const PROFILES: &[Profile] = &[
    Profile {
        code: "centrum",
        danish: 16,
        western: 22,
        non_western: 10,
        flats: 0.8,
        top_floor: 4,
        streets: &["Torvet", "Algade", "Nørregade", "Søndergade", "Vestergade", "Brogade", "Kirkestræde", "Havnegade"],
    },
    Profile {
        code: "noerrevang",
        danish: 9,
        western: 10,
        non_western: 22,
        flats: 0.85,
        top_floor: 4,
        streets: &["Nørrevangs Allé", "Rosenvænget", "Lærkevej", "Solsikkevej", "Bellisvej", "Tulipanvej", "Valmuevej"],
    },
    Profile {
        code: "vestparken",
        danish: 6,
        western: 8,
        non_western: 32,
        flats: 0.95,
        top_floor: 7,
        streets: &["Vestparken", "Birkeparken", "Ahornparken", "Askeparken", "Lindeparken", "Elmeparken"],
    },
    Profile {
        code: "soendermarken",
        danish: 15,
        western: 12,
        non_western: 7,
        flats: 0.4,
        top_floor: 3,
        streets: &["Søndermarksvej", "Engvej", "Møllevej", "Kastanievej", "Egebakken", "Pilevangen", "Rugmarken"],
    },
    Profile {
        code: "oestbyen",
        danish: 15,
        western: 20,
        non_western: 14,
        flats: 0.6,
        top_floor: 4,
        streets: &["Østre Allé", "Jernbanegade", "Fabriksvej", "Tranehaven", "Havrevænget", "Smedegade", "Saxogade"],
    },
    Profile {
        code: "hoejmosen",
        danish: 8,
        western: 10,
        non_western: 12,
        flats: 0.8,
        top_floor: 4,
        streets: &["Højmosevej", "Mosevej", "Tørvevej", "Kærvej", "Sivvej", "Rørvej", "Engblommevej"],
    },
    Profile {
        code: "strandby",
        danish: 15,
        western: 8,
        non_western: 2,
        flats: 0.1,
        top_floor: 2,
        streets: &["Strandvejen", "Klitvej", "Havnevej", "Fyrvej", "Mågevej", "Tangvej", "Sandbakken"],
    },
    Profile {
        code: "kirkebjerg",
        danish: 16,
        western: 10,
        non_western: 3,
        flats: 0.15,
        top_floor: 2,
        streets: &["Kirkebakken", "Præstevej", "Skovbrynet", "Fasanvej", "Nøddehegnet", "Bakkedraget", "Kirkebjergvej"],
    },
];
