//! The hostile-input table of docs/reliability.md, command-line rows (C01
//! ...): what the `civic311` command does with malformed, oversized and
//! crafted input. Exit codes: 0 done, 1 the input was refused (a catalog's
//! problems, a request with nowhere to go), 2 the command could not run as
//! asked; never 101, Rust's exit code for a panic.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_civic311"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn hostile_c01_a_catalog_folder_that_is_not_there() {
    let out = run(&["check", "/nonexistent/civic311"], b"");
    assert_eq!(out.status.code(), Some(1));
    let printed = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(printed.contains("the catalog folder does not exist"), "{printed}");
}

#[test]
fn hostile_c02_a_megabyte_question() {
    let question = "where do i report a pothole ".repeat(40_000);
    let out = run(&["ask", "--json"], format!("{question}\n").as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("ST-POTHOLE"));
}

#[test]
fn hostile_c03_standard_input_that_is_not_utf8() {
    for command in ["ask", "classify", "route"] {
        let out = run(&[command], b"pothole \xff\xfe on maple\n");
        assert_eq!(out.status.code(), Some(2), "{command}: {}", stderr(&out));
        assert!(stderr(&out).contains("did not contain valid UTF-8"), "{command}: {}", stderr(&out));
    }
}

#[test]
fn hostile_c04_requests_that_are_not_json_or_nest_without_end() {
    let deep = format!("{}\n", "[".repeat(200_000));
    for input in [&b"{\"service_code\": \n"[..], b"[]\n", b"null\n", deep.as_bytes()] {
        let out = run(&["route", "--json"], input);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(String::from_utf8_lossy(&out.stdout).contains("\"error\""), "{}", String::from_utf8_lossy(&out.stdout));
    }
}

#[test]
fn hostile_c05_a_file_that_is_not_a_bundle() {
    let dir = std::env::temp_dir().join(format!("civic311-hostile-c05-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("fake.c311");
    for bytes in [&b""[..], b"CIVIC311", &[0u8; 4096]] {
        std::fs::write(&file, bytes).unwrap();
        let out = run(&["ask", "potholes", "--bundle", file.to_str().unwrap()], b"");
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains("bundle"), "{}", stderr(&out));
    }
    let out = run(&["ask", "potholes", "--bundle", dir.join("missing.c311").to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn hostile_c06_training_rows_that_are_not_json_lines() {
    let dir = std::env::temp_dir().join(format!("civic311-hostile-c06-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rows = dir.join("rows.jsonl");
    std::fs::write(&rows, "{\"text\": \"pothole\", \"label\": \"a\"}\n{not json\n").unwrap();
    let out = run(&["train", "--input", rows.to_str().unwrap(), "-o", dir.join("m").to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("rows.jsonl:2"), "{}", stderr(&out));
    assert!(!dir.join("m").exists(), "no model is written");
    std::fs::remove_dir_all(&dir).unwrap();
}
