//! Content encodings for bodies Lore compresses once and sends many times (cached pages, theme files): which
//! encoding a client accepts, gzip and brotli compression, and gzip bodies assembled from pieces compressed
//! apart, so a page can be stored compressed around a hole that each response fills.
//! Everything else is compressed on the way out by tower-http's compression layer (`web::mod`).

use std::io::Write;

use axum::http::{HeaderMap, HeaderValue, header};
use flate2::{Decompress, FlushDecompress, Status};

pub use crate::deflate::{DeflatePiece, MAX_REACH, PieceRef, gzip, gzip_of_pieces_with};

/// An encoding a body can be sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

impl Encoding {
    /// The `Content-Encoding` value, if any.
    pub fn header_value(self) -> Option<HeaderValue> {
        match self {
            Encoding::Brotli => Some(HeaderValue::from_static("br")),
            Encoding::Gzip => Some(HeaderValue::from_static("gzip")),
            Encoding::Identity => None,
        }
    }
}

/// What the client accepts (`Accept-Encoding`), by the encodings Lore offers: brotli, gzip, identity.
#[derive(Debug, Clone, Copy, Default)]
pub struct Accepted {
    pub brotli: bool,
    pub gzip: bool,
}

impl Accepted {
    /// Reads `Accept-Encoding`; an encoding with `q=0` is refused, one not named is not accepted.
    pub fn of(headers: &HeaderMap) -> Accepted {
        let mut res = Accepted::default();
        for value in headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|it| it.to_str().ok()) {
            for item in value.split(',') {
                let mut parts = item.split(';');
                let name = parts.next().unwrap_or_default().trim();
                let refused = parts.any(|param| {
                    let param = param.trim();
                    param.strip_prefix("q=").is_some_and(|q| q.trim().parse::<f32>().is_ok_and(|it| it <= 0.0))
                });
                // Compared as they are, not lowercased into a new string: every page view reads this.
                if name.eq_ignore_ascii_case("br") {
                    res.brotli = !refused;
                } else if name.eq_ignore_ascii_case("gzip") || name.eq_ignore_ascii_case("x-gzip") {
                    res.gzip = !refused;
                } else if name == "*" {
                    res.brotli |= !refused;
                    res.gzip |= !refused;
                }
            }
        }
        res
    }

    /// The best encoding for a body available as brotli (when `has_brotli`) and gzip.
    pub fn choose(self, has_brotli: bool) -> Encoding {
        if self.brotli && has_brotli {
            Encoding::Brotli
        } else if self.gzip {
            Encoding::Gzip
        } else {
            Encoding::Identity
        }
    }
}

/// Whether a body of this `Content-Type` shrinks when compressed: text, scripts, JSON, SVG and XML (images,
/// fonts and git's packs are compressed already).
pub fn is_compressible(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    essence.starts_with("text/")
        || matches!(essence, "application/javascript" | "application/json" | "image/svg+xml" | "application/xml")
        || essence.ends_with("+xml")
        || essence.ends_with("+json")
}

/// Compresses with brotli at `quality` (0 to 11): 4 for pages (5 sets up a megabyte of tables per call:
/// 50 times slower on a 14 KiB page), 9 for files compressed once.
pub fn brotli(data: &[u8], quality: u32) -> Vec<u8> {
    let mut res = Vec::with_capacity(data.len() / 4);
    // A window no larger than the data (at least 64 KiB, at most brotli's 4 MiB) keeps the encoder small.
    let lgwin = (usize::BITS - data.len().leading_zeros()).clamp(16, 22) as i32;
    let params = brotli::enc::BrotliEncoderParams { quality: quality as i32, lgwin, ..Default::default() };
    brotli::BrotliCompress(&mut &data[..], &mut res, &params).expect("compressing memory cannot fail");
    res
}

/// The data a gzip stream of Lore's own holds (for clients that accept no encoding). Inflating is most of
/// what such a view costs, so the deflate blocks are inflated at once into a buffer of the size the trailer
/// states; the CRC, which guards data in transit, is not checked on these streams that never left memory.
pub fn gunzip(data: &[u8]) -> Vec<u8> {
    inflate_own(data).unwrap_or_else(|| gunzip_any(data))
}

// A stream with the header Lore writes, inflated in one call into a buffer of its stated size; `None` for
// any other.
fn inflate_own(data: &[u8]) -> Option<Vec<u8>> {
    // The header `gzip` and `gzip_of_pieces` write: ten bytes, no optional fields (FLG 0).
    const HEADER: usize = 10;
    const TRAILER: usize = 8;
    if data.len() < HEADER + TRAILER || data[..3] != [0x1f, 0x8b, 8] || data[3] != 0 {
        return None;
    }
    let size = u32::from_le_bytes(data[data.len() - 4..].try_into().expect("four bytes")) as usize;
    let mut res = Vec::with_capacity(size);
    let mut inflate = Decompress::new(false);
    match inflate.decompress_vec(&data[HEADER..data.len() - TRAILER], &mut res, FlushDecompress::Finish) {
        Ok(Status::StreamEnd) if res.len() == size => Some(res),
        _ => None,
    }
}

// Any gzip stream, checked whole.
fn gunzip_any(data: &[u8]) -> Vec<u8> {
    let mut res = Vec::with_capacity(data.len() * 4);
    let mut decoder = flate2::write::GzDecoder::new(&mut res);
    decoder.write_all(data).and_then(|()| decoder.finish().map(|_| ())).expect("Lore's own gzip streams decode");
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deflate::gzip_of_pieces;
    use flate2::Compression;

    #[track_caller]
    fn check(pieces: &[&str]) {
        let mut built: Vec<DeflatePiece> = Vec::new();
        for (i, piece) in pieces.iter().enumerate() {
            built.push(match i {
                _ if i + 1 == pieces.len() => DeflatePiece::last(piece.as_bytes()),
                _ if i % 2 == 1 => DeflatePiece::stored(piece.as_bytes()),
                _ => DeflatePiece::middle(piece.as_bytes()),
            });
        }
        let stream = gzip_of_pieces(&built.iter().map(DeflatePiece::as_piece_ref).collect::<Vec<_>>());
        assert_eq!(String::from_utf8(gunzip(&stream)).unwrap(), pieces.concat());
        let quick = inflate_own(&stream).expect("a stream of pieces inflates in one call");
        assert_eq!(String::from_utf8(quick).unwrap(), pieces.concat());
        let mut reader = flate2::read::GzDecoder::new(&stream[..]);
        let mut text = String::new();
        std::io::Read::read_to_string(&mut reader, &mut text).unwrap();
        assert_eq!(text, pieces.concat(), "a reader that checks the CRC and length agrees");
    }

    #[test]
    fn pieces_make_one_gzip_stream() {
        check(&["<html><header>", "<li>Ann</li>", "</header><main>Hello</main></html>"]);
        check(&["", "", ""]);
        check(&["only one piece"]);
        check(&[&"long text ".repeat(20_000), &"x".repeat(70_000), &"tail ".repeat(10_000)]);
    }

    #[test]
    fn whole_gzip_inflates_in_one_call_and_other_streams_still_decode() {
        let page = "<p>Who is on call this week: Ann.</p>\n".repeat(3_000);
        let stream = gzip(page.as_bytes());
        assert_eq!(inflate_own(&stream).map(String::from_utf8), Some(Ok(page.clone())));
        assert_eq!(inflate_own(&gzip(b"")), Some(Vec::new()));
        // A stream with a file name in its header (FLG 8) is not one of Lore's: decoded the careful way.
        let mut named = flate2::GzBuilder::new().filename("page.html").write(Vec::new(), Compression::fast());
        named.write_all(page.as_bytes()).unwrap();
        let named = named.finish().unwrap();
        assert_eq!(inflate_own(&named), None);
        assert_eq!(String::from_utf8(gunzip(&named)).unwrap(), page);
    }

    #[test]
    fn accept_encoding_is_read_with_weights() {
        let accepted = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(value).unwrap());
            let it = Accepted::of(&headers);
            (it.brotli, it.gzip)
        };
        assert_eq!(accepted("gzip, deflate, br, zstd"), (true, true));
        assert_eq!(accepted("gzip;q=1.0, br;q=0"), (false, true));
        assert_eq!(accepted("identity"), (false, false));
        assert_eq!(accepted("*"), (true, true));
        assert_eq!(accepted("*, gzip;q=0"), (true, false));
    }
}
