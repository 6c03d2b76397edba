//! Route tests: Ambassadors, partners, referrals and intro meetings (G-6, G-7, G-8.6).
//! The whole app through `router().oneshot(…)`, a fresh database per test (SQLite by
//! default, PostgreSQL when TEST_DATABASE_URL is set).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::http::StatusCode;
use common::*;
use domain::org::NewUser;
use domain::policy::Role;
use store::{AuditQuery, UserExtra};
use time::OffsetDateTime;
use time::macros::date;

#[tokio::test]
async fn an_ambassador_works_in_the_street_only_after_confidentiality_and_ethics() {
    let w = world().await;
    let s = &w.db.store;
    let area = s.create_area("0101", "Vestbyen", &["5000".into()]).await.unwrap();
    let mut amb = Client::login(&w.app, "amb").await;
    let home = amb.get("/field").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("data-testid=\"field-blocked\""));
    // G-6.7: no field work before the duty of confidentiality is recorded; nothing stored
    let conversation = [
        ("date", "2026-11-20"),
        ("area_id", &*area.id.to_string()),
        ("place", "playground"),
        ("language", "ar"),
        ("outcome", "interested"),
        ("count", "2"),
    ]
    .map(|(k, v)| (k, v.to_string()));
    let fields: Vec<(&str, &str)> = conversation.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = amb.post("/field/conversation", &fields).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(s.list_conversations(Some(w.ambassador), 10).await.unwrap().is_empty());

    ready_for_field_work(&w, area.id).await;
    // the frame exists now, but she has not accepted it
    let home = amb.get("/field").await;
    assert!(home.body.contains("data-testid=\"field-read-ethics\""), "{}", home.body);
    assert_eq!(amb.post("/field/conversation", &fields).await.status, StatusCode::FORBIDDEN);
    let ethics = amb.get("/field/ethics").await;
    assert!(ethics.body.contains("Vi presser aldrig"));
    let p = amb.post("/field/ethics", &[("version", "1")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);

    // On her phone a count opens the number pad, and so does a phone number (issue 14).
    let form = amb.get("/field/conversation").await;
    assert!(form.body.contains("inputmode=\"numeric\" pattern=\"[0-9]*\" id=\"count\""), "{}", form.body);
    let form = amb.get("/field/register").await;
    assert!(form.body.contains("type=\"tel\" id=\"phone\""), "{}", form.body);
    // Her area, from her profile, is chosen already on both forms.
    let chosen = format!("<option value=\"{}\" selected>", area.id);
    assert!(form.body.contains(&chosen), "{}", form.body);
    assert!(amb.get("/field/conversation").await.body.contains(&chosen));

    // a bad count is named at its field, and nothing is stored
    let mut bad = fields.clone();
    bad[5] = ("count", "0");
    amb.get("/field/conversation").await;
    let p = amb.post("/field/conversation", &bad).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("id=\"count-error\""));
    assert!(s.list_conversations(Some(w.ambassador), 10).await.unwrap().is_empty());
    let p = amb.post("/field/conversation", &fields).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let logged = s.list_conversations(Some(w.ambassador), 10).await.unwrap();
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0].conversation.count, 2);

    // a changed frame must be accepted again before more field work
    let mut coordinator = Client::login(&w.app, "koordinator").await;
    coordinator.get("/plan/ethics").await;
    coordinator.post("/plan/ethics", &[("text", "Ny ramme: vi presser aldrig.")]).await;
    amb.get("/field/conversation").await;
    assert_eq!(amb.post("/field/conversation", &fields).await.status, StatusCode::FORBIDDEN);
    assert_eq!(s.list_conversations(Some(w.ambassador), 10).await.unwrap().len(), 1);

    // other roles do no field work, and the refusal is audited
    let mut cw = Client::login(&w.app, "cw-nord").await;
    assert_eq!(cw.get("/field").await.status, StatusCode::FORBIDDEN);
    assert_eq!(coordinator.get("/field/register").await.status, StatusCode::FORBIDDEN);
    w.db.cleanup().await;
}

#[tokio::test]
async fn an_ambassador_registers_a_consenting_woman_once() {
    let w = world().await;
    let s = &w.db.store;
    let (area, mut amb) = ambassador_at_work(&w).await;

    // her language's consent text is shown right-to-left, marked for review, with the Danish
    let form = amb.get("/field/register?lang=ar").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("lang=\"ar\" dir=\"rtl\""), "{}", form.body);
    assert!(form.body.contains("data-testid=\"needs-review\""));
    assert!(form.body.contains("Jeg siger ja til"));

    let area_id = area.to_string();
    let mut fields = vec![
        ("consent_language", "ar"),
        ("given_name", "Fadumo"),
        ("phone", "61 23 45 67"),
        ("language", "so"),
        ("best_time_to_call", "evening"),
        ("area_id", area_id.as_str()),
        ("phone_hers_alone", "on"),
    ];
    let people = s.count_people().await.unwrap();
    // no consent: nothing stored, the field named, the attempt audited
    let p = amb.post("/field/register", &fields).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("id=\"consent-error\""));
    assert_eq!(s.count_people().await.unwrap(), people);
    // a phone that does not parse
    fields.push(("consent", "on"));
    fields[2] = ("phone", "12ab");
    let p = amb.post("/field/register", &fields).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("id=\"phone-error\""));
    assert_eq!(s.count_people().await.unwrap(), people);
    let denied = s.list_audit(&AuditQuery { user_id: Some(w.ambassador), ..Default::default() }).await.unwrap();
    assert!(denied.iter().filter(|e| e.action.code() == "denied" && e.detail.starts_with("invalid=")).count() >= 2);

    fields[2] = ("phone", "61 23 45 67");
    let p = amb.post("/field/register", &fields).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(p.location.as_deref(), Some("/field?done=registered"));
    assert_eq!(s.count_people().await.unwrap(), people + 1);
    // she is in the ambassador's own list with her next step, not her case
    let home = amb.get("/field").await;
    assert!(home.body.contains("Fadumo"));
    // the same first name and phone again never reaches her record (issue 13, item 2):
    // a second intake waits for a coordinator, and the ambassador is told the same
    amb.get("/field/register").await;
    let p = amb.post("/field/register", &fields).await;
    assert_eq!(p.location.as_deref(), Some("/field?done=registered"));
    assert_eq!(s.count_people().await.unwrap(), people + 2);
    assert_eq!(s.open_possible_matches(w.initiative).await.unwrap().len(), 1);
    // letters at home not allowed: she is safe-contact-only (G-2.4); shown on her page
    let mut coordinator = Client::login(&w.app, "koordinator").await;
    coordinator.post("/people/search", &[("name", "Fadumo")]).await;
    let list = coordinator.get("/people").await;
    assert!(list.body.contains("Fadumo"), "{}", list.body);
    w.db.cleanup().await;
}

#[tokio::test]
async fn coordinators_keep_ambassador_records_and_follow_ups() {
    let w = world().await;
    let s = &w.db.store;
    let mut coordinator = Client::login(&w.app, "koordinator").await;
    let list = coordinator.get("/ambassadors").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Navn amb"));
    // a follow-up meeting with a bad number of hours is refused at the field
    let path = format!("/ambassadors/{}/follow-ups", w.ambassador);
    coordinator.get(&format!("/ambassadors/{}", w.ambassador)).await;
    let p = coordinator.post(&path, &[("held_on", "2026-11-20"), ("hours", "mange"), ("notes", "God start")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("id=\"hours-error\""));
    assert!(s.list_ambassador_follow_ups(Some(w.ambassador)).await.unwrap().is_empty());
    let p = coordinator
        .post(
            &path,
            &[
                ("held_on", "2026-11-20"),
                ("hours", "7,5"),
                ("notes", "God start"),
                ("agreed_actions", "Legepladsen tirsdag"),
                ("topics_covered", "challenges"),
                ("topics_covered", "confidentiality"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let f = s.list_ambassador_follow_ups(Some(w.ambassador)).await.unwrap();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].follow_up.minutes_worked, 450);
    assert_eq!(f[0].follow_up.topics_covered.len(), 2);
    let page = coordinator.get(&format!("/ambassadors/{}", w.ambassador)).await;
    assert!(page.body.contains("Legepladsen tirsdag"));
    // a profile page for someone who is not an ambassador does not exist
    let cw = s.find_login("cw-nord").await.unwrap().unwrap().0.id;
    assert_eq!(coordinator.get(&format!("/ambassadors/{cw}")).await.status, StatusCode::NOT_FOUND);
    // ambassadors and caseworkers keep out of the coordinator's pages
    let mut amb = Client::login(&w.app, "amb").await;
    assert_eq!(amb.get("/ambassadors").await.status, StatusCode::FORBIDDEN);
    assert_eq!(amb.get("/areas").await.status, StatusCode::FORBIDDEN);
    assert_eq!(amb.get("/plan/ethics").await.status, StatusCode::FORBIDDEN);
    let mut cw_client = Client::login(&w.app, "cw-nord").await;
    assert_eq!(cw_client.get(&format!("/ambassadors/{}", w.ambassador)).await.status, StatusCode::FORBIDDEN);
    let areas = coordinator.get("/areas").await;
    assert_eq!(areas.status, StatusCode::OK);
    w.db.cleanup().await;
}

#[tokio::test]
async fn coordinators_keep_a_partner_register_with_agreements_and_follow_ups() {
    let w = world().await;
    let s = &w.db.store;
    let mut c = Client::login(&w.app, "koordinator").await;
    c.get("/partners").await;
    let before = s.list_partners().await.unwrap().len();
    // a partner without a name or kind is refused at its fields, and nothing is stored
    let p = c.post("/partners", &[("name", ""), ("kind", "nonsense")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("id=\"name-error\"") && p.body.contains("id=\"kind-error\""));
    assert_eq!(s.list_partners().await.unwrap().len(), before);
    let p = c
        .post(
            "/partners",
            &[
                ("name", "Sundhedsplejen Vest"),
                ("kind", "health_visitor"),
                ("contact_persons", "Ida 11223344"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let path = p.location.unwrap();
    c.get(&path).await;
    // G-7.5: an agreement whose review date has passed is refused
    let agreement = |review: &'static str| {
        [
            ("guidelines", "Vi henviser kun med samtykke."),
            ("core_task_benefit", "Mødrene får hjælp til sprog og job."),
            ("ethics", "Vi presser ikke; relationen til sundhedsplejen går først."),
            ("confidentiality", "Kun navn, telefon og sprog gives videre."),
            ("review_on", review),
        ]
    };
    let p = c.post(&format!("{path}/agreement"), &agreement("2020-01-01")).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("id=\"review_on-error\""));
    let p = c.post(&format!("{path}/agreement"), &agreement("2099-06-01")).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let record =
        s.list_partners().await.unwrap().into_iter().find(|p| p.details.name == "Sundhedsplejen Vest").unwrap();
    assert_eq!(record.agreement.unwrap().review_on, date!(2099 - 06 - 01));
    // G-7.6: the four questions, with the count kept
    c.get(&path).await;
    let p = c.post(&format!("{path}/follow-ups"), &[("held_on", "2026-11-20"), ("women_talked_to", "mange")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("id=\"women_talked_to-error\""));
    let p = c
        .post(
            &format!("{path}/follow-ups"),
            &[
                ("held_on", "2026-11-20"),
                ("women_talked_to", "6"),
                ("presentation_note", "Det virker at nævne danskundervisning"),
                ("support_note", "Flere foldere på somali"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let page = c.get(&path).await;
    assert!(page.body.contains("data-testid=\"partner-yield\"") && page.body.contains("Flere foldere på somali"));
    // no one else manages partners
    let mut amb = Client::login(&w.app, "amb").await;
    assert_eq!(amb.get("/partners").await.status, StatusCode::FORBIDDEN);
    let mut partner = Client::login(&w.app, "partner").await;
    assert_eq!(partner.get(&path).await.status, StatusCode::FORBIDDEN);
    w.db.cleanup().await;
}

#[tokio::test]
async fn a_one_time_link_refers_one_woman_and_then_refuses() {
    let w = world().await;
    let s = &w.db.store;
    let org = s.list_partners().await.unwrap().into_iter().find(|p| p.details.name == "Sprogcenter").unwrap().id;
    let mut c = Client::login(&w.app, "koordinator").await;
    c.get(&format!("/partners/{org}")).await;
    let p = c.post(&format!("/partners/{org}/links"), &[]).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let link = link_in(&p.body);

    // no account needed; her consent text in her language, right to left
    let mut visitor = Client::new(&w.app);
    let form = visitor.get(&format!("{link}?lang=ar")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("lang=\"ar\" dir=\"rtl\""));
    assert!(form.body.contains("Sprogcenter"));
    let people = s.count_people().await.unwrap();
    let mut fields =
        vec![("given_name", "Hibo"), ("phone", "31 22 33 44"), ("language", "so"), ("contact_preference", "phone")];
    let p = visitor.post(&link, &fields).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "no consent");
    assert!(p.body.contains("id=\"consent-error\""));
    assert_eq!(s.count_people().await.unwrap(), people);
    fields.push(("consent", "on"));
    fields.push(("status_consent", "on"));
    let p = visitor.post(&link, &fields).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("data-testid=\"referral-message\""));
    assert!(!p.body.contains("Modtaget"), "a link gets a receipt, no status");
    assert_eq!(s.count_people().await.unwrap(), people + 1);
    // the link is used up: a second referral is refused and nothing is stored
    let again = visitor.get(&link).await;
    assert_eq!(again.status, StatusCode::GONE);
    let p = visitor.post(&link, &fields).await;
    assert_eq!(p.status, StatusCode::GONE);
    assert_eq!(s.count_people().await.unwrap(), people + 1);
    assert_eq!(visitor.get("/r/not-a-real-token").await.status, StatusCode::NOT_FOUND);
    let refusals = s.list_audit(&AuditQuery::default()).await.unwrap();
    assert!(refusals.iter().filter(|e| e.action.code() == "denied" && e.detail.starts_with("link=")).count() >= 3);

    // the partner's account sees her, with the status she agreed to share
    let mut partner = Client::login(&w.app, "partner").await;
    let list = partner.get("/referrals").await;
    assert!(list.body.contains("Hibo") && list.body.contains("Modtaget"), "{}", list.body);
    w.db.cleanup().await;
}

#[tokio::test]
async fn a_partner_sees_its_own_referrals_and_a_status_only_with_her_consent() {
    let w = world().await;
    let s = &w.db.store;
    let mut partner = Client::login(&w.app, "partner").await;
    partner.get("/referrals/new").await;
    let base = [("consent", "on"), ("language", "ar"), ("contact_preference", "through_partner")];
    let with = [&base[..], &[("given_name", "Asha"), ("status_consent", "on")]].concat();
    let without = [&base[..], &[("given_name", "Warda")]].concat();
    assert_eq!(partner.post("/referrals/new", &with).await.status, StatusCode::SEE_OTHER);
    partner.get("/referrals/new").await;
    assert_eq!(partner.post("/referrals/new", &without).await.status, StatusCode::SEE_OTHER);
    // a phone is needed when she wants to be called
    partner.get("/referrals/new").await;
    let call_me = [("consent", "on"), ("language", "ar"), ("contact_preference", "phone"), ("given_name", "Nimo")];
    let p = partner.post("/referrals/new", &call_me).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("id=\"phone-error\""));

    let list = partner.get("/referrals").await;
    assert!(list.body.contains("Asha") && list.body.contains("Warda"), "{}", list.body);
    assert!(list.body.contains("Modtaget"));
    assert!(list.body.contains("Deles ikke"));

    // the coordinator meets Asha: the partner then sees "contacted", and no more
    let asha = s
        .list_referrals(
            s.list_partners().await.unwrap().into_iter().find(|p| p.details.name == "Sprogcenter").unwrap().id,
            w.initiative,
        )
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.given_name == "Asha")
        .unwrap()
        .person_id;
    let mut c = Client::login(&w.app, "koordinator").await;
    c.get(&format!("/people/{asha}")).await;
    let initiative = w.initiative.to_string();
    let p = c
        .post(
            &format!("/people/{asha}/events"),
            &[
                ("initiative", initiative.as_str()),
                ("kind", "intro_meeting_held"),
                ("channel", "in_person"),
                ("language", "ar"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let list = partner.get("/referrals").await;
    assert!(list.body.contains("Kontaktet"), "{}", list.body);
    assert!(!list.body.contains("Mødt"), "no stage beyond the coarse status");

    // another partner sees none of them
    let other_org = s.create_partner_org("Beboerhuset").await.unwrap();
    let hash = app::auth::hash_password(PASSWORD).unwrap();
    let nu = NewUser { username: "partner2".into(), display_name: "P2".into(), role: Role::Partner, team_id: None };
    let extra = UserExtra { partner_org_id: Some(other_org), ..Default::default() };
    s.create_user(&nu, &hash, &extra, &sys()).await.unwrap();
    let mut other = Client::login(&w.app, "partner2").await;
    let theirs = other.get("/referrals").await;
    assert!(!theirs.body.contains("Asha") && !theirs.body.contains("Warda"));
    assert_eq!(other.get(&format!("/people/{asha}")).await.status, StatusCode::NOT_FOUND);
    // ambassadors and caseworkers do not refer through the partner pages
    let mut amb = Client::login(&w.app, "amb").await;
    assert_eq!(amb.get("/referrals/new").await.status, StatusCode::FORBIDDEN);
    w.db.cleanup().await;
}

#[tokio::test]
async fn intro_meetings_are_planned_and_shown_to_ambassadors() {
    let w = world().await;
    let mut cw = Client::login(&w.app, "cw-nord").await;
    let page = cw.get("/meetings").await;
    assert_eq!(page.status, StatusCode::OK);
    let ahead = (OffsetDateTime::now_utc().date() + time::Duration::days(7)).to_string();
    let mut fields =
        vec![("date", ahead.as_str()), ("time", "25.00"), ("place", "Beboerhuset"), ("languages", "so, da")];
    let p = cw.post("/meetings", &fields).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("id=\"time-error\""));
    assert!(
        w.db.store.upcoming_intro_meetings(w.initiative, OffsetDateTime::now_utc().date()).await.unwrap().is_empty()
    );
    fields[1] = ("time", "10.30");
    fields.push(("spouse_welcome", "on"));
    let p = cw.post("/meetings", &fields).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    // the ambassador sees it among the meetings ahead, to invite her women
    let mut amb = Client::login(&w.app, "amb").await;
    let field = amb.get("/field").await;
    assert!(field.body.contains("data-testid=\"meetings\"") && field.body.contains("Beboerhuset"), "{}", field.body);
    assert!(field.body.contains("somali"));
    assert_eq!(amb.get("/meetings").await.status, StatusCode::FORBIDDEN);
    let mut partner = Client::login(&w.app, "partner").await;
    assert_eq!(partner.post("/meetings", &fields).await.status, StatusCode::FORBIDDEN);
    w.db.cleanup().await;
}
