//! Expert answers on the web: ask, browse, answer, accept, promote, their feeds and the JSON API.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::csrf::{self, CsrfForm};
use super::error::{ApiError, PageError, classify};
use super::feed::{FeedEntry, atom, rfc3339};
use super::query::encode;
use super::view::{self, Frame};
use super::viewer::Viewer;
use super::{AppState, blocking};
use crate::content::RepoPath;
use crate::content::questions::{self, Status};
use crate::i18n::Arg;
use crate::site::Reader;
use crate::site::{QuestionSummary, question_path};
use crate::{Error, Result};

#[derive(Serialize)]
struct AskTemplate {
    #[serde(flatten)]
    frame: Frame,
    title: String,
    body: String,
    tags: String,
    csrf_token: String,
    author_name: String,
    author_email: String,
    error: Option<String>,
}

/// `?title=` prefills the ask form (from a search that found little).
#[derive(Deserialize, Default)]
pub struct AskQuery {
    #[serde(default)]
    title: String,
}

/// `GET /-/ask`: the form to ask a question.
pub async fn ask_form(
    State(state): State<AppState>,
    Query(query): Query<AskQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (csrf_token, set_cookie) = csrf::token(&headers);
    let author = super::viewer::remembered_author(&headers);
    let view = AskTemplate {
        frame: Frame::new(&state, &view::host_of(&headers), "Ask a question"),
        title: query.title,
        body: String::new(),
        tags: String::new(),
        csrf_token,
        author_name: author.as_ref().map(|it| it.name.clone()).unwrap_or_default(),
        author_email: author.map(|it| it.email).unwrap_or_default(),
        error: None,
    };
    let mut res = Html(state.theme.render("ask.html", &view)?).into_response();
    csrf::attach(&mut res, set_cookie);
    Ok(res)
}

/// The ask form.
#[derive(Deserialize)]
pub struct AskForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    tags: String,
    #[serde(default)]
    author_name: String,
    #[serde(default)]
    author_email: String,
}

/// `POST /-/ask`: creates the question and opens it.
pub async fn ask(
    viewer: Viewer,
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<AskForm>,
) -> Result<Response, PageError> {
    let author = viewer.author(&form.author_name, &form.author_email, &headers)?;
    let tags = split_tags(&form.tags);
    let writer = viewer.writer(&state, author.clone());
    let (title, body) = (form.title.clone(), form.body.clone());
    match blocking(move || writer.ask(&title, &body, &tags)).await {
        Ok(path) => {
            let mut res = Redirect::to(&path.url()).into_response();
            res.headers_mut().append(header::SET_COOKIE, super::viewer::author_cookie(&author));
            Ok(res)
        }
        Err(err @ (Error::BadInput(_) | Error::TooLarge { .. })) => {
            let (status, _, message) = classify(&err);
            let (csrf_token, _) = csrf::token(&headers);
            let view = AskTemplate {
                frame: Frame::new(&state, &view::host_of(&headers), "Ask a question"),
                title: form.title,
                body: form.body,
                tags: form.tags,
                csrf_token,
                author_name: form.author_name,
                author_email: form.author_email,
                error: Some(message),
            };
            Ok((status, Html(state.theme.render("ask.html", &view)?)).into_response())
        }
        Err(err) => Err(err.into()),
    }
}

/// `?filter=unanswered|answered|mine&tag=`
#[derive(Deserialize, Default)]
pub struct ListQuery {
    filter: Option<String>,
    status: Option<String>,
    tag: Option<String>,
}

#[derive(Serialize)]
struct QuestionRow {
    #[serde(flatten)]
    question: QuestionSummary,
    last_activity_iso: String,
}

#[derive(Serialize)]
struct FilterLink {
    /// Which filter (`all`, `unanswered`, `answered`, `mine`): the template names it in the reader's language.
    key: &'static str,
    url: String,
    count: usize,
    active: bool,
}

#[derive(Serialize)]
struct QuestionsTemplate {
    #[serde(flatten)]
    frame: Frame,
    questions: Vec<QuestionRow>,
    filters: Vec<FilterLink>,
    tags: Vec<(String, usize)>,
    tag: String,
    feed_url: String,
}

/// `GET /-/questions`: questions by latest activity, filtered by status, tag or "asked by me".
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    reader: Reader,
    Query(query): Query<ListQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let me = match &viewer.user {
        Some(user) => Some(user.email.to_lowercase()),
        None => super::viewer::remembered_author(&headers).map(|it| it.email.to_lowercase()),
    };
    let all = reader.questions();
    let tag = query.tag.clone().unwrap_or_default().to_lowercase();
    let tagged: Vec<&QuestionSummary> =
        all.iter().filter(|it| tag.is_empty() || it.tags.iter().any(|t| t.to_lowercase() == tag)).collect();
    let is_mine = |it: &QuestionSummary| {
        me.as_ref()
            .is_some_and(|me| it.asked_by.as_deref().is_some_and(|by| by.to_lowercase().contains(&format!("<{me}>"))))
    };
    let filter = query
        .filter
        .clone()
        .or(query.status.clone().map(|it| if it == "open" { "unanswered".into() } else { it }))
        .unwrap_or_default();
    let keep = |it: &QuestionSummary| match filter.as_str() {
        "unanswered" => it.status == Status::Open,
        "answered" => it.status == Status::Answered,
        "mine" => is_mine(it),
        _ => true,
    };
    let tag_param = if tag.is_empty() { String::new() } else { format!("&tag={}", encode(&tag)) };
    let filters = ["all", "unanswered", "answered", "mine"]
        .into_iter()
        .map(|key| FilterLink {
            key,
            url: format!("/-/questions?filter={key}{tag_param}"),
            count: tagged
                .iter()
                .filter(|it| match key {
                    "unanswered" => it.status == Status::Open,
                    "answered" => it.status == Status::Answered,
                    "mine" => is_mine(it),
                    _ => true,
                })
                .count(),
            active: filter == key || (filter.is_empty() && key == "all"),
        })
        .collect();
    let mut tag_counts: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for question in &all {
        for tag in &question.tags {
            *tag_counts.entry(tag.to_lowercase()).or_default() += 1;
        }
    }
    let questions = tagged
        .into_iter()
        .filter(|it| keep(it))
        .map(|question| {
            let at = DateTime::<Utc>::from_timestamp(question.last_activity, 0).unwrap_or_default();
            QuestionRow { question: question.clone(), last_activity_iso: at.to_rfc3339() }
        })
        .collect();
    let view = QuestionsTemplate {
        frame: Frame::new(&state, &view::host_of(&headers), "Questions"),
        questions,
        filters,
        tags: tag_counts.into_iter().collect(),
        feed_url: if tag.is_empty() {
            "/-/questions.atom".into()
        } else {
            format!("/-/questions.atom?tag={}", encode(&tag))
        },
        tag,
    };
    Ok(Html(state.theme.render("questions.html", &view)?).into_response())
}

#[derive(Serialize)]
struct QuestionTemplate {
    #[serde(flatten)]
    frame: Frame,
    /// People to ask: those who wrote most of the knowledge around this question.
    experts: Vec<crate::site::Expert>,
    question: QuestionContext,
    answers: Vec<AnswerContext>,
    csrf_token: String,
    author_name: String,
    author_email: String,
}

#[derive(Serialize)]
struct QuestionContext {
    slug: String,
    path: String,
    title: String,
    html: String,
    tags: Vec<String>,
    status: Status,
    asked_by: String,
    /// When, as RFC 3339 (templates show it with `ago`).
    asked_at: Option<String>,
    promoted_to: Option<String>,
    edit_url: String,
    history_url: String,
    feed_url: String,
    warnings: Vec<String>,
}

#[derive(Serialize)]
struct AnswerContext {
    id: String,
    html: String,
    author: String,
    /// When, as RFC 3339 (templates show it with `ago`).
    answered_at: Option<String>,
    accepted: bool,
    edit_url: String,
    history_url: String,
}

/// `GET /questions/<slug>`: the question, its answers, the people who may know, and an answer form.
pub async fn question_page(
    reader: Reader,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    if let Some(slug) = slug.strip_suffix(".md") {
        return Ok(Redirect::permanent(&question_path(slug)?.url()).into_response());
    }
    let path = question_path(&slug)?;
    let (csrf_token, set_cookie) = csrf::token(&headers);
    let experts_reader = reader.clone();
    let experts_path = path.clone();
    // Who may know is a hint: a problem finding them leaves it out.
    let experts = blocking(move || experts_reader.experts_for_question(&experts_path, 3)).await.unwrap_or_default();
    let host = view::host_of(&headers);
    let html = blocking(move || {
        let snapshot = reader.snapshot().clone();
        let view = reader.page_view(&path)?.ok_or_else(|| Error::NotFound(path.to_string()))?;
        let info = questions::question_info(&view.meta.front_matter);
        let slug = path.file_stem().to_string();
        let mut answers = Vec::new();
        for answer in reader.answers(&slug, &info) {
            let body = reader.page_view(&answer.path)?.map(|it| it.body.html.clone()).unwrap_or_default();
            let by_commit = answer.last_change.as_ref().map(|it| it.author.name.clone());
            answers.push(AnswerContext {
                html: body,
                author: answer.author.clone().or(by_commit).unwrap_or_else(|| "someone".into()),
                answered_at: answer.answered_at.clone(),
                accepted: answer.accepted,
                edit_url: format!("/-/edit/{}", answer.path.as_str()),
                history_url: format!("/-/history/{}", answer.path.as_str()),
                id: answer.id,
            });
        }
        let asked_by = info
            .asked_by
            .clone()
            .or_else(|| view.last_change.as_ref().map(|it| it.author.name.clone()))
            .unwrap_or_else(|| "someone".into());
        let question = QuestionContext {
            title: view.meta.title.clone(),
            html: view.body.html.clone(),
            tags: view.meta.front_matter.tags.clone(),
            status: info.status,
            asked_at: info.asked_at.clone(),
            asked_by: asked_by.split(" <").next().unwrap_or_default().to_string(),
            promoted_to: info.promoted_to.as_deref().and_then(|it| RepoPath::parse(it).ok()).map(|it| it.url()),
            edit_url: format!("/-/edit/{}", path.as_str()),
            history_url: format!("/-/history/{}", path.as_str()),
            feed_url: format!("/-/questions/{slug}/answers.atom"),
            warnings: view.meta.warnings.clone(),
            path: path.as_str().to_string(),
            slug,
        };
        let frame = Frame::new(&state, &host, &view.meta.title).with_breadcrumbs(&snapshot, path.as_str());
        let author = super::viewer::remembered_author(&headers);
        let view = QuestionTemplate {
            frame,
            experts,
            question,
            answers,
            csrf_token,
            author_name: author.as_ref().map(|it| it.name.clone()).unwrap_or_default(),
            author_email: author.map(|it| it.email).unwrap_or_default(),
        };
        state.theme.render("question.html", &view)
    })
    .await?;
    let mut res = Html(html).into_response();
    csrf::attach(&mut res, set_cookie);
    Ok(res)
}

/// The answer form.
#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    author_name: String,
    #[serde(default)]
    author_email: String,
}

/// `POST /-/questions/<slug>/answer`: adds an answer.
pub async fn answer(
    viewer: Viewer,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<AnswerForm>,
) -> Result<Response, PageError> {
    let author = viewer.author(&form.author_name, &form.author_email, &headers)?;
    let writer = viewer.writer(&state, author.clone());
    let answer_slug = slug.clone();
    let (id, _) = blocking(move || writer.answer(&answer_slug, &form.body)).await?;
    let mut res = Redirect::to(&format!("{}#answer-{id}", question_path(&slug)?.url())).into_response();
    res.headers_mut().append(header::SET_COOKIE, super::viewer::author_cookie(&author));
    Ok(res)
}

/// The accept form.
#[derive(Deserialize)]
pub struct AcceptForm {
    answer: String,
}

/// `POST /-/questions/<slug>/accept`: marks an answer accepted.
pub async fn accept(
    viewer: Viewer,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<AcceptForm>,
) -> Result<Response, PageError> {
    let author = viewer.author("", "", &headers)?;
    let writer = viewer.writer(&state, author);
    let accept_slug = slug.clone();
    blocking(move || writer.accept(&accept_slug, &form.answer)).await?;
    Ok(Redirect::to(&question_path(&slug)?.url()).into_response())
}

#[derive(Serialize)]
struct PromoteTemplate {
    #[serde(flatten)]
    frame: Frame,
    slug: String,
    to: String,
    markdown: String,
    csrf_token: String,
    error: Option<String>,
}

/// `GET /-/questions/<slug>/promote`: the page to be, editable before it is saved.
pub async fn promote_form(
    reader: Reader,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (csrf_token, set_cookie) = csrf::token(&headers);
    let text_slug = slug.clone();
    let markdown = blocking(move || reader.promoted_text(&text_slug)).await?;
    let view = PromoteTemplate {
        frame: Frame::new(&state, &view::host_of(&headers), "Turn this answer into a page"),
        to: format!("faq/{slug}"),
        slug,
        markdown,
        csrf_token,
        error: None,
    };
    let mut res = Html(state.theme.render("promote.html", &view)?).into_response();
    csrf::attach(&mut res, set_cookie);
    Ok(res)
}

/// The promote form.
#[derive(Deserialize)]
pub struct PromoteForm {
    to: String,
    #[serde(default)]
    markdown: String,
}

/// `POST /-/questions/<slug>/promote`: creates the page and links question and page.
pub async fn promote(
    viewer: Viewer,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<PromoteForm>,
) -> Result<Response, PageError> {
    let author = viewer.author("", "", &headers)?;
    let to = super::paths::typed_page(&form.to)?;
    let writer = viewer.writer(&state, author);
    let (target, markdown) = (to.clone(), form.markdown.replace("\r\n", "\n"));
    blocking(move || writer.promote(&slug, &target, Some(&markdown))).await?;
    Ok(Redirect::to(&format!("{}?saved=1", to.url())).into_response())
}

/// The body of `POST /-/api/questions`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AskBody {
    title: String,
    body: String,
    #[serde(default)]
    tags: Vec<String>,
    author: Option<super::viewer::AuthorInput>,
}

/// `POST /-/api/questions` `{title, body, tags}` → 201 `{slug, path, url}`.
pub async fn api_ask(viewer: Viewer, State(state): State<AppState>, body: Json<AskBody>) -> Result<Response, ApiError> {
    let Json(body) = body;
    let author = viewer.api_author(body.author.map(|it| (it.name, it.email)))?;
    let writer = viewer.writer(&state, author);
    let path = blocking(move || writer.ask(&body.title, &body.body, &body.tags)).await?;
    let json = serde_json::json!({ "slug": path.file_stem(), "path": path.as_str(), "url": path.url() });
    Ok((StatusCode::CREATED, Json(json)).into_response())
}

/// `GET /-/api/questions?status=open|answered&tag=` → `{questions: [...]}`.
pub async fn api_list(reader: Reader, Query(query): Query<ListQuery>) -> Result<Response, ApiError> {
    let status = query.status.as_deref().or(query.filter.as_deref()).unwrap_or_default().to_string();
    let tag = query.tag.unwrap_or_default().to_lowercase();
    let questions: Vec<QuestionSummary> = reader
        .questions()
        .into_iter()
        .filter(|it| match status.as_str() {
            "open" | "unanswered" => it.status == Status::Open,
            "answered" => it.status == Status::Answered,
            _ => true,
        })
        .filter(|it| tag.is_empty() || it.tags.iter().any(|t| t.to_lowercase() == tag))
        .collect();
    Ok(Json(serde_json::json!({ "questions": questions })).into_response())
}

/// The body of `POST /-/api/questions/<slug>/answers`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerBody {
    body: String,
    author: Option<super::viewer::AuthorInput>,
}

/// `POST /-/api/questions/<slug>/answers` `{body}` → 201 `{id, path}`.
pub async fn api_answer(
    viewer: Viewer,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Json(body): Json<AnswerBody>,
) -> Result<Response, ApiError> {
    let author = viewer.api_author(body.author.map(|it| (it.name, it.email)))?;
    let writer = viewer.writer(&state, author);
    let (id, path) = blocking(move || writer.answer(&slug, &body.body)).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id, "path": path.as_str() }))).into_response())
}

/// The body of `POST /-/api/questions/<slug>/accept`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptBody {
    answer: String,
    author: Option<super::viewer::AuthorInput>,
}

/// `POST /-/api/questions/<slug>/accept` `{answer}` → 200 `{commit}`.
pub async fn api_accept(
    viewer: Viewer,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Json(body): Json<AcceptBody>,
) -> Result<Response, ApiError> {
    let author = viewer.api_author(body.author.map(|it| (it.name, it.email)))?;
    let writer = viewer.writer(&state, author);
    let commit = blocking(move || writer.accept(&slug, &body.answer)).await?;
    Ok(Json(serde_json::json!({ "commit": commit })).into_response())
}

/// The body of `POST /-/api/questions/<slug>/promote`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromoteBody {
    to: String,
    markdown: Option<String>,
    author: Option<super::viewer::AuthorInput>,
}

/// `POST /-/api/questions/<slug>/promote` `{to}` → 201 `{commit, path, url}`.
pub async fn api_promote(
    viewer: Viewer,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Json(body): Json<PromoteBody>,
) -> Result<Response, ApiError> {
    let author = viewer.api_author(body.author.map(|it| (it.name, it.email)))?;
    let to = super::paths::typed_page(&body.to)?;
    let writer = viewer.writer(&state, author);
    let target = to.clone();
    let commit = blocking(move || writer.promote(&slug, &target, body.markdown.as_deref())).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "commit": commit, "path": to.as_str(), "url": to.url() })))
        .into_response())
}

/// `GET /-/questions.atom[?tag=]`: new questions.
pub async fn questions_feed(
    State(state): State<AppState>,
    reader: Reader,
    Query(query): Query<ListQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let tag = query.tag.unwrap_or_default().to_lowercase();
    let mut questions: Vec<QuestionSummary> = reader
        .questions()
        .into_iter()
        .filter(|it| tag.is_empty() || it.tags.iter().any(|t| t.to_lowercase() == tag))
        .collect();
    let asked_at = |question: &QuestionSummary| {
        reader
            .snapshot()
            .pages
            .get(&RepoPath::parse(&question.path).expect("listed paths are valid"))
            .and_then(|meta| questions::question_info(&meta.front_matter).asked_at)
    };
    questions.truncate(50);
    let base = format!("http://{}", view::host_of(&headers));
    let words = view::words(&state);
    let site = Arg::text(&state.site.config.site_title);
    let title = if tag.is_empty() {
        words.say("feed-questions", &[("site", site)])
    } else {
        words.say("feed-questions-tagged", &[("site", site), ("tag", Arg::text(&tag))])
    };
    let someone = words.say("feed-someone", &[]);
    let entries: Vec<FeedEntry> = questions
        .iter()
        .map(|question| FeedEntry {
            id: format!("{base}{}", question.url),
            title: question.title.clone(),
            link: format!("{base}{}", question.url),
            updated: asked_at(question).unwrap_or_else(|| rfc3339(question.last_activity)),
            author_name: question
                .asked_by
                .as_deref()
                .unwrap_or(&someone)
                .split(" <")
                .next()
                .unwrap_or_default()
                .to_string(),
            author_email: None,
            summary: words.say(
                "feed-question-summary",
                &[
                    ("n", Arg::count(question.n_answers)),
                    ("status", Arg::text(if question.status == Status::Answered { "answered" } else { "open" })),
                ],
            ),
        })
        .collect();
    let self_url = format!(
        "{base}/-/questions.atom{}",
        if tag.is_empty() { String::new() } else { format!("?tag={}", encode(&tag)) }
    );
    Ok(atom(words.language(), &title, &self_url, &format!("{base}/-/questions"), &entries))
}

/// `GET /-/questions/<slug>/answers.atom`: new answers to one question.
pub async fn answers_feed(
    State(state): State<AppState>,
    reader: Reader,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let words = view::words(&state);
    let someone = words.say("feed-someone", &[]);
    let path = question_path(&slug)?;
    let meta =
        reader.snapshot().pages.get(&path).cloned().ok_or_else(|| Error::NotFound(format!("question {slug}")))?;
    let info = questions::question_info(&meta.front_matter);
    let mut answers = reader.answers(&slug, &info);
    answers.sort_by(|a, b| b.id.cmp(&a.id));
    let base = format!("http://{}", view::host_of(&headers));
    let entries: Vec<FeedEntry> = answers
        .into_iter()
        .map(|answer| {
            let text = reader
                .page_source(&answer.path)
                .ok()
                .flatten()
                .map(|it| crate::content::front_matter::split(&it.text).body.trim().to_string())
                .unwrap_or_default();
            FeedEntry {
                id: format!("{base}{}#answer-{}", path.url(), answer.id),
                title: words.say(
                    "feed-answer-by",
                    &[(
                        "name",
                        Arg::text(answer.author.as_deref().unwrap_or(&someone).split(" <").next().unwrap_or_default()),
                    )],
                ),
                link: format!("{base}{}#answer-{}", path.url(), answer.id),
                updated: answer
                    .answered_at
                    .clone()
                    .unwrap_or_else(|| rfc3339(answer.last_change.as_ref().map_or(0, |it| it.time))),
                author_name: answer
                    .author
                    .as_deref()
                    .unwrap_or(&someone)
                    .split(" <")
                    .next()
                    .unwrap_or_default()
                    .to_string(),
                author_email: None,
                summary: text.chars().take(500).collect(),
            }
        })
        .collect();
    let self_url = format!("{base}/-/questions/{slug}/answers.atom");
    let title = words.say("feed-answers", &[("title", Arg::text(&meta.title))]);
    Ok(atom(words.language(), &title, &self_url, &format!("{base}{}", path.url()), &entries))
}

fn split_tags(text: &str) -> Vec<String> {
    text.split([',', ' '])
        .map(|it| it.trim().trim_start_matches('#').to_lowercase())
        .filter(|it| !it.is_empty())
        .collect()
}
