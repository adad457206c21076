//! The store's tests, in one binary: each test runs against SQLite (a
//! file of its own) and, when the test command started a PostgreSQL
//! server (`CIVIC311_TEST_POSTGRES=postgres://...`), against a database of
//! its own there. With `CIVIC311_REQUIRE_POSTGRES=1` (the test command
//! sets it), a missing server fails the tests instead of leaving
//! PostgreSQL untested.

mod analytics;
mod import;
mod inquiry;
mod lifecycle;
mod open;
mod query;
mod submit;
mod sweep;
mod util;
