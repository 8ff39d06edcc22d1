//! What a browser downloads to run the site: the release wasm, its JS glue
//! and the stylesheet, raw and as the strongest gzip and brotli make them.

use std::{io::Write, path::Path};

use anyhow::Context;
use flate2::{write::GzEncoder, Compression};

#[derive(Debug, Clone)]
pub struct AssetSize {
    pub name: String,
    pub raw: usize,
    pub gzip: usize,
    pub brotli: usize,
}

/// The assets of `target/site/pkg`, in the order a page asks for them.
pub const ASSETS: [&str; 3] = ["locallibrary.wasm", "locallibrary.js", "locallibrary.css"];

pub fn measure(site: &Path) -> anyhow::Result<Vec<AssetSize>> {
    ASSETS
        .iter()
        .map(|name| {
            let path = site.join("pkg").join(name);
            let bytes =
                std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
            Ok(AssetSize {
                name: (*name).to_string(),
                raw: bytes.len(),
                gzip: gzip(&bytes)?.len(),
                brotli: brotli(&bytes)?.len(),
            })
        })
        .collect()
}

fn gzip(bytes: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes).context("gzip")?;
    encoder.finish().context("gzip")
}

fn brotli(bytes: &[u8]) -> anyhow::Result<Vec<u8>> {
    // Quality 11 (the highest) with the largest standard window, 4 MiB.
    let mut encoder = brotli::CompressorWriter::new(Vec::new(), 64 * 1024, 11, 22);
    encoder.write_all(bytes).context("brotli")?;
    // into_inner finishes the stream; flush alone would leave it open.
    Ok(encoder.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compressed_sizes_shrink_repetitive_input() {
        let text = "LocalLibrary ".repeat(1000);
        let gz = gzip(text.as_bytes()).unwrap();
        let br = brotli(text.as_bytes()).unwrap();
        assert!(gz.len() < text.len() / 10, "{}", gz.len());
        assert!(br.len() < text.len() / 10, "{}", br.len());
        let mut back = Vec::new();
        brotli::BrotliDecompress(&mut br.as_slice(), &mut back).unwrap();
        assert_eq!(back, text.as_bytes());
    }
}
