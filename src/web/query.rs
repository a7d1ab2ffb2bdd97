//! Query strings: the one parser (`application/x-www-form-urlencoded`, as browsers send it: `+` is a space)
//! and the one encoder for values put into links.

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

/// Every `key=value` pair of a query string, decoded; a malformed string yields the pairs before the fault.
pub fn pairs(query: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query).unwrap_or_else(|_| {
        query
            .split('&')
            .filter_map(|it| serde_urlencoded::from_str::<Vec<(String, String)>>(it).ok())
            .flatten()
            .collect()
    })
}

/// The first value of `key` in a query string, decoded.
pub fn value(query: Option<&str>, key: &str) -> Option<String> {
    pairs(query?).into_iter().find(|(name, _)| name == key).map(|(_, value)| value)
}

/// Percent-encodes a URL fragment (`#how-we-deploy`): letters, digits and `-._~` stay as they are.
pub fn encode_fragment(text: &str) -> String {
    const KEEP: &percent_encoding::AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
    utf8_percent_encode(text, KEEP).to_string()
}

/// Percent-encodes a value for a query string or a cookie.
pub fn encode(text: &str) -> String {
    utf8_percent_encode(text, NON_ALPHANUMERIC).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plus_is_a_space_and_escapes_decode() {
        assert_eq!(value(Some("q=a+b%2Bc&x=1"), "q").as_deref(), Some("a b+c"));
        assert_eq!(value(Some("x=1"), "q"), None);
        assert_eq!(value(None, "q"), None);
    }

    #[test]
    fn a_bad_pair_leaves_the_good_ones() {
        assert_eq!(value(Some("a=%FF&rev=abc"), "rev").as_deref(), Some("abc"));
    }

    #[test]
    fn encoded_values_round_trip() {
        let text = "a b&c=d/é+";
        assert_eq!(value(Some(&format!("k={}", encode(text))), "k").as_deref(), Some(text));
    }
}
