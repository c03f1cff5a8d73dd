//! The real terminal, through dialoguer. Questions and answers go to stderr, so stdout stays
//! free for the command's own output.

use dialoguer::theme::ColorfulTheme;
use dialoguer::{Confirm, Input, Select};

use super::prompter::Prompter;

pub struct TerminalPrompter {
    theme: ColorfulTheme,
    term: console::Term,
}

impl Default for TerminalPrompter {
    fn default() -> Self {
        TerminalPrompter {
            theme: ColorfulTheme::default(),
            term: console::Term::stderr(),
        }
    }
}

impl Prompter for TerminalPrompter {
    fn select(&mut self, prompt: &str, items: &[String], default: usize) -> Result<usize, String> {
        Select::with_theme(&self.theme)
            .with_prompt(prompt)
            .items(items)
            .default(default)
            .interact_on(&self.term)
            .map_err(|e| e.to_string())
    }

    fn input(
        &mut self,
        prompt: &str,
        default: Option<&str>,
        validate: &dyn Fn(&str) -> Result<(), String>,
    ) -> Result<String, String> {
        let mut q = Input::<String>::with_theme(&self.theme)
            .with_prompt(prompt)
            .allow_empty(true);
        if let Some(d) = default {
            q = q.default(d.to_string());
        }
        q.validate_with(|s: &String| validate(s))
            .interact_text_on(&self.term)
            .map_err(|e| e.to_string())
    }

    fn confirm(&mut self, prompt: &str, default: bool) -> Result<bool, String> {
        Confirm::with_theme(&self.theme)
            .with_prompt(prompt)
            .default(default)
            .interact_on(&self.term)
            .map_err(|e| e.to_string())
    }

    fn say(&mut self, text: &str) {
        let _ = self.term.write_line(text);
    }
}
