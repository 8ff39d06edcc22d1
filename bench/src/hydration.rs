//! Time to hydration in Chromium, by `bench/hydration.mjs`.

use std::{path::Path, process::Stdio, time::Duration};

use anyhow::{bail, Context};
use tokio::process::Command;

#[derive(Debug, Clone)]
pub struct Hydration {
    pub median_ms: f64,
    pub max_ms: f64,
    pub samples: Vec<f64>,
}

/// Loads `url` `loads` times in Chromium; fails on any console or page
/// error, with the browser's messages.
pub async fn measure(root: &Path, url: &str, loads: usize) -> anyhow::Result<Hydration> {
    let mut command = Command::new("node");
    command
        .arg(root.join("bench/hydration.mjs"))
        .arg(url)
        .arg(loads.to_string())
        .current_dir(root)
        .stdin(Stdio::null())
        .kill_on_drop(true);
    // A load waits at most 15 s for hydration; this bounds the whole script.
    let budget = Duration::from_secs(30 + 20 * loads as u64);
    let output = tokio::time::timeout(budget, command.output())
        .await
        .with_context(|| format!("bench/hydration.mjs did not finish within {budget:?}"))?
        .context("cannot run node bench/hydration.mjs")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!(
            "bench/hydration.mjs failed ({}):\n{}{}",
            output.status,
            stdout,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    parse(&stdout).with_context(|| format!("unexpected output of bench/hydration.mjs: {stdout}"))
}

fn parse(stdout: &str) -> anyhow::Result<Hydration> {
    let json: serde_json::Value = serde_json::from_str(stdout.trim())?;
    let number = |key: &str| json[key].as_f64().with_context(|| format!("no {key}"));
    let samples = json["samples"]
        .as_array()
        .context("no samples")?
        .iter()
        .map(|sample| sample.as_f64().context("a sample is not a number"))
        .collect::<anyhow::Result<Vec<f64>>>()?;
    Ok(Hydration {
        median_ms: number("median")?,
        max_ms: number("max")?,
        samples,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_script_output() {
        let hydration = parse("{\"median\":95.3,\"max\":140,\"samples\":[95.3,140,80]}\n").unwrap();
        assert_eq!(hydration.median_ms, 95.3);
        assert_eq!(hydration.max_ms, 140.0);
        assert_eq!(hydration.samples.len(), 3);
    }
}
