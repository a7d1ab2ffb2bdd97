//! Rendering benchmarks on a realistic 50 KB wiki page (`fixtures/realistic-50k.md`).
//!
//! `render_50k` measures Lore's whole cold pipeline beside pulldown-cmark's bare `push_html` of the same body,
//! in the same run, so the pipeline's cost can be read as a multiple of the parser's own. `breakdown` measures
//! the expensive stages alone (highlighting every code block, sanitising the rendered HTML, reading metadata)
//! so the pipeline's time can be attributed. Figures and the machine they come from: `docs/BENCHMARKS.md`.

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lore::content::page::{markdown_options, read_meta};
use lore::content::{LinkResolver, RepoPath, WikiTarget, front_matter};
use lore::render::{highlight, render_body, sanitize};
use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

const PAGE: &str = include_str!("fixtures/realistic-50k.md");
const PAGE_PATH: &str = "payments/platform-handbook.md";

/// `render_50k`: cold renders, nothing cached between iterations (as on the first view of a new blob).
fn render_50k(c: &mut Criterion) {
    let page_path = RepoPath::parse(PAGE_PATH).expect("a valid page path");
    let site = SitePages::new();
    let resolver = site.resolver();
    check_fixture_exercises_the_renderer(&page_path, &resolver);
    let body = front_matter::split(PAGE).body;

    let mut group = c.benchmark_group("render_50k");
    group.throughput(Throughput::Bytes(PAGE.len() as u64));
    // What the server does for a page it has not seen: metadata, then the body with links, code and sanitising.
    group.bench_function("pipeline", |b| {
        b.iter(|| {
            let text = black_box(PAGE);
            let meta = read_meta(&page_path, text);
            let doc = front_matter::split(text);
            render_body(&page_path, &meta.title, doc.body, &|target| resolver.resolve(target), &[])
        })
    });
    // The body alone, as the render cache computes it once the metadata is known.
    group.bench_function("render_body", |b| {
        b.iter(|| {
            render_body(
                &page_path,
                "Payments Platform handbook",
                black_box(body),
                &|target| resolver.resolve(target),
                &[],
            )
        })
    });
    // The baseline: pulldown-cmark's own HTML writer on the same body with the same options.
    group.bench_function("push_html", |b| {
        b.iter(|| {
            let mut html = String::with_capacity(body.len() * 3 / 2);
            pulldown_cmark::html::push_html(&mut html, Parser::new_ext(black_box(body), markdown_options()));
            html
        })
    });
    group.finish();
}

/// `breakdown`: the pipeline's expensive stages, each alone, on the same page.
fn breakdown(c: &mut Criterion) {
    let page_path = RepoPath::parse(PAGE_PATH).expect("a valid page path");
    let site = SitePages::new();
    let resolver = site.resolver();
    let body = front_matter::split(PAGE).body;
    let code_blocks = fenced_code_blocks(body);
    // The sanitiser's input in the pipeline is this HTML before cleaning; cleaning it again parses and walks the
    // same tree (the output differs only in `rel` attributes on links), so it costs the same.
    let rendered_html =
        render_body(&page_path, "Payments Platform handbook", body, &|target| resolver.resolve(target), &[]).html;

    let mut group = c.benchmark_group("breakdown");
    group.bench_function("highlight_all_code_blocks", |b| {
        b.iter(|| {
            code_blocks
                .iter()
                .map(|(language, code)| highlight::highlight(black_box(code), language).map_or(0, |it| it.len()))
                .sum::<usize>()
        })
    });
    for language in ["rust", "bash", "yaml", "json", "sql", "python"] {
        let blocks: Vec<&(String, String)> = code_blocks.iter().filter(|(it, _)| it == language).collect();
        group.bench_function(format!("highlight_{language}_x{}", blocks.len()), |b| {
            b.iter(|| {
                blocks.iter().filter_map(|(language, code)| highlight::highlight(black_box(code), language)).count()
            })
        });
    }
    group.bench_function("sanitize_rendered_html", |b| b.iter(|| sanitize::sanitize(black_box(&rendered_html))));
    group.bench_function("read_meta", |b| b.iter(|| read_meta(&page_path, black_box(PAGE))));
    group.bench_function("front_matter_split", |b| b.iter(|| front_matter::split(black_box(PAGE)).body.len()));
    group.bench_function("resolve_all_wiki_links", |b| {
        let meta = read_meta(&page_path, PAGE);
        b.iter(|| meta.wiki_targets().map(|it| resolver.resolve(black_box(it))).collect::<Vec<WikiTarget>>())
    });
    group.finish();
}

/// Pages of a small team wiki (~50), named like the fixture's wiki links so about half of them resolve.
struct SitePages(Vec<(RepoPath, String, Vec<String>)>);

impl SitePages {
    fn new() -> SitePages {
        let pages = [
            ("payments/platform-handbook.md", "Payments Platform handbook", &["Payments handbook"][..]),
            ("payments/banking-partners.md", "Banking Partners", &[]),
            ("payments/acquirer-contacts.md", "Acquirer contacts", &[]),
            ("payments/ledger-invariants.md", "Ledger invariants", &[]),
            ("payments/card-gateway.md", "Card Gateway", &["payments/gateway"]),
            ("payments/adding-a-currency.md", "Adding a currency", &[]),
            ("payments/onboarding.md", "Payments Onboarding", &[]),
            ("payments/reconciliation-ownership.md", "Reconciliation ownership", &[]),
            ("payments/wallet-payments.md", "Wallet payments", &[]),
            ("payments/strong-customer-authentication.md", "Strong Customer Authentication", &["SCA"]),
            ("payments/capacity/2026-q3-plan.md", "Capacity plan 2026 Q3", &[]),
            ("payments/decisions/index.md", "Payments decisions", &[]),
            ("payments/decisions/0042-settlement-tolerance.md", "0042 Settlement tolerance", &[]),
            ("payments/decisions/0057-twice-daily-payouts.md", "0057 Twice-daily payouts", &[]),
            ("sre/incident-response.md", "Incident Response", &["Incidents"]),
            ("sre/postmortem-template.md", "Postmortem template", &[]),
            ("sre/change-freeze.md", "Change freeze", &[]),
            ("sre/certificate-rotation.md", "Certificate rotation", &[]),
            ("sre/on-call.md", "On-call handbook", &[]),
            ("sre/kubernetes-access.md", "Kubernetes access", &[]),
            ("sre/observability.md", "Observability", &["Grafana"]),
            ("it/vpn-access.md", "VPN access", &[]),
            ("it/access-requests.md", "Access requests", &[]),
            ("it/laptop-setup.md", "Laptop setup", &[]),
            ("it/hardware-keys.md", "Hardware keys", &[]),
            ("it/password-manager.md", "Password manager", &[]),
            ("security/incident-reporting.md", "Security Incident Reporting", &[]),
            ("security/pci-dss.md", "PCI DSS", &[]),
            ("security/secrets.md", "Secrets in the vault", &[]),
            ("privacy/data-subject-requests.md", "Data subject requests", &[]),
            ("privacy/retention-register.md", "Retention register", &[]),
            ("engineering/database-migrations.md", "Database migrations", &[]),
            ("engineering/code-review.md", "Code review", &[]),
            ("engineering/decision-record-template.md", "Decision Record Template", &[]),
            ("engineering/rust-style.md", "Rust style", &[]),
            ("engineering/python-style.md", "Python style", &[]),
            ("engineering/kafka.md", "Kafka at the company", &[]),
            ("engineering/postgres.md", "PostgreSQL guidelines", &[]),
            ("risk/risk-scoring.md", "Risk scoring", &[]),
            ("risk/fraud-waves.md", "Fraud waves", &[]),
            ("catalog/index.md", "Catalog", &[]),
            ("finance/month-end-close.md", "Month-end close", &[]),
            ("finance/vat-reporting.md", "VAT reporting", &[]),
            ("finance/partnerships.md", "Finance partnerships", &[]),
            ("support/refunds.md", "Issuing refunds", &[]),
            ("support/unmatched-transfers.md", "Unmatched transfers", &[]),
            ("onboarding/first-week.md", "Your first week", &[]),
            ("index.md", "Home", &[]),
            ("glossary.md", "Company glossary", &[]),
            ("guide/markdown.md", "Markdown guide", &["Markdown"]),
        ];
        SitePages(
            pages
                .iter()
                .map(|(path, title, aliases)| {
                    let path = RepoPath::parse(path).expect("a valid page path");
                    (path, title.to_string(), aliases.iter().map(|it| it.to_string()).collect())
                })
                .collect(),
        )
    }

    fn resolver(&self) -> LinkResolver {
        LinkResolver::new(self.0.iter().map(|(path, title, aliases)| (path, title.as_str(), aliases.as_slice())))
    }
}

/// The fenced code blocks of `body` as `(language, code)`, split the way the renderer splits them.
fn fenced_code_blocks(body: &str) -> Vec<(String, String)> {
    let mut res = Vec::new();
    let mut current: Option<(String, String)> = None;
    for event in Parser::new_ext(body, markdown_options()) {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                let language = info.split([' ', ',', '{']).next().unwrap_or_default().to_string();
                current = Some((language, String::new()));
            }
            Event::Text(text) => {
                if let Some((_, code)) = current.as_mut() {
                    code.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => res.extend(current.take()),
            _ => {}
        }
    }
    res
}

/// Fails loudly if the fixture or the renderer changes so that the page no longer exercises every stage.
fn check_fixture_exercises_the_renderer(page_path: &RepoPath, resolver: &LinkResolver) {
    let started = Instant::now();
    let meta = read_meta(page_path, PAGE);
    let html =
        render_body(page_path, &meta.title, front_matter::split(PAGE).body, &|target| resolver.resolve(target), &[])
            .html;
    // syntect compiles a syntax's regexes on first use, so the first render in a process costs much more.
    let first_render = started.elapsed();
    let count = |needle: &str| html.matches(needle).count();
    assert!((45_000..=55_000).contains(&PAGE.len()), "fixture is {} bytes", PAGE.len());
    assert_eq!(meta.title, "Payments Platform handbook");
    assert!((4..=6).contains(&count("<table>")), "tables: {}", count("<table>"));
    assert!((8..=12).contains(&count("<pre class=\"code\">")), "code blocks: {}", count("<pre class=\"code\">"));
    assert!(count("<span class=\"hl-") > 500, "code is highlighted");
    assert!(count("class=\"wikilink\"") >= 10 && count("class=\"wikilink new\"") >= 5, "wiki links resolve and miss");
    assert!(html.contains("href=\"/capacity/2026-q3-plan\""), "relative links are rewritten");
    assert!(html.contains("markdown-alert-warning"), "alerts render");
    assert!(html.contains("footnote-definition"), "footnotes render");
    assert!(html.contains("<details>"), "raw HTML survives sanitising");
    eprintln!(
        "fixture: {} bytes of Markdown, {} lines of fenced code; rendered body: {} bytes of HTML, {} highlighting \
         spans; first render in this process: {:.1} ms",
        PAGE.len(),
        fenced_code_blocks(front_matter::split(PAGE).body).iter().map(|(_, code)| code.lines().count()).sum::<usize>(),
        html.len(),
        count("<span class=\"hl-"),
        first_render.as_secs_f64() * 1e3,
    );
}

criterion_group!(benches, render_50k, breakdown);
criterion_main!(benches);
