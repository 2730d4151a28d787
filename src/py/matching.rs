//! `RuleSet.match_many`: many events against many rules, with no Python code per event.
//!
//! Results are kept as rule ids and become Python strings once. With `counts_only` no
//! per-event list is kept at all, so memory does not grow with the number of events. An
//! event that cannot be read is reported with its line (a file, from 1) or position (an
//! iterable, from 0): it stops the run, with the counts of every event before it, or is
//! skipped and listed.

use super::args::{event_text, NotEvent};
use crate::pattern::RuleSet;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

/// The results so far, by rule id.
pub(super) struct Batch {
    /// Per rule id: how many events it matched.
    counts: Vec<u64>,
    /// Every event's ids one after another, and where each event's end; None when only
    /// counts are kept.
    lists: Option<(Vec<u32>, Vec<usize>)>,
    /// How many events were matched.
    events: u64,
}

impl Batch {
    pub(super) fn new(rules: usize, counts_only: bool) -> Self {
        Batch {
            counts: vec![0; rules],
            lists: (!counts_only).then(Default::default),
            events: 0,
        }
    }

    fn record(&mut self, ids: &[u32]) {
        for &i in ids {
            self.counts[i as usize] += 1;
        }
        if let Some((matched, ends)) = &mut self.lists {
            matched.extend_from_slice(ids);
            ends.push(matched.len());
        }
        self.events += 1;
    }

    /// (per-event lists or None, counts of every rule by name, number of events).
    pub(super) fn into_python<'py>(
        self,
        py: Python<'py>,
        names: &[String],
    ) -> PyResult<(Option<Bound<'py, PyList>>, Bound<'py, PyDict>, u64)> {
        let strs: Vec<Bound<'py, PyString>> = names.iter().map(|n| PyString::new(py, n)).collect();
        let lists = match self.lists {
            None => None,
            Some((matched, ends)) => {
                let mut lists = Vec::with_capacity(ends.len());
                let mut start = 0;
                for end in ends {
                    lists.push(PyList::new(
                        py,
                        matched[start..end].iter().map(|&i| &strs[i as usize]),
                    )?);
                    start = end;
                }
                Some(PyList::new(py, lists)?)
            }
        };
        // Ids follow name order, so the counts come out sorted by name; a rule that matched
        // nothing has its zero.
        let counts = PyDict::new(py);
        for (s, &c) in strs.iter().zip(&self.counts) {
            counts.set_item(s, c)?;
        }
        Ok((lists, counts, self.events))
    }
}

/// An event that could not be read: its line or position, and why.
pub(super) type Bad = (usize, String);

/// A run over many events.
pub(super) struct Run<'r> {
    rules: &'r RuleSet,
    pub(super) batch: Batch,
    /// Skip unreadable events (listing them) rather than stop at the first.
    skip: bool,
    pub(super) skipped: Vec<Bad>,
    /// The event that stopped the run.
    pub(super) failure: Option<Bad>,
}

impl<'r> Run<'r> {
    pub(super) fn new(rules: &'r RuleSet, counts_only: bool, skip: bool) -> Self {
        Run {
            rules,
            batch: Batch::new(rules.len(), counts_only),
            skip,
            skipped: Vec::new(),
            failure: None,
        }
    }

    /// Matches one event; false when the run stops here.
    fn event(&mut self, at: usize, text: &str) -> bool {
        let first = text
            .bytes()
            .find(|b| !matches!(b, b' ' | b'\n' | b'\r' | b'\t'));
        let outcome = if first == Some(b'{') {
            let batch = &mut self.batch;
            self.rules
                .match_ids(text, |ids| batch.record(ids))
                .map_err(|e| e.to_string())
        } else {
            // Nothing is counted for an event that is not an object.
            Err(NotEvent::of(text, None)
                .map(|n| n.describe())
                .unwrap_or_default())
        };
        match outcome {
            Ok(()) => true,
            Err(why) => self.bad(at, why),
        }
    }

    fn bad(&mut self, at: usize, why: String) -> bool {
        if self.skip {
            self.skipped.push((at, why));
            true
        } else {
            self.failure = Some((at, why));
            false
        }
    }

    /// Every line of a JSON-lines file (blank lines are no events; a UTF-8 byte order
    /// mark before the first line is ignored).
    pub(super) fn file(&mut self, path: &std::path::Path) -> std::io::Result<()> {
        let mut line_no = 0;
        json_lines(path, |line| {
            line_no += 1;
            let line = match (line_no, line) {
                (1, [0xEF, 0xBB, 0xBF, rest @ ..]) => rest,
                (_, l) => l,
            };
            let Ok(event) = std::str::from_utf8(line) else {
                return self.bad(line_no, "event is not UTF-8 text".into());
            };
            if event.trim().is_empty() {
                return true;
            }
            self.event(line_no, event)
        })
    }

    /// Every item of an iterable of JSON texts or dicts.
    pub(super) fn items(&mut self, events: &Bound<'_, PyAny>) -> PyResult<()> {
        for (at, event) in events.try_iter()?.enumerate() {
            let event = event?;
            let go_on = match event_text(&event, "RuleSet.match_many") {
                Ok(text) => self.event(at, &text),
                Err(e) => {
                    let why = e.value(event.py()).to_string();
                    self.bad(
                        at,
                        why.trim_start_matches("RuleSet.match_many: ").to_owned(),
                    )
                }
            };
            if !go_on {
                break;
            }
        }
        Ok(())
    }
}

/// Calls `f` with each line of the file at `path` (without its `\n` or `\r\n`), reading
/// a mebibyte at a time into one buffer: a big file is never held whole. Stops when `f`
/// returns false.
fn json_lines(path: &std::path::Path, mut f: impl FnMut(&[u8]) -> bool) -> std::io::Result<()> {
    use std::io::Read;
    const BLOCK: u64 = 1 << 20;
    let mut file = std::fs::File::open(path)?;
    let mut buf: Vec<u8> = Vec::new();
    let mut line = |l: &[u8]| f(l.strip_suffix(b"\r").unwrap_or(l));
    loop {
        // What is left in `buf` is the start of a line, already searched for a newline.
        let searched = buf.len();
        buf.reserve(BLOCK as usize);
        let got = (&mut file).take(BLOCK).read_to_end(&mut buf)?;
        let mut start = 0;
        for at in memchr::memchr_iter(b'\n', &buf[searched..]) {
            let end = searched + at;
            if !line(&buf[start..end]) {
                return Ok(());
            }
            start = end + 1;
        }
        if got == 0 {
            // The last line may have no newline.
            if start < buf.len() {
                line(&buf[start..]);
            }
            return Ok(());
        }
        buf.drain(..start);
    }
}
