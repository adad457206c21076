//! `civic311 serve`: the Open311 server (see the `civic311-server` crate
//! and docs/server.md).

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use civic311::{EngineHandle, Error, ErrorKind, Result};
use civic311_server::{Keys, Options, Server};
use clap::Args;

use crate::Source;

#[derive(Args)]
pub(crate) struct ServeArgs {
    #[command(flatten)]
    source: Source,
    /// The request store: sqlite:PATH (created if missing) or
    /// postgres://USER:PASSWORD@HOST:PORT/DATABASE.
    #[arg(long, env = "CIVIC311_STORE")]
    store: Option<String>,
    /// The address to listen on (port 0: any free port, printed at start).
    #[arg(long, default_value = "127.0.0.1:8311")]
    listen: SocketAddr,
    /// The keys file: each key's name, role and SHA-256, and the CORS
    /// origins. Without one, nobody may submit or update.
    #[arg(long)]
    keys: Option<PathBuf>,
    /// The URL clients reach /open311/v2/ at, for discovery.json.
    #[arg(long)]
    base_url: Option<String>,
    /// The largest request body, in bytes.
    #[arg(long, default_value_t = 1 << 20)]
    max_body: usize,
    /// Seconds one request may take.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
    /// Requests a minute one key may make.
    #[arg(long, default_value_t = 1200)]
    per_key: u32,
    /// Requests a minute one address may make without a key.
    #[arg(long, default_value_t = 600)]
    per_address: u32,
    /// Behind a proxy: the client's address is X-Forwarded-For's last entry.
    #[arg(long)]
    behind_proxy: bool,
    /// Days residents' searches are kept for the report (0: record none).
    #[arg(long, default_value_t = 90)]
    search_retention_days: u32,
    /// Make a key, NAME:ROLE (role client, staff or admin): print it once,
    /// with the lines to add to the keys file, and exit.
    #[arg(long, value_name = "NAME:ROLE")]
    new_key: Option<String>,
}

pub(crate) fn serve(args: ServeArgs, out: &mut impl Write) -> Result<ExitCode> {
    if let Some(spec) = &args.new_key {
        let (name, role) = spec.split_once(':').ok_or_else(|| {
            Error::new(ErrorKind::Query, format!("--new-key '{spec}' is not NAME:ROLE, such as riverton-app:client"))
        })?;
        let role = civic311_server::Role::parse(role)
            .ok_or_else(|| Error::new(ErrorKind::Query, format!("role '{role}' is not client, staff or admin")))?;
        let key = civic311_server::new_key()?;
        let _ = writeln!(
            out,
            "# The key, shown once: give it to {name}.\n# {key}\n\n[[keys]]\nname = \"{name}\"\nrole = \"{}\"\nsha256 = \"{}\"",
            role.as_str(),
            civic311_server::hash_key(&key)
        );
        return Ok(ExitCode::SUCCESS);
    }
    let url = args.store.as_deref().ok_or_else(|| {
        Error::new(ErrorKind::Query, "--store is required (or CIVIC311_STORE): sqlite:PATH or postgres://...")
    })?;
    let store = Arc::new(civic311_store::Store::open(url)?);
    let keys = match &args.keys {
        Some(path) => Keys::load(path)?,
        None => {
            eprintln!("civic311: no --keys file: requests can be read, not submitted or updated");
            Keys::none()
        }
    };
    let engine = Arc::new(EngineHandle::new(args.source.engine()?));
    let options = Options {
        base_url: args.base_url.clone(),
        max_body_bytes: args.max_body,
        request_timeout: Duration::from_secs(args.timeout.max(1)),
        per_key_per_minute: args.per_key,
        per_address_per_minute: args.per_address,
        behind_proxy: args.behind_proxy,
        search_retention_days: args.search_retention_days,
    };
    let source = args.source.clone();
    let reload: civic311_server::Reload = Box::new(move || source.engine());
    civic311_server::run(Server::new(engine, store, keys, options), args.listen, Some(reload))?;
    Ok(ExitCode::SUCCESS)
}
