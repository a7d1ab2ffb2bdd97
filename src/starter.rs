//! The starter knowledge base: the project's `content/` folder, compiled into the binary so an installed
//! `lore` seeds a new wiki with no files beside it.

use include_dir::{Dir, DirEntry, include_dir};

static CONTENT: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/content");

/// Every starter file as (repository path, content), in path order.
pub fn files() -> Vec<(String, Vec<u8>)> {
    let mut res = Vec::new();
    collect(&CONTENT, &mut res);
    res.sort();
    res
}

fn collect(dir: &Dir<'static>, res: &mut Vec<(String, Vec<u8>)>) {
    for entry in dir.entries() {
        match entry {
            DirEntry::Dir(sub) => collect(sub, res),
            DirEntry::File(file) => {
                let path = file.path().to_string_lossy().replace('\\', "/");
                res.push((path, file.contents().to_vec()));
            }
        }
    }
}
