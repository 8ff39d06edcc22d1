//! Kept pages sent gzip-compressed without being compressed per response.
//!
//! Hand-written around flate2's compressor, rather than tower-http's
//! compression layer (which compresses every other response): a browser
//! asks for compressed pages, and the layer would compress each kept page
//! anew for every response. Measured ad hoc when this was written, `/`
//! with a browser's `Accept-Encoding` through the layer gave 8,517 req/s
//! against 26,354 for the same page uncompressed. A kept page differs from
//! one response to the next only in its holes (the count, the nonce), so
//! each piece of text between them is compressed once, as DEFLATE blocks
//! of its own: a fresh compressor per piece, flushed so that it ends on a
//! byte boundary and without the final-block mark, and with no reference
//! back into another piece. Between those, a response puts its holes'
//! bytes as stored (uncompressed) blocks; then the final block and the
//! gzip trailer (a CRC-32 of the whole page, and its length).

use std::io::Write;

use flate2::{write::DeflateEncoder, Compression, Crc};

/// The gzip header: DEFLATE, no name or time, unknown system.
const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];

/// An empty stored block marked final: the end of the DEFLATE stream.
const FINAL_BLOCK: [u8; 5] = [0x01, 0x00, 0x00, 0xff, 0xff];

/// `text` as DEFLATE blocks that leave the stream open and byte-aligned: a
/// sync flush of a compressor of its own, never finished.
pub(super) fn deflate(text: &[u8]) -> Vec<u8> {
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::best());
    // Writing to memory does not fail.
    let _ = encoder.write_all(text);
    let _ = encoder.flush();
    encoder.get_ref().clone()
}

/// A gzip member being written: the header first, then pieces.
pub(super) struct Member {
    out: Vec<u8>,
    crc: Crc,
}

impl Member {
    pub(super) fn new(capacity: usize) -> Self {
        let mut out = Vec::with_capacity(capacity + HEADER.len() + FINAL_BLOCK.len() + 8);
        out.extend_from_slice(&HEADER);
        Self {
            out,
            crc: Crc::new(),
        }
    }

    /// A piece compressed by [`deflate`], whose text was `text`.
    pub(super) fn deflated(&mut self, blocks: &[u8], text: &[u8]) {
        self.out.extend_from_slice(blocks);
        self.crc.update(text);
    }

    /// Bytes as they are, in stored blocks (at most 65,535 bytes each).
    pub(super) fn stored(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(usize::from(u16::MAX)) {
            // Fits: chunks are at most u16::MAX long.
            let length = chunk.len() as u16;
            self.out.push(0x00);
            self.out.extend_from_slice(&length.to_le_bytes());
            self.out.extend_from_slice(&(!length).to_le_bytes());
            self.out.extend_from_slice(chunk);
        }
        self.crc.update(bytes);
    }

    pub(super) fn finish(mut self) -> Vec<u8> {
        self.out.extend_from_slice(&FINAL_BLOCK);
        self.out.extend_from_slice(&self.crc.sum().to_le_bytes());
        // The length modulo 2^32, as gzip wants it.
        self.out.extend_from_slice(&self.crc.amount().to_le_bytes());
        self.out
    }
}

/// Whether an `Accept-Encoding` value takes gzip: named (or `*`) without
/// `q=0`.
pub(super) fn accepted(accept_encoding: &str) -> bool {
    accept_encoding.split(',').any(|coding| {
        let mut parts = coding.split(';').map(str::trim);
        let name = parts.next().unwrap_or_default();
        let refused = parts.any(|param| {
            param
                .strip_prefix("q=")
                .and_then(|q| q.parse::<f32>().ok())
                .is_some_and(|q| q == 0.0)
        });
        (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
    })
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn gunzip(bytes: &[u8]) -> Vec<u8> {
        let mut text = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut text)
            .expect("valid gzip");
        text
    }

    #[test]
    fn pieces_compressed_apart_with_bytes_between_make_one_valid_stream() {
        let first = "<p>the same words again and again, ".repeat(50);
        let second = " and again the same words again</p>".repeat(50);
        let (a, b) = (deflate(first.as_bytes()), deflate(second.as_bytes()));
        assert!(a.len() < first.len() / 5, "compressed: {}", a.len());
        for hole in ["", "42", "the same words", &"x".repeat(70_000)] {
            let mut member = Member::new(0);
            member.deflated(&a, first.as_bytes());
            member.stored(hole.as_bytes());
            member.deflated(&b, second.as_bytes());
            member.stored(hole.as_bytes());
            let expected = format!("{first}{hole}{second}{hole}");
            assert_eq!(gunzip(&member.finish()), expected.as_bytes());
        }
        assert_eq!(gunzip(&Member::new(0).finish()), b"");
        assert!(deflate(b"").len() < 8);
    }

    #[test]
    fn gzip_is_taken_unless_refused() {
        assert!(accepted("gzip, deflate, br, zstd"));
        assert!(accepted("br;q=1.0, GZIP;q=0.5"));
        assert!(accepted("*"));
        assert!(!accepted("br, zstd"));
        assert!(!accepted("gzip;q=0, br"));
        assert!(!accepted("identity"));
        assert!(!accepted(""));
    }
}
