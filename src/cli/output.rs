//! The only place that writes to the terminal. Commands write to an `Output`, so tests can run
//! them and read every byte they print.

use std::io::Write;

pub struct Output<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
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

    /// A line on stderr at `-v` and above.
    pub fn info(&mut self, text: &str) -> std::io::Result<()> {
        if self.verbosity >= 1 {
            writeln!(self.err, "{text}")?;
        }
        Ok(())
    }
}
