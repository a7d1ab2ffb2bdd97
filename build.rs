//! Installs the default theme's front-end libraries (KaTeX, mermaid) from the npm registry into
//! `themes/default/vendor/dist/`, which `theme.rs` compiles into the binary. Lore serves them itself
//! from `/-/static/vendor/`: a company wiki often runs without internet, so no CDN.

use std::path::Path;
use std::process::Command;

fn main() {
    // The compiled-in folders: a change in any of them must rebuild the crate.
    for watched in [
        "content",
        "hooks",
        "themes/default/templates",
        "themes/default/static",
        "themes/default/vendor/package.json",
        "themes/default/vendor/package-lock.json",
    ] {
        println!("cargo:rerun-if-changed={watched}");
    }
    let vendor = Path::new("themes/default/vendor");
    let dist = vendor.join("dist");
    // theme.rs compiles this folder in: it must exist even when npm cannot fill it.
    std::fs::create_dir_all(&dist).expect("the vendor folder can be created");
    let wanted = [dist.join("katex/katex.min.js"), dist.join("mermaid/mermaid.min.js")];
    if wanted.iter().all(|it| it.exists()) {
        return;
    }
    if !vendor.join("node_modules/katex/dist/katex.min.js").exists()
        || !vendor.join("node_modules/mermaid/dist/mermaid.min.js").exists()
    {
        let installed = Command::new("npm")
            .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(vendor)
            .status();
        match installed {
            Ok(status) if status.success() => {}
            Ok(status) => return warn(&format!("npm ci failed ({status})")),
            Err(err) => return warn(&format!("npm is not available ({err})")),
        }
    }
    if let Err(err) = copy_dist(vendor, &dist) {
        warn(&format!("copying the libraries failed: {err}"));
    }
}

fn copy_dist(vendor: &Path, dist: &Path) -> std::io::Result<()> {
    let modules = vendor.join("node_modules");
    let katex = dist.join("katex");
    std::fs::create_dir_all(katex.join("fonts"))?;
    for file in ["katex.min.js", "katex.min.css", "contrib/auto-render.min.js"] {
        let name = Path::new(file).file_name().expect("files have names");
        std::fs::copy(modules.join("katex/dist").join(file), katex.join(name))?;
    }
    // Every browser Lore supports reads woff2; the other font formats only add weight.
    for entry in std::fs::read_dir(modules.join("katex/dist/fonts"))? {
        let path = entry?.path();
        if path.extension().is_some_and(|it| it == "woff2") {
            std::fs::copy(&path, katex.join("fonts").join(path.file_name().expect("files have names")))?;
        }
    }
    let mermaid = dist.join("mermaid");
    std::fs::create_dir_all(&mermaid)?;
    std::fs::copy(modules.join("mermaid/dist/mermaid.min.js"), mermaid.join("mermaid.min.js"))?;
    for license in [("katex", "LICENSE"), ("mermaid", "LICENSE")] {
        let source = modules.join(license.0).join(license.1);
        if source.exists() {
            std::fs::copy(source, dist.join(license.0).join("LICENSE"))?;
        }
    }
    Ok(())
}

// Without the libraries Lore still builds and serves pages; formulas and diagrams then show as source.
fn warn(message: &str) {
    println!("cargo:warning=formulas and diagrams will show as source: {message}");
}
