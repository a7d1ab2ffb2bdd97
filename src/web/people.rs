//! Stewardship on the web: people pages, "who knows about this", the review radar with its one-click
//! actions (verify, assign owner, open editor), hand-over of a departed person's pages, and their API.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use super::csrf::{self, CsrfForm};
use super::error::{ApiError, PageError};
use super::feed::{FeedEntry, atom, rfc3339};
use super::paths::PagePath;
use super::query::encode;
use super::view::{self, Frame, person_url};
use super::viewer::Viewer;
use super::{AppState, blocking};
use crate::content::RepoPath;
use crate::i18n::{Arg, Translator};
use crate::site::Reader;
use crate::site::{PersonSummary, Reason, ReviewItem, Upkeep, UpkeepList};
use crate::{Error, Result};

#[derive(Serialize)]
struct PersonRow {
    #[serde(flatten)]
    person: PersonSummary,
    url: String,
}

fn person_row(person: PersonSummary) -> PersonRow {
    PersonRow { url: person_url(&person.email), person }
}

#[derive(Serialize)]
struct PeopleTemplate {
    #[serde(flatten)]
    frame: Frame,
    people: Vec<PersonRow>,
    indexing: bool,
}

/// `GET /-/people`: everyone who contributed, most surviving lines first.
pub async fn people_page(
    reader: Reader,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let people = blocking(move || reader.people()).await?;
    let frame = Frame::new(&state, &view::host_of(&headers), "People");
    let view = PeopleTemplate {
        frame,
        people: people.into_iter().map(person_row).collect(),
        indexing: !state.site.authorship_ready(),
    };
    Ok(Html(state.theme.render("people.html", &view)?).into_response())
}

#[derive(Serialize)]
struct PersonTemplate {
    #[serde(flatten)]
    frame: Frame,
    person: PersonRow,
    orphaned_url: String,
}

/// `GET /-/people/<email>`: what a person wrote that still stands, their answers and strongest tags.
pub async fn person_page(
    reader: Reader,
    State(state): State<AppState>,
    Path(email): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    // `@ann`, as mentions link: the account's person page.
    if let Some(username) = email.strip_prefix('@') {
        let user = state.auth.accounts.user(username)?.filter(|it| !it.disabled);
        let user = user.ok_or_else(|| Error::NotFound(format!("nobody is called @{username}")))?;
        return Ok(Redirect::to(&person_url(&user.email.to_lowercase())).into_response());
    }
    let lookup = email.clone();
    let person = blocking(move || reader.person(&lookup))
        .await?
        .ok_or_else(|| Error::NotFound(format!("nobody with the e-mail {email}")))?;
    let frame = Frame::new(&state, &view::host_of(&headers), &person.name);
    let orphaned_url = format!("/-/review?orphaned=1&person={}", encode(&person.email));
    let view = PersonTemplate { frame, person: person_row(person), orphaned_url };
    Ok(Html(state.theme.render("person.html", &view)?).into_response())
}

/// `GET /-/api/people/<email>`.
pub async fn person_api(reader: Reader, Path(email): Path<String>) -> Result<Response, ApiError> {
    let lookup = email.clone();
    let person = blocking(move || reader.person(&lookup))
        .await?
        .ok_or_else(|| Error::NotFound(format!("nobody with the e-mail {email}")))?;
    Ok(Json(person).into_response())
}

/// `?q=&limit=` of the people API.
#[derive(Deserialize, Default)]
pub struct PeopleQuery {
    #[serde(default)]
    q: String,
    limit: Option<usize>,
}

/// Someone the editor's mention picker offers.
#[derive(Serialize)]
struct MentionChoice {
    name: String,
    /// What to type: `@username` for an account, `@e-mail` otherwise.
    mention: String,
}

/// `GET /-/api/people?q=`: people who wrote what the reader may read (as `/-/people` lists them) whose name or
/// e-mail contains `q`, for mentions: `@username` when they have an account, else `@e-mail`.
pub async fn people_api(
    reader: Reader,
    State(state): State<AppState>,
    Query(query): Query<PeopleQuery>,
) -> Result<Response, ApiError> {
    let limit = query.limit.unwrap_or(8).clamp(1, 20);
    if query.q.len() > 200 {
        return Err(Error::bad_input("the query is longer than 200 bytes").into());
    }
    let typed = query.q.trim().trim_start_matches('@').to_lowercase();
    let committers = blocking(move || Ok(reader.people_matching(&typed, limit))).await?;
    // A mention of `@ann` reaches Ann's account whatever address she commits with.
    let accounts = state.auth.accounts.users()?;
    let people: Vec<MentionChoice> = committers
        .into_iter()
        .map(|person| {
            let account = accounts.iter().find(|it| !it.disabled && it.email.eq_ignore_ascii_case(&person.email));
            let mention =
                account.map_or_else(|| format!("@{}", person.email.to_lowercase()), |it| format!("@{}", it.username));
            MentionChoice { name: person.name, mention }
        })
        .collect();
    Ok(Json(serde_json::json!({ "people": people })).into_response())
}

/// `?q=` of the experts API.
#[derive(Deserialize, Default)]
pub struct ExpertsQuery {
    #[serde(default)]
    q: String,
    limit: Option<usize>,
}

/// `GET /-/api/experts?q=`: who knows about a topic.
pub async fn experts_api(reader: Reader, Query(query): Query<ExpertsQuery>) -> Result<Response, ApiError> {
    let limit = query.limit.unwrap_or(5).clamp(1, 50);
    let experts = blocking(move || reader.experts(&query.q, limit)).await?;
    Ok(Json(serde_json::json!({ "experts": experts })).into_response())
}

/// `?orphaned=1&person=<email>&reason=&sort=&owner=&page=`
#[derive(Deserialize, Default)]
pub struct ReviewQuery {
    orphaned: Option<String>,
    person: Option<String>,
    reason: Option<String>,
    sort: Option<String>,
    owner: Option<String>,
    page: Option<usize>,
}

/// Rows per page of the radar's HTML view, so a wiki of 10,000 unowned pages still sends a light page.
const REVIEW_ROWS_PER_PAGE: usize = 100;

/// The radar's filters that list pages by how they are kept rather than by what is overdue.
const UNOWNED: &str = "unowned";
const UNTOUCHED: &str = "untouched";

/// The pages a `?reason=` asks the upkeep to list.
fn upkeep_list(reason: Option<&str>) -> UpkeepList {
    match reason {
        Some(UNOWNED) => UpkeepList::Unowned,
        Some(UNTOUCHED) => UpkeepList::Untouched,
        _ => UpkeepList::Nothing,
    }
}

#[derive(Serialize)]
struct ReviewRow {
    #[serde(flatten)]
    item: ReviewItem,
    reasons_text: Vec<String>,
    edit_url: String,
}

#[derive(Serialize)]
struct ReviewTemplate {
    #[serde(flatten)]
    frame: Frame,
    rows: Vec<ReviewRow>,
    /// All rows of the chosen list, of which `rows` is one page.
    n_rows: usize,
    prev_url: Option<String>,
    next_url: Option<String>,
    upkeep: UpkeepView,
    csrf_token: String,
    orphaned: bool,
    person: String,
    departed: Vec<(String, String)>,
    counts: Vec<(String, usize)>,
    reason: String,
    sort: String,
    feed_url: String,
}

/// What the radar says about how the wiki is kept, beyond what is overdue.
#[derive(Serialize, Default)]
struct UpkeepView {
    #[serde(flatten)]
    counts: UpkeepCounts,
    /// "889 pages have no owner; 812 were last edited over a year ago", or empty when both are none.
    summary: String,
    /// Every page has an owner and was touched within a year: the only time the radar says "well kept".
    well_kept: bool,
}

#[derive(Serialize, Default)]
struct UpkeepCounts {
    n_pages: usize,
    n_without_owner: usize,
    n_without_review_date: usize,
    n_untouched: usize,
}

impl UpkeepCounts {
    fn of(upkeep: &Upkeep) -> UpkeepCounts {
        UpkeepCounts {
            n_pages: upkeep.n_pages,
            n_without_owner: upkeep.n_without_owner,
            n_without_review_date: upkeep.n_without_review_date,
            n_untouched: upkeep.n_untouched,
        }
    }
}

impl UpkeepView {
    // The counts, and the summary in `words`' language (the viewer's).
    fn of(words: Translator<'_>, upkeep: &Upkeep) -> UpkeepView {
        let count = |n: usize| [("n", Arg::count(n))];
        let mut parts = Vec::new();
        if upkeep.n_without_owner > 0 {
            parts.push(match upkeep.n_without_owner {
                n if n == upkeep.n_pages && n > 1 => words.say("upkeep-none-owned", &count(n)),
                n => words.say("upkeep-without-owner", &count(n)),
            });
        }
        if upkeep.n_untouched > 0 {
            parts.push(match upkeep.n_untouched {
                n if n == upkeep.n_pages && !parts.is_empty() => words.say("upkeep-all-untouched", &[]),
                n => words.say("upkeep-untouched", &count(n)),
            });
        }
        if !parts.is_empty() && upkeep.n_without_review_date > 0 {
            parts.push(match upkeep.n_without_review_date {
                n if n == upkeep.n_pages => words.say("upkeep-no-review-dates", &[]),
                n => words.say("upkeep-without-review-date", &count(n)),
            });
        }
        let summary = if parts.is_empty() {
            String::new()
        } else {
            let parts = parts.join(&words.say("upkeep-separator", &[]));
            // The first part begins the sentence (a no-op for scripts without letter case).
            let mut chars = parts.chars();
            let first: String = chars.next().map(|it| it.to_uppercase().collect()).unwrap_or_default();
            words.say("upkeep-summary", &[("parts", Arg::text(format!("{first}{}", chars.as_str())))])
        };
        UpkeepView {
            counts: UpkeepCounts::of(upkeep),
            well_kept: upkeep.n_without_owner == 0 && upkeep.n_untouched == 0,
            summary,
        }
    }
}

fn reason_key(reason: &Reason) -> &'static str {
    match reason {
        Reason::PastReviewDate { .. } => "review",
        Reason::OwnerDeparted { .. } | Reason::OwnerInactive { .. } | Reason::OwnedBy { .. } => "owner",
        Reason::TopAuthorDeparted { .. } | Reason::MostlyWrittenBy { .. } => "author",
        Reason::Unanswered { .. } => "unanswered",
        Reason::BrokenLinks { .. } => "links",
        Reason::NoOwner => UNOWNED,
        Reason::Untouched { .. } => UNTOUCHED,
    }
}

// Why a page is on the radar, in `words`' language.
fn describe(words: Translator<'_>, reason: &Reason) -> String {
    let text = |it: &dyn ToString| Arg::text(it.to_string());
    match reason {
        Reason::PastReviewDate { since } => words.say("review-reason-past-date", &[("since", text(since))]),
        Reason::OwnerDeparted { owner } => words.say("review-reason-owner-departed", &[("owner", text(owner))]),
        Reason::OwnerInactive { owner } => words.say("review-reason-owner-inactive", &[("owner", text(owner))]),
        Reason::TopAuthorDeparted { name, .. } => words.say("review-reason-author-departed", &[("name", text(name))]),
        Reason::Unanswered { days } => words.say("review-reason-unanswered", &[("days", Arg::count(*days))]),
        Reason::BrokenLinks { n } => words.say("review-reason-broken-links", &[("n", Arg::count(*n))]),
        Reason::OwnedBy { owner } => words.say("review-reason-owned-by", &[("owner", text(owner))]),
        Reason::MostlyWrittenBy { name, .. } => words.say("review-reason-mostly-written-by", &[("name", text(name))]),
        Reason::NoOwner => words.say("review-reason-no-owner", &[]),
        Reason::Untouched { since } => words.say("review-reason-untouched", &[("since", text(since))]),
    }
}

// The items `query` chooses (by reason and owner), in its order.
fn chosen_items(items: Vec<ReviewItem>, query: &ReviewQuery) -> Vec<ReviewItem> {
    let reason = query.reason.clone().unwrap_or_default();
    let owner = query.owner.clone().unwrap_or_default().to_lowercase();
    let mut items: Vec<ReviewItem> = items
        .into_iter()
        .filter(|it| reason.is_empty() || it.reasons.iter().any(|r| reason_key(r) == reason))
        .filter(|it| owner.is_empty() || it.owners.iter().any(|o| o.to_lowercase().contains(&owner)))
        .collect();
    match query.sort.as_deref() {
        Some("title") => items.sort_by_key(|it| it.title.to_lowercase()),
        Some("reasons") => items.sort_by_key(|it| std::cmp::Reverse(it.reasons.len())),
        _ => items.sort_by_key(|it| it.last_edit),
    }
    items
}

// The rows of the items `query` chooses, their reasons in `words`' language.
fn review_rows(words: Translator<'_>, items: Vec<ReviewItem>, query: &ReviewQuery) -> Vec<ReviewRow> {
    chosen_items(items, query)
        .into_iter()
        .map(|item| ReviewRow {
            reasons_text: item.reasons.iter().map(|it| describe(words, it)).collect(),
            edit_url: format!("/-/edit/{}", item.path),
            item,
        })
        .collect()
}

/// `GET /-/review`: the stale-content radar; `?orphaned=1&person=<email>` lists a departed person's pages.
pub async fn review_page(
    reader: Reader,
    State(state): State<AppState>,
    Query(query): Query<ReviewQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let orphaned = query.orphaned.as_deref().is_some_and(|it| it == "1" || it == "true");
    let person = query.person.clone().unwrap_or_default();
    let lookup = person.clone();
    let items_reader = reader.clone();
    let list = upkeep_list(query.reason.as_deref());
    let (items, upkeep) = blocking(move || {
        if orphaned && !lookup.is_empty() {
            Ok((items_reader.orphaned_by(&lookup)?, Upkeep::default()))
        } else {
            Ok((items_reader.review_items()?, items_reader.upkeep(list)?))
        }
    })
    .await?;
    let mut counts: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for item in &items {
        let mut seen = std::collections::HashSet::new();
        for reason in &item.reasons {
            if seen.insert(reason_key(reason)) {
                *counts.entry(reason_key(reason).to_string()).or_default() += 1;
            }
        }
    }
    let mut counts: Vec<(String, usize)> = counts.into_iter().collect();
    for (key, n) in [(UNOWNED, upkeep.n_without_owner), (UNTOUCHED, upkeep.n_untouched)] {
        if n > 0 {
            counts.push((key.to_string(), n));
        }
    }
    let words = view::words(&state);
    let upkeep_view = UpkeepView::of(words, &upkeep);
    // The lists by how pages are kept come from the upkeep; the others from what is overdue.
    let items = if list == UpkeepList::Nothing { items } else { upkeep.pages };
    let mut rows = review_rows(words, items, &query);
    let n_rows = rows.len();
    let page = query.page.unwrap_or(1).clamp(1, n_rows.div_ceil(REVIEW_ROWS_PER_PAGE).max(1));
    rows = rows.into_iter().skip((page - 1) * REVIEW_ROWS_PER_PAGE).take(REVIEW_ROWS_PER_PAGE).collect();
    let page_url = |page: usize| {
        let mut params = vec![];
        for (key, value) in [
            ("orphaned", query.orphaned.as_deref()),
            ("person", query.person.as_deref()),
            ("reason", query.reason.as_deref()),
            ("sort", query.sort.as_deref()),
            ("owner", query.owner.as_deref()),
        ] {
            if let Some(value) = value.filter(|it| !it.is_empty()) {
                params.push(format!("{key}={}", encode(value)));
            }
        }
        params.push(format!("page={page}"));
        format!("/-/review?{}", params.join("&"))
    };
    let prev_url = (page > 1).then(|| page_url(page - 1));
    let next_url = (page * REVIEW_ROWS_PER_PAGE < n_rows).then(|| page_url(page + 1));
    let departed = reader.departed_people();
    let (csrf_token, set_cookie) = csrf::token(&headers);
    let title = if orphaned { "Hand over pages" } else { "Needs attention" };
    let view = ReviewTemplate {
        frame: Frame::new(&state, &view::host_of(&headers), title),
        rows,
        n_rows,
        prev_url,
        next_url,
        upkeep: upkeep_view,
        csrf_token,
        orphaned,
        person,
        departed,
        counts,
        reason: query.reason.clone().unwrap_or_default(),
        sort: query.sort.clone().unwrap_or_default(),
        feed_url: match query.owner.as_deref() {
            Some(owner) if !owner.is_empty() => format!("/-/review.atom?owner={}", encode(owner)),
            _ => "/-/review.atom".into(),
        },
    };
    let mut res = Html(state.theme.render("review.html", &view)?).into_response();
    csrf::attach(&mut res, set_cookie);
    Ok(res)
}

/// `GET /-/api/review` → `{items: [{path, title, reasons, owners, ...}], upkeep: {n_pages, n_without_owner,
/// n_without_review_date, n_untouched}}`; `?reason=unowned` and `?reason=untouched` list the pages behind those
/// counts.
pub async fn review_api(reader: Reader, Query(query): Query<ReviewQuery>) -> Result<Response, ApiError> {
    let orphaned = query.orphaned.as_deref().is_some_and(|it| it == "1" || it == "true");
    let person = query.person.clone().unwrap_or_default();
    let list = upkeep_list(query.reason.as_deref());
    let (items, upkeep) = blocking(move || {
        if orphaned && !person.is_empty() {
            Ok((reader.orphaned_by(&person)?, None))
        } else {
            Ok((reader.review_items()?, Some(reader.upkeep(list)?)))
        }
    })
    .await?;
    let counts = upkeep.as_ref().map(UpkeepCounts::of);
    let items = match upkeep {
        Some(upkeep) if list != UpkeepList::Nothing => upkeep.pages,
        _ => items,
    };
    let items = chosen_items(items, &query);
    Ok(Json(serde_json::json!({ "items": items, "upkeep": counts })).into_response())
}

/// `GET /-/review.atom[?owner=]`: pages needing review, for an owner's feed reader.
pub async fn review_feed(
    reader: Reader,
    State(state): State<AppState>,
    Query(query): Query<ReviewQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let items = blocking(move || reader.review_items()).await?;
    let words = view::words(&state);
    let rows = review_rows(words, items, &query);
    let base = format!("http://{}", view::host_of(&headers));
    let owner = query.owner.clone().unwrap_or_default();
    let title = if owner.is_empty() {
        words.say("feed-review", &[])
    } else {
        words.say("feed-review-owner", &[("owner", Arg::text(&owner))])
    };
    let self_url = format!(
        "{base}/-/review.atom{}",
        if owner.is_empty() { String::new() } else { format!("?owner={}", encode(&owner)) }
    );
    let entries: Vec<FeedEntry> = rows
        .iter()
        .map(|row| FeedEntry {
            id: format!("{base}{}#review", row.item.url),
            title: row.item.title.clone(),
            link: format!("{base}{}", row.item.url),
            updated: rfc3339(row.item.last_edit),
            author_name: row.item.top_author.clone().unwrap_or_else(|| "Lore".into()),
            author_email: None,
            summary: row.reasons_text.join("; "),
        })
        .collect();
    Ok(atom(words.language(), &title, &self_url, &format!("{base}/-/review"), &entries))
}

/// The verify form.
#[derive(Deserialize)]
pub struct VerifyForm {
    #[serde(default)]
    back: String,
}

#[derive(Serialize)]
struct VerifyTemplate {
    #[serde(flatten)]
    frame: Frame,
    path: String,
    title: String,
    url: String,
    csrf_token: String,
}

/// `GET /-/verify/<path>`: confirms "Mark as verified" (pages are cached, so the form lives here).
pub async fn verify_form(
    PagePath(path): PagePath,
    viewer: Viewer,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let reader = viewer.reader(&state);
    let snapshot = reader.snapshot().clone();
    let meta = snapshot.pages.get(&path).cloned().ok_or_else(|| Error::NotFound(path.to_string()))?;
    let (csrf_token, set_cookie) = csrf::token(&headers);
    let frame = Frame::new(&state, &view::host_of(&headers), &format!("Verify {}", meta.title))
        .with_breadcrumbs(&snapshot, path.as_str());
    let view = VerifyTemplate {
        frame,
        path: path.as_str().to_string(),
        title: meta.title.clone(),
        url: path.url(),
        csrf_token,
    };
    let mut res = Html(state.theme.render("verify.html", &view)?).into_response();
    csrf::attach(&mut res, set_cookie);
    Ok(res)
}

/// `POST /-/verify/<path>`: "Mark as verified".
pub async fn verify(
    PagePath(path): PagePath,
    viewer: Viewer,
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<VerifyForm>,
) -> Result<Response, PageError> {
    let author = viewer.author("", "", &headers)?;
    let writer = viewer.writer(&state, author);
    let target = path.clone();
    blocking(move || writer.verify(&target)).await?;
    let back = review_back(&form.back).unwrap_or_else(|| format!("{}?saved=1", path.url()));
    Ok(Redirect::to(&back).into_response())
}

/// `POST /-/review/assign`: gives the chosen pages a new owner, in one commit.
pub async fn assign(
    viewer: Viewer,
    State(state): State<AppState>,
    headers: HeaderMap,
    // The pages come as repeated fields (`page=a.md&page=b.md`), which do not fit a struct.
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let field =
        |name: &str| pairs.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone()).unwrap_or_default();
    let pages: Vec<RepoPath> =
        pairs.iter().filter(|(key, _)| key == "page").map(|(_, value)| RepoPath::page(value)).collect::<Result<_>>()?;
    let author = viewer.author("", "", &headers)?;
    let writer = viewer.writer(&state, author);
    let (owner, from) = (field("owner"), Some(field("from")).filter(|it| !it.trim().is_empty()));
    blocking(move || writer.hand_over(&pages, &owner, from.as_deref())).await?;
    let back = review_back(&field("back")).unwrap_or_else(|| "/-/review".to_string());
    Ok(Redirect::to(&back).into_response())
}

// Where a review form returns to: a review address, as a valid header value (never a line break).
fn review_back(back: &str) -> Option<String> {
    (back.starts_with("/-/review") && !back.chars().any(|it| it.is_control() || it.is_whitespace() || it == '\\'))
        .then(|| back.to_string())
}
