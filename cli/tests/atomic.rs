//! Nothing lost: a bundle or model writer killed in the middle of writing
//! leaves the previous file whole and loadable.
//!
//! The kill lands mid-write every time, not by chance: the test puts a FIFO
//! where the writer's temporary file will be (`.NAME.tmp-PID` beside the
//! target), reads the first 4 KiB the writer sends into it, and kills the
//! writer while it is blocked on the rest.

#![cfg(unix)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn civic311() -> Command {
    Command::new(env!("CARGO_BIN_EXE_civic311"))
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("civic311-atomic-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the writer `args` (which write `target`), kills it mid-write, and
/// returns the bytes it had written when it died.
fn kill_mid_write(args: &[&str], target: &Path) -> Vec<u8> {
    let mut child = civic311().args(args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let name = target.file_name().unwrap().to_string_lossy();
    let fifo = target.with_file_name(format!(".{name}.tmp-{}", child.id()));
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
    assert!(made.success(), "mkfifo {}", fifo.display());
    // Opening blocks until the writer opens its temporary file; reading
    // 4 KiB lets it start, and the pipe's buffer fills behind it.
    let mut reader = std::fs::File::open(&fifo).unwrap();
    let mut head = vec![0u8; 4096];
    reader.read_exact(&mut head).expect("the writer started writing its temporary file");
    std::thread::sleep(std::time::Duration::from_millis(50));
    assert!(child.try_wait().unwrap().is_none(), "the writer is still blocked mid-write");
    child.kill().unwrap();
    child.wait().unwrap();
    drop(reader);
    std::fs::remove_file(&fifo).unwrap();
    head
}

#[test]
fn a_bundle_writer_killed_mid_way_leaves_the_old_bundle_whole() {
    let dir = temp_dir("bundle");
    let target = dir.join("riverton.c311");
    let catalog = concat!(env!("CARGO_MANIFEST_DIR"), "/../kb-fixtures/riverton");
    let args = ["bundle", catalog, "-o", target.to_str().unwrap()];
    assert!(civic311().args(args).status().unwrap().success());
    let old = std::fs::read(&target).unwrap();

    let head = kill_mid_write(&args, &target);
    assert_eq!(&head[..8], b"CIVIC311", "the writer was writing a bundle");
    assert!(old.len() > 4 * 4096, "and had more to write");
    assert!(std::fs::read(&target).unwrap() == old, "the old bundle is untouched");
    let out = civic311().args(["ask", "--bundle", target.to_str().unwrap(), "potholes"]).output().unwrap();
    assert!(out.status.success(), "the old bundle loads: {}", String::from_utf8_lossy(&out.stderr));

    // The next writer is not troubled by what the killed one left.
    // (Its bytes differ from the old ones: each build names its index
    // segment afresh.)
    assert!(civic311().args(args).status().unwrap().success());
    let out = civic311().args(["ask", "--bundle", target.to_str().unwrap(), "potholes"]).output().unwrap();
    assert!(out.status.success(), "the new bundle loads: {}", String::from_utf8_lossy(&out.stderr));
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 1, "no temporary file is left: {left:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_model_writer_killed_mid_way_leaves_the_old_model_whole() {
    let dir = temp_dir("model");
    let model = dir.join("newport.c311m");
    let rows = concat!(env!("CARGO_MANIFEST_DIR"), "/../kb-fixtures/newport/newport-seeclickfix.jsonl");
    let train = |r#where: &str| {
        let args = ["train", "--input", rows, "--where", r#where, "-o", model.to_str().unwrap()];
        args.map(String::from)
    };
    let old_args = train("split=train");
    let status = civic311().args(&old_args).stdout(Stdio::null()).status().unwrap();
    assert!(status.success());
    let old = std::fs::read(&model).unwrap();

    // Another model (trained on the test rows) is being written when its writer dies.
    let new_args = train("split=test");
    let new_args: Vec<&str> = new_args.iter().map(String::as_str).collect();
    let head = kill_mid_write(&new_args, &model);
    assert!(old.len() > 4 * 4096, "a model of some size: {} bytes", old.len());
    assert_ne!(&head[..], &old[..4096], "the killed writer was writing another model");
    assert!(std::fs::read(&model).unwrap() == old, "the old model is untouched");
    let mut classify = civic311()
        .args(["classify", "--model", model.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    classify.stdin.take().unwrap().write_all(b"storm drain clogged with leaves\n").unwrap();
    let out = classify.wait_with_output().unwrap();
    assert!(out.status.success() && !out.stdout.is_empty(), "the old model loads and classifies");
    std::fs::remove_dir_all(&dir).unwrap();
}
