//! The one suppression rule for figures shown below coordinator level (product.md):
//! a cell under the threshold is hidden, and more cells are hidden where a total would
//! otherwise let someone subtract their way back to it.

pub const THRESHOLD: u64 = 5;

/// A row of counts with its total. `None` = hidden.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuppressedRow {
    pub cells: Vec<Option<u64>>,
    pub total: Option<u64>,
}

/// Primary suppression: every cell under `threshold`. Secondary: while the hidden
/// cells could be recovered from the total (one hidden cell) or add up to less than
/// the threshold (their sum would itself be a small group), hide the smallest visible
/// cell too. The total is hidden when it is itself under the threshold.
pub fn suppress_row(counts: &[u64], threshold: u64) -> SuppressedRow {
    let total: u64 = counts.iter().sum();
    let mut hidden: Vec<bool> = counts.iter().map(|c| *c < threshold).collect();
    loop {
        let n_hidden = hidden.iter().filter(|h| **h).count();
        if n_hidden == 0 || n_hidden == counts.len() {
            break;
        }
        let hidden_sum: u64 = counts.iter().zip(&hidden).filter(|(_, h)| **h).map(|(c, _)| *c).sum();
        if n_hidden >= 2 && hidden_sum >= threshold {
            break;
        }
        let next = counts.iter().enumerate().filter(|(i, _)| !hidden[*i]).min_by_key(|(_, c)| **c).map(|(i, _)| i);
        match next {
            Some(i) => hidden[i] = true,
            None => break,
        }
    }
    SuppressedRow {
        cells: counts.iter().zip(&hidden).map(|(c, h)| (!h).then_some(*c)).collect(),
        total: (total >= threshold).then_some(total),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn small_cells_are_hidden_and_cannot_be_subtracted_back() {
        let row = suppress_row(&[40, 3, 25], THRESHOLD);
        assert_eq!(row.cells[1], None);
        // 40 and 25 both visible with the total would give back 3: one more is hidden
        assert_eq!(row.cells.iter().filter(|c| c.is_none()).count(), 2);
        assert_eq!(row.total, Some(68));
    }

    #[test]
    fn nothing_hidden_when_all_are_large() {
        assert_eq!(suppress_row(&[10, 20], THRESHOLD).cells, vec![Some(10), Some(20)]);
    }

    proptest! {
        /// An attacker who knows the total and the visible cells learns only the sum of
        /// the hidden cells; that sum must never single out a group under the threshold.
        #[test]
        fn hidden_cells_are_never_recoverable(counts in proptest::collection::vec(0u64..30, 1..8)) {
            let row = suppress_row(&counts, THRESHOLD);
            let hidden: Vec<u64> = counts.iter().zip(&row.cells).filter(|(_, v)| v.is_none()).map(|(c, _)| *c).collect();
            for (c, v) in counts.iter().zip(&row.cells) {
                if *c < THRESHOLD { prop_assert!(v.is_none()); }
            }
            if row.total.is_some() && !hidden.is_empty() {
                prop_assert!(hidden.len() >= 2, "a single hidden cell is total minus the rest");
                let sum: u64 = hidden.iter().sum();
                prop_assert!(sum >= THRESHOLD || hidden.len() == counts.len());
            }
        }
    }
}
