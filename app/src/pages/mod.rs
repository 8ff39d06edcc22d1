pub mod about;
pub mod accounts;
pub mod authors;
pub mod books;
pub mod home;
pub mod loans;
pub mod not_found;
pub mod reads;
