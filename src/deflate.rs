//! Text compressed in pieces that join into one gzip stream: raw deflate blocks ending on a byte boundary,
//! each with the CRC-32 and length of what it holds. The site keeps rendered page bodies this way, and the
//! web layer stores page views as such pieces around the body (shared with the site's cache, not copied) and
//! around the slot each response fills, joining them per response without compressing anything again.

use std::sync::{Mutex, PoisonError};

use flate2::{Decompress, FlushDecompress, Status};
use zlib_rs::{Deflate, DeflateConfig, DeflateFlush, Strategy};

/// What a piece is for, which sets how it is compressed: the Huffman codes of its blocks and the level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A whole stream (`last`: pages and files kept whole as gzip, sent as they are): codes made for what
    /// its blocks hold, as deflate chooses by default, at [`LEVEL`]. The smallest pieces, but inflating such a
    /// block builds its decoding tables first.
    Whole,
    /// A piece that more pieces follow (`middle`): a page's body, shared by its views and inflated again for
    /// every view sent to a client that does not accept gzip. Deflate's fixed codes, whose decoding tables are
    /// built in, at [`LEVEL_FIXED`]. The bodies of the nested 10,000-page wiki (5.4 KB of HTML on average)
    /// inflated in 6.8 µs each instead of 9.0 in a loop of their own, and warm plain views of that wiki ran
    /// 11 % faster (six rounds in turns, medians 25,800 and 28,600 req/s). They are 22 % larger (1,851 bytes
    /// against 1,515 on average) and take 76 µs to compress instead of 50, once per body.
    Middle,
    /// A piece compressed after what precedes it (`middle_after`, `last_after`): a view's own stretches,
    /// inflated again for every view sent to a client that does not accept gzip, three or four pieces a view.
    /// Fixed codes as well, at [`LEVEL_AFTER`]. Building decoding tables took a tenth of the server's time in
    /// warm plain views of the nested wiki (`perf`), two thirds of it for these pieces; with fixed codes they
    /// are about a tenth larger.
    After,
}

const KINDS: usize = 3;

// Compressors kept for the next pieces, reset for each, one list for each kind of piece (a compressor keeps
// the codes and level it was made with). A new one allocates and clears its tables (about 300 KB) for every piece: with
// malloc mapping blocks of 128 KiB and more afresh (a threshold tried before the 1 MiB of `main.rs`), cold
// views of the flat 10,000-page wiki, three pieces each, ran at 2,548 req/s instead of 3,642. Kept in bounded
// lists rather than one per thread: tokio's blocking pool grows to dozens of threads in a crawl of first
// views, and heaptrack found 15 MiB of their compressors alive 35 s after it.
static COMPRESSORS: [Mutex<Vec<Compressor>>; KINDS] = [const { Mutex::new(Vec::new()) }; KINDS];

// A compressor and the buffer it compresses into, kept together: a piece is copied out of the buffer into a
// block of exactly its size. Compressed into a block of its own and shrunk after, each kept piece left the
// rest of its block free beside it, for the next view's temporaries to fill (within noise on the flat
// 10,000-page wiki: 140–149 MiB resident after viewing every page, against 142–152). The buffer is kept at
// its full length, so that compressing into it never clears it first.
struct Compressor {
    compress: Deflate,
    buffer: Vec<u8>,
}

impl Compressor {
    fn new(kind: Kind) -> Compressor {
        let (level, strategy) = match kind {
            Kind::Whole => (LEVEL, Strategy::Default),
            Kind::Middle => (LEVEL_FIXED, Strategy::Fixed),
            Kind::After => (LEVEL_AFTER, Strategy::Fixed),
        };
        // Negative window bits: raw deflate, without zlib's header and trailer.
        let config = DeflateConfig { level, window_bits: -15, strategy, ..DeflateConfig::default() };
        Compressor { compress: Deflate::new_with_config(config), buffer: Vec::new() }
    }
}

/// The most compressors of each kind (and decompressors) kept between pieces: a few per core.
const KEPT_COMPRESSORS: usize = 4;

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

/// The compression level of whole streams: pages and files are compressed once and sent many times.
const LEVEL: i32 = 6;

/// The level of pieces that more pieces follow, with fixed codes: bodies 4 % smaller than at level 6 (1,851
/// bytes against 1,920 on the nested 10,000-page wiki), inflated as fast.
const LEVEL_FIXED: i32 = 9;

/// The level of pieces compressed after what precedes them: with the dictionary as small as at `LEVEL` (the
/// pieces around the body of one view of the flat 10,000-page wiki: 1,656 bytes against 1,646; of the tldr-like
/// wiki 2,206 and 2,205), at half the time the dictionary adds (57 µs alone at level 6, 69 with the dictionary,
/// 63 at level 5).
const LEVEL_AFTER: i32 = 5;

/// The most of what precedes a piece that it refers back to. The pieces of a page view around its body
/// compressed with what comes before them as a dictionary were a quarter smaller (2,187 bytes against 1,631
/// per view of the flat 10,000-page wiki, 2,769 against 2,199 on the tldr-like one), and 8 KiB of it did as
/// well as deflate's whole window of 32 KiB.
pub const MAX_REACH: usize = 8 << 10;
const _: () = assert!(MAX_REACH <= u16::MAX as usize, "a piece's reach is kept in 16 bits");

impl DeflatePiece {
    /// Compresses a piece that more pieces follow (its blocks end with a sync flush, none is final), in
    /// deflate's fixed codes (see `Kind::Middle`).
    pub fn middle(data: &[u8]) -> DeflatePiece {
        DeflatePiece::compress_with(Kind::Middle, &[], data, DeflateFlush::SyncFlush)
    }

    /// Compresses the last piece of a stream (its last block is final).
    pub fn last(data: &[u8]) -> DeflatePiece {
        DeflatePiece::compress_with(Kind::Whole, &[], data, DeflateFlush::Finish)
    }

    /// [`DeflatePiece::middle`] for a piece that `before` comes right before in every stream it joins: it may
    /// copy strings from the last [`MAX_REACH`] bytes of `before` instead of holding them again. Such pieces
    /// are a view's own stretches, inflated again for every client that does not accept gzip: their blocks use
    /// deflate's fixed codes (see `Kind::After`).
    pub fn middle_after(before: &[u8], data: &[u8]) -> DeflatePiece {
        DeflatePiece::compress_after(before, data, DeflateFlush::SyncFlush)
    }

    /// [`DeflatePiece::last`] for a piece that `before` comes right before (see [`DeflatePiece::middle_after`]).
    pub fn last_after(before: &[u8], data: &[u8]) -> DeflatePiece {
        DeflatePiece::compress_after(before, data, DeflateFlush::Finish)
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

    fn compress_after(before: &[u8], data: &[u8], flush: DeflateFlush) -> DeflatePiece {
        DeflatePiece::compress_with(Kind::After, &before[before.len().saturating_sub(MAX_REACH)..], data, flush)
    }

    fn compress_with(kind: Kind, dictionary: &[u8], data: &[u8], flush: DeflateFlush) -> DeflatePiece {
        let kept = &COMPRESSORS[kind as usize];
        let mut compressor = take(kept, || Compressor::new(kind));
        compressor.compress.reset();
        // A raw stream just reset takes a dictionary; at worst the piece refers to nothing before it.
        let reach = if dictionary.is_empty() || compressor.compress.set_dictionary(dictionary).is_err() {
            0
        } else {
            dictionary.len()
        };
        let Compressor { compress, buffer } = &mut compressor;
        loop {
            // The counts start from the reset, and leave the dictionary out.
            let (consumed, written) = (compress.total_in() as usize, compress.total_out() as usize);
            if buffer.len() - written < 64 {
                buffer.resize((2 * buffer.len()).max(data.len() / 3 + 64), 0);
            }
            let status = compress
                .compress(&data[consumed..], &mut buffer[written..], flush)
                .expect("compressing memory cannot fail");
            let done = if flush == DeflateFlush::Finish {
                status == zlib_rs::Status::StreamEnd
            } else {
                // A flush is complete when it did not fill the output.
                compress.total_in() as usize == data.len() && (compress.total_out() as usize) < buffer.len()
            };
            if done {
                break;
            }
        }
        // Pieces are kept in caches, which weigh them by their length.
        let deflated = buffer[..compress.total_out() as usize].into();
        let res = DeflatePiece { deflated, crc: crc32fast::hash(data), len: data.len(), reach: reach as u16 };
        // A buffer grown for a big page is not kept.
        if compressor.buffer.len() <= MAX_KEPT_BUFFER_BYTES {
            give_back(kept, compressor);
        }
        res
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
    fn pieces_inflated_for_every_view_use_fixed_codes_and_whole_streams_their_own() {
        // A block's type is in bits 1 and 2 of its first byte: 01 fixed codes, 10 codes of its own.
        let block_type = |piece: &DeflatePiece| (piece.deflated[0] >> 1) & 3;
        let html: String =
            (0..200).map(|i| format!("<li><a href=\"/Deploy-{i}\">Deploy {}</a></li>\n", i * 7)).collect();
        assert_eq!(block_type(&DeflatePiece::middle_after(b"<ul>", html.as_bytes())), 1);
        assert_eq!(block_type(&DeflatePiece::last_after(b"<ul>", html.as_bytes())), 1);
        assert_eq!(block_type(&DeflatePiece::middle(html.as_bytes())), 1);
        assert_eq!(block_type(&DeflatePiece::last(html.as_bytes())), 2);
    }

    #[test]
    fn pieces_larger_than_what_they_hold_read_back() {
        // Bytes that do not compress grow with fixed codes: the compressor's buffer grows past its first size.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let noise: Vec<u8> = (0..300_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        let piece = DeflatePiece::last_after(b"<pre>", &noise);
        assert!(piece.weight() > noise.len());
        let mut out = b"<pre>".to_vec();
        piece.inflate_into(&mut out);
        assert_eq!(&out[5..], noise);
        assert_eq!(DeflatePiece::middle(&noise).inflate(), noise);
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
