//! MeMo files read back with an XML parser that is not the writer, and held against the
//! official examples (shared/reference/memo).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use base64::Engine as _;
use domain::cpr::Cpr;
use letters::memo::{MEMO_NS, MemoError, MemoMessage, Sender, write_memo};
use std::collections::HashMap;
use time::macros::datetime;
use uuid::Uuid;

const CPR: &str = "2211771212";

/// The official example, where the project's shared folder is at hand (beside the
/// repository, or named by OPSOG_SHARED_DIR); `None` on a machine without it, where
/// `schema_order` below is the check.
fn reference(name: &str) -> Option<String> {
    let beside = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    let dirs =
        [std::env::var_os("OPSOG_SHARED_DIR").map(std::path::PathBuf::from), Some(beside), Some("/work/shared".into())];
    dirs.into_iter().flatten().find_map(|d| std::fs::read_to_string(d.join("reference/memo").join(name)).ok())
}

/// The schema order of danish-conventions.md ("Digital Post: the MeMo format"), as the
/// project wrote it down: parent path → its elements in order.
fn schema_order() -> HashMap<String, Vec<Vec<String>>> {
    let list = |names: &[&str]| vec![names.iter().map(|n| (*n).to_string()).collect::<Vec<_>>()];
    HashMap::from([
        ("Message".to_string(), list(&["MessageHeader", "MessageBody"])),
        (
            "Message/MessageHeader".to_string(),
            list(&[
                "messageType",
                "messageUUID",
                "messageID",
                "messageCode",
                "label",
                "notification",
                "additionalNotification",
                "reply",
                "replyByDateTime",
                "doNotDeliverUntilDate",
                "mandatory",
                "legalNotification",
                "postType",
                "Sender",
                "Recipient",
                "ContentData",
            ]),
        ),
        ("Message/MessageHeader/Sender".to_string(), list(&["senderID", "idType", "label", "ContactPoint"])),
        ("Message/MessageHeader/Recipient".to_string(), list(&["recipientID", "idType", "label"])),
        (
            "Message/MessageBody".to_string(),
            list(&["createdDateTime", "MainDocument", "AdditionalDocument", "TechnicalDocument"]),
        ),
        ("Message/MessageBody/MainDocument".to_string(), list(&["mainDocumentID", "label", "File", "Action"])),
        (
            "Message/MessageBody/MainDocument/File".to_string(),
            list(&["encodingFormat", "filename", "language", "content"]),
        ),
    ])
}

#[test]
fn element_order_follows_the_schema_order_written_down() {
    let xml = write_memo(&message(b"%PDF-1.7 test")).unwrap();
    let ours = roxmltree::Document::parse(&xml).unwrap();
    let order = schema_order();
    for (path, lists) in children(&ours) {
        let Some(theirs) = order.get(&path) else { continue };
        for list in lists {
            assert!(theirs.iter().any(|t| in_order(&list, t)), "{path}: {list:?} is not in the order of {theirs:?}");
        }
    }
    // The parts the header and body must have are there.
    let all = children(&ours);
    for (path, needed) in [
        ("Message/MessageHeader", &["messageType", "messageUUID", "label", "Sender", "Recipient"][..]),
        ("Message/MessageBody", &["createdDateTime", "MainDocument"][..]),
    ] {
        let have = &all[path][0];
        for n in needed {
            assert!(have.iter().any(|h| h == n), "{path} lacks {n}");
        }
    }
}

fn message(pdf: &[u8]) -> MemoMessage<'_> {
    MemoMessage {
        uuid: Uuid::from_u128(0x8c2e_a15d_61fb_4ba9_9366_42f8_b194_c114),
        label: "Vil du have hjælp til at finde arbejde? <Søby & co>".into(),
        sender: Sender { myndigheds_id: None, cvr: "29189900".into(), label: "Søby Kommune".into() },
        recipient_cpr: Cpr::parse(CPR).unwrap(),
        language: "ar".into(),
        pdf,
        file_name: "brev.pdf".into(),
        created: datetime!(2026-03-02 09:30:00 +01:00),
    }
}

/// Child element names under each element, by path of local names, in document order.
fn children(doc: &roxmltree::Document<'_>) -> HashMap<String, Vec<Vec<String>>> {
    let mut out: HashMap<String, Vec<Vec<String>>> = HashMap::new();
    for node in doc.descendants().filter(|n| n.is_element()) {
        let path: Vec<&str> =
            node.ancestors().filter(|n| n.is_element()).map(|n| n.tag_name().name()).collect::<Vec<_>>();
        let path = path.into_iter().rev().collect::<Vec<_>>().join("/");
        let kids = node.children().filter(|n| n.is_element()).map(|n| n.tag_name().name().to_string()).collect();
        out.entry(path).or_default().push(kids);
    }
    out
}

/// Whether `ours` follows the order of `theirs`: each name of ours found at or after
/// the place of the previous one (repeats such as `File` allowed).
fn in_order(ours: &[String], theirs: &[String]) -> bool {
    let mut at = 0;
    for name in ours {
        match theirs[at..].iter().position(|t| t == name) {
            Some(k) => at += k,
            None => return false,
        }
    }
    true
}

#[test]
fn a_memo_file_reads_back_as_written() {
    let pdf = common::renderer().render_letter(&common::letter("ar", "Fatima")).unwrap();
    let m = message(&pdf);
    let xml = write_memo(&m).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().namespace(), Some(MEMO_NS));
    assert_eq!(root.tag_name().name(), "Message");
    assert_eq!(root.attribute("memoVersion"), Some("1.2"));
    // Every element is in the MeMo namespace.
    assert!(doc.descendants().filter(|n| n.is_element()).all(|n| n.tag_name().namespace() == Some(MEMO_NS)));

    let text_of = |name: &str| -> Vec<&str> {
        doc.descendants().filter(|n| n.has_tag_name((MEMO_NS, name))).filter_map(|n| n.text()).collect()
    };
    assert_eq!(text_of("messageType"), ["DIGITALPOST"]);
    assert_eq!(Uuid::parse_str(text_of("messageUUID")[0]).unwrap(), m.uuid);
    assert_eq!(text_of("label")[0], "Vil du have hjælp til at finde arbejde? <Søby & co>");
    assert_eq!(text_of("senderID"), ["29189900"]);
    assert_eq!(text_of("idType"), ["CVR", "CPR"]);
    assert_eq!(text_of("recipientID"), [CPR]);
    assert_eq!(text_of("createdDateTime"), ["2026-03-02T08:30:00Z"]);
    assert_eq!(text_of("encodingFormat"), ["application/pdf"]);
    assert_eq!(text_of("filename"), ["brev.pdf"]);
    assert_eq!(text_of("language"), ["ar"]);
    let content = text_of("content");
    let decoded = base64::engine::general_purpose::STANDARD.decode(content[0]).unwrap();
    assert!(decoded == pdf, "the MainDocument does not decode to the PDF");

    // The CPR number appears once, as the recipient, and nowhere else (nor in the PDF).
    assert_eq!(xml.matches(CPR).count(), 1);
    assert_eq!(xml.matches("221177-1212").count(), 0);
    let recipient = doc.descendants().find(|n| n.has_tag_name((MEMO_NS, "recipientID"))).unwrap();
    assert_eq!(recipient.parent().unwrap().tag_name().name(), "Recipient");
    assert!(!pdf.windows(CPR.len()).any(|w| w == CPR.as_bytes()));
    assert!(!format!("{m:?}").contains(CPR), "Debug shows the CPR number");
}

#[test]
fn element_order_follows_the_official_examples() {
    let xml = write_memo(&message(b"%PDF-1.7 test")).unwrap();
    let ours = roxmltree::Document::parse(&xml).unwrap();
    let (Some(full_text), Some(min_text)) = (reference("MeMo_Full_Example.xml"), reference("MeMo_Minimum_Example.xml"))
    else {
        // Without the shared folder the written-down order (test above) is the check.
        eprintln!("the official MeMo examples are not on this machine; checked against the schema order only");
        return;
    };
    let full = roxmltree::Document::parse(full_text.trim_start_matches('\u{feff}')).unwrap();
    let min = roxmltree::Document::parse(&min_text).unwrap();
    let full_children = children(&full);
    for (path, lists) in children(&ours) {
        let theirs = full_children.get(&path).unwrap_or_else(|| panic!("{path} is not in the full example"));
        for list in lists {
            assert!(theirs.iter().any(|t| in_order(&list, t)), "{path}: {list:?} is not in the order of {theirs:?}");
        }
    }
    // Everything the minimum example has, ours has, in the same order.
    let our_children = children(&ours);
    for (path, lists) in children(&min) {
        let mine = our_children.get(&path).unwrap_or_else(|| panic!("{path} is missing"));
        for list in lists {
            assert!(mine.iter().any(|m| in_order(&list, m)), "{path}: need {list:?}, have {mine:?}");
        }
    }
}

#[test]
fn a_myndigheds_id_is_the_sender_where_given() {
    let mut m = message(b"%PDF-1.7 test");
    m.sender.myndigheds_id = Some("MYN12345".into());
    let xml = write_memo(&m).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let sender = doc.descendants().find(|n| n.has_tag_name((MEMO_NS, "Sender"))).unwrap();
    let texts: Vec<&str> = sender.children().filter(|n| n.is_element()).filter_map(|n| n.text()).collect();
    assert_eq!(texts, ["MYN12345", "MyndighedsID", "Søby Kommune"]);
}

#[test]
fn bad_messages_are_refused() {
    let pdf = b"%PDF-1.7 test";
    type Change = fn(&mut MemoMessage<'_>);
    let cases: [(Change, MemoError); 6] = [
        (|m| m.label = " ".into(), MemoError::EmptyLabel),
        (|m| m.sender.cvr = "1234".into(), MemoError::Cvr),
        (|m| m.language = "Arabic".into(), MemoError::Language),
        (|m| m.file_name = "../brev.pdf".into(), MemoError::FileName),
        (|m| m.file_name = "brev.docx".into(), MemoError::FileName),
        (|m| m.sender.myndigheds_id = Some("a b".into()), MemoError::MyndighedsId),
    ];
    for (change, expected) in cases {
        let mut m = message(pdf);
        change(&mut m);
        assert_eq!(write_memo(&m), Err(expected));
    }
    let mut m = message(b"not a pdf");
    m.pdf = b"GIF89a";
    assert_eq!(write_memo(&m), Err(MemoError::NotPdf));
}
