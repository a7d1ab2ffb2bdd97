//! Three-way merge of one text into runs: what both sides agree on (their separate changes combined) and
//! conflicts, where both changed the same lines differently. The editor shows one row per conflict with
//! "keep mine", "keep theirs" and "keep both". Linear after the two line diffs, which have a deadline.

use std::ops::Range;

use similar::{DiffOp, TextDiff};

/// A run of a merged text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergeRun {
    /// Text both sides end up with: unchanged, or changed by one side only, or changed alike by both.
    Agreed(String),
    /// Lines both sides changed differently, with what the common version had there.
    Conflict { mine: String, theirs: String, base: String },
}

/// The runs of merging `mine` and `theirs`, which both started from `base`. Line by line; changes of the
/// two sides that overlap or touch conflict, as git's merge has it. Neighbouring agreed runs are joined.
pub fn merge_runs(base: &str, mine: &str, theirs: &str) -> Vec<MergeRun> {
    let base_lines: Vec<&str> = base.split_inclusive('\n').collect();
    let mine_lines: Vec<&str> = mine.split_inclusive('\n').collect();
    let theirs_lines: Vec<&str> = theirs.split_inclusive('\n').collect();
    let mine_changes = changes(&base_lines, &mine_lines);
    let theirs_changes = changes(&base_lines, &theirs_lines);

    let mut res = Vec::new();
    let mut agreed = String::new();
    // Where the next run starts in base, and how far each side's line numbers are ahead of base's there.
    let mut at = 0usize;
    let (mut mine_shift, mut theirs_shift) = (0isize, 0isize);
    let (mut next_mine, mut next_theirs) = (0usize, 0usize);
    loop {
        // The next region: the earliest change of either side, grown while changes of either side overlap or
        // touch it.
        let first = match (mine_changes.get(next_mine), theirs_changes.get(next_theirs)) {
            (None, None) => break,
            (Some(mine), None) => mine.base.start,
            (None, Some(theirs)) => theirs.base.start,
            (Some(mine), Some(theirs)) => mine.base.start.min(theirs.base.start),
        };
        let mut region = first..first;
        let (mine_from, theirs_from) = (next_mine, next_theirs);
        loop {
            let mut grew = false;
            while let Some(change) = mine_changes.get(next_mine).filter(|it| touches(&it.base, &region)) {
                region = region.start.min(change.base.start)..region.end.max(change.base.end);
                next_mine += 1;
                grew = true;
            }
            while let Some(change) = theirs_changes.get(next_theirs).filter(|it| touches(&it.base, &region)) {
                region = region.start.min(change.base.start)..region.end.max(change.base.end);
                next_theirs += 1;
                grew = true;
            }
            if !grew {
                break;
            }
        }
        push_lines(&mut agreed, &base_lines[at..region.start]);
        let mine_region = side_range(&region, mine_shift, &mine_changes[mine_from..next_mine]);
        let theirs_region = side_range(&region, theirs_shift, &theirs_changes[theirs_from..next_theirs]);
        mine_shift += shift_of(&mine_changes[mine_from..next_mine]);
        theirs_shift += shift_of(&theirs_changes[theirs_from..next_theirs]);
        let mine_text: String = mine_lines[mine_region].concat();
        let theirs_text: String = theirs_lines[theirs_region].concat();
        let mine_changed = next_mine > mine_from;
        let theirs_changed = next_theirs > theirs_from;
        if !theirs_changed || mine_text == theirs_text {
            agreed.push_str(&mine_text);
        } else if !mine_changed {
            agreed.push_str(&theirs_text);
        } else {
            if !agreed.is_empty() {
                res.push(MergeRun::Agreed(std::mem::take(&mut agreed)));
            }
            let base_text = base_lines[region.clone()].concat();
            res.push(MergeRun::Conflict { mine: mine_text, theirs: theirs_text, base: base_text });
        }
        at = region.end;
    }
    push_lines(&mut agreed, &base_lines[at..]);
    if !agreed.is_empty() {
        res.push(MergeRun::Agreed(agreed));
    }
    res
}

/// The text of the runs with every conflict resolved as mine.
pub fn mine_text(runs: &[MergeRun]) -> String {
    runs.iter()
        .map(|run| match run {
            MergeRun::Agreed(text) => text.as_str(),
            MergeRun::Conflict { mine, .. } => mine.as_str(),
        })
        .collect()
}

// One side's change: base lines `base` became that side's lines `side`.
struct Change {
    base: Range<usize>,
    side: Range<usize>,
}

// The changes from base to a side, neighbouring edits joined, in base order.
fn changes(base: &[&str], side: &[&str]) -> Vec<Change> {
    let diff = TextDiff::configure().timeout(std::time::Duration::from_millis(500)).diff_slices(base, side);
    let mut res: Vec<Change> = Vec::new();
    for op in diff.ops() {
        if matches!(op, DiffOp::Equal { .. }) {
            continue;
        }
        let (base_range, side_range) = (op.old_range(), op.new_range());
        match res.last_mut() {
            Some(last) if last.base.end == base_range.start && last.side.end == side_range.start => {
                last.base.end = base_range.end;
                last.side.end = side_range.end;
            }
            _ => res.push(Change { base: base_range, side: side_range }),
        }
    }
    res
}

// Whether a change touches the region: overlaps it, or meets it at either end (an insertion at the region's
// edge, or a change of the line just after it).
fn touches(change: &Range<usize>, region: &Range<usize>) -> bool {
    change.start <= region.end && region.start <= change.end
}

// A side's lines for a base region: the region's ends moved by how far that side is ahead of base before
// the region, and the end also by the changes inside it.
fn side_range(region: &Range<usize>, shift_before: isize, inside: &[Change]) -> Range<usize> {
    let start = region.start.saturating_add_signed(shift_before);
    let end = region.end.saturating_add_signed(shift_before + shift_of(inside));
    start..end.max(start)
}

fn shift_of(changes: &[Change]) -> isize {
    changes.iter().map(|it| it.side.len() as isize - it.base.len() as isize).sum()
}

fn push_lines(res: &mut String, lines: &[&str]) {
    for line in lines {
        res.push_str(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conflict(mine: &str, theirs: &str, base: &str) -> MergeRun {
        MergeRun::Conflict { mine: mine.into(), theirs: theirs.into(), base: base.into() }
    }

    fn agreed(text: &str) -> MergeRun {
        MergeRun::Agreed(text.into())
    }

    #[track_caller]
    fn check(base: &str, mine: &str, theirs: &str, expected: &[MergeRun]) {
        let runs = merge_runs(base, mine, theirs);
        assert_eq!(runs, expected);
        // Keeping mine everywhere gives back what was typed wherever theirs did not change what mine kept.
        if theirs == base {
            assert_eq!(mine_text(&runs), mine);
        }
    }

    const BASE: &str = "one\ntwo\nthree\nfour\nfive\n";

    #[test]
    fn separate_changes_are_combined() {
        check(
            BASE,
            "ONE\ntwo\nthree\nfour\nfive\n",
            "one\ntwo\nthree\nfour\nFIVE\n",
            &[agreed("ONE\ntwo\nthree\nfour\nFIVE\n")],
        );
    }

    #[test]
    fn the_same_change_on_both_sides_is_no_conflict() {
        check(
            BASE,
            "one\nTWO\nthree\nfour\nfive\n",
            "one\nTWO\nthree\nfour\nfive\n",
            &[agreed("one\nTWO\nthree\nfour\nfive\n")],
        );
    }

    #[test]
    fn one_line_changed_differently_is_one_conflict_between_agreed_runs() {
        check(
            BASE,
            "one\ntwo\nmine\nfour\nFIVE\n",
            "ONE\ntwo\ntheirs\nfour\nfive\n",
            &[agreed("ONE\ntwo\n"), conflict("mine\n", "theirs\n", "three\n"), agreed("four\nFIVE\n")],
        );
    }

    #[test]
    fn two_conflicts_make_two_runs() {
        check(
            BASE,
            "1m\ntwo\nthree\nfour\n5m\n",
            "1t\ntwo\nthree\nfour\n5t\n",
            &[conflict("1m\n", "1t\n", "one\n"), agreed("two\nthree\nfour\n"), conflict("5m\n", "5t\n", "five\n")],
        );
    }

    #[test]
    fn insertions_at_the_same_place_conflict() {
        check(
            "a\nb\n",
            "a\nmine\nb\n",
            "a\ntheirs\nb\n",
            &[agreed("a\n"), conflict("mine\n", "theirs\n", ""), agreed("b\n")],
        );
    }

    #[test]
    fn a_deletion_against_an_edit_conflicts() {
        check(
            BASE,
            "one\ntwo\nfour\nfive\n",
            "one\ntwo\nTHREE\nfour\nfive\n",
            &[agreed("one\ntwo\n"), conflict("", "THREE\n", "three\n"), agreed("four\nfive\n")],
        );
    }

    #[test]
    fn texts_without_a_final_newline_and_empty_texts() {
        check("a\nb", "a\nmine", "a\ntheirs", &[agreed("a\n"), conflict("mine", "theirs", "b")]);
        check("", "mine\n", "theirs\n", &[conflict("mine\n", "theirs\n", "")]);
        check("", "", "", &[]);
        assert_eq!(mine_text(&merge_runs(BASE, "x\n", BASE)), "x\n");
    }
}
