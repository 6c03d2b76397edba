//! Small sampling helpers over the seeded generator.

use rand::Rng;

/// One item with probability proportional to its weight; `None` when all weigh nothing.
pub(crate) fn weighted<'a, T, R: Rng>(rng: &mut R, items: &'a [T], weight: impl Fn(&T) -> u32) -> Option<&'a T> {
    let total: u64 = items.iter().map(|i| u64::from(weight(i))).sum();
    if total == 0 {
        return None;
    }
    let mut roll = rng.random_range(0..total);
    for item in items {
        let w = u64::from(weight(item));
        if roll < w {
            return Some(item);
        }
        roll -= w;
    }
    None
}

/// True with probability `p` (clamped, so a computed share can never be out of range).
pub(crate) fn chance<R: Rng>(rng: &mut R, p: f64) -> bool {
    rng.random_bool(p.clamp(0.0, 1.0))
}

/// An index into a list ordered from most to least common: the earlier, the likelier,
/// as with names, where a few are very common and many are rare.
pub(crate) fn common_first<R: Rng>(rng: &mut R, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    let a = rng.random_range(0..len);
    let b = rng.random_range(0..len);
    a.min(b)
}

/// An item of a list ordered from most to least common.
pub(crate) fn common<'a, T, R: Rng>(rng: &mut R, items: &'a [T]) -> Option<&'a T> {
    items.get(common_first(rng, items.len()))
}

/// Any item, uniformly.
pub(crate) fn any<'a, T, R: Rng>(rng: &mut R, items: &'a [T]) -> Option<&'a T> {
    if items.is_empty() { None } else { items.get(rng.random_range(0..items.len())) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn weights_are_respected_and_zero_never_wins() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let items = [("a", 1u32), ("b", 0), ("c", 3)];
        let mut counts = [0u32; 3];
        for _ in 0..4000 {
            let (name, _) = weighted(&mut rng, &items, |i| i.1).unwrap();
            counts[items.iter().position(|i| i.0 == *name).unwrap()] += 1;
        }
        assert_eq!(counts[1], 0);
        assert!((800..1200).contains(&counts[0]), "{counts:?}");
        assert!(weighted(&mut rng, &[("x", 0u32)], |i| i.1).is_none());
        assert!(any::<u8, _>(&mut rng, &[]).is_none());
    }
}
