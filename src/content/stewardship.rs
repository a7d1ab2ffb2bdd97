//! Keeping knowledge alive: who owns a page, how often it needs a review, when it was last verified, and
//! who has left (`people.yaml` at the repository's root). Pure: callers supply dates and files.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use serde_yaml::Value;

use super::front_matter::FrontMatter;

/// The file listing departed and inactive people.
pub const PEOPLE_FILE: &str = "people.yaml";

/// A page's review policy and its last verification, from front matter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stewardship {
    pub owners: Vec<String>,
    /// How often the page needs a review, in days (`review_every: 90d`, `6m`, `1y`, `2w`).
    pub review_every_days: Option<i64>,
    pub verified_on: Option<NaiveDate>,
    pub verified_by: Option<String>,
}

/// Where a page stands against its review policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ReviewState {
    /// No `review_every`: the page never falls due.
    NoPolicy,
    /// Reviewed recently enough; due on `due`.
    Current { due: NaiveDate },
    /// Past its review date since `since`.
    NeedsReview { since: NaiveDate },
}

/// Reads owners, review period and verification from front matter.
pub fn stewardship(front_matter: &FrontMatter) -> Stewardship {
    let (verified_on, verified_by) = match front_matter.extra.get("verified") {
        Some(Value::Mapping(mapping)) => (
            mapping.get("date").and_then(scalar).and_then(|it| parse_date(&it)),
            mapping.get("by").and_then(scalar).filter(|it| !it.trim().is_empty()),
        ),
        Some(value) => match scalar(value) {
            // `verified: 2026-11-01` or `verified: 2026-11-01 by Ann <ann@example.com>`
            Some(text) => {
                let (date, by) = text
                    .split_once(" by ")
                    .map_or((text.as_str(), None), |(date, by)| (date, Some(by.trim().to_string())));
                (parse_date(date), by)
            }
            None => (None, None),
        },
        None => (None, None),
    };
    Stewardship {
        owners: front_matter.owners.clone(),
        review_every_days: front_matter.extra.get("review_every").and_then(scalar).and_then(|it| parse_period(&it)),
        verified_on,
        verified_by,
    }
}

/// A review period in days: `90d`, `2w`, `6m`, `1y`, or a bare number of days.
pub fn parse_period(text: &str) -> Option<i64> {
    let text = text.trim().to_lowercase();
    let split = text.find(|it: char| !it.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: i64 = number.parse().ok().filter(|it| *it > 0)?;
    let days = match unit.trim() {
        "" | "d" | "day" | "days" => number,
        "w" | "week" | "weeks" => number * 7,
        "m" | "month" | "months" => number * 30,
        "y" | "year" | "years" => number * 365,
        _ => return None,
    };
    Some(days)
}

/// Whether a page is due for review on `today`. Without a verification, the last edit counts.
pub fn review_state(stewardship: &Stewardship, last_edit: Option<DateTime<Utc>>, today: NaiveDate) -> ReviewState {
    let Some(every) = stewardship.review_every_days else { return ReviewState::NoPolicy };
    let reviewed = match (stewardship.verified_on, last_edit.map(|it| it.date_naive())) {
        (Some(verified), Some(edited)) => verified.max(edited),
        (Some(verified), None) => verified,
        (None, Some(edited)) => edited,
        (None, None) => return ReviewState::NeedsReview { since: today },
    };
    let due = reviewed + Duration::days(every);
    if due <= today { ReviewState::NeedsReview { since: due } } else { ReviewState::Current { due } }
}

/// Someone listed in `people.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonStatus {
    pub email: String,
    pub name: Option<String>,
    /// `departed` or `inactive`.
    pub status: String,
    pub since: Option<String>,
}

/// Reads `people.yaml`: a list of people (`email`, `name`, `status: departed|inactive|active`, `since`),
/// either at the top level or under `people:`. Unreadable entries are skipped; errors are reported.
pub fn read_people(yaml: &str) -> (Vec<PersonStatus>, Option<String>) {
    // The YAML parser's time grows with the square of the nesting; a list of people is flat.
    if super::front_matter::flow_depth(yaml) > super::front_matter::MAX_FLOW_DEPTH {
        let depth = super::front_matter::MAX_FLOW_DEPTH;
        return (Vec::new(), Some(format!("{PEOPLE_FILE}: nested more than {depth} levels deep; ignored")));
    }
    let value: Value = match serde_yaml::from_str(yaml) {
        Ok(value) => value,
        Err(err) => return (Vec::new(), Some(format!("{PEOPLE_FILE}: {err}"))),
    };
    let list = match &value {
        Value::Sequence(items) => items.clone(),
        Value::Mapping(mapping) => match mapping.get("people") {
            Some(Value::Sequence(items)) => items.clone(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    let people = list
        .iter()
        .filter_map(|item| {
            let mapping = item.as_mapping()?;
            let field = |key: &str| mapping.get(key).and_then(scalar).filter(|it| !it.trim().is_empty());
            let email = field("email")?.trim().to_lowercase();
            let status = field("status").unwrap_or_else(|| "departed".into()).trim().to_lowercase();
            Some(PersonStatus { email, name: field("name"), status, since: field("since") })
        })
        .filter(|it| it.status == "departed" || it.status == "inactive")
        .collect();
    (people, None)
}

/// The e-mail in `Name <email>`, or the text itself when it has no angle brackets (lowercased).
pub fn email_of(person: &str) -> String {
    match (person.find('<'), person.rfind('>')) {
        (Some(start), Some(end)) if start < end => person[start + 1..end].trim().to_lowercase(),
        _ => person.trim().to_lowercase(),
    }
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    NaiveDate::parse_from_str(text.get(..10).unwrap_or(text), "%Y-%m-%d").ok()
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::front_matter::parse;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn periods() {
        assert_eq!(parse_period("90d"), Some(90));
        assert_eq!(parse_period("6m"), Some(180));
        assert_eq!(parse_period("1y"), Some(365));
        assert_eq!(parse_period("2 weeks"), Some(14));
        assert_eq!(parse_period("soon"), None);
        assert_eq!(parse_period("0d"), None);
    }

    #[test]
    fn review_falls_due_after_the_period() {
        let (fm, _) =
            parse("review_every: 30d\nverified:\n  date: 2026-01-01\n  by: Ann <ann@example.com>\nowners: [ann]\n");
        let steward = stewardship(&fm);
        assert_eq!(steward.verified_by.as_deref(), Some("Ann <ann@example.com>"));
        assert_eq!(review_state(&steward, None, date("2026-01-15")), ReviewState::Current { due: date("2026-01-31") });
        assert_eq!(
            review_state(&steward, None, date("2026-03-01")),
            ReviewState::NeedsReview { since: date("2026-01-31") }
        );
        let edited = DateTime::parse_from_rfc3339("2026-02-20T10:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(
            review_state(&steward, Some(edited), date("2026-03-01")),
            ReviewState::Current { due: date("2026-03-22") }
        );
        assert_eq!(review_state(&Stewardship::default(), None, date("2026-03-01")), ReviewState::NoPolicy);
    }

    #[test]
    fn short_verified_form() {
        let (fm, _) = parse("verified: 2026-05-01 by Bob <bob@example.com>\n");
        let steward = stewardship(&fm);
        assert_eq!(steward.verified_on, Some(date("2026-05-01")));
        assert_eq!(steward.verified_by.as_deref(), Some("Bob <bob@example.com>"));
    }

    #[test]
    fn people_file() {
        let (people, problem) = read_people(
            "people:\n  - email: Ann@Example.com\n    name: Ann\n    status: departed\n    since: 2026-10-01\n  - email: bob@example.com\n    status: active\n  - name: no email\n",
        );
        assert_eq!(problem, None);
        assert_eq!(people.len(), 1);
        assert_eq!(people[0].email, "ann@example.com");
        assert!(read_people("[").1.is_some());
    }

    #[test]
    fn deeply_nested_people_file_is_ignored_with_a_problem() {
        let (people, problem) = read_people(&format!("people: {}", "[".repeat(50_000)));
        assert!(people.is_empty());
        assert!(problem.is_some_and(|it| it.ends_with("levels deep; ignored")));
    }

    #[test]
    fn emails() {
        assert_eq!(email_of("Ann <Ann@Example.com>"), "ann@example.com");
        assert_eq!(email_of("ann@example.com"), "ann@example.com");
    }
}
