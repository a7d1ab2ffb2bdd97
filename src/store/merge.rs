//! Three-way merge of one text, line by line: what both sides agree on (their separate changes combined) and
//! conflicts, where both changed the same lines differently. Saves merge with it (`merge_text`), and the
//! editor shows one row per conflict with "keep mine", "keep theirs" and "keep both". The two line diffs have
//! a deadline (past it they are coarser, never wrong) and the rest is one pass, so a merge costs about the
//! same for a page of 40,000 lines as for one of 40.

use std::ops::Range;

use similar::{DiffOp, capture_diff_slices_deadline};

/// How long each of a merge's two line diffs may look for the smallest diff before settling for a coarser one.
const DIFF_DEADLINE: std::time::Duration = std::time::Duration::from_millis(300);

/// A run of a merged text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergeRun<T> {
    /// Text both sides end up with: unchanged, or changed by one side only, or changed alike by both.
    Agreed(T),
    /// Lines both sides changed differently, with what the common version had there.
    Conflict { mine: T, theirs: T, base: T },
}

/// The runs of merging `mine` and `theirs`, which both started from `base`. Changes of the two sides that
/// overlap or touch conflict, as in git's merge. Neighbouring agreed runs are joined.
pub fn merge_runs(base: &str, mine: &str, theirs: &str) -> Vec<MergeRun<String>> {
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).expect("runs are whole lines of UTF-8 texts");
    merge_byte_runs(base.as_bytes(), mine.as_bytes(), theirs.as_bytes())
        .into_iter()
        .map(|run| match run {
            MergeRun::Agreed(agreed) => MergeRun::Agreed(text(agreed)),
            MergeRun::Conflict { mine, theirs, base } => {
                MergeRun::Conflict { mine: text(mine), theirs: text(theirs), base: text(base) }
            }
        })
        .collect()
}

/// The text of the runs with every conflict resolved as mine.
pub fn mine_text(runs: &[MergeRun<String>]) -> String {
    runs.iter()
        .map(|run| match run {
            MergeRun::Agreed(text) => text.as_str(),
            MergeRun::Conflict { mine, .. } => mine.as_str(),
        })
        .collect()
}

/// [`merge_runs`] of texts that may not be UTF-8.
pub fn merge_byte_runs(base: &[u8], mine: &[u8], theirs: &[u8]) -> Vec<MergeRun<Vec<u8>>> {
    let base_lines: Vec<&[u8]> = base.split_inclusive(|it| *it == b'\n').collect();
    let mine_lines: Vec<&[u8]> = mine.split_inclusive(|it| *it == b'\n').collect();
    let theirs_lines: Vec<&[u8]> = theirs.split_inclusive(|it| *it == b'\n').collect();
    let mine_changes = changes(&base_lines, &mine_lines);
    let theirs_changes = changes(&base_lines, &theirs_lines);

    let mut res = Vec::new();
    let mut agreed = Vec::new();
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
        agreed.extend(base_lines[at..region.start].concat());
        let mine_region = side_range(&region, mine_shift, &mine_changes[mine_from..next_mine]);
        let theirs_region = side_range(&region, theirs_shift, &theirs_changes[theirs_from..next_theirs]);
        mine_shift += shift_of(&mine_changes[mine_from..next_mine]);
        theirs_shift += shift_of(&theirs_changes[theirs_from..next_theirs]);
        let mine_text = mine_lines[mine_region].concat();
        let theirs_text = theirs_lines[theirs_region].concat();
        let mine_changed = next_mine > mine_from;
        let theirs_changed = next_theirs > theirs_from;
        if !theirs_changed || mine_text == theirs_text {
            agreed.extend(mine_text);
        } else if !mine_changed {
            agreed.extend(theirs_text);
        } else {
            if !agreed.is_empty() {
                res.push(MergeRun::Agreed(std::mem::take(&mut agreed)));
            }
            let base_text = base_lines[region.clone()].concat();
            res.push(MergeRun::Conflict { mine: mine_text, theirs: theirs_text, base: base_text });
        }
        at = region.end;
    }
    agreed.extend(base_lines[at..].concat());
    if !agreed.is_empty() {
        res.push(MergeRun::Agreed(agreed));
    }
    res
}

// One side's change: base lines `base` became that side's lines `side`.
struct Change {
    base: Range<usize>,
    side: Range<usize>,
}

// The changes from base to a side, neighbouring edits joined, in base order.
fn changes(base: &[&[u8]], side: &[&[u8]]) -> Vec<Change> {
    let deadline = std::time::Instant::now() + DIFF_DEADLINE;
    let ops = capture_diff_slices_deadline(similar::Algorithm::Myers, base, side, Some(deadline));
    let mut res: Vec<Change> = Vec::new();
    for op in ops {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn conflict(mine: &str, theirs: &str, base: &str) -> MergeRun<String> {
        MergeRun::Conflict { mine: mine.into(), theirs: theirs.into(), base: base.into() }
    }

    fn agreed(text: &str) -> MergeRun<String> {
        MergeRun::Agreed(text.into())
    }

    #[track_caller]
    fn check(base: &str, mine: &str, theirs: &str, expected: &[MergeRun<String>]) {
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
    fn changes_to_neighbouring_lines_conflict_as_in_git() {
        check(
            BASE,
            "one\nTWO\nthree\nfour\nfive\n",
            "one\ntwo\nTHREE\nfour\nfive\n",
            &[agreed("one\n"), conflict("TWO\nthree\n", "two\nTHREE\n", "two\nthree\n"), agreed("four\nfive\n")],
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

    #[test]
    fn bytes_that_are_not_utf8_merge_too() {
        let runs = merge_byte_runs(b"a\n\xff\nc\n", b"A\n\xff\nc\n", b"a\n\xff\nC\n");
        assert_eq!(runs, [MergeRun::Agreed(b"A\n\xff\nC\n".to_vec())]);
    }

    #[test]
    fn a_page_of_every_line_changed_merges_in_linear_time() {
        // diffy's merge, used before, took 57 s (debug build) for these 40,000 lines; the diffs' deadline bounds
        // this one.
        let base: String = (0..40_000).map(|i| format!("line {i} of a long page with words\n")).collect();
        let theirs = base.replace("with words", "with their words");
        let mine: String = base
            .lines()
            .enumerate()
            .map(|(i, line)| if i % 10 == 3 { format!("{line} (mine)\n") } else { format!("{line}\n") })
            .collect();
        let started = std::time::Instant::now();
        let runs = merge_runs(&base, &mine, &theirs);
        assert!(runs.iter().any(|it| matches!(it, MergeRun::Conflict { .. })));
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "{:?}", started.elapsed());
    }
}
