//! The site's own paths: where its forms and pages are, and reading and
//! writing an address (its query, whether it stays on the site). Plain
//! functions, below everything that links or redirects.

/// Where the sign-in form is: the address of the sign-in page that sends
/// the browser back to `next` once signed in.
pub const SIGN_IN: &str = "/accounts/login";
/// Where the sign-out button posts to.
pub const SIGN_OUT: &str = "/accounts/logout";
/// Where a forgotten password is reset.
pub const PASSWORD_RESET: &str = "/accounts/password-reset";
/// Where a signed-in user changes their password.
pub const PASSWORD_CHANGE: &str = "/accounts/password-change";

/// The sign-in page, coming back to `next` (a path of this site) after;
/// written as Django writes it, slashes as they are
/// (`/accounts/login?next=/loans/mine`), the rest of the query encoded.
pub fn sign_in_address(next: &str) -> String {
    if next.is_empty() || next == "/" || next.starts_with("/accounts/") {
        return SIGN_IN.to_string();
    }
    let next: String = form_urlencoded::byte_serialize(next.as_bytes())
        .collect::<String>()
        .replace("%2F", "/");
    format!("{SIGN_IN}?next={next}")
}

/// Where to send a browser that signed in: `next` if it is a path of this
/// site (`//host`, `/\host`, `https://host`, control characters: not),
/// else the home page; written as a `Location` may be (characters outside
/// printable ASCII percent-encoded).
pub fn after_sign_in(next: Option<&str>) -> String {
    let Some(next) = next.filter(|next| is_local_path(next)) else {
        return "/".to_string();
    };
    let mut location = String::with_capacity(next.len());
    for c in next.chars() {
        if c.is_ascii_graphic() {
            location.push(c);
        } else {
            let mut bytes = [0; 4];
            for byte in c.encode_utf8(&mut bytes).bytes() {
                location.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    location
}

/// A path of this site: one slash, then not a second one or a backslash
/// (`//host` and `/\host` lead browsers elsewhere), and no control
/// character.
pub fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && !path.chars().any(char::is_control)
}

/// The value of `name` in a query string, decoded.
pub fn query_value(query: &str, name: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_of_this_site_are_where_a_sign_in_goes_next() {
        assert_eq!(after_sign_in(Some("/loans/mine")), "/loans/mine");
        assert_eq!(after_sign_in(Some("/books?q=a b")), "/books?q=a%20b");
        assert_eq!(
            after_sign_in(Some("/books?q=紅樓")),
            "/books?q=%E7%B4%85%E6%A8%93"
        );
        for away in [
            None,
            Some(""),
            Some("//evil.example"),
            Some("///evil.example"),
            Some("/\\evil.example"),
            Some("https://evil.example/"),
            Some("http:/evil.example"),
            Some("evil.example"),
            Some("/\u{0}x"),
            Some("/x\r\nSet-Cookie: a=b"),
            Some("\t//evil.example"),
        ] {
            assert_eq!(after_sign_in(away), "/", "{away:?}");
        }
    }

    #[test]
    fn the_sign_in_page_comes_back_to_the_page_asked_for() {
        assert_eq!(
            sign_in_address("/loans/mine"),
            "/accounts/login?next=/loans/mine"
        );
        assert_eq!(
            sign_in_address("/books?q=a b&page=2"),
            "/accounts/login?next=/books%3Fq%3Da+b%26page%3D2"
        );
        assert_eq!(sign_in_address("/"), "/accounts/login");
        assert_eq!(sign_in_address("/accounts/logout"), "/accounts/login");
    }

    #[test]
    fn only_paths_of_this_site_are_local() {
        for local in ["/", "/books?q=x", "/authors"] {
            assert!(is_local_path(local), "{local}");
        }
        for elsewhere in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "",
            "/a\nb",
        ] {
            assert!(!is_local_path(elsewhere), "{elsewhere}");
        }
    }
}
