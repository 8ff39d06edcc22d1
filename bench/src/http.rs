//! The driver's own HTTP requests: first visits, readiness probes, the
//! ceiling's body.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use reqwest::{header, Client, StatusCode};

/// A client that sends only the headers it is given: no cookie jar, no
/// redirects, no proxy from the environment (every server is local).
pub fn client() -> anyhow::Result<Client> {
    Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .context("cannot build the HTTP client")
}

/// A page as read in full.
pub struct Page {
    pub status: StatusCode,
    pub set_cookies: Vec<String>,
    pub body: String,
}

impl Page {
    /// `NAME=VALUE` of the cookie named `name` that the response set.
    pub fn cookie(&self, name: &str) -> anyhow::Result<String> {
        let prefix = format!("{name}=");
        self.set_cookies
            .iter()
            .find_map(|cookie| {
                let pair = cookie.split(';').next()?.trim();
                pair.starts_with(&prefix).then(|| pair.to_string())
            })
            .with_context(|| format!("no {name} cookie set; Set-Cookie: {:?}", self.set_cookies))
    }
}

/// GET `url`, with `cookie` (`NAME=VALUE`) if given; any status is returned.
pub async fn get(client: &Client, url: &str, cookie: Option<&str>) -> anyhow::Result<Page> {
    let mut request = client.get(url);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let response = request.send().await.with_context(|| format!("GET {url}"))?;
    let status = response.status();
    let set_cookies = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok().map(str::to_string))
        .collect();
    let body = response
        .text()
        .await
        .with_context(|| format!("reading the body of GET {url}"))?;
    Ok(Page {
        status,
        set_cookies,
        body,
    })
}

/// As [`get`], failing on any status but 200.
pub async fn get_ok(client: &Client, url: &str, cookie: Option<&str>) -> anyhow::Result<Page> {
    let page = get(client, url, cookie).await?;
    if page.status != StatusCode::OK {
        bail!("GET {url}: {} {}", page.status, page.body);
    }
    Ok(page)
}

/// Polls `url` until it answers 200: a server may print its address before
/// every part of it is ready.
pub async fn wait_until_ok(client: &Client, url: &str, timeout: Duration) -> anyhow::Result<()> {
    let deadline = Instant::now() + timeout;
    loop {
        let outcome = get(client, url, None).await;
        match outcome {
            Ok(page) if page.status == StatusCode::OK => return Ok(()),
            _ if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(100)).await,
            Ok(page) => bail!("{url} still answers {} after {timeout:?}", page.status),
            Err(err) => return Err(err).context(format!("{url} not ready after {timeout:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_named_cookie() {
        let page = Page {
            status: StatusCode::OK,
            set_cookies: vec![
                "csrftoken=abc; Path=/".to_string(),
                "sessionid=rlOPyYK-s; HttpOnly; SameSite=Lax; Path=/; Max-Age=1209600".to_string(),
            ],
            body: String::new(),
        };
        assert_eq!(page.cookie("sessionid").unwrap(), "sessionid=rlOPyYK-s");
        assert!(page.cookie("session").is_err());
    }
}
