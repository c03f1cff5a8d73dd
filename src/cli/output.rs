//! The only place that writes to the terminal. Commands write to an `Output`, so tests can run
//! them and read every byte they print.

use std::io::{BufRead, Write};

pub struct Output<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    /// Where confirmations are read from.
    pub input: &'a mut dyn BufRead,
    /// Whether stdout is a terminal that wants colour (and NO_COLOR is unset).
    pub color: bool,
    /// `-v` count: 0 quiet, 1 info, 2 debug.
    pub verbosity: u8,
}

impl Output<'_> {
    pub fn print(&mut self, text: &str) -> std::io::Result<()> {
        self.out.write_all(text.as_bytes())
    }

    /// A line on stderr.
    pub fn note(&mut self, text: &str) -> std::io::Result<()> {
        writeln!(self.err, "{text}")
    }

    pub fn warn(&mut self, text: &str) -> std::io::Result<()> {
        writeln!(self.err, "warning: {text}")
    }

    /// Asks for `yes` on stderr and reads one line; anything else is a no.
    pub fn confirm(&mut self, question: &str) -> std::io::Result<bool> {
        write!(self.err, "{question}\n  Only 'yes' will be accepted: ")?;
        self.err.flush()?;
        let mut line = String::new();
        self.input.read_line(&mut line)?;
        Ok(line.trim() == "yes")
    }

    /// A line on stderr at `-v` and above.
    pub fn info(&mut self, text: &str) -> std::io::Result<()> {
        if self.verbosity >= 1 {
            writeln!(self.err, "{text}")?;
        }
        Ok(())
    }
}
