//! The server's routes, driven in-process (tower's `oneshot`) on a store of
//! each engine: SQLite, and PostgreSQL when the test command gives a
//! server (`CIVIC311_TEST_POSTGRES`).

mod api;
mod hostile;
mod open311;
mod ops;
mod privacy;
mod spec;
mod util;
