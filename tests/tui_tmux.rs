//! The real binary in a real terminal: tmux runs `rampsim` in a shell, the test presses keys and
//! reads the screen with capture-pane. Skipped (with a message) only where tmux is missing;
//! `.ci/run` installs it.
//!
//! `startup_and_memory` (ignored by default) is the benchmark of BENCHMARKS.md: time to the
//! first frame and to the first full frame with every shipped plugin loaded and the sandbox up,
//! and the resident memory after a finished journey:
//! `cargo build --release && cargo test --release --test tui_tmux -- --ignored --nocapture`

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};
use support::*;

const PROMPT: &str = "e2e$ ";

/// A tmux server of our own (its own socket), killed on drop.
struct Tmux {
    socket: String,
}

impl Tmux {
    /// `None` when tmux is not installed.
    fn start(name: &str, width: u16, height: u16) -> Option<Tmux> {
        if Command::new("tmux").arg("-V").output().is_err() {
            // CI installs tmux (.ci/run): there a missing tmux is a failure, not a skip.
            assert!(std::env::var_os("CI").is_none(), "tmux is missing on CI");
            return None;
        }
        let tmux = Tmux {
            socket: format!("rampsim-{name}-{}", std::process::id()),
        };
        let shell = format!("env PS1='{PROMPT}' bash --norc --noprofile -i");
        let out = tmux.run(&[
            "new-session",
            "-d",
            "-s",
            "main",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            &shell,
        ]);
        assert!(
            out.status.success(),
            "tmux new-session: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        tmux.wait_for(
            |s| s.contains(PROMPT.trim_end()),
            Duration::from_secs(10),
            "the shell prompt",
        );
        Some(tmux)
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("tmux runs")
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "main"]).stdout)
            .into_owned()
    }

    /// Types `text` literally, then Enter.
    fn type_line(&self, text: &str) {
        self.run(&["send-keys", "-t", "main", "-l", text]);
        self.run(&["send-keys", "-t", "main", "Enter"]);
    }

    /// Presses one key (tmux key names: `a`, `q`, `C-c`, `Escape`).
    fn press(&self, key: &str) {
        self.run(&["send-keys", "-t", "main", key]);
    }

    fn wait_for(&self, ok: impl Fn(&str) -> bool, timeout: Duration, what: &str) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// The pid of the program running in the pane's shell (`exe` names it).
    fn child_pid(&self, exe: &Path) -> Option<u32> {
        let shell: u32 = String::from_utf8_lossy(
            &self
                .run(&["display", "-p", "-t", "main", "#{pane_pid}"])
                .stdout,
        )
        .trim()
        .parse()
        .ok()?;
        let exe = exe.canonicalize().ok()?;
        std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let ppid: u32 = stat
                .rsplit(')')
                .next()?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()?;
            let same = std::fs::read_link(format!("/proc/{pid}/exe")).ok()? == exe;
            (ppid == shell && same).then_some(pid)
        })
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

fn rampsim_exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_rampsim"))
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// After the UI quits, the shell must be back and the terminal cooked again.
/// Opens the app in `tmux` on the fixture plugin built with `feature`, and waits until a
/// journey is ready. The config (and its directory) lives as long as the returned value.
fn open_on_fixture(tmux: &Tmux, feature: &str) -> TestConfig {
    let dir = fixture_plugin(Some(feature), "fixture");
    let cfg = TestConfig::new(&[dir], "fixture", "");
    tmux.type_line(&format!(
        "{} --config {}",
        shell_quote(&rampsim_exe().display().to_string()),
        shell_quote(&cfg.path.display().to_string())
    ));
    tmux.wait_for(
        |s| s.contains("n runs register"),
        Duration::from_secs(30),
        "a ready journey",
    );
    cfg
}

fn assert_terminal_is_back(tmux: &Tmux) {
    let back = tmux.wait_for(
        |s| s.trim_end().ends_with(PROMPT.trim_end()),
        Duration::from_secs(10),
        "the prompt after quitting",
    );
    // The alternate screen is gone: the command line typed before the UI shows again.
    assert!(back.contains("--config"), "{back}");
    tmux.type_line("echo ok-$((1+1))");
    tmux.wait_for(
        |s| s.lines().any(|l| l.trim() == "ok-2"),
        Duration::from_secs(5),
        "the shell to run a command",
    );
    // The marker is split in the command line, so only the output line has it whole.
    tmux.type_line(
        "clear; stty -a | tr ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo|isig|icrnl|opost)' | tr '\\n' ' '; echo '=mo''des'",
    );
    let is_output = |l: &str| l.contains("=modes") && !l.contains('\'');
    let screen = tmux.wait_for(|s| s.lines().any(is_output), Duration::from_secs(5), "stty");
    let modes: Vec<&str> = screen
        .lines()
        .find(|l| is_output(l))
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    for mode in ["icanon", "echo", "isig", "icrnl", "opost"] {
        assert!(
            modes.contains(&mode),
            "{mode} is not restored: {modes:?}\n{screen}"
        );
    }
}

#[test]
fn a_paxos_journey_in_a_real_terminal() {
    let Some(tmux) = Tmux::start("e2e", 120, 40) else {
        eprintln!("skipping a_paxos_journey_in_a_real_terminal: tmux is not installed");
        return;
    };
    let dir = shipped_plugins(&["paxos"]);
    // The test config logs to its own directory.
    let cfg = TestConfig::new(&[dir], "paxos", "");
    let log = cfg.dir.path().join("rampsim.log");
    let command = format!(
        "{} --config {}",
        shell_quote(&rampsim_exe().display().to_string()),
        shell_quote(&cfg.path.display().to_string())
    );

    tmux.type_line(&command);
    tmux.wait_for(
        |s| s.contains("SANDBOX") && s.contains("n runs register"),
        Duration::from_secs(30),
        "a ready journey",
    );
    tmux.press("a");
    let screen = tmux.wait_for(
        |s| s.contains("outcome order_created"),
        Duration::from_secs(30),
        "the journey's outcome",
    );
    let header = screen.lines().next().unwrap_or_default();
    assert!(
        header.contains("outcome order_created") && header.contains("paxos"),
        "{header}"
    );
    assert!(screen.contains("✓ create_order    done"), "{screen}");
    assert!(screen.contains("1 poll · APPROVED"), "{screen}");
    if let Some(pid) = tmux.child_pid(&rampsim_exe()) {
        eprintln!(
            "rampsim VmRSS after the journey: {} kB",
            vm_rss_kb(pid).unwrap_or(0)
        );
    }
    // The curl popup: redacted, and the copy says how it went.
    tmux.press("c");
    let curl = tmux.wait_for(
        |s| s.contains("Request as curl"),
        Duration::from_secs(5),
        "the curl popup",
    );
    assert!(
        curl.contains("[REDACTED]") && !curl.contains("Bearer ey"),
        "{curl}"
    );
    tmux.press("Escape");
    // Wait: Esc and a key right after it read as Alt+key, as in any terminal.
    tmux.wait_for(
        |s| !s.contains("Request as curl"),
        Duration::from_secs(5),
        "the popup to close",
    );

    save_redacted_then_unredacted(&tmux, &cfg.dir.path().join("journeys"));

    tmux.press("q");
    assert_terminal_is_back(&tmux);
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        logged.contains("first frame drawn"),
        "the log file has the UI's own lines:\n{logged}"
    );
}

/// The `.har` files in `dir`, oldest name first.
fn transcripts(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    found.retain(|p| p.extension().is_some_and(|e| e == "har"));
    found.sort();
    found
}

/// Closes a popup with Esc and waits until it is gone (Esc and a key right after it read as
/// Alt+key, as in any terminal).
fn close_popup(tmux: &Tmux, title: &str) {
    tmux.press("Escape");
    tmux.wait_for(
        |s| !s.contains(title),
        Duration::from_secs(5),
        "the popup to close",
    );
}

/// `w` on the finished journey: the file's full path on screen, redacted; then `U`, confirmed,
/// and `w` again: the real values, and the screen and the file say so; `U` turns it off.
fn save_redacted_then_unredacted(tmux: &Tmux, journeys: &Path) {
    tmux.press("w");
    let screen = tmux.wait_for(
        |s| s.contains("Journey saved"),
        Duration::from_secs(10),
        "the saved popup",
    );
    let saved = transcripts(journeys);
    assert_eq!(saved.len(), 1, "{saved:?}");
    let path = saved[0].display().to_string();
    assert!(
        screen.contains(&format!("saved to {path}")),
        "the status line names the file:\n{screen}"
    );
    assert!(screen.contains(&path), "{screen}");
    let text = std::fs::read_to_string(&saved[0]).unwrap();
    assert!(text.contains("\"_redacted\": true"), "redacted by default");
    assert!(!text.contains("Duncan") && !text.contains("073-05-1120"));
    close_popup(tmux, "Journey saved");

    tmux.press("U");
    tmux.wait_for(
        |s| s.contains("Export real KYC values and secrets? (y/n)"),
        Duration::from_secs(5),
        "the unredacted question",
    );
    tmux.press("y");
    let screen = tmux.wait_for(
        |s| s.lines().next().unwrap_or_default().contains("UNREDACTED"),
        Duration::from_secs(5),
        "the UNREDACTED badge",
    );
    assert!(!screen.contains("(y/n)"), "{screen}");
    tmux.press("w");
    let screen = tmux.wait_for(
        |s| s.contains("saved UNREDACTED to"),
        Duration::from_secs(10),
        "the unredacted save",
    );
    let saved = transcripts(journeys);
    assert_eq!(saved.len(), 2, "{saved:?}");
    let new = saved
        .iter()
        .find(|p| screen.contains(&p.display().to_string()))
        .unwrap_or_else(|| panic!("neither {saved:?} is on screen:\n{screen}"));
    let text = std::fs::read_to_string(new).unwrap();
    assert!(text.contains("\"_redacted\": false"), "the file says so");
    assert!(text.contains("Duncan"), "the real values are there");
    close_popup(tmux, "Journey saved");
    tmux.press("U");
    tmux.wait_for(
        |s| !s.lines().next().unwrap_or_default().contains("UNREDACTED"),
        Duration::from_secs(5),
        "the badge to go",
    );
}

#[test]
fn plugin_output_never_reaches_the_screen() {
    let Some(tmux) = Tmux::start("noisy", 120, 40) else {
        eprintln!("skipping plugin_output_never_reaches_the_screen: tmux is not installed");
        return;
    };
    // The fixture plugin built to println! and eprintln! in its adapter and its fake.
    let cfg = open_on_fixture(&tmux, "noisy");
    let log = cfg.dir.path().join("rampsim.log");
    tmux.press("a");
    let screen = tmux.wait_for(
        |s| s.contains("outcome order_created"),
        Duration::from_secs(30),
        "the journey's outcome",
    );
    // The UI redraws only what changed, so text printed over it would still be there.
    assert!(
        !screen.contains("NOISY"),
        "plugin output on screen:\n{screen}"
    );
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    for marker in [
        "NOISY-MANIFEST-STDOUT",
        "NOISY-ADAPTER-STDOUT begins register",
        "NOISY-ADAPTER-STDERR begins register",
        "NOISY-FAKE-STDOUT POST /users",
        "NOISY-FAKE-STDERR POST /users",
    ] {
        assert!(
            logged.contains(marker),
            "{marker} not in the log:\n{logged}"
        );
    }
    tmux.press("q");
    assert_terminal_is_back(&tmux);
    let after = tmux.screen();
    assert!(!after.contains("NOISY"), "{after}");
}

#[test]
fn ctrl_c_and_sigterm_restore_the_terminal_too() {
    let Some(tmux) = Tmux::start("ctrlc", 100, 30) else {
        eprintln!("skipping ctrl_c_and_sigterm_restore_the_terminal_too: tmux is not installed");
        return;
    };
    let dir = shipped_plugins(&["paxos"]);
    let cfg = TestConfig::new(&[dir], "paxos", "");
    let command = format!(
        "{} --config {}",
        shell_quote(&rampsim_exe().display().to_string()),
        shell_quote(&cfg.path.display().to_string())
    );
    let ready = |s: &str| s.contains("n runs register");
    tmux.type_line(&command);
    tmux.wait_for(ready, Duration::from_secs(30), "a ready journey");
    tmux.press("C-c");
    assert_terminal_is_back(&tmux);

    tmux.type_line("clear");
    tmux.wait_for(
        |s| s.trim() == PROMPT.trim_end(),
        Duration::from_secs(5),
        "a clear screen",
    );
    tmux.type_line(&command);
    tmux.wait_for(ready, Duration::from_secs(30), "a ready journey");
    let pid = tmux
        .child_pid(&rampsim_exe())
        .expect("rampsim runs in the pane");
    let kill = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    assert_terminal_is_back(&tmux);
}

/// A plugin call that never returns holds the journey's thread for good: `q` must still give
/// the shell back, saying which call was left behind.
#[test]
fn q_leaves_even_while_a_plugin_call_never_returns() {
    let Some(tmux) = Tmux::start("stuck", 120, 35) else {
        eprintln!(
            "skipping q_leaves_even_while_a_plugin_call_never_returns: tmux is not installed"
        );
        return;
    };
    let _cfg = open_on_fixture(&tmux, "spin_adapter");
    tmux.press("a");
    tmux.wait_for(
        |s| s.contains("running await_kyc"),
        Duration::from_secs(30),
        "await_kyc under way",
    );
    tmux.press("q");
    // Said on the terminal given back (checked next: the shell's prompt, cooked modes).
    tmux.wait_for(
        |s| {
            s.contains(
                "rampsim: plugin fixture 0.0.1 did not return from adapter begin(await_kyc); exiting",
            )
        },
        Duration::from_secs(10),
        "the note on the call left behind",
    );
    assert_terminal_is_back(&tmux);
}

#[test]
fn without_a_terminal_it_says_so() {
    let dir = shipped_plugins(&["paxos"]);
    let cfg = TestConfig::new(&[dir], "paxos", "");
    let out = cfg.rampsim(&[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("needs a terminal"), "{err}");
    assert!(out.stdout.is_empty(), "nothing but the error");
}

fn vm_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// `unix_us=` of the log line that names `what`.
fn logged_unix_us(log: &str, what: &str) -> Option<u128> {
    log.lines()
        .find(|l| l.contains(what))?
        .rsplit("unix_us=")
        .next()?
        .trim()
        .parse()
        .ok()
}

const SHIPPED: [&str; 5] = ["paxos", "crossmint", "proof", "kriptomat", "stripe"];

/// The shipped plugins: beside the binary when `cargo build` put them there (release builds),
/// else built for the tests.
fn every_shipped_plugin() -> PathBuf {
    let beside = rampsim_exe()
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    if SHIPPED
        .iter()
        .all(|id| beside.join(lib_name(&format!("rampsim_{id}"))).is_file())
    {
        return beside;
    }
    shipped_plugins(&SHIPPED)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

#[test]
#[ignore = "benchmark: run with --ignored --nocapture, in release"]
fn startup_and_memory() {
    let Some(tmux) = Tmux::start("bench", 200, 50) else {
        eprintln!("skipping startup_and_memory: tmux is not installed");
        return;
    };
    let dir = every_shipped_plugin();
    let scratch = tempfile::tempdir().unwrap();
    let runs = 15;
    let (mut first, mut full, mut rss) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..runs {
        let t0 = scratch.path().join(format!("run{i}.t0"));
        let cfg = TestConfig::new(std::slice::from_ref(&dir), "paxos", "");
        let log = cfg.dir.path().join("rampsim.log");
        // The clock starts in the shell, just before the command: process start, loading, config,
        // runtime and terminal setup all count.
        tmux.type_line(&format!(
            "date +%s%N > {}; {} --config {}",
            shell_quote(&t0.display().to_string()),
            shell_quote(&rampsim_exe().display().to_string()),
            shell_quote(&cfg.path.display().to_string())
        ));
        tmux.wait_for(
            |s| s.contains("n runs register") && s.contains("plugins: "),
            Duration::from_secs(30),
            "a ready journey with the plugins found",
        );
        tmux.press("a");
        tmux.wait_for(
            |s| s.contains("outcome order_created"),
            Duration::from_secs(30),
            "the outcome",
        );
        std::thread::sleep(Duration::from_millis(300));
        let pid = tmux
            .child_pid(&rampsim_exe())
            .expect("rampsim runs in the pane");
        rss.push(vm_rss_kb(pid).unwrap_or(0) as f64 / 1024.0);
        tmux.press("q");
        tmux.wait_for(
            |s| s.trim_end().ends_with(PROMPT.trim_end()),
            Duration::from_secs(10),
            "the prompt",
        );
        tmux.type_line("clear");
        let start_ns: u128 = std::fs::read_to_string(&t0)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let logged = std::fs::read_to_string(&log).unwrap();
        let at = |what: &str| logged_unix_us(&logged, what).expect("the UI logs its frames") as f64;
        let start_us = (start_ns / 1000) as f64;
        first.push((at("first frame drawn") - start_us) / 1000.0);
        full.push((at("first full frame") - start_us) / 1000.0);
        let found = logged
            .lines()
            .find(|l| l.contains("plugins: "))
            .unwrap_or_default();
        for id in SHIPPED {
            assert!(found.contains(id), "{id} was not loaded: {found}");
        }
    }
    eprintln!("plugins: {}", dir.display());
    eprintln!("runs: {runs}");
    eprintln!(
        "start -> first frame:      median {:.1} ms (all: {first:.1?})",
        median(first.clone())
    );
    eprintln!(
        "start -> first full frame: median {:.1} ms (all: {full:.1?})",
        median(full.clone())
    );
    eprintln!(
        "VmRSS after a finished journey: median {:.1} MB (all: {rss:.1?})",
        median(rss.clone())
    );
}
