//! `plugin::stdio`: fds 1 and 2 go to a file while redirected and come back after. The redirect
//! is process-wide, so each case runs in a child process (this test binary run again with one
//! test selected) whose real stdout and stderr are pipes the parent reads.

use rampsim::plugin::{stdio, StdioRedirect};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const CHILD: &str = "RAMPSIM_STDIO_CHILD_FILE";

/// Runs the test `name` of this binary in a child that redirects into `file`.
fn child(name: &str, file: &Path) -> Output {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", name, "--nocapture", "--test-threads=1"])
        .env(CHILD, file)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// The file the child redirects into; `None` in the parent (the test then drives a child).
fn child_file() -> Option<PathBuf> {
    std::env::var_os(CHILD).map(PathBuf::from)
}

/// Writes on fds 1 and 2 as plugin code does: through std's handles (not the test harness's
/// captured `println!`), and from a child process that inherits them.
fn print_everywhere(tag: &str) {
    let mut out = std::io::stdout();
    writeln!(out, "{tag}-stdout").unwrap();
    out.flush().unwrap();
    std::io::stderr()
        .write_all(format!("{tag}-stderr\n").as_bytes())
        .unwrap();
    let status = Command::new("sh")
        .args([
            "-c",
            &format!("echo {tag}-child-out; echo {tag}-child-err >&2"),
        ])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn redirected_output_goes_to_the_file_and_the_terminal_writer_does_not() {
    let Some(file) = child_file() else {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("ui.log");
        let out = child(
            "redirected_output_goes_to_the_file_and_the_terminal_writer_does_not",
            &file,
        );
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert!(out.status.success(), "{stdout}\n{stderr}");
        let logged = std::fs::read_to_string(&file).unwrap();
        for line in [
            "during-stdout",
            "during-stderr",
            "during-child-out",
            "during-child-err",
        ] {
            assert!(logged.contains(line), "{line} not in the file: {logged}");
            assert!(
                !stdout.contains(line) && !stderr.contains(line),
                "{line} escaped"
            );
        }
        assert!(stdout.contains("through-the-terminal-writer"), "{stdout}");
        assert!(!logged.contains("through-the-terminal-writer"));
        for line in ["before", "after"] {
            assert!(stdout.contains(&format!("{line}-stdout")), "{stdout}");
            assert!(stdout.contains(&format!("{line}-child-out")), "{stdout}");
            assert!(stderr.contains(&format!("{line}-stderr")), "{stderr}");
            assert!(!logged.contains(line), "{logged}");
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "created readable by its owner only");
        }
        return;
    };
    print_everywhere("before");
    let redirect = StdioRedirect::to_file(&file).expect("redirected");
    assert!(stdio::is_redirected());
    assert!(
        StdioRedirect::to_file(&file).is_err(),
        "one redirect at a time"
    );
    print_everywhere("during");
    let mut terminal = redirect.terminal().unwrap();
    writeln!(terminal, "through-the-terminal-writer").unwrap();
    drop(redirect);
    assert!(!stdio::is_redirected());
    print_everywhere("after");
}

#[test]
fn a_panic_hook_that_restores_first_reaches_the_real_stderr() {
    let Some(file) = child_file() else {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("ui.log");
        let out = child(
            "a_panic_hook_that_restores_first_reaches_the_real_stderr",
            &file,
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(7), "the child got to its end");
        assert!(stderr.contains("boom from a worker thread"), "{stderr}");
        let logged = std::fs::read_to_string(&file).unwrap();
        assert!(logged.contains("during-stdout"), "{logged}");
        assert!(!logged.contains("boom"), "{logged}");
        return;
    };
    // As the terminal UI's hook does: give fds 1 and 2 back, then let the default hook print.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        stdio::restore();
        previous(info);
    }));
    let redirect = StdioRedirect::to_file(&file).expect("redirected");
    print_everywhere("during");
    // From another thread, which does not own the redirect.
    let _ = std::thread::spawn(|| panic!("boom from a worker thread")).join();
    assert!(!stdio::is_redirected(), "the hook restored");
    drop(redirect);
    // Not a test result: the parent checks what was printed where.
    std::process::exit(7);
}
