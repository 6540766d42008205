//! Copying without a clipboard crate: a clipboard command when the session has one (Wayland,
//! X11, macOS), else the terminal's own clipboard through OSC 52, which also works over ssh.
//! The operator is told which happened.

use base64::Engine as _;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Command {
        program: &'static str,
        args: &'static [&'static str],
    },
    Osc52,
}

pub fn choose() -> Method {
    let set = |var: &str| std::env::var_os(var).is_some_and(|v| !v.is_empty());
    let candidates: [(bool, &'static str, &'static [&'static str]); 4] = [
        (set("WAYLAND_DISPLAY"), "wl-copy", &[]),
        (set("DISPLAY"), "xclip", &["-selection", "clipboard"]),
        (set("DISPLAY"), "xsel", &["--clipboard", "--input"]),
        (cfg!(target_os = "macos"), "pbcopy", &[]),
    ];
    candidates
        .into_iter()
        .find(|(usable, program, _)| *usable && on_path(program))
        .map(|(_, program, args)| Method::Command { program, args })
        .unwrap_or(Method::Osc52)
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// The escape sequence that asks the terminal to put `text` on its clipboard.
pub fn osc52(text: &str) -> String {
    format!(
        "\x1b]52;c;{}\x07",
        base64::engine::general_purpose::STANDARD.encode(text)
    )
}

pub const OSC52_NOTE: &str =
    "sent to the terminal's clipboard (OSC 52); if your terminal ignores OSC 52, Shift-drag to select the text";

/// Runs a clipboard command with `text` on its stdin. Blocking: call from a blocking task.
/// Its output is discarded: nothing may print over the screen.
pub fn copy_with(program: &str, args: &[&str], text: &str) -> String {
    let child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => return format!("could not run {program} ({e}); Shift-drag to select the text"),
    };
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(text.as_bytes());
    }
    // Clipboard tools fork a keeper and return at once; do not wait for a stuck one forever.
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => {
                return format!("copied to the clipboard with {program}")
            }
            Ok(Some(status)) => {
                return format!("{program} failed ({status}); Shift-drag to select the text")
            }
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return format!("{program} did not finish; Shift-drag to select the text");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_carries_base64() {
        assert_eq!(osc52("hi"), "\x1b]52;c;aGk=\x07");
    }
}
