//! The store's commands as a user runs them: submit, request, requests,
//! update, import, sweep; and a submitter killed mid-stream loses no request
//! whose id it had printed. On SQLite and, when the test command started a
//! server (CIVIC311_TEST_POSTGRES), on PostgreSQL.

#![cfg(unix)]

mod common;
use common::copy_dir;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use civic311_store::{Filter, Store};

fn civic311(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_civic311"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).unwrap();
    drop(stdin);
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("civic311-cli-store-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A SQLite store URL and, with a test server, a new PostgreSQL database.
fn store_urls(name: &str) -> Vec<String> {
    let mut urls = vec![format!("sqlite:{}", temp_dir(name).join("store.db").display())];
    if let Ok(server) = std::env::var("CIVIC311_TEST_POSTGRES") {
        let db = format!("cli_{name}_{}", std::process::id());
        let mut admin = postgres::Client::connect(&server, postgres::NoTls).unwrap();
        admin.batch_execute(&format!("DROP DATABASE IF EXISTS {db}")).unwrap();
        admin.batch_execute(&format!("CREATE DATABASE {db}")).unwrap();
        urls.push(format!("{}/{db}", server.rsplit_once('/').unwrap().0));
    } else if std::env::var("CIVIC311_REQUIRE_POSTGRES").as_deref() == Ok("1") {
        panic!("CIVIC311_REQUIRE_POSTGRES=1 but CIVIC311_TEST_POSTGRES names no server");
    }
    urls
}

const POTHOLE: &str = r#"{"service_code": "ST-POTHOLE", "lat": 38.94, "long": -90.957, "description": "deep hole", "email": "ana@example.org", "attribute": {"SIZE": "large", "LANE_POSITION": "edge"}}"#;

#[test]
fn submit_update_and_list_as_a_311_center_would() {
    for url in store_urls("flow") {
        let store = ["--store", url.as_str()];
        let input = format!(
            "{POTHOLE}\n{{\"service_code\": \"ST-POTHOLE\"}}\nnot json\n{}\n",
            POTHOLE.replace("{\"service", "{\"client_request_id\": \"app-1\", \"service")
        );
        let out = civic311(
            &[&["submit", "--channel", "phone", "--at", "2026-03-06T16:00:00-06:00"][..], &store].concat(),
            &input,
        );
        assert_eq!(out.status.code(), Some(1), "two were refused: {}", text(&out.stderr));
        let lines: Vec<serde_json::Value> =
            text(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0]["service_request_id"], "1");
        assert_eq!(lines[0]["department"], "streets");
        assert_eq!(lines[0]["expected_datetime"], "2026-03-11T17:00:00-05:00");
        let errors = lines[1]["errors"].as_array().unwrap();
        assert!(errors.iter().any(|e| e["description"].as_str().unwrap().contains("attribute[SIZE]")), "{}", lines[1]);
        assert_eq!(lines[1]["errors"][0]["code"], 400);
        assert!(lines[2]["errors"][0]["description"].as_str().unwrap().contains("not a JSON object"));
        assert_eq!(lines[3]["service_request_id"], "2");
        assert_eq!(lines[3]["duplicates"][0]["id"], "1");
        // The same client id again: the first answer, nothing new.
        let again = civic311(
            &[&["submit"][..], &store].concat(),
            &format!("{}\n", POTHOLE.replace("{\"service", "{\"client_request_id\": \"app-1\", \"service")),
        );
        let again: serde_json::Value = serde_json::from_str(text(&again.stdout).trim()).unwrap();
        assert_eq!((again["service_request_id"].as_str(), again["created"].as_bool()), (Some("2"), Some(false)));

        let out =
            civic311(&[&["update", "1", "--status", "acknowledged", "--actor", "dispatch"][..], &store].concat(), "");
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(text(&out.stdout).trim(), "1: acknowledged (version 2, acknowledged)");
        let out = civic311(
            &[&["update", "1", "--status", "on_hold", "--note", "waiting for asphalt", "--internal"][..], &store]
                .concat(),
            "",
        );
        assert!(out.status.success());
        let out = civic311(&[&["update", "1", "--status", "reopened"][..], &store].concat(), "");
        assert_eq!(out.status.code(), Some(2));
        assert!(text(&out.stderr).contains("cannot go from on_hold to reopened"), "{}", text(&out.stderr));
        let out =
            civic311(&[&["update", "2", "--status", "closed", "--reason", "duplicate:1"][..], &store].concat(), "");
        assert!(out.status.success(), "{}", text(&out.stderr));

        let out = civic311(&[&["request", "1"][..], &store].concat(), "");
        let shown = text(&out.stdout);
        assert!(shown.starts_with("1 Pothole (ST-POTHOLE) [on_hold]"), "{shown}");
        assert!(shown.contains("on_hold") && shown.contains("(internal): waiting for asphalt"), "{shown}");
        let out = civic311(&[&["request", "1", "--json"][..], &store].concat(), "");
        let full: serde_json::Value = serde_json::from_str(&text(&out.stdout)).unwrap();
        assert_eq!(full["personal"]["email"], "ana@example.org");
        let out = civic311(&[&["request", "404"][..], &store].concat(), "");
        assert_eq!(out.status.code(), Some(2));
        assert!(text(&out.stderr).contains("no request has the id '404'"));

        // Lists: Open311 JSON and XML (no personal data), and CSV.
        let out = civic311(&[&["requests", "--status", "open"][..], &store].concat(), "");
        let list: serde_json::Value = serde_json::from_str(&text(&out.stdout)).unwrap();
        assert_eq!(list.as_array().unwrap().len(), 1);
        assert_eq!(list[0]["service_request_id"], "1");
        assert!(!text(&out.stdout).contains("ana@example.org"));
        let out = civic311(
            &[&["requests", "--format", "open311-xml", "--service-code", "ST-POTHOLE"][..], &store].concat(),
            "",
        );
        let xml = text(&out.stdout);
        assert!(xml.contains("<service_requests>") && xml.matches("<request>").count() == 2, "{xml}");
        assert!(!xml.contains("ana@example.org"));
        let out = civic311(&[&["requests", "--format", "csv", "--status", "closed"][..], &store].concat(), "");
        let csv = text(&out.stdout);
        assert!(csv.starts_with("service_request_id,status,state,"), "{csv}");
        assert_eq!(csv.lines().count(), 2);
        let out = civic311(&[&["requests", "--status", "finished"][..], &store].concat(), "");
        assert_eq!(out.status.code(), Some(2));

        // The monitor, a week later.
        let out = civic311(&[&["sweep", "--at", "2026-03-20T12:00:00Z", "--json"][..], &store].concat(), "");
        let report: serde_json::Value = serde_json::from_str(&text(&out.stdout)).unwrap();
        assert_eq!(report["breached"], serde_json::json!(["1"]));
    }
}

#[test]
fn import_exports_and_payloads_with_their_problems() {
    for url in store_urls("import") {
        let store = ["--store", url.as_str()];
        let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../kb-fixtures");
        let dir = temp_dir("import-files");
        // A gzip export, as cities publish them.
        let sample = std::fs::read(format!("{fixtures}/requests/nyc-council-cases-sample.csv")).unwrap();
        let gz = dir.join("cases.csv.gz");
        let mut enc =
            flate2::write::GzEncoder::new(std::fs::File::create(&gz).unwrap(), flate2::Compression::default());
        enc.write_all(&sample).unwrap();
        enc.finish().unwrap();
        let out = civic311(&[&["import", gz.to_str().unwrap(), "--mapping", "nyc-council"][..], &store].concat(), "");
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains("2000 rows, 2000 imported, 0 already stored, 0 refused"),
            "{}",
            text(&out.stdout)
        );

        let payload = format!("{fixtures}/open311/open311status_requests_toronto_multi.xml");
        let out = civic311(&[&["import", payload.as_str(), "--mapping", "open311"][..], &store].concat(), "");
        assert!(out.status.success(), "{}", text(&out.stderr));

        let bad = dir.join("bad.csv");
        std::fs::write(
            &bad,
            "Unique Key,Created Date,Complaint Type\n1,03/01/2011 02:27:57 PM,Pothole\n2,someday,Pothole\n",
        )
        .unwrap();
        let out = civic311(&[&["import", bad.to_str().unwrap()][..], &store].concat(), "");
        assert_eq!(out.status.code(), Some(1));
        assert!(text(&out.stderr).contains(":3: Created Date: 'someday' is not a date"), "{}", text(&out.stderr));
        let out = civic311(&[&["import", bad.to_str().unwrap(), "--strict"][..], &store].concat(), "");
        assert_eq!(out.status.code(), Some(2));
        assert!(text(&out.stderr).contains("nothing was imported (strict)"));
        let out = civic311(&[&["import", "/no/such.csv"][..], &store].concat(), "");
        assert!(text(&out.stderr).contains("cannot read '/no/such.csv'"));
    }
}

/// A submitter killed (SIGKILL) in the middle of a stream of submissions:
/// every request whose id it printed is stored, once; the store opens
/// cleanly and its histories agree with its states.
#[test]
fn a_submitter_killed_mid_stream_loses_no_acknowledged_request() {
    for url in store_urls("kill") {
        let mut child = Command::new(env!("CARGO_BIN_EXE_civic311"))
            .args(["submit", "--store", url.as_str()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let writer = std::thread::spawn(move || {
            for i in 0..100_000 {
                let line = POTHOLE
                    .replace("deep hole", &format!("hole {i}"))
                    .replace("38.94", &format!("{:.5}", 38.90 + f64::from(i % 500) * 0.0002));
                if writeln!(stdin, "{line}").is_err() {
                    break; // the submitter is dead
                }
            }
        });
        let mut printed = Vec::new();
        for line in BufReader::new(child.stdout.take().unwrap()).lines() {
            let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
            printed.push(v["service_request_id"].as_str().expect("submitted").to_string());
            if printed.len() == 60 {
                child.kill().unwrap(); // SIGKILL, between or during transactions
                break;
            }
        }
        child.wait().unwrap();
        writer.join().unwrap();

        let store = Store::open(&url).unwrap();
        let stored = store.query(&Filter { page_size: 1000, ..Filter::default() }).unwrap().requests;
        let ids: std::collections::HashSet<_> = stored.iter().map(|r| r.service_request_id.clone()).collect();
        assert_eq!(ids.len(), stored.len(), "no id twice");
        for id in &printed {
            assert!(ids.contains(id), "{url}: request {id} was printed, then lost");
        }
        // The submitter went on past the 60th line while this read it: more
        // may be stored than were read here, but each line at most once.
        let lines: std::collections::HashSet<_> = stored.iter().map(|r| r.description.clone()).collect();
        assert_eq!(lines.len(), stored.len(), "no submission stored twice");
        assert!(store.verify().unwrap().is_empty(), "{:?}", store.verify());
    }
}

#[test]
fn report_as_json_and_csv_files() {
    let dir = temp_dir("report-files");
    let export = dir.join("export.csv");
    std::fs::write(
        &export,
        "Unique Key,Created Date,Closed Date,Agency,Complaint Type,Status,Due Date,Latitude,Longitude,Open Data Channel Type\n\
         1,03/03/2025 09:00:00 AM,03/03/2025 01:00:00 PM,NYPD,Noise,Closed,03/04/2025 09:00:00 AM,38.95,-90.94,PHONE\n\
         2,03/10/2025 09:00:00 AM,,DOT,Pothole,Open,03/11/2025 09:00:00 AM,38.95,-90.94,ONLINE\n\
         3,02/24/2025 09:00:00 AM,,DOT,Pothole,Open,,,,PHONE\n",
    )
    .unwrap();
    for url in store_urls("report") {
        let out = civic311(&["import", "--store", &url, export.to_str().unwrap(), "--mapping", "nyc311"], "");
        assert!(out.status.success(), "{}", text(&out.stderr));
        let period = ["--from", "2025-03-03", "--to", "2025-03-16", "--at", "2025-03-20T12:00:00Z"];
        let out = civic311(&[&["report", "--store", &url][..], &period[..]].concat(), "");
        assert!(out.status.success(), "{}", text(&out.stderr));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!((json["total"].as_u64(), json["previous_total"].as_u64()), (Some(2), Some(1)), "{url}");
        assert_eq!(json["by"], "week");
        let all = json["service_levels"].as_array().unwrap().iter().find(|s| s["dimension"] == "all").unwrap();
        assert_eq!((all["within_sla"].as_u64(), all["overdue"].as_u64()), (Some(1), Some(1)), "{all}");

        // Districts from Riverton's council districts: both places are in
        // one, the third request has none.
        let catalog = concat!(env!("CARGO_MANIFEST_DIR"), "/../kb-fixtures/riverton");
        let args =
            [&["report", "--store", &url, "--catalog", catalog, "--districts", "council_district"][..], &period[..]];
        let out = civic311(&args.concat(), "");
        assert!(out.status.success(), "{}", text(&out.stderr));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let districts: Vec<&serde_json::Value> =
            json["changes"].as_array().unwrap().iter().filter(|c| c["dimension"] == "district").collect();
        assert!(
            !districts.is_empty() && districts.iter().all(|d| d["value"] != "(none)" || d["count"] == 0),
            "{districts:?}"
        );

        // CSV: one file per table.
        let file = dir.join("report.csv");
        let out = civic311(
            &[&["report", "--store", &url, "--format", "csv", "-o", file.to_str().unwrap()][..], &period[..]].concat(),
            "",
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        let volumes = std::fs::read_to_string(dir.join("report-volumes.csv")).unwrap();
        assert!(
            volumes.starts_with("dimension,value,bucket,count\n") && volumes.contains("category,Noise,2025-03-03,1"),
            "{volumes}"
        );
        assert!(text(&out.stdout).contains("report-service_levels.csv"));

        // HTML: one page, with its title.
        let page = dir.join("report.html");
        let args = [
            &["report", "--store", &url, "--format", "html", "--title", "March", "-o", page.to_str().unwrap()][..],
            &period[..],
        ];
        let out = civic311(&args.concat(), "");
        assert!(out.status.success(), "{}", text(&out.stderr));
        let html = std::fs::read_to_string(&page).unwrap();
        assert!(html.contains("<title>March</title>") && html.contains("<svg"), "{html}");
    }
    // Mistakes are named.
    let url = format!("sqlite:{}", dir.join("empty.db").display());
    for (args, words) in [
        (vec!["--by", "fortnight"], "use day, week or month"),
        (vec!["--from", "March 3"], "write it as YYYY-MM-DD"),
        (vec!["--from", "2025-03-16", "--to", "2025-03-03"], "--to on or after --from"),
        (vec!["--format", "csv"], "give -o FILE.csv"),
        (
            vec!["--catalog", concat!(env!("CARGO_MANIFEST_DIR"), "/../kb-fixtures/riverton"), "--districts", "ward"],
            "council_district",
        ),
    ] {
        let out = civic311(&[&["report", "--store", &url][..], &args[..]].concat(), "");
        assert!(!out.status.success());
        assert!(text(&out.stderr).contains(words), "{args:?}: {}", text(&out.stderr));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_escalated_question_is_replied_to_and_its_reply_becomes_an_article() {
    for url in store_urls("inquiries") {
        let store = ["--store", url.as_str()];
        let q = "do I need a permit for a garage sale";
        let at = ["--at", "2026-12-04T16:00:00-06:00"];
        let out = civic311(&[&["ask", "--escalate", q][..], &at, &store].concat(), "");
        assert!(out.status.success(), "{}", text(&out.stderr));
        let said = text(&out.stdout);
        assert!(said.starts_with("Escalate to Development Services (permits and inspections) (permits)."), "{said}");
        assert!(said.contains("Reply due within 2 business days: by 2026-12-08T17:00:00-06:00."), "{said}");
        assert!(said.contains("Kept as inquiry Q1 in the queue of permits."), "{said}");
        // An answered question is not kept.
        let out = civic311(&[&["ask", "--escalate", "--json", "how do i report a pothole"][..], &store].concat(), "");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!((v["answered"].as_bool(), v["inquiry"].is_null()), (Some(true), true), "{v}");

        let queue = text(&civic311(&[&["inquiries", "--department", "permits"][..], &store].concat(), "").stdout);
        assert!(queue.starts_with("Q1  permits  "), "{queue}");
        let out = civic311(&[&["draft-article", "--from-inquiry", "Q1"][..], &store].concat(), "");
        assert_eq!(out.status.code(), Some(2));
        assert!(text(&out.stderr).contains("has no reply yet"), "{}", text(&out.stderr));
        let reply = "No permit is needed for up to two garage sales a year.";
        let out = civic311(&[&["inquiry", "Q1", "--reply", reply, "--actor", "permits.desk"][..], &store].concat(), "");
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(text(&out.stdout).starts_with("Q1 (replied, version 2)"), "{}", text(&out.stdout));
        let out = civic311(&[&["inquiry", "Q1", "--note", "late"][..], &store].concat(), "");
        assert!(text(&out.stderr).contains("closed"), "{}", text(&out.stderr));
        assert!(text(&civic311(&[&["inquiries"][..], &store].concat(), "").stdout).is_empty());

        // The reply, as a draft article, added to a copy of the catalog: the
        // catalog still loads, and the question is now answered.
        let dir = temp_dir("inquiries-catalog");
        let catalog = dir.join("riverton");
        copy_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../kb-fixtures/riverton"), &catalog);
        let out = civic311(
            &[&["draft-article", "--from-inquiry", "Q1", "--catalog", catalog.to_str().unwrap()][..], &store].concat(),
            "",
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        let path = text(&out.stdout).trim().to_string();
        assert!(path.ends_with("articles/en/q1-do-i-need-a-permit-for-a-garage-sale.md"), "{path}");
        let article = std::fs::read_to_string(&path).unwrap();
        assert!(article.contains("title = \"Do I need a permit for a garage sale?\"\n"), "{article}");
        assert!(article.contains("department = \"permits\"\n") && article.contains(reply), "{article}");
        let out = civic311(&["ask", "--escalate", "--json", "--catalog", catalog.to_str().unwrap(), q], "");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["answered"], true, "{v}");
        assert_eq!(v["answers"][0]["id"], "q1-do-i-need-a-permit-for-a-garage-sale", "{v}");
        // A second draft of the same inquiry does not overwrite the first.
        let out = civic311(
            &[&["draft-article", "--from-inquiry", "Q1", "--catalog", catalog.to_str().unwrap()][..], &store].concat(),
            "",
        );
        assert_eq!(out.status.code(), Some(2));
        assert!(text(&out.stderr).contains("may be there already"), "{}", text(&out.stderr));
    }
}
