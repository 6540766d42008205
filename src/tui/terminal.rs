//! Taking the terminal over and giving it back: raw mode, the alternate screen and mouse
//! capture on the way in; all undone on exit, on error and on panic.
//!
//! The UI draws through its own handle on the terminal (a copy of fd 1 taken before fds 1 and 2
//! were pointed at the log file, see [`crate::plugin::stdio`]). Giving the terminal back puts
//! fds 1 and 2 back first, so that what is printed afterwards (an error, a panic message)
//! reaches the operator's terminal.

use crate::plugin::stdio;
use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use crossterm::{cursor, execute};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;
use std::fs::File;
use std::io::{self, BufWriter};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Once;

pub type Tui = Terminal<CrosstermBackend<BufWriter<File>>>;

static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Restores the terminal when dropped, whatever way the UI ends.
pub struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

/// Takes the terminal over; the UI draws on `out` (the terminal).
pub fn enter(mut out: File) -> io::Result<(Tui, Guard)> {
    install_panic_hook();
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let guard = Guard;
    execute!(out, EnterAlternateScreen, EnableMouseCapture)?;
    // Buffered: a frame goes out in one write.
    let terminal = Terminal::new(CrosstermBackend::new(BufWriter::with_capacity(
        1 << 16,
        out,
    )))?;
    Ok((terminal, guard))
}

/// Gives the terminal back (and fds 1 and 2); safe to call more than once, from any thread.
pub fn restore() {
    stdio::restore();
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let _ = execute!(
            io::stdout(),
            DisableMouseCapture,
            LeaveAlternateScreen,
            cursor::Show
        );
        let _ = disable_raw_mode();
    }
}

/// False once something (a panic anywhere) gave the terminal back: the UI must stop drawing.
pub fn is_active() -> bool {
    ACTIVE.load(Ordering::SeqCst)
}

fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            // Restore first (fds 1 and 2 included), so the message the previous hook prints on
            // stderr lands on the operator's normal screen, not in the log file or over the UI.
            // The log file gets it too, through tracing.
            restore();
            tracing::error!("panic: {info}");
            previous(info);
        }));
    });
}
