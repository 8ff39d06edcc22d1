//! What pages read from the catalog, on the server. Pages are rendered on
//! the server only (the browser runs just the islands), so these are plain
//! functions rather than server functions: nothing here is reachable over
//! HTTP. Each reads the database and this page's inputs, nothing else of
//! the request (see [`crate::page_inputs`]).

use crate::{
    error::AppError,
    model::{
        AuthorDetail, AuthorSummary, BookDetail, BookFormContent, BookSummary, CopyDetail,
        CopyEdit, HistoryEntry, ListPage, Loan, MemberDetail, MemberSummary, RecordHistory,
        RecordKind, Term, TermBooks, TermEdit, Vocabulary,
    },
};

/// A page of all books, or of those whose title or author matches `q`, at
/// this browser's results per page.
pub async fn books(
    page: Option<String>,
    q: Option<String>,
) -> Result<ListPage<BookSummary>, AppError> {
    #[cfg(feature = "ssr")]
    {
        let (page, per_page) = server::page_and_size(page)?;
        crate::catalog::books(&server::db()?, q.as_deref(), page, per_page).await
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = (page, q);
        Err(server_only())
    }
}

pub async fn book(id: String) -> Result<BookDetail, AppError> {
    #[cfg(feature = "ssr")]
    {
        let id = crate::paging::parse_id(&id, crate::error::Missing::Book)?;
        crate::catalog::book(&server::db()?, id).await
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = id;
        Err(server_only())
    }
}

pub async fn authors(page: Option<String>) -> Result<ListPage<AuthorSummary>, AppError> {
    #[cfg(feature = "ssr")]
    {
        let (page, per_page) = server::page_and_size(page)?;
        crate::catalog::authors(&server::db()?, page, per_page).await
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = page;
        Err(server_only())
    }
}

pub async fn author(id: String) -> Result<AuthorDetail, AppError> {
    #[cfg(feature = "ssr")]
    {
        let id = crate::paging::parse_id(&id, crate::error::Missing::Author)?;
        crate::catalog::author(&server::db()?, id).await
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = id;
        Err(server_only())
    }
}

/// Every genre (or language), by name, with its number of books.
pub async fn terms(vocabulary: Vocabulary) -> Result<Vec<Term>, AppError> {
    #[cfg(feature = "ssr")]
    {
        crate::catalog::terms(&server::db()?, vocabulary).await
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = vocabulary;
        Err(server_only())
    }
}

/// A genre (or language) and a page of its books, at this browser's
/// results per page.
pub async fn term_books(
    vocabulary: Vocabulary,
    id: String,
    page: Option<String>,
) -> Result<TermBooks, AppError> {
    #[cfg(feature = "ssr")]
    {
        use crate::error::Missing;
        let missing = match vocabulary {
            Vocabulary::Genre => Missing::Genre,
            Vocabulary::Language => Missing::Language,
        };
        let id = crate::paging::parse_id(&id, missing)?;
        let (page, per_page) = server::page_and_size(page)?;
        crate::catalog::term_books(&server::db()?, vocabulary, id, page, per_page).await
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = (vocabulary, id, page);
        Err(server_only())
    }
}

/// A genre (or language) to rename; `None` for the form of a new one
/// (an empty id).
pub async fn term_to_edit(
    vocabulary: Vocabulary,
    id: String,
) -> Result<Option<TermEdit>, AppError> {
    #[cfg(feature = "ssr")]
    {
        use crate::error::Missing;
        if id.is_empty() {
            return crate::page_inputs::catalog_inputs().map(|_| None);
        }
        let missing = match vocabulary {
            Vocabulary::Genre => Missing::Genre,
            Vocabulary::Language => Missing::Language,
        };
        let id = crate::paging::parse_id(&id, missing)?;
        let (name, version) = crate::catalog::terms::term(&server::db()?, vocabulary, id).await?;
        Ok(Some(TermEdit { id, name, version }))
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = (vocabulary, id);
        Err(server_only())
    }
}

/// The book form's page: the book to edit (none for an empty id: a new
/// book), the languages and genres to file it under, and, when the form
/// posted named an author by words several names have, those authors.
pub async fn book_form(id: String) -> Result<BookFormContent, AppError> {
    #[cfg(feature = "ssr")]
    {
        use crate::{catalog::books, problems::Problem};
        let db = server::db()?;
        let book = if id.is_empty() {
            None
        } else {
            let id = crate::paging::parse_id(&id, crate::error::Missing::Book)?;
            Some(books::to_edit(&db, id).await?)
        };
        let refs = |terms: Vec<Term>| {
            terms
                .into_iter()
                .map(|term| crate::model::TermRef {
                    id: term.id,
                    name: term.name,
                })
                .collect()
        };
        let languages = refs(crate::catalog::terms(&db, Vocabulary::Language).await?);
        let genres = refs(crate::catalog::terms(&db, Vocabulary::Genre).await?);
        let posted = crate::page_inputs::submitted();
        let author_choices = match posted {
            Some(form)
                if form
                    .problems_with("author_name")
                    .contains(&Problem::ChooseAuthor) =>
            {
                let words = form.value("author_name").unwrap_or_default();
                books::author_choices(&db, words).await?
            }
            _ => Vec::new(),
        };
        Ok(BookFormContent {
            book,
            languages,
            genres,
            author_choices,
        })
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = id;
        Err(server_only())
    }
}

/// A page of the site's users, or of those whose username or address has
/// `q` in it (for librarians).
pub async fn members(
    page: Option<String>,
    q: Option<String>,
) -> Result<ListPage<MemberSummary>, AppError> {
    #[cfg(feature = "ssr")]
    {
        let (page, per_page) = server::page_and_size(page)?;
        crate::members::list(&server::db()?, q.as_deref(), page, per_page).await
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = (page, q);
        Err(server_only())
    }
}

/// A member and their loans (for librarians).
pub async fn member(id: String) -> Result<MemberDetail, AppError> {
    #[cfg(feature = "ssr")]
    {
        let id = crate::paging::parse_id(&id, crate::error::Missing::Member)?;
        crate::members::detail(&server::db()?, id).await
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = id;
        Err(server_only())
    }
}

/// A page of every change, newest first (for librarians).
pub async fn history(page: Option<String>) -> Result<ListPage<HistoryEntry>, AppError> {
    #[cfg(feature = "ssr")]
    {
        use crate::history::{entries, Of};
        let page = crate::paging::parse_page(page.as_deref())?;
        entries(&server::db()?, &Of::Everything, page).await
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = page;
        Err(server_only())
    }
}

/// A page of the changes to one record, newest first (for librarians).
pub async fn record_history(
    kind: RecordKind,
    id: String,
    page: Option<String>,
) -> Result<RecordHistory, AppError> {
    #[cfg(feature = "ssr")]
    {
        let page = crate::paging::parse_page(page.as_deref())?;
        crate::history::of_record(&server::db()?, kind, &id, page).await
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = (kind, id, page);
        Err(server_only())
    }
}

/// A page of the copies on loan to the user signed in, soonest due first.
pub async fn my_loans(page: Option<String>) -> Result<ListPage<Loan>, AppError> {
    #[cfg(feature = "ssr")]
    {
        use crate::loans::{on_loan, Borrowers};
        let page = crate::paging::parse_page(page.as_deref())?;
        let db = server::db()?;
        let user = crate::page_inputs::user()
            .ok_or_else(|| AppError::bug("a member's page rendered for nobody"))?;
        on_loan(&db, Borrowers::One(user.id), page).await
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = page;
        Err(server_only())
    }
}

/// A page of every copy on loan, soonest due first (for librarians: the
/// server let nobody else this far).
pub async fn all_loans(page: Option<String>) -> Result<ListPage<Loan>, AppError> {
    #[cfg(feature = "ssr")]
    {
        use crate::loans::{on_loan, Borrowers};
        let page = crate::paging::parse_page(page.as_deref())?;
        on_loan(&server::db()?, Borrowers::All, page).await
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = page;
        Err(server_only())
    }
}

/// A copy on loan to renew, and the renewal date the form suggests
/// (`YYYY-MM-DD`, three weeks from today).
pub async fn loan_to_renew(copy: String) -> Result<(Loan, String), AppError> {
    #[cfg(feature = "ssr")]
    {
        let loan = crate::loans::on_loan_copy(&server::db()?, &copy).await?;
        Ok((loan, server::in_three_weeks()?))
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = copy;
        Err(server_only())
    }
}

/// A copy to lend or take back, and the due date a loan of it would have
/// by default (`YYYY-MM-DD`, three weeks from today).
pub async fn copy_to_lend(copy: String) -> Result<(CopyDetail, String), AppError> {
    #[cfg(feature = "ssr")]
    {
        let copy = crate::loans::copy_detail(&server::db()?, &copy).await?;
        Ok((copy, server::in_three_weeks()?))
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = copy;
        Err(server_only())
    }
}

/// A copy as its edit and delete pages show it, with its version.
pub async fn copy_to_edit(copy: String) -> Result<CopyEdit, AppError> {
    #[cfg(feature = "ssr")]
    {
        let db = server::db()?;
        let detail = crate::loans::copy_detail(&db, &copy).await?;
        let version = crate::catalog::copies::version(&db, &copy).await?;
        Ok(CopyEdit {
            copy: detail,
            version,
        })
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = copy;
        Err(server_only())
    }
}

/// The username a password-reset link is for, while it works (`None`:
/// unknown, expired, used or superseded).
pub async fn reset_link_user(token: String) -> Result<Option<String>, AppError> {
    #[cfg(feature = "ssr")]
    {
        crate::password_reset::user_of(&server::db()?, &token).await
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = token;
        Err(server_only())
    }
}

#[cfg(not(feature = "ssr"))]
fn server_only() -> AppError {
    AppError::Internal
}

#[cfg(feature = "ssr")]
mod server {
    use crate::{
        db::Db,
        error::AppError,
        page_inputs::{catalog_inputs, layout_inputs},
        paging::parse_page,
    };

    /// The page a list request asks for, and this browser's results per
    /// page (an input of the page).
    pub fn page_and_size(page: Option<String>) -> Result<(u32, u32), AppError> {
        let page = parse_page(page.as_deref())?;
        catalog_inputs()?;
        Ok((page, layout_inputs().preferences.per_page))
    }

    /// The database, for a page whose catalog version could be read (else
    /// the page shows why it could not).
    pub fn db() -> Result<Db, AppError> {
        catalog_inputs()?;
        Db::from_context()
    }

    /// Three weeks from the page's today: a loan's due date, and a
    /// renewal's, unless the librarian says otherwise.
    pub fn in_three_weeks() -> Result<String, AppError> {
        use crate::{dates::iso_date, loans::LOAN_DAYS};
        let today = catalog_inputs()?.today;
        Ok(iso_date(today + time::Duration::days(LOAN_DAYS)))
    }
}
