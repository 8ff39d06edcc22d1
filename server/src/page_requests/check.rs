//! The proof that kept pages are safe, run in debug builds (so across the
//! whole test suite): every response served from a kept page is rendered
//! afresh as well, from the real request (its cookie, session and headers
//! all there), and the two must be the same bytes. A page that reads
//! anything not in its inputs, which a kept page would freeze or show to
//! another browser, differs here, and the response is a 500 with the
//! difference logged: any test that touches the page fails.

use axum::{
    body::{to_bytes, Body},
    extract::Request,
    http::{header, request::Parts, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

use app::page_inputs::PageInputs;

/// Whether kept pages are checked: in debug builds.
pub const ENABLED: bool = cfg!(debug_assertions);

/// Renders the request afresh with `inputs` and compares the page with
/// `kept` (the response as served from the kept page, uncompressed). The
/// request keeps everything it came with, nonce included, so the only
/// difference allowed is none.
pub async fn same_as_fresh(
    kept_status: StatusCode,
    kept: &[u8],
    mut request: Parts,
    inputs: PageInputs,
    next: Next,
) -> Result<(), Response> {
    let address = inputs.address.clone();
    request.headers.remove(header::ACCEPT_ENCODING);
    request.extensions.insert(inputs);
    let fresh = next.run(Request::from_parts(request, Body::empty())).await;
    let status = fresh.status();
    let body = match to_bytes(fresh.into_body(), usize::MAX).await {
        Ok(body) => body,
        Err(err) => return Err(failure(&address, &format!("unreadable fresh page: {err}"))),
    };
    if status == kept_status && body == kept {
        return Ok(());
    }
    Err(failure(
        &address,
        &format!(
            "status {kept_status} kept, {status} afresh; {}",
            first_difference(kept, &body)
        ),
    ))
}

/// Where two pages part, with some text around it.
fn first_difference(kept: &[u8], fresh: &[u8]) -> String {
    let at = kept
        .iter()
        .zip(fresh)
        .position(|(a, b)| a != b)
        .unwrap_or(kept.len().min(fresh.len()));
    let around = |text: &[u8]| {
        let start = at.saturating_sub(60);
        let end = (at + 60).min(text.len());
        String::from_utf8_lossy(&text[start.min(end)..end]).into_owned()
    };
    format!(
        "they part at byte {at}: kept …{}… afresh …{}…",
        around(kept),
        around(fresh)
    )
}

fn failure(address: &str, difference: &str) -> Response {
    tracing::error!(
        %address,
        %difference,
        "a kept page is not the page rendered afresh: it depends on something not in its inputs"
    );
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        format!(
            "500: the page kept for {address} is not the page rendered afresh; \
             it depends on something not in its inputs ({difference})\n"
        ),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::first_difference;

    #[test]
    fn the_difference_is_shown_where_it_starts() {
        let said = first_difference(b"You have visited 3 times", b"You have visited 4 times");
        assert!(said.starts_with("they part at byte 17"), "{said}");
        assert!(said.contains("kept …You have visited 3 times…"), "{said}");
        assert!(said.contains("afresh …You have visited 4 times…"), "{said}");
    }
}
