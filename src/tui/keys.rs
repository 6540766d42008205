//! Keys to actions. The bindings are stable: tests, scripts and people's fingers rely on them.

use super::action::Action;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// What the keys mean depends on what is in front.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputMode {
    Main,
    /// A list to choose from (provider, scenario).
    Picker,
    /// The profile form: letters are text.
    Form,
    /// Help or the curl command: read, then close.
    Reading,
    /// A yes/no question (sending to a live provider, exporting real values).
    Confirm,
    /// The terminal is too small to show anything but how to get out: only q (and Ctrl-C).
    TooSmall,
}

pub fn action_for(mode: InputMode, key: KeyEvent) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    // Ctrl-C always quits: in raw mode it arrives as a key, not as SIGINT.
    if ctrl && key.code == KeyCode::Char('c') {
        return Some(Action::Quit);
    }
    if mode == InputMode::TooSmall {
        // Whatever is open underneath is not shown: no key may change it unseen.
        return (key.code == KeyCode::Char('q')).then_some(Action::Quit);
    }
    if let Some(a) = navigation(mode, key.code) {
        return Some(a);
    }
    match mode {
        InputMode::Main => main_key(key.code),
        InputMode::Picker => match key.code {
            KeyCode::Enter => Some(Action::Confirm),
            KeyCode::Esc | KeyCode::Char('q') => Some(Action::ClosePopup),
            KeyCode::Char('j') => Some(Action::Move(1)),
            KeyCode::Char('k') => Some(Action::Move(-1)),
            _ => None,
        },
        InputMode::Form => match key.code {
            KeyCode::Enter => Some(Action::Confirm),
            KeyCode::Esc => Some(Action::ClosePopup),
            KeyCode::Backspace => Some(Action::Backspace),
            KeyCode::Char('u') if ctrl => Some(Action::ClearField),
            KeyCode::Char(c) if !ctrl => Some(Action::Input(c)),
            _ => None,
        },
        InputMode::Reading => match key.code {
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') | KeyCode::Char('?') => {
                Some(Action::ClosePopup)
            }
            KeyCode::Char('c') => Some(Action::ShowCurl),
            _ => None,
        },
        InputMode::Confirm => match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => Some(Action::Confirm),
            KeyCode::Esc | KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Char('q') => {
                Some(Action::ClosePopup)
            }
            _ => None,
        },
        InputMode::TooSmall => None,
    }
}

fn navigation(mode: InputMode, code: KeyCode) -> Option<Action> {
    Some(match code {
        KeyCode::Up => Action::Move(-1),
        KeyCode::Down => Action::Move(1),
        // In a picker ↑↓ choose; the pages scroll the details, as in the curl popup.
        KeyCode::PageUp if mode == InputMode::Picker => Action::Scroll(-10),
        KeyCode::PageDown if mode == InputMode::Picker => Action::Scroll(10),
        KeyCode::PageUp => Action::Move(-10),
        KeyCode::PageDown => Action::Move(10),
        KeyCode::Home => Action::MoveToStart,
        KeyCode::End => Action::MoveToEnd,
        KeyCode::Tab if mode == InputMode::Form => Action::Move(1),
        KeyCode::BackTab if mode == InputMode::Form => Action::Move(-1),
        KeyCode::Tab if mode == InputMode::Main => Action::FocusNext,
        KeyCode::BackTab if mode == InputMode::Main => Action::FocusPrev,
        KeyCode::Left if mode == InputMode::Main => Action::FocusLeft,
        KeyCode::Right if mode == InputMode::Main => Action::FocusRight,
        _ => return None,
    })
}

fn main_key(code: KeyCode) -> Option<Action> {
    Some(match code {
        KeyCode::Char('n') | KeyCode::Enter => Action::RunNext,
        KeyCode::Char('a') => Action::RunAll,
        KeyCode::Char('r') => Action::RerunSelected,
        KeyCode::Char('x') => Action::Reset,
        KeyCode::Char('p') => Action::OpenProviderPicker,
        KeyCode::Char('s') => Action::OpenScenarioPicker,
        KeyCode::Char('e') => Action::OpenProfileForm,
        KeyCode::Char('c') => Action::ShowCurl,
        KeyCode::Char('w') => Action::Save,
        // Upper case: a real value leaving the machine should take a deliberate key.
        KeyCode::Char('U') => Action::ToggleUnredacted,
        KeyCode::Char('?') => Action::ShowHelp,
        KeyCode::Char('q') => Action::Quit,
        KeyCode::Esc => Action::Cancel,
        KeyCode::Char('j') => Action::Move(1),
        KeyCode::Char('k') => Action::Move(-1),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn letters_are_commands_on_the_main_screen_and_text_in_the_form() {
        assert!(matches!(
            action_for(InputMode::Main, key(KeyCode::Char('q'))),
            Some(Action::Quit)
        ));
        assert!(matches!(
            action_for(InputMode::Form, key(KeyCode::Char('q'))),
            Some(Action::Input('q'))
        ));
        assert!(matches!(
            action_for(InputMode::Main, key(KeyCode::Enter)),
            Some(Action::RunNext)
        ));
        assert!(matches!(
            action_for(InputMode::Picker, key(KeyCode::Enter)),
            Some(Action::Confirm)
        ));
    }

    #[test]
    fn page_keys_scroll_a_pickers_details_and_move_elsewhere() {
        let page_down = action_for(InputMode::Picker, key(KeyCode::PageDown));
        assert!(matches!(page_down, Some(Action::Scroll(10))));
        let page_up = action_for(InputMode::Picker, key(KeyCode::PageUp));
        assert!(matches!(page_up, Some(Action::Scroll(-10))));
        // ↑↓ still choose in a picker; elsewhere the pages move as before.
        let down = action_for(InputMode::Picker, key(KeyCode::Down));
        assert!(matches!(down, Some(Action::Move(1))));
        let reading = action_for(InputMode::Reading, key(KeyCode::PageDown));
        assert!(matches!(reading, Some(Action::Move(10))));
    }

    #[test]
    fn ctrl_c_quits_everywhere() {
        let k = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        for mode in [
            InputMode::Main,
            InputMode::Picker,
            InputMode::Form,
            InputMode::Reading,
            InputMode::Confirm,
        ] {
            assert!(
                matches!(action_for(mode, k), Some(Action::Quit)),
                "{mode:?}"
            );
        }
    }

    #[test]
    fn w_saves_and_only_a_capital_u_unredacts() {
        assert!(matches!(
            action_for(InputMode::Main, key(KeyCode::Char('w'))),
            Some(Action::Save)
        ));
        let shift_u = KeyEvent::new(KeyCode::Char('U'), KeyModifiers::SHIFT);
        assert!(matches!(
            action_for(InputMode::Main, shift_u),
            Some(Action::ToggleUnredacted)
        ));
        assert!(action_for(InputMode::Main, key(KeyCode::Char('u'))).is_none());
        // In the form, U is a letter of a name.
        assert!(matches!(
            action_for(InputMode::Form, shift_u),
            Some(Action::Input('U'))
        ));
    }
}
