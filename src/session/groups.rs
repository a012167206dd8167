//! One problem found on several devices is one entry of Fix first: "telnet answers on 3
//! devices", opening the list of them; a household problem (smart devices beside this computer)
//! is said once, under its home-level step, however many devices share it. Pure and generic: the
//! TUI groups its own lines, the command line its findings, with the same rule and words.

use crate::catalog::Catalog;
use crate::model::StepId;

/// What puts lines into one entry: the same kind of line (problem, came undone...) about the
/// same step, counting a per-device step under its household step (G-09 under RT-13).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GroupKey {
    /// The kind of line, as its list orders them.
    pub kind: u8,
    /// The step the lines are listed under; `None` for lines about devices themselves.
    pub step: Option<StepId>,
}

/// Lines of one entry, most urgent first, and the key they share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group<T> {
    /// What the lines share.
    pub key: GroupKey,
    /// True when the key's step is a household step that per-device steps are listed under.
    pub household: bool,
    /// The lines, in the order they came.
    pub items: Vec<T>,
}

/// Puts `items` (already in the list's order) into entries: an entry is as urgent as its most
/// urgent line, and of entries as urgent, the one found on more devices comes first (telnet on
/// 250 devices before a problem of one). `key` gives a line's kind, its risk rank (0 most
/// urgent) and its own step.
pub fn group<T>(
    catalog: &Catalog,
    items: Vec<T>,
    key: impl Fn(&T) -> (u8, u8, Option<&StepId>),
) -> Vec<Group<T>> {
    let households: Vec<&StepId> = catalog
        .steps()
        .iter()
        .filter_map(|s| s.household.as_ref())
        .collect();
    let mut groups: Vec<Group<T>> = Vec::new();
    let mut ranks: Vec<u8> = Vec::new();
    let mut index: std::collections::HashMap<GroupKey, usize> = std::collections::HashMap::new();
    for item in items {
        let (kind, rank, step) = key(&item);
        let key = GroupKey {
            kind,
            step: step.map(|s| catalog.listed_under(s).clone()),
        };
        // The household step's own line (the router's RT-13) leads its entry.
        let leads = step.is_some_and(|s| households.contains(&s) && Some(s) == key.step.as_ref());
        match index.get(&key) {
            Some(&at) if leads => groups[at].items.insert(0, item),
            Some(&at) => groups[at].items.push(item),
            None => {
                index.insert(key.clone(), groups.len());
                ranks.push(rank);
                let household = key.step.as_ref().is_some_and(|s| households.contains(&s));
                groups.push(Group {
                    key,
                    household,
                    items: vec![item],
                });
            }
        }
    }
    let mut order: Vec<usize> = (0..groups.len()).collect();
    order.sort_by_key(|&n| {
        (
            groups[n].key.kind,
            ranks[n],
            std::cmp::Reverse(groups[n].items.len()),
        )
    });
    let mut slots: Vec<Option<Group<T>>> = groups.into_iter().map(Some).collect();
    order.into_iter().filter_map(|n| slots[n].take()).collect()
}

/// The engine's Fix first list as its entries (what the TUI shows, and what the report and the
/// history count as problems: one problem on several devices is one).
pub fn entries<'a>(
    catalog: &Catalog,
    items: &'a [super::fix_first::FixItem],
) -> Vec<Group<&'a super::fix_first::FixItem>> {
    group(catalog, items.iter().collect(), |i| {
        (i.kind as u8, i.risk as u8, i.step.as_ref())
    })
}

/// The names of an entry's devices for one line: the first few, then how many more.
pub fn names_line(names: &[&str], shown: usize) -> String {
    let mut unique: Vec<&str> = Vec::new();
    for name in names {
        if !unique.contains(name) {
            unique.push(name);
        }
    }
    let head: Vec<&str> = unique.iter().take(shown).copied().collect();
    match unique.len().saturating_sub(head.len()) {
        0 => head.join(", "),
        more => format!("{} and {more} more", head.join(", ")),
    }
}

/// What a household entry says: how many smart devices share the network with this computer,
/// and which (`gadgets` are the devices the per-device step found beside it).
pub fn household_line(gadgets: &[&str], shown: usize) -> String {
    let mut unique = gadgets.to_vec();
    unique.sort_unstable();
    unique.dedup();
    let n = unique.len();
    format!(
        "{n} smart device{} share{} the network with this computer: {}",
        if n == 1 { "" } else { "s" },
        if n == 1 { "s" } else { "" },
        names_line(gadgets, shown)
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    #[test]
    fn one_step_on_many_devices_is_one_entry_and_more_devices_come_first() {
        let catalog = Catalog::builtin().unwrap();
        let s = |id: &str| StepId::new(id);
        let lines = vec![
            (0u8, Some(s("G-02")), "Router"),
            (0, Some(s("C-01")), "Camera"),
            (0, Some(s("G-02")), "Camera"),
            (0, Some(s("G-09")), "Camera"),
            (0, Some(s("RT-13")), "Router"),
            (0, Some(s("G-09")), "Plug"),
            (2, None, "Phone"),
            (2, None, "Tablet"),
        ];
        let groups = group(&catalog, lines, |l| (l.0, 0, l.1.as_ref()));
        let shape: Vec<(Option<&str>, usize, bool)> = groups
            .iter()
            .map(|g| {
                (
                    g.key.step.as_ref().map(StepId::as_str),
                    g.items.len(),
                    g.household,
                )
            })
            .collect();
        assert_eq!(
            shape,
            [
                (Some("RT-13"), 3, true),
                (Some("G-02"), 2, false),
                (Some("C-01"), 1, false),
                (None, 2, false)
            ]
        );
        // The household step's own line leads its entry; other entries keep their order.
        let names = |n: usize| -> Vec<&str> { groups[n].items.iter().map(|l| l.2).collect() };
        assert_eq!(names(0), ["Router", "Camera", "Plug"]);
        assert_eq!(names(1), ["Router", "Camera"]);
    }

    #[test]
    fn names_are_counted_once_and_cut_with_how_many_more() {
        assert_eq!(names_line(&["A", "B", "A"], 4), "A, B");
        assert_eq!(names_line(&["A", "B", "C", "D"], 2), "A, B and 2 more");
        assert_eq!(
            household_line(&["Camera", "Plug"], 6),
            "2 smart devices share the network with this computer: Camera, Plug"
        );
        assert_eq!(
            household_line(&["Camera"], 6),
            "1 smart device shares the network with this computer: Camera"
        );
    }
}
