//! `civic311 serve` as a process on a loopback port, on SQLite and (with the
//! test command's server) PostgreSQL: a server killed with SIGKILL in the
//! middle of a load of POSTs keeps every request it answered 201, once,
//! and none it refused; SIGTERM finishes the requests in flight and exits 0;
//! a flood of malformed requests gets 4xx error arrays while the server
//! keeps serving.

#![cfg(unix)]

mod common;
use common::copy_dir;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use civic311_store::Store;

const KEY: &str = "serve-test-client-key";

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("civic311-cli-serve-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn store_urls(name: &str, dir: &Path) -> Vec<String> {
    let mut urls = vec![format!("sqlite:{}", dir.join("store.db").display())];
    if let Ok(server) = std::env::var("CIVIC311_TEST_POSTGRES") {
        let db = format!("serve_{name}_{}", std::process::id());
        let mut admin = postgres::Client::connect(&server, postgres::NoTls).unwrap();
        admin.batch_execute(&format!("DROP DATABASE IF EXISTS {db}")).unwrap();
        admin.batch_execute(&format!("CREATE DATABASE {db}")).unwrap();
        urls.push(format!("{}/{db}", server.rsplit_once('/').unwrap().0));
    } else if std::env::var("CIVIC311_REQUIRE_POSTGRES").as_deref() == Ok("1") {
        panic!("CIVIC311_REQUIRE_POSTGRES=1 but CIVIC311_TEST_POSTGRES names no server");
    }
    urls
}

/// A keys file with the test's client key.
fn keys_file(dir: &Path) -> PathBuf {
    let path = dir.join("keys.toml");
    let text =
        format!("[[keys]]\nname = \"load\"\nrole = \"client\"\nsha256 = \"{}\"\n", civic311_server::hash_key(KEY));
    std::fs::write(&path, text).unwrap();
    path
}

/// Starts the server on a free port; its process and address.
fn start(url: &str, keys: &Path, extra: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_civic311"))
        .args(["serve", "--store", url, "--keys", keys.to_str().unwrap(), "--listen", "127.0.0.1:0"])
        .args(["--per-address", "1000000", "--per-key", "1000000"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
    let addr = line.trim().strip_prefix("listening on http://").unwrap_or_else(|| panic!("{line}")).to_string();
    (child, addr)
}

/// One HTTP/1.1 exchange: the status and body, or `None` when the
/// connection failed (the server is gone).
fn http(addr: &str, raw: &[u8]) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    stream.write_all(raw).ok()?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).ok()?;
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text.split(' ').nth(1)?.parse().ok()?;
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    Some((status, body))
}

fn post(addr: &str, path: &str, form: &str) -> Option<(u16, String)> {
    let raw = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{form}",
        form.len()
    );
    http(addr, raw.as_bytes())
}

fn get(addr: &str, path: &str) -> Option<(u16, String)> {
    http(addr, format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes())
}

fn pothole(n: usize) -> String {
    format!(
        "api_key={KEY}&service_code=ST-POTHOLE&lat={}&long=-90.94&description=hole+{n}&\
         attribute%5BSIZE%5D=large&attribute%5BLANE_POSITION%5D=edge",
        38.93 + (n % 40) as f64 * 0.001
    )
}

fn id_of(body: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    v[0]["service_request_id"].as_str().unwrap().to_string()
}

#[test]
fn a_server_killed_mid_load_keeps_every_request_it_answered_201() {
    let dir = temp_dir("kill");
    let keys = keys_file(&dir);
    for url in store_urls("kill", &dir) {
        let (mut server, addr) = start(&url, &keys, &[]);
        // Four clients POST (every fifth one invalid) until the server dies.
        let (created, refused) = std::thread::scope(|s| {
            let clients: Vec<_> = (0..4)
                .map(|c| {
                    let addr = addr.clone();
                    s.spawn(move || {
                        let (mut created, mut refused) = (Vec::new(), 0);
                        for n in (c..).step_by(4).take(2_000) {
                            let form = if n % 5 == 4 {
                                pothole(n).replace("SIZE%5D=large", "SIZE%5D=enormous")
                            } else {
                                pothole(n)
                            };
                            match post(&addr, "/open311/v2/requests.json", &form) {
                                Some((201, body)) => created.push(id_of(&body)),
                                Some((400, _)) => refused += 1,
                                Some((status, body)) => panic!("{status}: {body}"),
                                None => break,
                            }
                        }
                        (created, refused)
                    })
                })
                .collect();
            std::thread::sleep(Duration::from_millis(1500));
            server.kill().unwrap();
            server.wait().unwrap();
            clients.into_iter().map(|c| c.join().unwrap()).fold((Vec::new(), 0), |(mut all, r), (c, n)| {
                all.extend(c);
                (all, r + n)
            })
        });
        assert!(
            created.len() > 10 && refused > 0,
            "{url}: {} created, {refused} refused before the kill",
            created.len()
        );
        // After a restart, every 201 is there once; nothing refused is.
        let store = Store::open(&url).unwrap();
        for id in &created {
            assert!(store.get(id).unwrap().is_some(), "{url}: request {id} was answered 201 and is gone");
        }
        let mut unique = created.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), created.len(), "{url}: an id was given twice");
        let stored = store.len().unwrap() as usize;
        // A request may be stored whose 201 the kill cut off: never fewer.
        assert!(
            stored >= created.len() && stored <= created.len() + 4,
            "{url}: {stored} stored, {} answered 201",
            created.len()
        );
        assert!(store.verify().unwrap().is_empty());
        let (mut again, addr) = start(&url, &keys, &[]);
        assert_eq!(get(&addr, "/healthz").unwrap().0, 200);
        again.kill().unwrap();
        again.wait().unwrap();
    }
}

#[test]
fn sigterm_finishes_the_requests_in_flight_and_exits_cleanly() {
    let dir = temp_dir("term");
    let keys = keys_file(&dir);
    for url in store_urls("term", &dir) {
        let (mut server, addr) = start(&url, &keys, &[]);
        let answered = std::thread::scope(|s| {
            let clients: Vec<_> = (0..4)
                .map(|c| {
                    let addr = addr.clone();
                    s.spawn(move || {
                        let mut answered = Vec::new();
                        for n in (c..).step_by(4).take(5_000) {
                            match post(&addr, "/open311/v2/requests.json", &pothole(n)) {
                                Some((201, body)) => answered.push(id_of(&body)),
                                Some((status, body)) => panic!("{status}: {body}"),
                                None => break,
                            }
                        }
                        answered
                    })
                })
                .collect();
            std::thread::sleep(Duration::from_millis(800));
            unsafe_sigterm(server.id());
            clients.into_iter().flat_map(|c| c.join().unwrap()).collect::<Vec<_>>()
        });
        let status = server.wait().unwrap();
        assert!(status.success(), "{url}: SIGTERM should exit 0, got {status}");
        let store = Store::open(&url).unwrap();
        assert!(!answered.is_empty());
        assert_eq!(store.len().unwrap() as usize, answered.len(), "{url}: every request in flight finished, none half");
    }
}

/// SIGTERM through the `kill` command (no libc dependency for one call).
fn unsafe_sigterm(pid: u32) {
    let ok = Command::new("kill").args(["-TERM", &pid.to_string()]).status().unwrap().success();
    assert!(ok);
}

#[test]
fn hostile_s10_malformed_requests_get_4xx_error_arrays_and_the_server_goes_on() {
    let dir = temp_dir("hostile");
    let keys = keys_file(&dir);
    let url = format!("sqlite:{}", dir.join("store.db").display());
    let (mut server, addr) = start(&url, &keys, &["--max-body", "65536"]);
    let big = "x".repeat(100_000);
    let cases: Vec<(String, Vec<u8>)> = vec![
        ("bad form".into(), b"api_key=%ZZ&service_code".to_vec()),
        ("huge body".into(), format!("api_key={KEY}&description={big}").into_bytes()),
        ("wrong types".into(), format!("api_key={KEY}&service_code=ST-POTHOLE&lat=north&long=-90").into_bytes()),
        ("unknown code".into(), format!("api_key={KEY}&service_code=NOPE&lat=38.9&long=-90.9").into_bytes()),
        ("no key".into(), b"service_code=ST-POTHOLE&lat=38.9&long=-90.9".to_vec()),
        ("binary".into(), vec![0xff, 0xfe, 0x00, 0x01, 0x80]),
    ];
    let mut n = 0;
    for round in 0..1_700 {
        for (what, body) in &cases {
            let path = if round % 2 == 0 { "/open311/v2/requests.json" } else { "/open311/v2/requests.xml" };
            let mut raw = format!(
                "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )
            .into_bytes();
            raw.extend(body);
            let (status, answer) = http(&addr, &raw).unwrap_or_else(|| panic!("{what}: no answer"));
            assert!((400..500).contains(&status), "{what}: {status} {answer}");
            assert!(
                answer.contains("400") || answer.contains("403") || answer.contains("404") || answer.contains("413"),
                "{what}: {answer}"
            );
            n += 1;
        }
        if round % 100 == 0 {
            // Broken JSON and XML-ish bodies, a slow client, and garbage.
            let json = "POST /open311/v2/requests.json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
                 Content-Length: 11\r\nConnection: close\r\n\r\n{\"service_c";
            assert_eq!(http(&addr, json.as_bytes()).unwrap().0, 400);
            let xml = "POST /open311/v2/requests.xml HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nConnection: close\r\n\r\n<a><b>";
            assert!((400..500).contains(&http(&addr, xml.as_bytes()).unwrap().0));
            assert!(http(&addr, b"NONSENSE\r\n\r\n").map_or(true, |(s, _)| (400..500).contains(&s)));
            n += 3;
        }
    }
    // The server goes on serving the others.
    assert_eq!(get(&addr, "/open311/v2/services.json").unwrap().0, 200);
    assert_eq!(post(&addr, "/open311/v2/requests.json", &pothole(1)).unwrap().0, 201);
    assert!(n >= 10_000, "{n} malformed requests");
    let metrics = get(&addr, "/metrics").unwrap().1;
    assert!(metrics.contains("status=\"201\"} 1"), "{metrics}");
    server.kill().unwrap();
    server.wait().unwrap();
    assert_eq!(Store::open(&url).unwrap().len().unwrap(), 1);
}

#[test]
fn hostile_s09_a_stalled_client_gets_408_while_others_are_served() {
    let dir = temp_dir("stalled");
    let keys = keys_file(&dir);
    let url = format!("sqlite:{}", dir.join("store.db").display());
    let (mut server, addr) = start(&url, &keys, &["--timeout", "2"]);
    // Half a body, then nothing.
    let mut slow = TcpStream::connect(&addr).unwrap();
    slow.write_all(b"POST /open311/v2/requests.json HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\napi_key=")
        .unwrap();
    assert_eq!(get(&addr, "/open311/v2/services.json").unwrap().0, 200);
    assert_eq!(post(&addr, "/open311/v2/requests.json", &pothole(1)).unwrap().0, 201);
    let mut rest = Vec::new();
    slow.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let _ = slow.read_to_end(&mut rest);
    let rest = String::from_utf8_lossy(&rest);
    assert!(rest.starts_with("HTTP/1.1 408"), "a stalled client is answered 408: {rest}");
    assert!(rest.contains("\"code\": 408") || rest.contains("\"code\":408"), "{rest}");
    server.kill().unwrap();
    server.wait().unwrap();
    assert_eq!(Store::open(&url).unwrap().len().unwrap(), 1);
}

#[test]
fn sighup_reloads_the_catalog_without_dropping_a_request() {
    let dir = temp_dir("hup");
    let keys = keys_file(&dir);
    let catalog = dir.join("catalog");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../kb-fixtures/riverton"), &catalog);
    let url = format!("sqlite:{}", dir.join("store.db").display());
    let (mut server, addr) = start(&url, &keys, &["--catalog", catalog.to_str().unwrap()]);
    let answers = |addr: &str| -> u64 {
        let body = get(addr, "/api/info").unwrap().1;
        serde_json::from_str::<serde_json::Value>(&body).unwrap()["answers"].as_u64().unwrap()
    };
    let before = answers(&addr);
    std::fs::write(
        catalog.join("articles/en/kayak-launch.md"),
        "+++\nid = \"kayak-launch\"\ntitle = \"Kayak launch at Riverside Park\"\nlang = \"en\"\n+++\n\
         The kayak launch at Riverside Park opens at dawn from May to October.\n",
    )
    .unwrap();
    // Searches go on from four clients while the catalog reloads: every one
    // is answered, before and after the swap.
    let stop = std::sync::atomic::AtomicBool::new(false);
    let (answered, found_new) = std::thread::scope(|s| {
        let clients: Vec<_> = (0..4)
            .map(|_| {
                let (addr, stop) = (&addr, &stop);
                s.spawn(move || {
                    let mut n = 0;
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        let (status, body) = get(addr, "/api/search?q=kayak+launch").expect("answered");
                        assert_eq!(status, 200, "{body}");
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(300));
        assert!(Command::new("kill").args(["-HUP", &server.id().to_string()]).status().unwrap().success());
        let started = std::time::Instant::now();
        while answers(&addr) == before && started.elapsed() < Duration::from_secs(120) {
            std::thread::sleep(Duration::from_millis(100));
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let answered: usize = clients.into_iter().map(|c| c.join().unwrap()).sum();
        (answered, get(&addr, "/api/search?q=kayak+launch").unwrap().1.contains("kayak-launch"))
    });
    assert_eq!(answers(&addr), before + 1, "the new article is in the reloaded catalog");
    assert!(found_new, "and searches find it");
    assert!(answered > 0);
    // A catalog that no longer loads keeps the old engine.
    std::fs::write(catalog.join("articles/en/kayak-launch.md"), "+++\nid = \n+++\n").unwrap();
    assert!(Command::new("kill").args(["-HUP", &server.id().to_string()]).status().unwrap().success());
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(answers(&addr), before + 1, "a failed reload keeps the catalog it had");
    assert_eq!(get(&addr, "/healthz").unwrap().0, 200);
    unsafe_sigterm(server.id());
    assert!(server.wait().unwrap().success());
}
