//! The bucket pattern of the checks that ask several ports the same question (`rtsp`, `web`):
//! each port says what it showed, as a kind and one line of evidence (or nothing at all), and
//! the check decides on the lines sorted by kind, each bucket in port order.

/// What one port showed: its kind and one line of evidence; `None` when it showed nothing.
pub(crate) type Seen<K> = Option<(K, String)>;

/// Sorts what the ports showed into one bucket per kind of `kinds`, in that order: the evidence
/// of each port that showed that kind, in port order. Ports that showed nothing, or a kind not
/// asked for, are left out.
pub(crate) fn sort<K: PartialEq, const N: usize>(
    seen: &[Seen<K>],
    kinds: [K; N],
) -> [Vec<String>; N] {
    kinds.map(|kind| {
        seen.iter()
            .flatten()
            .filter(|(k, _)| *k == kind)
            .map(|(_, line)| line.clone())
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_go_to_their_kind_in_port_order() {
        let seen = vec![
            Some(('a', "first a".to_string())),
            None,
            Some(('b', "only b".to_string())),
            Some(('a', "second a".to_string())),
            Some(('c', "not asked".to_string())),
        ];
        let [a, b, d] = sort(&seen, ['a', 'b', 'd']);
        assert_eq!(a, ["first a", "second a"]);
        assert_eq!(b, ["only b"]);
        assert!(d.is_empty());
    }
}
