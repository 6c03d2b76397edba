//! Digital Post messages in the MeMo format (danish-conventions.md, "Digital Post: the
//! MeMo format"): a `memo:Message` of `memoVersion` 1.2 with the letter's PDF as its
//! main document, elements in the schema's order as in the official examples.
//!
//! Written by hand: the message is small and fixed in shape, and escaping five
//! characters is all an XML writer would add.

use base64::Engine as _;
use time::OffsetDateTime;
use uuid::Uuid;

pub const MEMO_NS: &str = "https://DigitalPost.dk/MeMo-1";
pub const MEMO_VERSION: &str = "1.2";

/// The authority sending. Digital Post knows it by MyndighedsID where it has one, else
/// by CVR number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    pub myndigheds_id: Option<String>,
    pub cvr: String,
    /// The sender's name as the recipient sees it.
    pub label: String,
}

/// One message to one woman.
pub struct MemoMessage<'a> {
    /// The messageUUID: keep it on the contact event so the message can be traced.
    pub uuid: Uuid,
    /// The title she sees in her inbox.
    pub label: String,
    pub sender: Sender,
    /// The only place the full CPR number is written.
    pub recipient_cpr: domain::cpr::Cpr,
    /// ISO 639 code of the document, e.g. `ar` (the letter's first language).
    pub language: String,
    pub pdf: &'a [u8],
    /// The PDF's file name, e.g. `brev.pdf`.
    pub file_name: String,
    pub created: OffsetDateTime,
}

impl std::fmt::Debug for MemoMessage<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoMessage")
            .field("uuid", &self.uuid)
            .field("sender", &self.sender)
            .field("recipient_cpr", &self.recipient_cpr)
            .field("language", &self.language)
            .field("pdf_bytes", &self.pdf.len())
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MemoError {
    #[error("the message label is empty")]
    EmptyLabel,
    #[error("the message label is longer than {max} characters")]
    LabelTooLong { max: usize },
    #[error("the sender's label is empty")]
    EmptySenderLabel,
    #[error("the sender's CVR number must be 8 digits")]
    Cvr,
    #[error("the sender's MyndighedsID is empty or holds characters other than letters and digits")]
    MyndighedsId,
    #[error("the language must be an ISO 639 code (2 or 3 lower-case letters)")]
    Language,
    #[error("the file name must end in .pdf and hold no path or control characters")]
    FileName,
    #[error("the document is not a PDF")]
    NotPdf,
    #[error("the creation time cannot be written: {0}")]
    Time(String),
}

/// Digital Post shows about this much of a title.
pub const MAX_LABEL_LEN: usize = 150;

/// The message as MeMo XML (UTF-8, with declaration).
pub fn write_memo(message: &MemoMessage<'_>) -> Result<String, MemoError> {
    let label = message.label.trim();
    if label.is_empty() {
        return Err(MemoError::EmptyLabel);
    }
    if label.chars().count() > MAX_LABEL_LEN {
        return Err(MemoError::LabelTooLong { max: MAX_LABEL_LEN });
    }
    let sender = &message.sender;
    if sender.label.trim().is_empty() {
        return Err(MemoError::EmptySenderLabel);
    }
    let cvr = sender.cvr.trim();
    if cvr.len() != 8 || !cvr.bytes().all(|b| b.is_ascii_digit()) {
        return Err(MemoError::Cvr);
    }
    let (sender_id, id_type) = match &sender.myndigheds_id {
        Some(m) => {
            let m = m.trim();
            if m.is_empty() || !m.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(MemoError::MyndighedsId);
            }
            (m, "MyndighedsID")
        }
        None => (cvr, "CVR"),
    };
    let language = message.language.trim();
    if !(2..=3).contains(&language.len()) || !language.bytes().all(|b| b.is_ascii_lowercase()) {
        return Err(MemoError::Language);
    }
    let file_name = message.file_name.trim();
    if !file_name.to_ascii_lowercase().ends_with(".pdf")
        || file_name.len() <= 4
        || file_name.chars().any(|c| c.is_control() || matches!(c, '/' | '\\'))
    {
        return Err(MemoError::FileName);
    }
    if !message.pdf.starts_with(b"%PDF-") {
        return Err(MemoError::NotPdf);
    }
    let created = message.created.to_offset(time::UtcOffset::UTC);
    let created = created
        .format(time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z"))
        .map_err(|e| MemoError::Time(e.to_string()))?;
    // The register's form is DDMMYY-SSSS; MeMo wants the ten digits.
    let cpr: String = message.recipient_cpr.expose().chars().filter(char::is_ascii_digit).collect();

    let mut x = Xml::with_capacity(base64::encoded_len(message.pdf.len(), true).unwrap_or(0) + 2048);
    x.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.raw("<memo:Message xmlns:memo=\"");
    x.raw(MEMO_NS);
    x.raw("\" memoVersion=\"");
    x.raw(MEMO_VERSION);
    x.raw("\">\n");
    x.open(1, "MessageHeader");
    x.leaf(2, "messageType", "DIGITALPOST");
    x.leaf(2, "messageUUID", &message.uuid.hyphenated().to_string());
    x.leaf(2, "label", label);
    x.open(2, "Sender");
    x.leaf(3, "senderID", sender_id);
    x.leaf(3, "idType", id_type);
    x.leaf(3, "label", sender.label.trim());
    x.close(2, "Sender");
    x.open(2, "Recipient");
    x.leaf(3, "recipientID", &cpr);
    x.leaf(3, "idType", "CPR");
    x.close(2, "Recipient");
    x.close(1, "MessageHeader");
    x.open(1, "MessageBody");
    x.leaf(2, "createdDateTime", &created);
    x.open(2, "MainDocument");
    x.leaf(3, "label", label);
    x.open(3, "File");
    x.leaf(4, "encodingFormat", "application/pdf");
    x.leaf(4, "filename", file_name);
    x.leaf(4, "language", language);
    x.base64_leaf(4, "content", message.pdf);
    x.close(3, "File");
    x.close(2, "MainDocument");
    x.close(1, "MessageBody");
    x.raw("</memo:Message>\n");
    Ok(x.out)
}

/// A minimal writer for elements in the `memo` namespace.
struct Xml {
    out: String,
}

impl Xml {
    fn with_capacity(n: usize) -> Xml {
        Xml { out: String::with_capacity(n) }
    }

    fn raw(&mut self, s: &str) {
        self.out.push_str(s);
    }

    fn indent(&mut self, depth: usize) {
        for _ in 0..depth {
            self.out.push('\t');
        }
    }

    fn open(&mut self, depth: usize, name: &str) {
        self.indent(depth);
        self.out.push_str("<memo:");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    fn close(&mut self, depth: usize, name: &str) {
        self.indent(depth);
        self.out.push_str("</memo:");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    fn leaf(&mut self, depth: usize, name: &str, text: &str) {
        self.element(depth, name, |out| escape_into(out, text));
    }

    /// An element holding `data` in base64, encoded straight into the output: its
    /// alphabet (letters, digits, `+`, `/`, `=`) needs no escaping. Going through
    /// [`escape_into`] a character at a time was most of the time spent writing a message.
    fn base64_leaf(&mut self, depth: usize, name: &str, data: &[u8]) {
        self.element(depth, name, |out| base64::engine::general_purpose::STANDARD.encode_string(data, out));
    }

    fn element(&mut self, depth: usize, name: &str, text: impl FnOnce(&mut String)) {
        self.indent(depth);
        self.out.push_str("<memo:");
        self.out.push_str(name);
        self.out.push('>');
        text(&mut self.out);
        self.out.push_str("</memo:");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }
}

/// Escapes text content. Characters XML 1.0 cannot hold at all are dropped.
pub fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_characters() {
        let mut s = String::new();
        escape_into(&mut s, "a<b>&\"c'\u{1}");
        assert_eq!(s, "a&lt;b&gt;&amp;&quot;c&apos;");
    }
}
