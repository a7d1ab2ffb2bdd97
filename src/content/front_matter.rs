//! YAML front matter: the leading `---` block of a page, read leniently so a typo never hides a page.

use serde::{Serialize, Serializer};
use serde_yaml::Value;

/// Largest front matter block read, in bytes: a larger one is ignored with a warning.
pub const MAX_FRONT_MATTER_BYTES: usize = 64 * 1024;

/// Deepest nesting of `[` and `{` read: the YAML parser's time grows with the square of it (100,000 `[`
/// took 55 s), while real front matter nests a few levels.
pub const MAX_FLOW_DEPTH: usize = 32;

/// A page's front matter: the typed fields Lore uses, and every other key kept as it was.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub tags: Vec<String>,
    pub aliases: Vec<String>,
    pub owners: Vec<String>,
    /// The language the page is written in (`lang:`), as written; `content::language` reads it.
    pub lang: Option<String>,
    /// Pages that translate this one (`translations:`), as paths.
    pub translations: Vec<String>,
    /// Keys Lore does not interpret, kept for templates, the API and later features.
    pub extra: ExtraKeys,
}

/// The front matter keys Lore does not interpret, sorted by key: a page has a handful, so a sorted list
/// holds them in a tenth of a `BTreeMap`'s first node (about 1 KiB per page, 40 MiB on a wiki of 38,000
/// pages that each had one).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExtraKeys(Vec<(String, Value)>);

impl ExtraKeys {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.binary_search_by(|(it, _)| it.as_str().cmp(key)).ok().map(|at| &self.0[at].1)
    }

    /// Sets `key`, replacing the value it had.
    pub fn insert(&mut self, key: String, value: Value) {
        match self.0.binary_search_by(|(it, _)| it.as_str().cmp(&key)) {
            Ok(at) => self.0[at].1 = value,
            Err(at) => self.0.insert(at, (key, value)),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.0.iter().map(|(key, value)| (key, value))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a> IntoIterator for &'a ExtraKeys {
    type Item = (&'a String, &'a Value);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (String, Value)>, fn(&'a (String, Value)) -> Self::Item>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(key, value)| (key, value))
    }
}

// Serialised as the mapping it stands for.
impl Serialize for ExtraKeys {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

/// A problem found while reading front matter, with its 1-based line in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FrontMatterProblem {
    pub line: usize,
    pub message: String,
}

/// A Markdown file split into its front matter and its body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document<'a> {
    /// The YAML between the fences, if the file has a front matter block.
    pub yaml: Option<&'a str>,
    /// Everything after the closing fence.
    pub body: &'a str,
    /// How many lines precede `body` in the file.
    pub body_line: usize,
}

/// Splits off a leading `---` … `---` (or `...`) block. A file without a closing fence has no front matter.
pub fn split(text: &str) -> Document<'_> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let no_front_matter = Document { yaml: None, body: text, body_line: 0 };
    let Some(first_line_end) = text.find('\n') else { return no_front_matter };
    if text[..first_line_end].trim_end() != "---" {
        return no_front_matter;
    }
    let mut offset = first_line_end + 1;
    let mut line = 1;
    while offset <= text.len() {
        let end = text[offset..].find('\n').map_or(text.len(), |it| offset + it);
        line += 1;
        let current = text[offset..end].trim_end();
        if current == "---" || current == "..." {
            let body_start = (end + 1).min(text.len());
            return Document {
                yaml: Some(&text[first_line_end + 1..offset]),
                body: &text[body_start..],
                body_line: line,
            };
        }
        if end == text.len() {
            break;
        }
        offset = end + 1;
    }
    no_front_matter
}

/// Reads the typed fields out of front matter YAML. Never fails: problems are reported beside a best-effort result.
pub fn parse(yaml: &str) -> (FrontMatter, Vec<FrontMatterProblem>) {
    let mut problems = Vec::new();
    if yaml.trim().is_empty() {
        return (FrontMatter::default(), problems);
    }
    if let Some(message) = too_costly(yaml) {
        problems.push(FrontMatterProblem { line: 2, message });
        return (FrontMatter::default(), problems);
    }
    let mapping = match serde_yaml::from_str::<Value>(yaml) {
        Ok(Value::Mapping(mapping)) => mapping,
        Ok(Value::Null) => return (FrontMatter::default(), problems),
        Ok(_) => {
            problems.push(FrontMatterProblem {
                line: 2,
                message: "front matter must be a mapping of keys to values".into(),
            });
            return (FrontMatter::default(), problems);
        }
        Err(err) => {
            // The YAML starts on line 2 of the file, after the opening fence.
            let line = err.location().map_or(2, |it| it.line() + 1);
            let message = err.to_string();
            let message = message.split(" at line ").next().unwrap_or(&message).to_string();
            problems.push(FrontMatterProblem { line, message: format!("invalid YAML front matter: {message}") });
            return (FrontMatter::default(), problems);
        }
    };
    let mut res = FrontMatter::default();
    let mut extra = Vec::new();
    for (key, value) in mapping {
        let Some(key) = key.as_str().map(str::to_string) else {
            problems.push(FrontMatterProblem { line: 2, message: "front matter keys must be strings".into() });
            continue;
        };
        match key.as_str() {
            "title" => match scalar_text(&value) {
                Some(title) => res.title = Some(title),
                None => problems.push(field_problem(yaml, &key, "a text")),
            },
            "lang" => match scalar_text(&value) {
                Some(lang) if crate::content::language::Language::parse(&lang).is_some() => res.lang = Some(lang),
                _ => problems.push(field_problem(yaml, &key, "a language code such as `de` or `pt-BR`")),
            },
            "tags" | "aliases" | "owners" | "translations" => match text_list(&value) {
                Some(list) => match key.as_str() {
                    "tags" => res.tags = list,
                    "aliases" => res.aliases = list,
                    "translations" => res.translations = list,
                    _ => res.owners = list,
                },
                None => problems.push(field_problem(yaml, &key, "a list of texts")),
            },
            _ => extra.push((key, value)),
        }
    }
    // Sorted once; a key YAML repeats keeps its last value, as a map's insert would.
    extra.reverse();
    extra.sort_by(|a, b| a.0.cmp(&b.0));
    extra.dedup_by(|later, earlier| later.0 == earlier.0);
    extra.shrink_to_fit();
    res.extra = ExtraKeys(extra);
    (res, problems)
}

/// The page's text with `alias` added to its front matter `aliases` (creating the block or key as needed).
/// Fails when the existing front matter is not a valid YAML mapping: fixing it is the writer's call.
pub fn with_alias(text: &str, alias: &str) -> Result<String, String> {
    let (front_matter, _) = split(text).yaml.map(parse).unwrap_or_default();
    let mut aliases: Vec<Value> = front_matter.aliases.iter().map(|it| Value::String(it.clone())).collect();
    if !front_matter.aliases.iter().any(|it| it == alias) {
        aliases.push(Value::String(alias.to_string()));
    }
    set_fields(text, &[("aliases", Value::Sequence(aliases))])
}

/// The page's text with top-level front matter `fields` set, every other line kept as written (a field's
/// old lines, including their indented continuation, are replaced in place; new fields go last). The file's
/// line endings are kept. Fails when the existing front matter is not valid YAML.
pub fn set_fields(text: &str, fields: &[(&str, Value)]) -> Result<String, String> {
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut rendered = Vec::with_capacity(fields.len());
    for (key, value) in fields {
        rendered.push((*key, Some(render_block_field(key, value, newline)?)));
    }
    splice_fields(text, &rendered)
}

/// One front matter field of the editor (title, tags, owners): what it says now and what it said when the
/// editor opened. Only a field the person changed is written; the YAML as typed decides the rest.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldEdit<'a> {
    pub key: &'a str,
    pub value: FieldValue,
    pub was: FieldValue,
}

/// The value of an editor field.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    Text(String),
    List(Vec<String>),
}

impl FieldValue {
    /// A one-line text field, trimmed.
    pub fn text(raw: &str) -> FieldValue {
        FieldValue::Text(raw.trim().to_string())
    }

    /// A comma-separated list field: items trimmed, empty ones dropped.
    pub fn list(raw: &str) -> FieldValue {
        FieldValue::List(raw.split(',').map(str::trim).filter(|it| !it.is_empty()).map(str::to_string).collect())
    }

    fn is_empty(&self) -> bool {
        match self {
            FieldValue::Text(text) => text.is_empty(),
            FieldValue::List(items) => items.is_empty(),
        }
    }
}

/// A page's text from the editor's parts: the front matter YAML as typed (without its `---` fences), the
/// fields, and the body. A field the person changed replaces its key's lines in place (or is added at the
/// end, or removed when emptied); every other line of the YAML is kept as typed. No front matter block is
/// written when the YAML is blank and no field adds one, and a block that removing fields left blank goes.
/// Fails on YAML that a changed field cannot be written into, or that holds a fence line.
pub fn assemble(yaml: &str, fields: &[FieldEdit<'_>], body: &str) -> Result<String, String> {
    if yaml.lines().any(|it| matches!(it.trim_end(), "---" | "...")) {
        return Err("the front matter cannot hold a line of only `---` or `...`".into());
    }
    let yaml_is_blank = yaml.trim().is_empty();
    let text = if yaml_is_blank {
        body.to_string()
    } else {
        let newline = if yaml.ends_with('\n') { "" } else { "\n" };
        format!("---\n{yaml}{newline}---\n{body}")
    };
    let mut changes = Vec::new();
    for field in fields.iter().filter(|it| it.value != it.was) {
        let rendered = match &field.value {
            value if value.is_empty() => None,
            FieldValue::Text(text) => Some(render_block_field(field.key, &Value::String(text.clone()), "\n")?),
            FieldValue::List(items) => Some(render_flow_list(field.key, items)?),
        };
        changes.push((field.key, rendered));
    }
    if changes.is_empty() {
        return Ok(text);
    }
    let res = splice_fields(&text, &changes)?;
    // Emptying the last field leaves `---` `---`: no front matter at all reads the same and is what the page
    // had before someone gave it a title.
    let doc = split(&res);
    match doc.yaml {
        Some(yaml) if yaml.trim().is_empty() => Ok(doc.body.to_string()),
        _ => Ok(res),
    }
}

// The page's text with each field's lines replaced by its rendered lines (`None` removes the field). A new
// field goes at the end of the block, which is created when the page has none.
fn splice_fields(text: &str, fields: &[(&str, Option<String>)]) -> Result<String, String> {
    let doc = split(text);
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let Some(yaml) = doc.yaml else {
        let added: Vec<&String> = fields.iter().filter_map(|(_, lines)| lines.as_ref()).collect();
        if added.is_empty() {
            return Ok(text.to_string());
        }
        let mut block = format!("---{newline}");
        for lines in added {
            block.push_str(lines);
        }
        block.push_str(&format!("---{newline}"));
        return Ok(format!("{block}{}", text.strip_prefix('\u{feff}').unwrap_or(text)));
    };
    if let Some(message) = too_costly(yaml) {
        return Err(message);
    }
    match serde_yaml::from_str::<Value>(yaml) {
        Ok(Value::Mapping(_) | Value::Null) => {}
        Ok(_) => return Err("front matter is not a mapping of keys to values".into()),
        Err(err) => return Err(format!("invalid YAML front matter: {err}")),
    }
    let mut lines: Vec<String> = yaml.split_inclusive('\n').map(str::to_string).collect();
    for (key, rendered) in fields {
        let starts_field = |line: &str| line.starts_with(&format!("{key}:"));
        match (lines.iter().position(|it| starts_field(it)), rendered) {
            (Some(start), _) => {
                // The field runs on over indented lines and list items below it.
                let mut end = start + 1;
                while end < lines.len() && (lines[end].starts_with([' ', '\t', '-']) || lines[end].trim().is_empty()) {
                    end += 1;
                }
                lines.splice(start..end, rendered.iter().cloned());
            }
            (None, Some(rendered)) => {
                if lines.last().is_some_and(|it| !it.ends_with('\n')) {
                    lines.push(newline.to_string());
                }
                lines.push(rendered.clone());
            }
            (None, None) => {}
        }
    }
    let body_start = text.len() - doc.body.len();
    let yaml_start = text[..body_start].find(yaml).unwrap_or(4);
    let closing = &text[yaml_start + yaml.len()..body_start];
    Ok(format!("{}{}{closing}{}", &text[..yaml_start], lines.concat(), doc.body))
}

// `key: value` as serde_yaml writes it (lists in block style), one line per item.
fn render_block_field(key: &str, value: &Value, newline: &str) -> Result<String, String> {
    let mut mapping = serde_yaml::Mapping::new();
    mapping.insert(Value::String(key.to_string()), value.clone());
    let yaml = serde_yaml::to_string(&Value::Mapping(mapping)).map_err(|err| err.to_string())?;
    Ok(yaml.lines().map(|it| format!("{it}{newline}")).collect())
}

// `tags: [a, b]`, the way people write short lists in front matter: each item plain where YAML reads it back
// as the same text, double-quoted (JSON's escapes are YAML's) where not. Checked by reading it back.
fn render_flow_list(key: &str, items: &[String]) -> Result<String, String> {
    let rendered: Vec<String> = items
        .iter()
        .map(|item| {
            if is_plain_flow_scalar(item) {
                item.clone()
            } else {
                serde_json::to_string(item).expect("a string always serialises")
            }
        })
        .collect();
    let line = format!("{key}: [{}]\n", rendered.join(", "));
    let expected = Value::Sequence(items.iter().map(|it| Value::String(it.clone())).collect());
    let read_back = serde_yaml::from_str::<serde_yaml::Mapping>(&line).ok().and_then(|it| it.get(key).cloned());
    if read_back.as_ref() == Some(&expected) { Ok(line) } else { render_block_field(key, &expected, "\n") }
}

// Whether `text` can stand unquoted in a flow sequence and still read as this very text: words of letters,
// digits and a few marks, not a YAML number, boolean or null (YAML 1.1's `yes` and `off` included, which
// other tools still read as booleans).
fn is_plain_flow_scalar(text: &str) -> bool {
    let safe_chars =
        text.chars().all(|it| it.is_alphanumeric() || matches!(it, ' ' | '_' | '.' | '/' | '@' | '+' | '-'));
    let safe_ends = text.chars().next().is_some_and(char::is_alphanumeric)
        && text.chars().last().is_some_and(|it| !it.is_whitespace());
    safe_chars
        && safe_ends
        && !text.contains("  ")
        && !matches!(text.to_ascii_lowercase().as_str(), "y" | "n" | "yes" | "no" | "on" | "off")
        && serde_yaml::from_str::<Value>(text).is_ok_and(|it| it == Value::String(text.to_string()))
}

/// The page's text with its front matter changed by `change` (the block is created when missing; the
/// body is kept byte for byte). Fails when the existing front matter is not a valid YAML mapping.
pub fn update(text: &str, change: impl FnOnce(&mut serde_yaml::Mapping)) -> Result<String, String> {
    let doc = split(text);
    if let Some(message) = doc.yaml.and_then(too_costly) {
        return Err(message);
    }
    let mut mapping = match doc.yaml.map(serde_yaml::from_str::<Value>) {
        None | Some(Ok(Value::Null)) => serde_yaml::Mapping::new(),
        Some(Ok(Value::Mapping(mapping))) => mapping,
        Some(Ok(_)) => return Err("front matter is not a mapping of keys to values".into()),
        Some(Err(err)) => return Err(format!("invalid YAML front matter: {err}")),
    };
    change(&mut mapping);
    let yaml = serde_yaml::to_string(&Value::Mapping(mapping)).map_err(|err| err.to_string())?;
    Ok(format!("---\n{yaml}---\n{}", doc.body))
}

/// Why `yaml` is not worth parsing (too large, or nested too deeply), or `None` when it is. Cheap: one pass.
pub fn too_costly(yaml: &str) -> Option<String> {
    if yaml.len() > MAX_FRONT_MATTER_BYTES {
        return Some(format!("front matter is larger than {} KB; ignored", MAX_FRONT_MATTER_BYTES / 1024));
    }
    (flow_depth(yaml) > MAX_FLOW_DEPTH)
        .then(|| format!("front matter is nested more than {MAX_FLOW_DEPTH} levels deep; ignored"))
}

/// An upper bound of how deeply `[` and `{` nest in `yaml`. Every opening bracket counts, even in a quoted
/// text or a comment; a closing one counts only where it surely is not in one. A quote that YAML reads as an
/// apostrophe (`rock 'n roll`) makes the bound larger, never smaller, so no YAML nests deeper than it says.
pub fn flow_depth(yaml: &str) -> usize {
    #[derive(PartialEq)]
    enum In {
        Plain,
        Double,
        Single,
        Comment,
    }
    let mut state = In::Plain;
    let (mut depth, mut res) = (0usize, 0usize);
    let mut previous = b'\n';
    let mut escaped = false;
    for &byte in yaml.as_bytes() {
        if byte == b'[' || byte == b'{' {
            depth += 1;
            res = res.max(depth);
        }
        match state {
            In::Plain => match byte {
                b']' | b'}' => depth = depth.saturating_sub(1),
                b'#' if previous.is_ascii_whitespace() => state = In::Comment,
                // A quoted text starts a value, never a word: YAML reads `it's` as plain text.
                b'"' if !previous.is_ascii_alphanumeric() => state = In::Double,
                b'\'' if !previous.is_ascii_alphanumeric() => state = In::Single,
                _ => {}
            },
            In::Double if escaped => escaped = false,
            In::Double if byte == b'\\' => escaped = true,
            In::Double | In::Single if byte == if state == In::Double { b'"' } else { b'\'' } => state = In::Plain,
            In::Comment if byte == b'\n' => state = In::Plain,
            In::Double | In::Single | In::Comment => {}
        }
        previous = byte;
    }
    res
}

fn field_problem(yaml: &str, key: &str, expected: &str) -> FrontMatterProblem {
    let prefix = format!("{key}:");
    let line = yaml.lines().position(|it| it.starts_with(&prefix)).map_or(2, |it| it + 2);
    FrontMatterProblem { line, message: format!("front matter field `{key}` should be {expected}") }
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        Value::Null => Some(String::new()),
        _ => None,
    }
}

// Writers type both `tags: [a, b]` and `tags: a, b`; accept either.
fn text_list(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::Sequence(items) => items
            .iter()
            .map(scalar_text)
            .collect::<Option<Vec<_>>>()
            .map(|list| list.into_iter().map(|it| it.trim().to_string()).filter(|it| !it.is_empty()).collect()),
        Value::String(text) => {
            Some(text.split(',').map(|it| it.trim().to_string()).filter(|it| !it.is_empty()).collect())
        }
        Value::Null => Some(Vec::new()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_from_body() {
        let doc = split("---\ntitle: Hi\n---\n# Body\n");
        assert_eq!(doc.yaml, Some("title: Hi\n"));
        assert_eq!(doc.body, "# Body\n");
        assert_eq!(doc.body_line, 3);
    }

    #[test]
    fn unclosed_fence_is_body() {
        let doc = split("---\ntitle: Hi\n# Body\n");
        assert_eq!(doc.yaml, None);
        assert_eq!(doc.body, "---\ntitle: Hi\n# Body\n");
    }

    #[test]
    fn no_front_matter() {
        assert_eq!(split("# Hi\n").yaml, None);
        assert_eq!(split("").body, "");
    }

    #[test]
    fn reads_typed_fields_and_keeps_unknown_keys() {
        let (fm, problems) =
            parse("title: Setup\ntags: [a, b]\naliases: old-setup\nowners:\n  - ann\nreview_every: 90d\n");
        assert!(problems.is_empty());
        assert_eq!(fm.title.as_deref(), Some("Setup"));
        assert_eq!(fm.tags, ["a", "b"]);
        assert_eq!(fm.aliases, ["old-setup"]);
        assert_eq!(fm.owners, ["ann"]);
        assert_eq!(fm.extra.get("review_every"), Some(&Value::String("90d".into())));
    }

    #[test]
    fn reads_language_and_translations() {
        let (fm, problems) = parse("lang: pt_BR\ntranslations: [de/handbuch.md, zh/手册]\n");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(fm.lang.as_deref(), Some("pt_BR"));
        assert_eq!(fm.translations, ["de/handbuch.md", "zh/手册"]);
        let (fm, problems) = parse("lang: not a language\n");
        assert_eq!(fm.lang, None);
        assert!(problems[0].message.contains("`lang`"), "{problems:?}");
    }

    #[test]
    fn reports_invalid_yaml_with_its_line() {
        let (fm, problems) = parse("title: ok\ntags: [unclosed\n");
        assert_eq!(fm, FrontMatter::default());
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.starts_with("invalid YAML front matter"), "{problems:?}");
        assert!(problems[0].line >= 3, "{problems:?}");
    }

    #[test]
    fn adds_aliases() {
        assert_eq!(with_alias("# Hi\n", "old/name").unwrap(), "---\naliases:\n- old/name\n---\n# Hi\n");
        let moved_twice = with_alias("---\ntitle: T\naliases: [a]\ntags: [x, y]\n---\nbody", "b").unwrap();
        assert_eq!(moved_twice, "---\ntitle: T\naliases:\n- a\n- b\ntags: [x, y]\n---\nbody");
        assert!(with_alias("---\ntitle: [\n---\n", "x").is_err());
    }

    #[test]
    fn set_fields_keeps_other_lines_and_line_endings() {
        let text = "---\r\ntitle: T\r\ntags: [a, b]\r\nverified:\r\n  date: 2020-01-01\r\n---\r\nbody\r\n";
        let mut by = serde_yaml::Mapping::new();
        by.insert("date".into(), "2026-11-26".into());
        let res =
            set_fields(text, &[("verified", Value::Mapping(by)), ("owners", Value::Sequence(vec!["ann".into()]))])
                .unwrap();
        assert_eq!(
            res,
            "---\r\ntitle: T\r\ntags: [a, b]\r\nverified:\r\n  date: 2026-11-26\r\nowners:\r\n- ann\r\n---\r\nbody\r\n"
        );
    }

    fn title(value: &str, was: &str) -> FieldEdit<'static> {
        FieldEdit { key: "title", value: FieldValue::text(value), was: FieldValue::text(was) }
    }

    fn list(key: &'static str, value: &str, was: &str) -> FieldEdit<'static> {
        FieldEdit { key, value: FieldValue::list(value), was: FieldValue::list(was) }
    }

    #[track_caller]
    fn check_assemble(yaml: &str, fields: &[FieldEdit<'_>], body: &str, expected: &str) {
        let res = assemble(yaml, fields, body).unwrap();
        assert_eq!(res, expected);
        // What was written reads back as the fields say.
        let (front_matter, problems) = split(&res).yaml.map(parse).unwrap_or_default();
        assert!(problems.is_empty(), "{problems:?}");
        for field in fields {
            let read = match (&field.value, field.key) {
                (FieldValue::Text(_), _) => FieldValue::Text(front_matter.title.clone().unwrap_or_default()),
                (FieldValue::List(_), "tags") => FieldValue::List(front_matter.tags.clone()),
                (FieldValue::List(_), _) => FieldValue::List(front_matter.owners.clone()),
            };
            if field.value != field.was {
                assert_eq!(read, field.value, "{res}");
            }
        }
    }

    #[test]
    fn unchanged_fields_keep_the_text_byte_for_byte() {
        let yaml = "title: Setup\ntags: [a, b]\nreview_every: 90d # twice a year\n";
        let fields = [title("Setup", "Setup"), list("tags", "a, b", "a,b"), list("owners", "", "")];
        check_assemble(yaml, &fields, "# Body\n", &format!("---\n{yaml}---\n# Body\n"));
    }

    #[test]
    fn a_page_without_front_matter_stays_without() {
        let fields = [title("", ""), list("tags", "", ""), list("owners", " , ", "")];
        check_assemble("", &fields, "# Rota\n", "# Rota\n");
        check_assemble("  \n", &fields, "# Rota\n", "# Rota\n");
    }

    #[test]
    fn changed_fields_replace_their_lines_in_place_and_keep_unknown_keys() {
        let yaml = "title: Old\nowners:\n  - ann\nreview_every: 90d\nverified:\n  date: 2020-01-01\n";
        let fields =
            [title("How we deploy: a guide", "Old"), list("tags", "ops, how-to", ""), list("owners", "", "ann")];
        check_assemble(
            yaml,
            &fields,
            "Body\n",
            "---\ntitle: 'How we deploy: a guide'\nreview_every: 90d\nverified:\n  date: 2020-01-01\ntags: [ops, how-to]\n---\nBody\n",
        );
    }

    #[test]
    fn a_title_on_a_bare_page_creates_the_block() {
        check_assemble("", &[title("Team rota", "")], "Body\n", "---\ntitle: Team rota\n---\nBody\n");
    }

    #[test]
    fn emptying_the_last_field_removes_the_block() {
        check_assemble("title: T\n", &[title("", "T")], "Body\n", "Body\n");
        // A block that still holds something stays.
        check_assemble("title: T\n# kept\n", &[title("", "T")], "Body\n", "---\n# kept\n---\nBody\n");
    }

    #[test]
    fn list_items_yaml_would_misread_are_quoted() {
        check_assemble(
            "",
            &[list("tags", "yes, 1.5, null, a: b, [x], it's, #hash, @team, ünïcode", "")],
            "",
            "---\ntags: [\"yes\", \"1.5\", \"null\", \"a: b\", \"[x]\", \"it's\", \"#hash\", \"@team\", ünïcode]\n---\n",
        );
        check_assemble("", &[title("true", "")], "", "---\ntitle: 'true'\n---\n");
        check_assemble(
            "",
            &[title("line\u{2028}break \"quoted\"", "")],
            "",
            &assemble("", &[title("line\u{2028}break \"quoted\"", "")], "").unwrap(),
        );
    }

    #[test]
    fn a_template_keeps_its_keys_and_gets_the_title() {
        let yaml = "title: \"\"\ntags: []\nowners: []\nreview_every: 180d\n";
        let fields = [title("Billing runbook", ""), list("tags", "", ""), list("owners", "", "")];
        check_assemble(
            yaml,
            &fields,
            "\n## Steps\n",
            "---\ntitle: Billing runbook\ntags: []\nowners: []\nreview_every: 180d\n---\n\n## Steps\n",
        );
    }

    #[test]
    fn bad_front_matter_is_refused_only_when_a_field_must_go_into_it() {
        assert_eq!(assemble("title: [\n", &[title("", "")], "x").unwrap(), "---\ntitle: [\n---\nx");
        assert!(assemble("title: [\n", &[title("New", "")], "x").unwrap_err().contains("invalid YAML"));
        assert!(assemble("a: 1\n---\nb: 2\n", &[], "x").unwrap_err().contains("`---`"));
        assert!(assemble("- a\n- b\n", &[title("New", "")], "x").unwrap_err().contains("mapping"));
    }

    #[test]
    fn deeply_nested_front_matter_is_ignored_with_a_warning() {
        // 100,000 `[` kept the YAML parser busy for 55 s on an API PUT (that many are over the size limit too).
        assert!(parse(&format!("x: {}\n", "[".repeat(100_000))).1[0].message.ends_with("; ignored"));
        let yaml = format!("title: Deep\nx: {}\n", "[".repeat(60_000));
        let (fm, problems) = parse(&yaml);
        assert_eq!(fm, FrontMatter::default());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].line, 2);
        assert!(problems[0].message.contains("nested more than 32 levels deep; ignored"), "{problems:?}");
        assert!(set_fields(&format!("---\n{yaml}---\nbody"), &[("owners", Value::Null)]).is_err());
        assert!(update(&format!("---\n{yaml}---\nbody"), |_| {}).is_err());
    }

    #[test]
    fn front_matter_over_64_kb_is_ignored_with_a_warning() {
        let yaml = format!("title: Big\nnotes: {}\n", "x".repeat(MAX_FRONT_MATTER_BYTES));
        let (fm, problems) = parse(&yaml);
        assert_eq!(fm.title, None);
        assert!(problems[0].message.contains("larger than 64 KB; ignored"), "{problems:?}");
    }

    #[track_caller]
    fn check_depth(yaml: &str, expected: usize) {
        assert_eq!(flow_depth(yaml), expected, "{yaml}");
    }

    #[test]
    fn flow_depth_is_never_less_than_the_real_depth() {
        check_depth("tags: [a, b]\naliases: [c, [d]]\nx: {a: {b: 1}}\n", 2);
        check_depth("title: it's [fine]\ntags: [a]\n", 1);
        // Closing brackets in quotes and comments close nothing.
        check_depth("x: [ \"]\" [ '] ]' [ # ]]\n", 3);
        check_depth("x: [ \"\\\" ]\" [\n", 2);
        // An apostrophe read as a quote only makes the bound larger.
        check_depth("title: rock 'n roll\ntags: [a]\ntags2: [b]\n", 2);
    }

    #[test]
    fn wrong_type_keeps_the_rest() {
        let (fm, problems) = parse("title: [1, 2]\ntags: [x]\n");
        assert_eq!(fm.title, None);
        assert_eq!(fm.tags, ["x"]);
        assert_eq!(problems[0].line, 2);
        assert!(problems[0].message.contains("`title`"));
    }
}
