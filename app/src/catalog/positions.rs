//! Each book's and author's place in its list, kept in `list_position`
//! (1, 2, 3 … in the list's order): a page of a list is the rows whose
//! place is in its range, read from an index, so page 5,000 costs what page
//! 1 does. Whatever adds, removes or renames a book or an author renumbers
//! in the same transaction ([`renumbering`]); rows already in their place are
//! not written.

use crate::db::Db;

/// The statements that renumber both lists, to run in the transaction that
/// changed them, in order. The orders are the lists' own.
pub fn renumbering(db: &Db) -> &'static [&'static str] {
    match db {
        Db::Sqlite(_) => SQLITE,
        Db::Postgres(_) => POSTGRES,
    }
}

const SQLITE: &[&str] = &[
    "UPDATE book SET list_position = r.n
     FROM (SELECT id, row_number() OVER (ORDER BY title COLLATE NOCASE, id) AS n FROM book) AS r
     WHERE book.id = r.id AND book.list_position IS NOT r.n",
    "UPDATE author SET list_position = r.n
     FROM (SELECT id, row_number() OVER (
               ORDER BY last_name COLLATE NOCASE, first_name COLLATE NOCASE, id) AS n
           FROM author) AS r
     WHERE author.id = r.id AND author.list_position IS NOT r.n",
];

const POSTGRES: &[&str] = &[
    "UPDATE book SET list_position = r.n
     FROM (SELECT id, row_number() OVER (ORDER BY lower(title COLLATE \"C\"), id) AS n
           FROM book) AS r
     WHERE book.id = r.id AND book.list_position IS DISTINCT FROM r.n",
    "UPDATE author SET list_position = r.n
     FROM (SELECT id, row_number() OVER (
               ORDER BY lower(last_name COLLATE \"C\"), lower(first_name COLLATE \"C\"), id) AS n
           FROM author) AS r
     WHERE author.id = r.id AND author.list_position IS DISTINCT FROM r.n",
];
