//! Hostile input costs (issue 15): pages of one pathological shape each, at growing sizes, through the whole
//! cold pipeline (`read_meta`, `split`, `render_body`), so that linearity is visible in the printed table.
//!
//! ```sh
//! nice -n 10 cargo bench --bench hostile                        # every shape at 1, 2, 4 and 5 MB
//! HOSTILE_SIZES_KB=64,128,256 nice -n 10 cargo bench --bench hostile -- code_blocks deep_divs
//! ```
//!
//! A shape whose render took longer than `HOSTILE_GIVE_UP_SECS` (default 20) is not tried at larger sizes.
//! Figures and the machine they come from: `docs/BENCHMARKS.md`, section "Hostile input costs (issue 15)".

use std::time::{Duration, Instant};

use lore::content::links::{WikiTarget, missing_page_url};
use lore::content::page::read_meta;
use lore::content::{RepoPath, front_matter};
use lore::render::render_body;

/// A shape: its name and a function that writes one unit of it (given the unit's number) into a page.
struct Shape {
    name: &'static str,
    /// Text before the repeated units (front matter, an opening line).
    prefix: &'static str,
    unit: fn(usize, &mut String),
}

const SHAPES: &[Shape] = &[
    Shape { name: "code_blocks", prefix: "", unit: |_, out| out.push_str("```\nx\n```\n\n") },
    Shape { name: "code_blocks_rust", prefix: "", unit: |_, out| out.push_str("```rust\nlet x = 1;\n```\n\n") },
    Shape { name: "deep_divs", prefix: "", unit: |_, out| out.push_str("<div>") },
    Shape { name: "deep_spans_inline", prefix: "x ", unit: |_, out| out.push_str("<span>") },
    Shape { name: "deep_divs_lines", prefix: "", unit: |_, out| out.push_str("<div>\n\n") },
    Shape { name: "deep_formatting", prefix: "", unit: |i, out| out.push_str(&format!("<b class=\"c{i}\">")) },
    Shape { name: "headings", prefix: "", unit: |i, out| out.push_str(&format!("## h{i}\n")) },
    Shape { name: "long_line", prefix: "", unit: |_, out| out.push_str("word ") },
    Shape { name: "links", prefix: "", unit: |i, out| out.push_str(&format!("[l](p{i}.md) ")) },
    Shape { name: "wiki_links", prefix: "", unit: |i, out| out.push_str(&format!("[[Page {i}]] ")) },
    Shape { name: "footnotes", prefix: "", unit: |i, out| out.push_str(&format!("x[^{i}]\n\n[^{i}]: n\n\n")) },
    Shape { name: "deep_blockquotes", prefix: "", unit: |_, out| out.push('>') },
    Shape { name: "deep_lists", prefix: "", unit: |_, out| out.push_str("1. ") },
    Shape {
        name: "deep_divs_balanced",
        prefix: "",
        unit: |_, out| {
            out.push_str(&"<div>".repeat(120));
            out.push_str(&"</div>".repeat(120));
        },
    },
    Shape { name: "deep_emphasis", prefix: "", unit: |_, out| out.push_str("*a _") },
    Shape { name: "brackets", prefix: "", unit: |_, out| out.push('[') },
    Shape { name: "tables", prefix: "", unit: |_, out| out.push_str("| a | b |\n|:--|--:|\n| 1 | 2 |\n\n") },
    Shape { name: "wide_table", prefix: "| a |\n|---|\n", unit: |_, out| out.push_str("| b ") },
    Shape { name: "front_matter_flow", prefix: "---\nx: ", unit: |_, out| out.push('[') },
    Shape { name: "front_matter_maps", prefix: "---\nx: ", unit: |_, out| out.push_str("{a: ") },
    Shape { name: "front_matter_wide", prefix: "---\nx: [", unit: |i, out| out.push_str(&format!("a{i}, ")) },
    Shape { name: "front_matter_block", prefix: "---\nx:\n", unit: |_, out| out.push_str("- ") },
    // Issue 17: frames judged against the `embeds` hosts, allowed and not, and players for recordings.
    Shape {
        name: "iframes_allowed",
        prefix: "",
        unit: |i, out| out.push_str(&format!("<iframe src=\"https://www.youtube.com/watch?v=v{i}&t=3\"></iframe>\n\n")),
    },
    Shape {
        name: "iframes_blocked",
        prefix: "",
        unit: |i, out| {
            out.push_str(&format!("x <iframe src=\"https://frames.example/{i}\" title=\"t\">fallback</iframe> "))
        },
    },
    Shape { name: "iframes_unclosed", prefix: "<div>\n", unit: |_, out| out.push_str("<iframe src=x ") },
    Shape { name: "media_images", prefix: "", unit: |i, out| out.push_str(&format!("![talk {i}](talk{i}.mp4) ")) },
];

/// The `embeds` hosts of a default `lore.yaml`.
fn embed_hosts() -> Vec<String> {
    lore::config::DEFAULT_EMBED_HOSTS.map(String::from).to_vec()
}

fn main() {
    let filters: Vec<String> = std::env::args().skip(1).filter(|it| !it.starts_with("--")).collect();
    let sizes_kb: Vec<usize> = std::env::var("HOSTILE_SIZES_KB")
        .ok()
        .map(|it| it.split(',').filter_map(|size| size.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1024, 2048, 4096, 5120]);
    let give_up =
        Duration::from_secs(std::env::var("HOSTILE_GIVE_UP_SECS").ok().and_then(|it| it.parse().ok()).unwrap_or(20));
    let page_path = RepoPath::parse("hostile.md").expect("a valid page path");
    // Warm the highlighter so the first shape does not pay for compiling syntaxes.
    let embeds = embed_hosts();
    render_body(&page_path, "", "```rust\nfn main() {}\n```\n", &resolve, &embeds);

    println!("{:<20} {:>8} {:>10} {:>10} {:>10} {:>12}", "shape", "size", "ms", "cpu ms", "ms/MB", "html bytes");
    for shape in SHAPES.iter().filter(|it| filters.is_empty() || filters.iter().any(|name| name == it.name)) {
        for size_kb in &sizes_kb {
            let text = build(shape, size_kb * 1024);
            let (started, cpu_started) = (Instant::now(), process_cpu_ms());
            let meta = read_meta(&page_path, &text);
            let html_len =
                render_body(&page_path, &meta.title, front_matter::split(&text).body, &resolve, &embeds).html.len();
            let elapsed = started.elapsed();
            let cpu_ms = process_cpu_ms().zip(cpu_started).map(|(end, start)| format!("{}", end - start));
            let ms = elapsed.as_secs_f64() * 1e3;
            let mb = text.len() as f64 / (1024.0 * 1024.0);
            let cpu_ms = cpu_ms.unwrap_or_else(|| "-".into());
            println!("{:<20} {:>6}KB {ms:>10.1} {cpu_ms:>10} {:>10.1} {html_len:>12}", shape.name, size_kb, ms / mb);
            if elapsed > give_up {
                println!("{:<20} (larger sizes skipped: over {} s)", shape.name, give_up.as_secs());
                break;
            }
        }
    }
}

fn build(shape: &Shape, bytes: usize) -> String {
    let mut res = String::with_capacity(bytes + 64);
    res.push_str(shape.prefix);
    let mut i = 0;
    while res.len() < bytes {
        (shape.unit)(i, &mut res);
        i += 1;
    }
    if shape.prefix.starts_with("---") {
        res.push_str("\n---\n# Body\n");
    }
    res
}

// CPU time of the whole process (every thread), in milliseconds, from `/proc/self/stat` (Linux only; 10 ms
// ticks): on a busy machine it shows the work done where wall time also shows the wait for a core.
fn process_cpu_ms() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks * 10)
}

fn resolve(target: &str) -> WikiTarget {
    WikiTarget::Missing(missing_page_url(target))
}
