//! The two relationship channels as use cases (G-6 ambassadors, G-7 partners), on
//! SQLite and (with TEST_DATABASE_URL) PostgreSQL: each refused role audited, each
//! refused form named field by field with nothing written, the do-not-contact list
//! checked before a street registration or a referral, and the work audited.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use app::{Caller, Ctx, Error, Refusal, ambassadors, partners};
use common::ctx;
use domain::PhoneNumber;
use domain::ambassador::{ConversationInput, FieldWorkBlocked, FollowUpInput, ProfileInput, RegistrationInput};
use domain::audit::{AuditAction, AuditActor};
use domain::org::User;
use domain::partner::{AgreementInput, LinkRefused, PartnerFollowUpInput, PartnerInput, ReferralInput};
use domain::policy::Role;
use store::testkit::{TestDb, initiative, partner_details, partner_user, user};
use store::{AuditEntry, AuditQuery, DoorOutcome, SqlStore};
use time::{Date, Duration};
use uuid::Uuid;

fn today(ctx: &Ctx) -> Date {
    ctx.clock.now().date()
}

async fn audit_of(s: &SqlStore, user_id: Option<Uuid>) -> Vec<AuditEntry> {
    s.list_audit(&AuditQuery { person_id: None, user_id, limit: 1000, ..Default::default() }).await.unwrap()
}

fn has(entries: &[AuditEntry], action: AuditAction, origin: &str, detail: &str) -> bool {
    entries.iter().any(|e| e.action == action && e.origin == origin && e.detail.starts_with(detail))
}

/// An initiative, an area, a coordinator and an ambassador with no profile yet.
struct World {
    db: TestDb,
    ctx: Ctx,
    area: Uuid,
    coordinator: User,
    ambassador: User,
}

async fn world() -> World {
    let db = TestDb::new().await;
    let s = &db.store;
    s.create_initiative(&initiative()).await.unwrap();
    let area = s.create_area("0101", "Vestbyen", &["5000".into()]).await.unwrap().id;
    let coordinator = user(s, "koord", Role::Coordinator, None).await;
    let ambassador = user(s, "hodan", Role::Ambassador, None).await;
    let ctx = ctx(&db);
    World { db, ctx, area, coordinator, ambassador }
}

fn profile(w: &World) -> ProfileInput {
    ProfileInput {
        employment: "volunteer".into(),
        languages: "so, da".into(),
        area_ids: vec![w.area.to_string()],
        background: "neighbourhood_mother".into(),
        training_done: vec!["confidentiality".into()],
        confidentiality_signed_on: (today(&w.ctx) - Duration::days(3)).to_string(),
        ..Default::default()
    }
}

/// The coordinator records her profile and the ethics frame, and she accepts it.
async fn ready_for_field_work(w: &World) {
    let coordinator = Caller::new(w.coordinator.clone(), "test coordinator");
    ambassadors::save_profile(&w.ctx, &coordinator, w.ambassador.id, &profile(w)).await.unwrap();
    ambassadors::set_ethics_frame(&w.ctx, &coordinator, "Vi presser aldrig.").await.unwrap();
    let her = Caller::new(w.ambassador.clone(), "POST /field/ethics");
    assert_eq!(ambassadors::accept_ethics(&w.ctx, &her, "1").await.unwrap(), 1);
}

fn conversation(w: &World) -> ConversationInput {
    ConversationInput {
        date: today(&w.ctx).to_string(),
        area_id: w.area.to_string(),
        place: "playground".into(),
        language: "so".into(),
        outcome: "interested".into(),
        count: "2".into(),
    }
}

fn registration(w: &World, given_name: &str, phone: &str) -> RegistrationInput {
    RegistrationInput {
        consent: Some("on".into()),
        given_name: given_name.into(),
        phone: phone.into(),
        language: "so".into(),
        best_time_to_call: "evening".into(),
        area_id: w.area.to_string(),
        phone_hers_alone: Some("on".into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn field_work_is_refused_to_other_roles_and_before_the_gate_and_each_refusal_is_audited() {
    let w = world().await;
    let s = &w.db.store;
    let cw = user(s, "cw", Role::Caseworker, None).await;
    let as_cw = Caller::new(cw.clone(), "POST /field/conversation");
    let e = ambassadors::log_conversation(&w.ctx, &as_cw, &conversation(&w)).await.unwrap_err();
    assert!(matches!(e, Error::Refused(Refusal::Role)), "{e:?}");
    assert!(has(&audit_of(s, Some(cw.id)).await, AuditAction::Denied, "POST /field/conversation", ""));

    // G-6.7: no profile, so no duty of confidentiality: refused with the reason.
    let her = Caller::new(w.ambassador.clone(), "POST /field/conversation");
    let e = ambassadors::log_conversation(&w.ctx, &her, &conversation(&w)).await.unwrap_err();
    assert!(matches!(e, Error::Refused(Refusal::FieldWork(FieldWorkBlocked::NoConfidentiality))), "{e:?}");
    let reason = FieldWorkBlocked::NoConfidentiality.message_id();
    assert!(has(&audit_of(s, Some(w.ambassador.id)).await, AuditAction::Denied, "POST /field/conversation", reason));

    // G-4.6: signed, but the frame not accepted: still refused; her start page says why.
    let coordinator = Caller::new(w.coordinator.clone(), "test");
    ambassadors::save_profile(&w.ctx, &coordinator, w.ambassador.id, &profile(&w)).await.unwrap();
    ambassadors::set_ethics_frame(&w.ctx, &coordinator, "Vi presser aldrig.").await.unwrap();
    let e = ambassadors::log_conversation(&w.ctx, &her, &conversation(&w)).await.unwrap_err();
    assert!(matches!(e, Error::Refused(Refusal::FieldWork(FieldWorkBlocked::NoEthics))), "{e:?}");
    let home = ambassadors::field_home(&w.ctx, &Caller::new(w.ambassador.clone(), "GET /field")).await.unwrap();
    assert!(home.status.needs_ethics());
    assert!(s.list_conversations(Some(w.ambassador.id), 10).await.unwrap().is_empty(), "nothing logged");

    // She accepts the version she read; a frame changed meanwhile is read again.
    let accept = Caller::new(w.ambassador.clone(), "POST /field/ethics");
    assert!(matches!(ambassadors::accept_ethics(&w.ctx, &accept, "2").await, Err(Error::Conflict(_))));
    assert_eq!(ambassadors::accept_ethics(&w.ctx, &accept, "1").await.unwrap(), 1);
    ambassadors::log_conversation(&w.ctx, &her, &conversation(&w)).await.unwrap();
    assert_eq!(s.list_conversations(Some(w.ambassador.id), 10).await.unwrap()[0].conversation.count, 2);
    let entries = audit_of(s, Some(w.ambassador.id)).await;
    assert!(has(&entries, AuditAction::AcceptEthics, "POST /field/ethics", "version=1"));
    assert!(has(&entries, AuditAction::LogConversation, "POST /field/conversation", ""));

    // A changed frame must be accepted again (G-6.7).
    ambassadors::set_ethics_frame(&w.ctx, &coordinator, "Ny ramme: vi presser aldrig.").await.unwrap();
    let e = ambassadors::log_conversation(&w.ctx, &her, &conversation(&w)).await.unwrap_err();
    assert!(matches!(e, Error::Refused(Refusal::FieldWork(FieldWorkBlocked::EthicsOutdated))), "{e:?}");
    w.db.cleanup().await;
}

#[tokio::test]
async fn a_street_registration_is_checked_field_by_field_and_against_do_not_contact_before_it_is_written() {
    let w = world().await;
    let s = &w.db.store;
    ready_for_field_work(&w).await;
    let her = Caller::new(w.ambassador.clone(), "POST /field/register");
    let people = s.count_people().await.unwrap();

    // No consent and a phone that does not parse: both named, nothing written, the
    // attempt audited with the fields and none of her data.
    let bad = RegistrationInput { consent: None, ..registration(&w, "Fadumo", "12ab") };
    let Err(Error::Invalid(fields)) = ambassadors::register_from_street(&w.ctx, &her, &bad).await else {
        panic!("a bad form is refused")
    };
    assert!(fields.for_field("consent").is_some() && fields.for_field("phone").is_some(), "{fields}");
    assert_eq!(s.count_people().await.unwrap(), people);
    let entries = audit_of(s, Some(w.ambassador.id)).await;
    let refused = entries.iter().find(|e| e.detail.starts_with("invalid=")).expect("the refusal is audited");
    assert!(refused.detail.contains("consent") && refused.detail.contains("phone"), "{}", refused.detail);
    assert!(!refused.detail.contains("Fadumo"), "no data of hers in the log");

    // G-2.2: a woman on the list under her full name and phone is refused by her phone.
    let phone = PhoneNumber::parse("61 23 45 67").unwrap();
    let hashes = app::dnc::of_name_and_phone(&w.ctx.dnc_key, "Fadumo Ali Warsame", Some(&phone));
    let record = Caller::new(w.coordinator.clone(), "test").audit(AuditAction::Denied, vec![], "never again");
    s.add_do_not_contact(&hashes, &record).await.unwrap();
    // Nothing is written, and the ambassador is told what any registration tells her
    // (issue 13, item 2): the outcome is the use case's, never the page's.
    let e = ambassadors::register_from_street(&w.ctx, &her, &registration(&w, "Fadumo", "61 23 45 67")).await;
    assert!(matches!(e, Ok(DoorOutcome::Refused)), "{e:?}");
    assert_eq!(s.count_people().await.unwrap(), people);
    assert!(has(
        &audit_of(s, Some(w.ambassador.id)).await,
        AuditAction::Denied,
        "POST /field/register",
        "do_not_contact"
    ));

    // Anyone else is a new intake; the same first name and phone again never reaches
    // the first record: a second intake waits for a coordinator as a possible match.
    let hibo = registration(&w, "Hibo", "31 22 33 44");
    let first = ambassadors::register_from_street(&w.ctx, &her, &hibo).await.unwrap();
    assert!(matches!(first, DoorOutcome::Created(_)), "{first:?}");
    let again = ambassadors::register_from_street(&w.ctx, &her, &hibo).await.unwrap();
    assert!(matches!(again, DoorOutcome::Queued(_)), "{again:?}");
    assert_eq!(s.count_people().await.unwrap(), people + 2);
    assert!(has(
        &audit_of(s, Some(w.ambassador.id)).await,
        AuditAction::RegisterFromStreet,
        "POST /field/register",
        ""
    ));

    // She is on the ambassador's start page: her own women only.
    let home = ambassadors::field_home(&w.ctx, &Caller::new(w.ambassador.clone(), "GET /field")).await.unwrap();
    assert_eq!(home.women.iter().map(|r| r.given_name.as_str()).collect::<Vec<_>>(), ["Hibo", "Hibo"]);
    assert!(has(&audit_of(s, Some(w.ambassador.id)).await, AuditAction::ListPeople, "GET /field", ""));
    w.db.cleanup().await;
}

#[tokio::test]
async fn coordinators_keep_profiles_follow_ups_and_the_ethics_frame() {
    let w = world().await;
    let s = &w.db.store;
    let coordinator = Caller::new(w.coordinator.clone(), "POST /ambassadors/{id}");
    // Another ambassador may not manage ambassadors; the refusal is audited.
    let e = ambassadors::save_profile(&w.ctx, &Caller::new(w.ambassador.clone(), "x"), w.ambassador.id, &profile(&w))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Refused(Refusal::Role)), "{e:?}");
    assert!(has(&audit_of(s, Some(w.ambassador.id)).await, AuditAction::Denied, "x", ""));
    // A bad profile is named at its fields and nothing is saved.
    let bad = ProfileInput { employment: "slave".into(), languages: String::new(), ..profile(&w) };
    let Err(Error::Invalid(fields)) = ambassadors::save_profile(&w.ctx, &coordinator, w.ambassador.id, &bad).await
    else {
        panic!("a bad profile is refused")
    };
    assert!(fields.for_field("employment").is_some() && fields.for_field("languages").is_some(), "{fields}");
    assert!(s.ambassador_profile(w.ambassador.id).await.unwrap().is_none());
    // Only an ambassador has a profile.
    let e = ambassadors::save_profile(&w.ctx, &coordinator, w.coordinator.id, &profile(&w)).await.unwrap_err();
    assert!(matches!(e, Error::NotFound(_)), "{e:?}");
    ambassadors::save_profile(&w.ctx, &coordinator, w.ambassador.id, &profile(&w)).await.unwrap();
    assert!(s.ambassador_profile(w.ambassador.id).await.unwrap().is_some());
    assert!(has(
        &audit_of(s, Some(w.coordinator.id)).await,
        AuditAction::SaveAmbassadorProfile,
        "POST /ambassadors/{id}",
        "user="
    ));

    // A follow-up belongs to the ambassador named, whatever the form says (G-6.8).
    let follow_up = Caller::new(w.coordinator.clone(), "POST /ambassadors/{id}/follow-ups");
    let input = FollowUpInput {
        held_on: today(&w.ctx).to_string(),
        ambassador_user_id: w.coordinator.id.to_string(),
        hours: "mange".into(),
        ..Default::default()
    };
    let Err(Error::Invalid(fields)) = ambassadors::record_follow_up(&w.ctx, &follow_up, w.ambassador.id, &input).await
    else {
        panic!("bad hours are refused")
    };
    assert!(fields.for_field("hours").is_some(), "{fields}");
    assert!(s.list_ambassador_follow_ups(Some(w.ambassador.id)).await.unwrap().is_empty());
    let input = FollowUpInput { hours: "7,5".into(), ..input };
    ambassadors::record_follow_up(&w.ctx, &follow_up, w.ambassador.id, &input).await.unwrap();
    let kept = s.list_ambassador_follow_ups(Some(w.ambassador.id)).await.unwrap();
    assert_eq!((kept.len(), kept[0].follow_up.minutes_worked), (1, 450));

    // The ethics frame: required, and a save of the same text keeps its version.
    let frame = Caller::new(w.coordinator.clone(), "POST /plan/ethics");
    let Err(Error::Invalid(fields)) = ambassadors::set_ethics_frame(&w.ctx, &frame, "   ").await else {
        panic!("an empty frame is refused")
    };
    assert_eq!(fields.for_field("text"), Some("error-required"));
    assert_eq!(ambassadors::set_ethics_frame(&w.ctx, &frame, "Vi presser aldrig.").await.unwrap(), 1);
    assert_eq!(ambassadors::set_ethics_frame(&w.ctx, &frame, " Vi presser aldrig. ").await.unwrap(), 1);
    assert_eq!(ambassadors::set_ethics_frame(&w.ctx, &frame, "Ny ramme.").await.unwrap(), 2);
    assert!(has(
        &audit_of(s, Some(w.coordinator.id)).await,
        AuditAction::SetEthicsFrame,
        "POST /plan/ethics",
        "initiative="
    ));
    w.db.cleanup().await;
}

fn referral_input(given_name: &str, phone: &str) -> ReferralInput {
    ReferralInput {
        consent: Some("on".into()),
        given_name: given_name.into(),
        phone: phone.into(),
        phone_hers_alone: Some("on".into()),
        language: "fa".into(),
        contact_preference: "phone".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_partner_account_refers_with_her_consent_and_sees_its_own_referrals() {
    let w = world().await;
    let s = &w.db.store;
    let org = s.create_partner_org("Sprogcenter").await.unwrap();
    let account = partner_user(s, "sprog", org).await;
    let partner = Caller::new(account.clone(), "POST /referrals/new");

    // Only a partner account refers; the refusal is audited.
    let e =
        partners::refer(&w.ctx, &Caller::new(w.ambassador.clone(), "POST /referrals/new"), &referral_input("Asha", ""))
            .await
            .unwrap_err();
    assert!(matches!(e, Error::Refused(Refusal::Role)), "{e:?}");
    assert!(has(&audit_of(s, Some(w.ambassador.id)).await, AuditAction::Denied, "POST /referrals/new", ""));

    // A phone is needed when she wants to be called; nothing written, the fields audited.
    let people = s.count_people().await.unwrap();
    let Err(Error::Invalid(fields)) = partners::refer(&w.ctx, &partner, &referral_input("Nimo", "")).await else {
        panic!("a referral without a phone to call is refused")
    };
    assert!(fields.for_field("phone").is_some(), "{fields}");
    assert_eq!(s.count_people().await.unwrap(), people);
    assert!(has(&audit_of(s, Some(account.id)).await, AuditAction::Denied, "POST /referrals/new", "invalid=phone"));

    // G-2.2: her phone is on the do-not-contact list.
    let phone = PhoneNumber::parse("40 11 22 33").unwrap();
    let record = Caller::new(w.coordinator.clone(), "test").audit(AuditAction::Denied, vec![], "never again");
    s.add_do_not_contact(&app::dnc::of_name_and_phone(&w.ctx.dnc_key, "Leyla", Some(&phone)), &record).await.unwrap();
    let e = partners::refer(&w.ctx, &partner, &referral_input("Leyla Karimi", "40 11 22 33")).await;
    assert!(matches!(e, Ok(DoorOutcome::Refused)), "{e:?}");
    assert_eq!(s.count_people().await.unwrap(), people);
    assert!(has(&audit_of(s, Some(account.id)).await, AuditAction::Denied, "POST /referrals/new", "do_not_contact"));

    let outcome = partners::refer(&w.ctx, &partner, &referral_input("Asha", "50 60 70 80")).await.unwrap();
    let DoorOutcome::Created(asha) = outcome else { panic!("a new woman: {outcome:?}") };
    assert!(has(&audit_of(s, Some(account.id)).await, AuditAction::Refer, "POST /referrals/new", "partner="));

    // Its own list names her, and the list is audited with her.
    let list = Caller::new(account.clone(), "GET /referrals");
    let rows = partners::referrals(&w.ctx, &list).await.unwrap();
    assert_eq!(rows.iter().map(|r| r.person_id).collect::<Vec<_>>(), [asha]);
    let entries = audit_of(s, Some(account.id)).await;
    let listed = entries.iter().find(|e| e.action == AuditAction::ListPeople).expect("the list is audited");
    assert_eq!((listed.origin.as_str(), listed.persons.as_slice()), ("GET /referrals", &[asha][..]));
    w.db.cleanup().await;
}

#[tokio::test]
async fn a_one_time_link_refers_one_woman_and_then_refuses_each_attempt_audited() {
    let w = world().await;
    let s = &w.db.store;
    let org = s
        .create_partner(
            &partner_details("Sundhedsplejen"),
            &Caller::new(w.coordinator.clone(), "t").audit(AuditAction::SavePartner, vec![], ""),
        )
        .await
        .unwrap();
    // Only the coordinator makes links.
    let e = partners::create_link(&w.ctx, &Caller::new(w.ambassador.clone(), "POST /partners/{id}/links"), org)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Refused(Refusal::Role)), "{e:?}");
    let coordinator = Caller::new(w.coordinator.clone(), "POST /partners/{id}/links");
    let token = partners::create_link(&w.ctx, &coordinator, org).await.unwrap();
    assert!(has(
        &audit_of(s, Some(w.coordinator.id)).await,
        AuditAction::CreateReferralLink,
        "POST /partners/{id}/links",
        "partner="
    ));

    let opened = partners::open_link(&w.ctx, "GET /r/{token}", &token).await.unwrap();
    assert_eq!((opened.partner_id, opened.partner_name.as_str()), (org, "Sundhedsplejen"));

    // A bad form uses nothing up.
    let people = s.count_people().await.unwrap();
    let bad = ReferralInput { consent: None, ..referral_input("Hibo", "31 22 33 44") };
    let Err(Error::Invalid(fields)) = partners::refer_by_link(&w.ctx, "POST /r/{token}", &token, &bad).await else {
        panic!("no consent, no referral")
    };
    assert!(fields.for_field("consent").is_some(), "{fields}");
    let outcome = partners::refer_by_link(&w.ctx, "POST /r/{token}", &token, &referral_input("Hibo", "31 22 33 44"))
        .await
        .unwrap();
    assert!(matches!(outcome, DoorOutcome::Created(_)), "{outcome:?}");
    assert_eq!(s.count_people().await.unwrap(), people + 1);

    // Used up: refused, nothing written, the attempt audited as a public one.
    let again =
        partners::refer_by_link(&w.ctx, "POST /r/{token}", &token, &referral_input("Hibo", "31 22 33 44")).await;
    assert!(matches!(again, Err(Error::Refused(Refusal::Link(LinkRefused::Used)))), "{again:?}");
    let unknown = partners::open_link(&w.ctx, "GET /r/{token}", "not-a-token").await;
    assert!(matches!(unknown, Err(Error::Refused(Refusal::Link(LinkRefused::Unknown)))), "{unknown:?}");
    assert_eq!(s.count_people().await.unwrap(), people + 1);
    let entries = audit_of(s, None).await;
    let public = AuditActor::public();
    let refusals: Vec<_> = entries
        .iter()
        .filter(|e| e.action == AuditAction::Denied && e.detail.starts_with("link=") && e.username == public.username)
        .collect();
    assert_eq!(refusals.len(), 2, "{refusals:?}");
    assert!(has(&entries, AuditAction::Refer, "POST /r/{token}", &format!("partner={org}")));
    w.db.cleanup().await;
}

#[tokio::test]
async fn coordinators_keep_the_partner_register_agreements_and_follow_ups() {
    let w = world().await;
    let s = &w.db.store;
    let c = Caller::new(w.coordinator.clone(), "POST /partners");
    let before = s.list_partners().await.unwrap().len();
    // Nobody else manages partners.
    let input = PartnerInput {
        name: "Sundhedsplejen Vest".into(),
        kind: "health_visitor".into(),
        active: Some("on".into()),
        ..Default::default()
    };
    let e = partners::create_partner(&w.ctx, &Caller::new(w.ambassador.clone(), "POST /partners"), &input)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Refused(Refusal::Role)), "{e:?}");
    // A partner without a name or kind is named at its fields; nothing is stored.
    let bad = PartnerInput { name: String::new(), kind: "nonsense".into(), ..Default::default() };
    let Err(Error::Invalid(fields)) = partners::create_partner(&w.ctx, &c, &bad).await else { panic!("refused") };
    assert!(fields.for_field("name").is_some() && fields.for_field("kind").is_some(), "{fields}");
    assert_eq!(s.list_partners().await.unwrap().len(), before);
    let id = partners::create_partner(&w.ctx, &c, &input).await.unwrap();
    assert!(
        matches!(partners::create_partner(&w.ctx, &c, &input).await, Err(Error::Conflict(_))),
        "one name, one partner"
    );
    let renamed = PartnerInput { name: "Sundhedsplejen Øst".into(), ..input };
    partners::update_partner(&w.ctx, &c, id, &renamed).await.unwrap();
    assert_eq!(s.get_partner(id).await.unwrap().unwrap().details.name, "Sundhedsplejen Øst");

    // G-7.5: an agreement's review date lies ahead.
    let agreement = |review_on: Date| AgreementInput {
        guidelines: "Kun med samtykke.".into(),
        core_task_benefit: "Sprog og job.".into(),
        ethics: "Vi presser ikke.".into(),
        confidentiality: "Kun navn og telefon.".into(),
        review_on: review_on.to_string(),
    };
    let Err(Error::Invalid(fields)) =
        partners::save_agreement(&w.ctx, &c, id, &agreement(today(&w.ctx) - Duration::days(1))).await
    else {
        panic!("a review date passed is refused")
    };
    assert!(fields.for_field("review_on").is_some(), "{fields}");
    assert!(s.get_partner(id).await.unwrap().unwrap().agreement.is_none());
    let review_on = today(&w.ctx) + Duration::days(180);
    partners::save_agreement(&w.ctx, &c, id, &agreement(review_on)).await.unwrap();
    assert_eq!(s.get_partner(id).await.unwrap().unwrap().agreement.unwrap().review_on, review_on);

    // G-7.6: the follow-up belongs to the partner named, whatever the form says.
    let other = s.create_partner_org("Beboerhuset").await.unwrap();
    let follow_up = PartnerFollowUpInput {
        held_on: today(&w.ctx).to_string(),
        partner_org_id: other.to_string(),
        women_talked_to: "mange".into(),
        ..Default::default()
    };
    let Err(Error::Invalid(fields)) = partners::record_follow_up(&w.ctx, &c, id, &follow_up).await else {
        panic!("a count that is no number is refused")
    };
    assert!(fields.for_field("women_talked_to").is_some(), "{fields}");
    partners::record_follow_up(&w.ctx, &c, id, &PartnerFollowUpInput { women_talked_to: "6".into(), ..follow_up })
        .await
        .unwrap();
    assert_eq!(s.list_partner_follow_ups(id).await.unwrap()[0].follow_up.women_talked_to, 6);
    assert!(s.list_partner_follow_ups(other).await.unwrap().is_empty());
    let entries = audit_of(s, Some(w.coordinator.id)).await;
    assert!(has(&entries, AuditAction::SavePartner, "POST /partners", &format!("agreement partner={id}")));
    assert!(has(&entries, AuditAction::RecordFollowUp, "POST /partners", &format!("partner={id}")));
    w.db.cleanup().await;
}
