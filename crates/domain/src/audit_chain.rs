//! The audit log's hash chain (issue 13, item 10): how an entry is linked to the one
//! before it, and how a stored chain is checked. Who looked a woman up must stay
//! knowable: for a woman under negative social control (G-2.4) a read by the wrong
//! person is the harm, and an entry quietly removed would hide it.
//!
//! Each entry stores `hash = SHA-256(prev_hash ‖ canonical content)` and, beside it,
//! the `prev_hash` it was linked to. The hash alone would show *that* the chain broke;
//! the stored `prev_hash` also tells *how*: an entry whose content no longer gives its
//! hash was edited, an entry whose link skips the entry before it follows a deletion,
//! and an entry its successor skips was inserted. The chain's head (its length and
//! last hash, kept by the store) shows entries cut off at the end.
//!
//! The hash is not keyed: someone with write access to the database file can rebuild
//! the chain from the entry she edits onwards. What it gives is that a hand edit, a
//! deleted row or a row copied in is found, and that the head printed by
//! `opsog audit verify` (kept outside the database) pins every entry before it.

use sha2::{Digest, Sha256};

/// What the first entry of a chain links to.
pub const GENESIS: &str = "";

/// How many findings a report keeps in full; the rest are only counted. A log edited
/// throughout would otherwise fill memory with one finding per entry.
pub const MAX_FINDINGS: usize = 100;

/// One entry as stored: the text forms the store writes (its id, its time as
/// fixed-width UTC text), so that the hash covers exactly what a reader sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainEntry {
    /// Its row number in the table: the order of the chain.
    pub seq: i64,
    pub id: String,
    pub at: String,
    pub user_id: Option<String>,
    pub username: String,
    pub role: String,
    pub action: String,
    pub origin: String,
    pub detail: String,
    /// The persons it names, in any order (the hash sorts them).
    pub persons: Vec<String>,
    /// `None` on entries written before the chain began (migration 0017).
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

/// The chain's head as the store keeps it beside the entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    /// How many entries have been linked.
    pub length: i64,
    /// The last entry's hash (`GENESIS` before the first).
    pub hash: String,
    /// Entries that were already in the table when the chain began, unlinked.
    pub unchained: i64,
}

/// The hash that links an entry to the one before it.
pub fn link_hash(prev_hash: &str, entry: &ChainEntry) -> String {
    let mut hasher = Sha256::new();
    field(&mut hasher, prev_hash.as_bytes());
    hasher.update(canonical(entry));
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Links `entries` one after the other from `prev_hash`, setting each one's
/// `prev_hash` and `hash`; returns the last hash (the new head).
pub fn link(prev_hash: &str, entries: &mut [ChainEntry]) -> String {
    let mut prev = prev_hash.to_string();
    for entry in entries {
        let hash = link_hash(&prev, entry);
        entry.prev_hash = Some(std::mem::replace(&mut prev, hash.clone()));
        entry.hash = Some(hash);
    }
    prev
}

/// Every field length-prefixed, in a fixed order, so that no two different entries
/// give the same bytes (moving text from `origin` into `detail` changes the hash).
/// The row number is left out: it is given by the database after the hash is made.
fn canonical(entry: &ChainEntry) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    let mut put = |bytes: &[u8]| {
        out.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
        out.extend_from_slice(bytes);
    };
    put(entry.id.as_bytes());
    put(entry.at.as_bytes());
    match &entry.user_id {
        Some(u) => {
            put(b"1");
            put(u.as_bytes());
        }
        None => put(b"0"),
    }
    put(entry.username.as_bytes());
    put(entry.role.as_bytes());
    put(entry.action.as_bytes());
    put(entry.origin.as_bytes());
    put(entry.detail.as_bytes());
    let mut persons: Vec<&str> = entry.persons.iter().map(String::as_str).collect();
    persons.sort_unstable();
    put(&(persons.len() as u64).to_be_bytes());
    for p in persons {
        put(p.as_bytes());
    }
    out
}

fn field(hasher: &mut Sha256, bytes: &[u8]) {
    hasher.update((bytes.len() as u64).to_be_bytes());
    hasher.update(bytes);
}

/// What is wrong at one place in the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Break {
    /// Its content (or the persons it names) no longer gives its hash, or its link
    /// was removed.
    Edited,
    /// One or more entries before it are missing; with no entry named, entries at the
    /// end are missing (the head names a later one).
    Deleted,
    /// It does not belong in the chain: the entry after it links past it.
    Inserted,
    /// A row of the entries' persons whose entry does not exist.
    OrphanPersons,
}

impl Break {
    pub fn code(self) -> &'static str {
        match self {
            Break::Edited => "edited",
            Break::Deleted => "deleted",
            Break::Inserted => "inserted",
            Break::OrphanPersons => "orphan_persons",
        }
    }
}

/// One broken link: where, and the entry it was found at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: Break,
    /// The entry at which the break shows; `None` for entries missing at the end.
    pub entry_id: Option<String>,
    /// Its place in the table, counted from 1 in row order.
    pub position: u64,
}

/// The result of checking one table's chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    pub table: String,
    /// Rows read.
    pub entries: u64,
    /// Rows from before the chain began (not checkable).
    pub unchained: u64,
    /// The first `MAX_FINDINGS` breaks, in table order.
    pub findings: Vec<Finding>,
    /// How many breaks there are in all.
    pub breaks: u64,
    /// The last hash, to be kept outside the database and compared next time.
    pub head_hash: String,
}

impl ChainReport {
    pub fn intact(&self) -> bool {
        self.breaks == 0
    }

    /// The first broken link, in table order.
    pub fn first_break(&self) -> Option<&Finding> {
        self.findings.iter().min_by_key(|f| f.position)
    }
}

/// Checks a chain entry by entry, in row order, with one entry of look-ahead: whether
/// an entry was inserted shows only in the link of the entry after it.
pub struct ChainVerifier {
    report: ChainReport,
    head: ChainHead,
    /// The hash the next entry should link to.
    expected: String,
    /// What the last accepted entry itself linked to: an entry that was inserted with
    /// a correct hash shows when its successor links to this instead.
    expected_before: Option<(String, Option<String>, u64)>,
    pending: Option<(u64, ChainEntry)>,
    started: bool,
    linked: i64,
}

impl ChainVerifier {
    pub fn new(table: impl Into<String>, head: ChainHead) -> ChainVerifier {
        ChainVerifier {
            report: ChainReport {
                table: table.into(),
                entries: 0,
                unchained: 0,
                findings: Vec::new(),
                breaks: 0,
                head_hash: head.hash.clone(),
            },
            head,
            expected: GENESIS.to_string(),
            expected_before: None,
            pending: None,
            started: false,
            linked: 0,
        }
    }

    /// The next entry in row order.
    pub fn push(&mut self, entry: ChainEntry) {
        self.report.entries += 1;
        let position = self.report.entries;
        if let Some((pos, prev)) = self.pending.take() {
            self.decide(pos, prev, Some(&entry));
        }
        self.pending = Some((position, entry));
    }

    /// A row of persons that names no entry; placed after every entry, as it has no
    /// place in the chain.
    pub fn orphan_persons(&mut self, audit_id: String) {
        self.found(Break::OrphanPersons, Some(audit_id), self.report.entries + 1);
    }

    pub fn finish(mut self) -> ChainReport {
        if let Some((pos, last)) = self.pending.take() {
            self.decide(pos, last, None);
        }
        let legacy_missing = self.head.unchained - i64::try_from(self.report.unchained).unwrap_or(i64::MAX);
        if legacy_missing > 0 {
            // Entries from before the chain are gone: where is not knowable, so the
            // break is placed after the last unlinked entry.
            self.found(Break::Deleted, None, self.report.unchained + 1);
        }
        if self.expected != self.head.hash || (self.report.breaks == 0 && self.linked < self.head.length) {
            self.found(Break::Deleted, None, self.report.entries + 1);
        }
        self.report
    }

    fn decide(&mut self, position: u64, entry: ChainEntry, next: Option<&ChainEntry>) {
        // What the entry after this one links to; at the end, the head's hash.
        let next_link = match next {
            Some(n) => n.prev_hash.clone(),
            None => Some(self.head.hash.clone()),
        };
        let (Some(prev_hash), Some(hash)) = (&entry.prev_hash, &entry.hash) else {
            if !self.started && i64::try_from(self.report.unchained).unwrap_or(i64::MAX) < self.head.unchained {
                self.report.unchained += 1;
                return;
            }
            // An unlinked row after the chain began: copied in, or its link removed.
            let kind =
                if next_link.as_deref() == Some(self.expected.as_str()) { Break::Inserted } else { Break::Edited };
            self.found(kind, Some(entry.id.clone()), position);
            if kind == Break::Edited
                && let Some(n) = next_link
            {
                self.expected = n;
            }
            return;
        };
        self.started = true;
        let content_ok = link_hash(prev_hash, &entry) == *hash;
        let link_ok = *prev_hash == self.expected;
        if content_ok && link_ok {
            self.expected_before = Some((self.expected.clone(), Some(entry.id.clone()), position));
            self.expected = hash.clone();
            self.linked += 1;
            return;
        }
        if next_link.as_deref() == Some(self.expected.as_str()) {
            // The entry after it links past it.
            self.found(Break::Inserted, Some(entry.id.clone()), position);
            return;
        }
        if !link_ok
            && content_ok
            && let Some((before, id, pos)) = self.expected_before.take()
            && *prev_hash == before
        {
            // It links to what the entry before it linked to: that one was put in
            // between, with a hash made to fit.
            self.found(Break::Inserted, id, pos);
            self.linked -= 1;
        } else if !link_ok && content_ok {
            self.found(Break::Deleted, Some(entry.id.clone()), position);
        } else {
            self.found(Break::Edited, Some(entry.id.clone()), position);
        }
        self.expected_before = None;
        self.expected = hash.clone();
        self.linked += 1;
    }

    fn found(&mut self, kind: Break, entry_id: Option<String>, position: u64) {
        self.report.breaks += 1;
        if self.report.findings.len() < MAX_FINDINGS {
            self.report.findings.push(Finding { kind, entry_id, position });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: i64, detail: &str) -> ChainEntry {
        ChainEntry {
            seq,
            id: format!("id-{seq}"),
            at: "2026-12-07T14:00:00.000000Z".into(),
            user_id: None,
            username: "system:test".into(),
            role: "system".into(),
            action: "cli_command".into(),
            origin: "test".into(),
            detail: detail.into(),
            persons: vec![format!("p-{seq}")],
            prev_hash: None,
            hash: None,
        }
    }

    /// A chain of `n` linked entries and its head.
    fn chain(n: i64) -> (Vec<ChainEntry>, ChainHead) {
        let mut entries: Vec<ChainEntry> = (1..=n).map(|i| entry(i, &format!("entry {i}"))).collect();
        let hash = link(GENESIS, &mut entries);
        (entries, ChainHead { length: n, hash, unchained: 0 })
    }

    fn verify(entries: Vec<ChainEntry>, head: ChainHead) -> ChainReport {
        let mut v = ChainVerifier::new("audit_log", head);
        for e in entries {
            v.push(e);
        }
        v.finish()
    }

    fn breaks(report: &ChainReport) -> Vec<(Break, Option<String>, u64)> {
        report.findings.iter().map(|f| (f.kind, f.entry_id.clone(), f.position)).collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        let (entries, head) = chain(5);
        let report = verify(entries, head.clone());
        assert!(report.intact(), "{report:?}");
        assert_eq!(report.entries, 5);
        assert_eq!(report.head_hash, head.hash);
        assert!(verify(vec![], ChainHead { length: 0, hash: GENESIS.into(), unchained: 0 }).intact());
    }

    #[test]
    fn every_field_and_the_persons_are_covered() {
        let (entries, _) = chain(1);
        let base = link_hash(GENESIS, &entries[0]);
        let edits: [fn(&mut ChainEntry); 9] = [
            |e| e.id.push('x'),
            |e| e.at.push('x'),
            |e| e.user_id = Some(String::new()),
            |e| e.username.push('x'),
            |e| e.role.push('x'),
            |e| e.action.push('x'),
            |e| e.origin.push('x'),
            |e| e.detail.push('x'),
            |e| e.persons.push("p-9".into()),
        ];
        for (i, edit) in edits.iter().enumerate() {
            let mut e = entries[0].clone();
            edit(&mut e);
            assert_ne!(link_hash(GENESIS, &e), base, "field {i}");
        }
        // moving text between fields changes the hash too
        let mut moved = entries[0].clone();
        moved.origin = "tes".into();
        moved.detail = format!("t{}", moved.detail);
        assert_ne!(link_hash(GENESIS, &moved), base);
        // the order the persons come in does not
        let mut two = entries[0].clone();
        two.persons = vec!["a".into(), "b".into()];
        let mut swapped = two.clone();
        swapped.persons.reverse();
        assert_eq!(link_hash(GENESIS, &two), link_hash(GENESIS, &swapped));
    }

    #[test]
    fn an_edited_entry_is_found_and_only_it() {
        let (mut entries, head) = chain(5);
        entries[2].detail = "nothing to see".into();
        let report = verify(entries, head);
        assert_eq!(breaks(&report), vec![(Break::Edited, Some("id-3".into()), 3)]);
        assert_eq!(report.first_break().map(|f| f.position), Some(3));
    }

    #[test]
    fn a_deleted_entry_shows_at_the_entry_after_it() {
        let (mut entries, head) = chain(5);
        entries.remove(1);
        assert_eq!(breaks(&verify(entries, head)), vec![(Break::Deleted, Some("id-3".into()), 2)]);
    }

    #[test]
    fn entries_deleted_at_the_end_are_found_by_the_head() {
        let (mut entries, head) = chain(5);
        entries.truncate(3);
        assert_eq!(breaks(&verify(entries, head)), vec![(Break::Deleted, None, 4)]);
    }

    #[test]
    fn an_inserted_entry_is_found_however_it_was_linked() {
        // copied in with another entry's links
        let (mut entries, head) = chain(4);
        let mut copy = entries[1].clone();
        copy.id = "forged".into();
        copy.seq = 99;
        entries.insert(2, copy);
        assert_eq!(breaks(&verify(entries, head.clone())), vec![(Break::Inserted, Some("forged".into()), 3)]);
        // without any link
        let (mut entries, _) = chain(4);
        let mut bare = entry(99, "forged");
        bare.id = "forged".into();
        entries.insert(2, bare.clone());
        assert_eq!(breaks(&verify(entries, head.clone())), vec![(Break::Inserted, Some("forged".into()), 3)]);
        // with a hash made to fit the entry before it
        let (mut entries, _) = chain(4);
        let mut fitted = bare.clone();
        fitted.prev_hash = entries[1].hash.clone();
        fitted.hash = Some(link_hash(entries[1].hash.as_deref().unwrap_or_default(), &fitted));
        entries.insert(2, fitted);
        assert_eq!(breaks(&verify(entries, head.clone())), vec![(Break::Inserted, Some("forged".into()), 3)]);
        // at the end
        let (mut entries, _) = chain(4);
        entries.push(bare);
        assert_eq!(breaks(&verify(entries, head)), vec![(Break::Inserted, Some("forged".into()), 5)]);
    }

    #[test]
    fn entries_from_before_the_chain_are_counted_not_checked() {
        let mut entries = vec![entry(1, "old"), entry(2, "old")];
        let (mut linked, mut head) = chain(2);
        for (i, e) in linked.iter_mut().enumerate() {
            e.seq = 3 + i as i64;
            entries.push(e.clone());
        }
        head.unchained = 2;
        let report = verify(entries.clone(), head.clone());
        assert!(report.intact(), "{report:?}");
        assert_eq!(report.unchained, 2);
        // an old entry deleted
        let mut fewer = entries.clone();
        fewer.remove(0);
        assert_eq!(breaks(&verify(fewer, head.clone())), vec![(Break::Deleted, None, 2)]);
        // a linked entry's link removed, as if it were old
        let mut unlinked = entries;
        unlinked[2].hash = None;
        unlinked[2].prev_hash = None;
        assert_eq!(breaks(&verify(unlinked, head)).first().map(|b| b.0), Some(Break::Edited));
    }

    #[test]
    fn findings_are_capped_but_all_counted() {
        let (mut entries, head) = chain(150);
        for e in &mut entries {
            e.detail = "changed".into();
        }
        let report = verify(entries, head);
        assert_eq!(report.findings.len(), MAX_FINDINGS);
        assert_eq!(report.breaks, 150);
        assert_eq!(report.first_break().map(|f| f.position), Some(1));
    }
}
