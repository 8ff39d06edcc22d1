//! Ids for new sessions: as unguessable as a session id must be, and made
//! in the order of time, as the tables that hold sessions are keyed.
//!
//! Session records and state rows are stored by their id's text (see the
//! migrations). tower-sessions' own ids are 128 random bits, so every new
//! session went in at a random place of both tables: a page of each changed,
//! logged and later copied back per session, and once the tables outgrew
//! SQLite's cache, a page read from the file per insert. An id made here
//! starts with the time it was made, in milliseconds, written so that its
//! text sorts by it: sessions made together are stored together, at the end
//! of the tables, a few pages per burst of new sessions.
//!
//! The rest is 80 bits from a cryptographically secure generator (the same
//! one tower-sessions draws from): what makes the id unguessable, above the
//! 64 bits of entropy OWASP asks of a session id. The time it tells is when
//! the session began, which its owner's browser knows already.

use rand::Rng;
use time::OffsetDateTime;
use tower_sessions::session::Id;

/// The time is written in base 52, one digit per character of the id's
/// text, digit by digit from the most significant: 52 values are exactly
/// those whose characters (`A`–`Z`, then `a`–`z`) come in the same order as
/// the values themselves, in the base64url alphabet tower-sessions writes
/// ids in. Eight digits count 52⁸ ms, about 1,700 years from 1970.
const TIME_DIGITS: usize = 8;
const TIME_BASE: u64 = 52;

/// A new id, for a session starting now.
pub fn new_session_id() -> Id {
    at(OffsetDateTime::now_utc(), &mut rand::thread_rng())
}

fn at(time: OffsetDateTime, random: &mut impl Rng) -> Id {
    let millis = u64::try_from(time.unix_timestamp_nanos() / 1_000_000).unwrap_or(0);
    // Eight 6-bit groups: the first 48 bits, six bytes, eight characters.
    let mut digits = [0u64; TIME_DIGITS];
    let mut rest = millis;
    for digit in digits.iter_mut().rev() {
        *digit = rest % TIME_BASE;
        rest /= TIME_BASE;
    }
    let time_bits = digits.iter().fold(0u64, |bits, digit| bits << 6 | digit);
    let mut bytes = [0u8; 16];
    bytes[..6].copy_from_slice(&time_bits.to_be_bytes()[2..]);
    random.fill(&mut bytes[6..]);
    // tower-sessions writes an id as the base64url of its little-endian
    // bytes: these bytes, in this order.
    Id(i128::from_le_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use rand::{rngs::StdRng, SeedableRng};
    use time::Duration;

    use super::*;

    #[test]
    fn ids_made_later_sort_after_as_text() {
        let mut random = StdRng::seed_from_u64(7);
        let start = OffsetDateTime::from_unix_timestamp(1_764_000_000).unwrap();
        let steps = [
            1, 2, 51, 52, 53, 1_000, 2_704, 60_000, 3_600_000, 86_400_000,
        ];
        let mut before = at(start, &mut random).to_string();
        let mut elapsed = 0;
        for step in steps.iter().cycle().take(200) {
            elapsed += step;
            let later = at(start + Duration::milliseconds(elapsed), &mut random).to_string();
            assert!(
                later[..TIME_DIGITS] > before[..TIME_DIGITS] && later > before,
                "{later} made {step} ms after {before} sorts before it"
            );
            before = later;
        }
    }

    #[test]
    fn ids_are_what_tower_sessions_reads_back() {
        let id = new_session_id();
        let text = id.to_string();
        assert_eq!(text.len(), 22);
        assert_eq!(Id::from_str(&text).unwrap(), id);
    }

    #[test]
    fn ids_of_one_moment_differ_in_their_random_part() {
        let now = OffsetDateTime::now_utc();
        let mut random = rand::thread_rng();
        let (a, b) = (
            at(now, &mut random).to_string(),
            at(now, &mut random).to_string(),
        );
        assert_eq!(a[..TIME_DIGITS], b[..TIME_DIGITS]);
        assert_ne!(a, b);
    }
}
