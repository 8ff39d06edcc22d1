//! Reading list addresses: `?page=` and ids in paths. Shared by the server
//! (which answers with 400 or 404) and the browser.

use crate::error::{AppError, Invalid, Missing};

/// `?page=`: absent or empty means the first page; anything but a whole
/// number from 1 up is the visitor's mistake (400).
pub fn parse_page(raw: Option<&str>) -> Result<u32, AppError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(1),
        Some(text) => match text.parse::<u32>() {
            Ok(page) if page >= 1 => Ok(page),
            _ => Err(AppError::BadRequest(Invalid::PageNumber(text.to_string()))),
        },
    }
}

/// An id in a path: one that is not a number names nothing (404), said
/// as `missing` (`Missing::Book`, `Missing::Author`).
pub fn parse_id(raw: &str, missing: fn(String) -> Missing) -> Result<i64, AppError> {
    raw.parse::<i64>()
        .map_err(|_| AppError::NotFound(missing(raw.to_string())))
}

/// How many pages `total` items make at `per_page` a page (at least one).
pub fn page_count(total: i64, per_page: u32) -> u32 {
    let per_page = i64::from(per_page.max(1));
    u32::try_from(((total + per_page - 1) / per_page).max(1)).unwrap_or(u32::MAX)
}

/// Checks `page` against the list's length: past the end is a 404.
pub fn check_page(page: u32, pages: u32) -> Result<(), AppError> {
    if page > pages {
        return Err(AppError::NotFound(Missing::ListPage { page, pages }));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers() {
        assert_eq!(parse_page(None), Ok(1));
        assert_eq!(parse_page(Some("")), Ok(1));
        assert_eq!(parse_page(Some("3")), Ok(3));
        assert!(matches!(
            parse_page(Some("0")),
            Err(AppError::BadRequest(_))
        ));
        assert!(matches!(
            parse_page(Some("two")),
            Err(AppError::BadRequest(_))
        ));
        assert!(matches!(
            parse_page(Some("-1")),
            Err(AppError::BadRequest(_))
        ));
    }

    #[test]
    fn page_counts() {
        assert_eq!(page_count(0, 10), 1);
        assert_eq!(page_count(10, 10), 1);
        assert_eq!(page_count(11, 10), 2);
        assert_eq!(page_count(20, 25), 1);
    }
}
