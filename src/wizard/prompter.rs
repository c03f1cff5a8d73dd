//! The questions the flow can ask, and a scripted answerer for tests.

use std::collections::VecDeque;

/// Asks the user. Validation happens inside `input`: a rejected answer is explained and asked
/// again, as a terminal user would see it.
pub trait Prompter {
    fn select(&mut self, prompt: &str, items: &[String], default: usize) -> Result<usize, String>;
    fn input(
        &mut self,
        prompt: &str,
        default: Option<&str>,
        validate: &dyn Fn(&str) -> Result<(), String>,
    ) -> Result<String, String>;
    fn confirm(&mut self, prompt: &str, default: bool) -> Result<bool, String>;
    /// Explanations and warnings between questions.
    fn say(&mut self, text: &str);
}

/// Answers given in advance, in order: for a select the index (or the item's first word), for
/// an input the text (empty takes the default), for a confirm `y` or `n`. Records what it was
/// told and every validation message, so tests can check both.
#[derive(Debug, Default)]
pub struct ScriptedPrompter {
    answers: VecDeque<String>,
    pub said: Vec<String>,
    pub rejected: Vec<String>,
}

impl ScriptedPrompter {
    pub fn new(answers: &[&str]) -> Self {
        ScriptedPrompter {
            answers: answers.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    /// How many scripted answers are still unused.
    pub fn left(&self) -> usize {
        self.answers.len()
    }

    fn next(&mut self, prompt: &str) -> Result<String, String> {
        self.answers
            .pop_front()
            .ok_or_else(|| format!("no scripted answer left for {prompt:?}"))
    }
}

impl Prompter for ScriptedPrompter {
    fn select(&mut self, prompt: &str, items: &[String], default: usize) -> Result<usize, String> {
        let a = self.next(prompt)?;
        if a.is_empty() {
            return Ok(default);
        }
        if let Ok(i) = a.parse::<usize>() {
            return if i < items.len() {
                Ok(i)
            } else {
                Err(format!("{prompt}: no item {i}"))
            };
        }
        items
            .iter()
            .position(|it| it.split_whitespace().next() == Some(a.as_str()))
            .ok_or_else(|| format!("{prompt}: no item {a:?} in {items:?}"))
    }

    fn input(
        &mut self,
        prompt: &str,
        default: Option<&str>,
        validate: &dyn Fn(&str) -> Result<(), String>,
    ) -> Result<String, String> {
        loop {
            let a = self.next(prompt)?;
            let a = if a.is_empty() {
                default.unwrap_or("").to_string()
            } else {
                a
            };
            match validate(&a) {
                Ok(()) => return Ok(a),
                Err(why) => self.rejected.push(why),
            }
        }
    }

    fn confirm(&mut self, prompt: &str, default: bool) -> Result<bool, String> {
        let a = self.next(prompt)?;
        Ok(match a.as_str() {
            "" => default,
            "y" | "yes" => true,
            _ => false,
        })
    }

    fn say(&mut self, text: &str) {
        self.said.push(text.to_string());
    }
}
