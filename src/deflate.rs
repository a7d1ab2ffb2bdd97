//! Text compressed in pieces that join into one gzip stream: raw deflate blocks ending on a byte boundary,
//! each with the CRC-32 and length of what it holds. The site keeps rendered page bodies this way, and the
//! web layer stores page views as such pieces around the body (shared with the site's cache, not copied) and
//! around the slot each response fills, joining them per response without compressing anything again.

use std::sync::{Mutex, PoisonError};

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

// Compressors kept for the next pieces, reset for each. A new one allocates and clears its tables (about
// 300 KB) for every piece: with malloc mapping blocks of 128 KiB and more afresh (a threshold tried before the
// 1 MiB of `main.rs`), cold views of the flat 10,000-page wiki, three pieces each, ran at 2,548 req/s instead
// of 3,642. Kept in one bounded list rather than one per thread: tokio's blocking pool grows to dozens of
// threads in a crawl of first views, and heaptrack found 15 MiB of their compressors alive 35 s after it.
static COMPRESSORS: Mutex<Vec<Compressor>> = Mutex::new(Vec::new());

// A compressor and the buffer it compresses into, kept together: a piece is copied out of the buffer into a
// block of exactly its size. Compressed into a block of its own and shrunk after, each kept piece left the
// rest of its block free beside it, for the next view's temporaries to fill (within noise on the flat
// 10,000-page wiki: 140–149 MiB resident after viewing every page, against 142–152).
struct Compressor {
    compress: Compress,
    buffer: Vec<u8>,
}

/// The most compressors (and decompressors) kept between pieces: a few per core.
const KEPT_COMPRESSORS: usize = 8;

/// The largest buffer a kept compressor keeps: what most pages compress to, with room.
const MAX_KEPT_BUFFER_BYTES: usize = 256 << 10;

// One from `kept`, or a new one.
fn take<T>(kept: &Mutex<Vec<T>>, new: impl FnOnce() -> T) -> T {
    kept.lock().unwrap_or_else(PoisonError::into_inner).pop().unwrap_or_else(new)
}

// Keeps `it` for the next piece, unless `kept` holds enough.
fn give_back<T>(kept: &Mutex<Vec<T>>, it: T) {
    let mut kept = kept.lock().unwrap_or_else(PoisonError::into_inner);
    if kept.len() < KEPT_COMPRESSORS {
        kept.push(it);
    }
}

// Decompressors kept for the next pieces, for the same reason: a new one allocates its state and a 32 KiB
// window, and every page view sent to a client that does not accept gzip inflates a few pieces.
static DECOMPRESSORS: Mutex<Vec<Decompress>> = Mutex::new(Vec::new());

/// A piece of a gzip body compressed on its own: raw deflate blocks ending on a byte boundary, with the CRC
/// and length of what they hold, so pieces compressed apart concatenate into one gzip stream.
#[derive(Debug, Clone)]
pub struct DeflatePiece {
    deflated: Box<[u8]>,
    /// The CRC-32 of what it holds (not a `crc32fast::Hasher`, which takes 16 bytes with the length again).
    crc: u32,
    len: usize,
    /// How many bytes of what comes before it in every stream it joins the piece may copy from (see
    /// [`DeflatePiece::middle_after`]).
    reach: u16,
}

/// A piece's compressed bytes and what they hold, borrowed from a [`DeflatePiece`] or from a block that keeps
/// several pieces one after another (a page view's own pieces): what joining pieces into one stream and
/// inflating them need.
#[derive(Debug, Clone, Copy)]
pub struct PieceRef<'a> {
    pub deflated: &'a [u8],
    /// The CRC-32 of what the piece holds.
    pub crc: u32,
    pub len: usize,
    /// See [`DeflatePiece::middle_after`].
    pub reach: u16,
}

/// The compression level of pieces: bodies and pages are compressed once and sent many times.
const LEVEL: u32 = 6;

/// The level of pieces compressed after what precedes them: with the dictionary as small as at `LEVEL` (the
/// pieces around the body of one view of the flat 10,000-page wiki: 1,656 bytes against 1,646; of the tldr-like
/// wiki 2,206 and 2,205), at half the time the dictionary adds (57 µs alone at level 6, 69 with the dictionary,
/// 63 at level 5).
const LEVEL_AFTER: u32 = 5;

/// The most of what precedes a piece that it refers back to. The pieces of a page view around its body
/// compressed with what comes before them as a dictionary were a quarter smaller (2,187 bytes against 1,631
/// per view of the flat 10,000-page wiki, 2,769 against 2,199 on the tldr-like one), and 8 KiB of it did as
/// well as deflate's whole window of 32 KiB.
pub const MAX_REACH: usize = 8 << 10;
const _: () = assert!(MAX_REACH <= u16::MAX as usize, "a piece's reach is kept in 16 bits");

impl DeflatePiece {
    /// Compresses a piece that more pieces follow (its blocks end with a sync flush, none is final).
    pub fn middle(data: &[u8]) -> DeflatePiece {
        DeflatePiece::compress(data, FlushCompress::Sync)
    }

    /// Compresses the last piece of a stream (its last block is final).
    pub fn last(data: &[u8]) -> DeflatePiece {
        DeflatePiece::compress(data, FlushCompress::Finish)
    }

    /// [`DeflatePiece::middle`] for a piece that `before` comes right before in every stream it joins: it may
    /// copy strings from the last [`MAX_REACH`] bytes of `before` instead of holding them again.
    pub fn middle_after(before: &[u8], data: &[u8]) -> DeflatePiece {
        DeflatePiece::compress_after(before, data, FlushCompress::Sync)
    }

    /// [`DeflatePiece::last`] for a piece that `before` comes right before (see [`DeflatePiece::middle_after`]).
    pub fn last_after(before: &[u8], data: &[u8]) -> DeflatePiece {
        DeflatePiece::compress_after(before, data, FlushCompress::Finish)
    }

    /// A piece of a few bytes that more pieces follow, stored as it is: no compressor is started for it.
    pub fn stored(data: &[u8]) -> DeflatePiece {
        let mut deflated = Vec::with_capacity(data.len() + 5 * (data.len() / 65_535 + 1));
        for chunk in data.chunks(65_535) {
            // A stored block that is not final: BFINAL 0, BTYPE 00, padded to the byte; then LEN and NLEN.
            let len = chunk.len() as u16;
            deflated.push(0);
            deflated.extend_from_slice(&len.to_le_bytes());
            deflated.extend_from_slice(&(!len).to_le_bytes());
            deflated.extend_from_slice(chunk);
        }
        DeflatePiece { deflated: deflated.into(), crc: crc32fast::hash(data), len: data.len(), reach: 0 }
    }

    fn compress(data: &[u8], flush: FlushCompress) -> DeflatePiece {
        DeflatePiece::compress_after(&[], data, flush)
    }

    fn compress_after(before: &[u8], data: &[u8], flush: FlushCompress) -> DeflatePiece {
        let mut compressor = take(&COMPRESSORS, || Compressor {
            compress: Compress::new(Compression::new(LEVEL), false),
            buffer: Vec::new(),
        });
        compressor.compress.reset();
        let dictionary = &before[before.len().saturating_sub(MAX_REACH)..];
        let level = if dictionary.is_empty() { LEVEL } else { LEVEL_AFTER };
        // A stream just reset takes a level, and (raw deflate) a dictionary; at worst it keeps the one it had.
        let _ = compressor.compress.set_level(Compression::new(level));
        let reach = if dictionary.is_empty() || compressor.compress.set_dictionary(dictionary).is_err() {
            0
        } else {
            dictionary.len()
        };
        let mut res = DeflatePiece::compress_with(&mut compressor, data, flush);
        res.reach = reach as u16;
        // A buffer grown for a big page is not kept.
        if compressor.buffer.capacity() <= MAX_KEPT_BUFFER_BYTES {
            give_back(&COMPRESSORS, compressor);
        }
        res
    }

    fn compress_with(compressor: &mut Compressor, data: &[u8], flush: FlushCompress) -> DeflatePiece {
        let Compressor { compress, buffer: deflated } = compressor;
        deflated.clear();
        deflated.reserve(data.len() / 3 + 64);
        loop {
            let consumed = compress.total_in() as usize;
            let status =
                compress.compress_vec(&data[consumed..], deflated, flush).expect("compressing memory cannot fail");
            let done = if flush == FlushCompress::Finish {
                status == Status::StreamEnd
            } else {
                // A flush is complete when it did not fill the output.
                compress.total_in() as usize == data.len() && deflated.len() < deflated.capacity()
            };
            if done {
                break;
            }
            deflated.reserve(deflated.capacity().max(64));
        }
        // Pieces are kept in caches, which weigh them by their length.
        DeflatePiece { deflated: deflated.as_slice().into(), crc: crc32fast::hash(data), len: data.len(), reach: 0 }
    }

    /// The data this piece holds, when it refers to nothing before it (`middle` or `last`). Pieces never leave
    /// memory, so their CRC is not checked again.
    pub fn inflate(&self) -> Vec<u8> {
        let mut res = Vec::with_capacity(self.len);
        self.inflate_into(&mut res);
        res
    }

    /// Appends the data this piece holds to `out` (see [`PieceRef::inflate_into`]).
    pub fn inflate_into(&self, out: &mut Vec<u8>) {
        self.as_piece_ref().inflate_into(out);
    }

    /// Its bytes and what they hold, borrowed.
    pub fn as_piece_ref(&self) -> PieceRef<'_> {
        PieceRef { deflated: &self.deflated, crc: self.crc, len: self.len, reach: self.reach }
    }

    /// The bytes this piece takes in memory.
    pub fn weight(&self) -> usize {
        self.deflated.len()
    }
}

impl PieceRef<'_> {
    /// Appends the data this piece holds to `out`, which ends with what came before the piece when it was
    /// compressed after something (`middle_after`, `last_after`).
    pub fn inflate_into(&self, out: &mut Vec<u8>) {
        let mut inflate = take(&DECOMPRESSORS, || Decompress::new(false));
        inflate.reset(false);
        let reach = usize::from(self.reach);
        debug_assert!(out.len() >= reach, "a piece is inflated after what it was compressed after");
        if reach > 0 {
            let taken = inflate.set_dictionary(&out[out.len().saturating_sub(reach)..]);
            debug_assert!(taken.is_ok(), "a raw inflater just reset takes a dictionary");
        }
        // Inflating writes into spare room only: room for exactly what the piece holds.
        out.reserve(self.len);
        let start = out.len();
        // The blocks of a piece made by `middle` end with a sync flush and none is final: inflating stops
        // where the input does.
        let status = inflate.decompress_vec(self.deflated, out, FlushDecompress::Sync);
        debug_assert!(
            matches!(status, Ok(Status::Ok | Status::StreamEnd | Status::BufError)) && out.len() - start == self.len,
            "a piece inflates to what it was made of"
        );
        give_back(&DECOMPRESSORS, inflate);
    }

    /// The CRC-32 and length of the data `pieces` hold, one after the other.
    pub fn crc_of_all(pieces: &[PieceRef<'_>]) -> (u32, usize) {
        let mut crc = crc32fast::Hasher::new();
        let mut len = 0usize;
        for piece in pieces {
            crc.combine(&crc32fast::Hasher::new_with_initial_len(piece.crc, piece.len as u64));
            len += piece.len;
        }
        (crc.finalize(), len)
    }
}

/// `data` as one gzip stream, at the level of pieces (for bodies sent many times), with no spare capacity:
/// caches weigh entries by their length.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    gzip_of_pieces(&[DeflatePiece::last(data).as_piece_ref()])
}

/// One gzip stream of pieces, the last made with [`DeflatePiece::last`], the others not.
pub fn gzip_of_pieces(pieces: &[PieceRef<'_>]) -> Vec<u8> {
    gzip_of_pieces_with(pieces, PieceRef::crc_of_all(pieces))
}

/// [`gzip_of_pieces`] when the CRC-32 and length of what they hold are known (`PieceRef::crc_of_all`):
/// joining is then copying bytes.
pub fn gzip_of_pieces_with(pieces: &[PieceRef<'_>], (crc, len): (u32, usize)) -> Vec<u8> {
    let size: usize = pieces.iter().map(|it| it.deflated.len()).sum();
    let mut res = Vec::with_capacity(10 + size + 8);
    // Magic, deflate, no flags, no time, no extra flags, unknown operating system.
    res.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
    for piece in pieces {
        res.extend_from_slice(piece.deflated);
    }
    res.extend_from_slice(&crc.to_le_bytes());
    // ISIZE is the length modulo 2^32.
    res.extend_from_slice(&(len as u32).to_le_bytes());
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_inflate_alone_to_what_they_hold() {
        let body = "<p>Deploys go out on Tuesdays.</p>\n".repeat(500);
        for piece in [DeflatePiece::middle(body.as_bytes()), DeflatePiece::last(body.as_bytes())] {
            assert_eq!(String::from_utf8(piece.inflate()).unwrap(), body);
        }
        assert_eq!(DeflatePiece::stored(b"Ann").inflate(), b"Ann");
        assert_eq!(DeflatePiece::middle(b"").inflate(), b"");
    }

    #[test]
    fn pieces_inflate_one_after_another_into_one_buffer() {
        let pieces = [DeflatePiece::middle(b"<main>"), DeflatePiece::stored(b"Ann"), DeflatePiece::last(b"</main>")];
        // Twice: the second time with the decompressors the first one kept.
        for _ in 0..2 {
            let mut out = b"<!doctype html>".to_vec();
            for piece in &pieces {
                piece.inflate_into(&mut out);
            }
            assert_eq!(out, b"<!doctype html><main>Ann</main>");
        }
    }

    #[test]
    fn pieces_compressed_after_what_precedes_them_are_smaller_and_read_back_both_ways() {
        let header = "<header><nav><ul><li><a href=\"/-/pages\">All pages</a></li></ul></nav></header>\n".repeat(3);
        let own =
            "<nav><ul><li><a href=\"/-/pages\">All pages</a></li><li><a href=\"/Deploys\">Deploys</a></li></ul></nav>";
        let footer = "<footer>Lore</footer>";
        let alone = DeflatePiece::middle(own.as_bytes());
        let after = DeflatePiece::middle_after(header.as_bytes(), own.as_bytes());
        assert!(after.weight() < alone.weight(), "{} against {}", after.weight(), alone.weight());
        let pieces = [
            DeflatePiece::middle(header.as_bytes()),
            after,
            DeflatePiece::last_after(own.as_bytes(), footer.as_bytes()),
        ];
        let whole = [header.as_str(), own, footer].concat();
        let stream = gzip_of_pieces(&pieces.iter().map(DeflatePiece::as_piece_ref).collect::<Vec<_>>());
        let mut joined = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&stream[..]), &mut joined).unwrap();
        assert_eq!(joined, whole, "one gzip stream");
        // Twice: the second time with the decompressors the first one kept, which held a dictionary.
        for _ in 0..2 {
            let mut out = Vec::new();
            for piece in &pieces {
                piece.inflate_into(&mut out);
            }
            assert_eq!(String::from_utf8(out).unwrap(), whole, "inflated piece by piece");
            assert_eq!(DeflatePiece::middle(own.as_bytes()).inflate(), own.as_bytes());
        }
    }

    #[test]
    fn a_piece_refers_back_at_most_max_reach_bytes() {
        // What the piece repeats lies only further back than MAX_REACH: it holds it again.
        let far = "x".repeat(MAX_REACH);
        let before = format!("{}{far}", "<p>Deploys go out on Tuesdays after the review.</p>");
        let piece =
            DeflatePiece::middle_after(before.as_bytes(), b"<p>Deploys go out on Tuesdays after the review.</p>");
        let mut out = far.into_bytes();
        piece.inflate_into(&mut out);
        assert!(out.ends_with(b"<p>Deploys go out on Tuesdays after the review.</p>"));
    }

    #[test]
    fn a_known_crc_joins_the_same_stream() {
        let pieces = [DeflatePiece::middle(b"<main>"), DeflatePiece::stored(b"Ann"), DeflatePiece::last(b"</main>")];
        let pieces: Vec<PieceRef<'_>> = pieces.iter().map(DeflatePiece::as_piece_ref).collect();
        let known = PieceRef::crc_of_all(&pieces);
        assert_eq!(known, (crc32fast::hash(b"<main>Ann</main>"), 16));
        assert_eq!(gzip_of_pieces_with(&pieces, known), gzip_of_pieces(&pieces));
    }
}
