//! The labels of one log entry as it goes through a pipeline: its stream's labels, its
//! structured metadata, the labels parsers extract, and the `__error__` / `__error_details__`
//! a failing stage sets.
//!
//! Loki's clash rule is kept here, so that every parser gets it for free: a name is owned by
//! the first of stream labels, then structured metadata, then parsed labels that has it; a
//! later source with the same name writes `<name>_extracted` instead. Stages that set labels
//! explicitly (`label_format`) overwrite whatever holds the name.
//!
//! An entry's labels are reset for each line while the stream stays the same, so the stream's
//! labels are borrowed and only what changes per line (metadata, parsed labels, deletions) is
//! held here; the buffers are reused from line to line.

use crate::model::Labels;

/// The error label a failing stage sets, and its details.
pub const ERROR_LABEL: &str = "__error__";
pub const ERROR_DETAILS_LABEL: &str = "__error_details__";

/// Where a label came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Metadata,
    Parsed,
    /// Set by `label_format` or a rename: overwrites without the clash rule.
    Formatted,
}

/// An entry's labels by origin (see [`EntryLabels::categories`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Categories {
    pub stream: Option<Labels>,
    pub metadata: Vec<(String, String)>,
    pub parsed: Vec<(String, String)>,
}

/// The labels of the entry being processed.
pub struct EntryLabels<'s> {
    stream: &'s Labels,
    /// Stream labels removed or overwritten for this entry, by index in `stream`.
    hidden: Vec<bool>,
    /// Labels added for this entry, in the order set (later sets replace in place).
    added: Vec<(String, String, Origin)>,
    error: Option<String>,
    details: Option<String>,
    /// Names of the metadata of this entry, for the parsed-label clash rule.
    metadata_names: Vec<String>,
}

impl<'s> EntryLabels<'s> {
    pub fn new(stream: &'s Labels) -> EntryLabels<'s> {
        EntryLabels {
            stream,
            hidden: vec![false; stream.len()],
            added: Vec::new(),
            error: None,
            details: None,
            metadata_names: Vec::new(),
        }
    }

    /// Starts a new entry of the same stream with its structured metadata.
    pub fn reset(&mut self, metadata: &[(String, String)]) {
        self.hidden.iter_mut().for_each(|h| *h = false);
        self.added.clear();
        self.error = None;
        self.details = None;
        self.metadata_names.clear();
        for (k, v) in metadata {
            self.metadata_names.push(k.clone());
            let name = if self.stream.get(k).is_some() {
                format!("{k}_extracted")
            } else {
                k.clone()
            };
            self.put(name, v, Origin::Metadata);
        }
    }

    /// A label's current value; `__error__` and `__error_details__` included.
    pub fn get(&self, name: &str) -> Option<&str> {
        if name == ERROR_LABEL {
            return self.error.as_deref();
        }
        if name == ERROR_DETAILS_LABEL {
            return self.details.as_deref();
        }
        if let Some((_, v, _)) = self.added.iter().find(|(k, _, _)| k == name) {
            return Some(v);
        }
        let i = self.stream_index(name)?;
        (!self.hidden[i]).then(|| self.stream.pairs()[i].1.as_str())
    }

    fn stream_index(&self, name: &str) -> Option<usize> {
        self.stream
            .pairs()
            .binary_search_by(|(k, _)| k.as_str().cmp(name))
            .ok()
    }

    /// Adds a label a parser extracted, under `<name>_extracted` when the stream or the
    /// entry's metadata already has `name`. The first value parsed for a name stays: a key
    /// repeated in the line, or extracted again by a later parser, is ignored, as in Loki.
    pub fn set_parsed(&mut self, name: &str, value: &str) {
        if name.is_empty() {
            return;
        }
        let name = if self.is_base(name) {
            format!("{name}_extracted")
        } else {
            name.to_string()
        };
        if self
            .added
            .iter()
            .any(|(k, _, o)| *k == name && *o == Origin::Parsed)
        {
            return;
        }
        self.put(name, value, Origin::Parsed);
    }

    /// Whether `name` is one of the stream's labels or the entry's structured metadata.
    fn is_base(&self, name: &str) -> bool {
        self.stream_index(name).is_some() || self.metadata_names.iter().any(|m| m == name)
    }

    /// A parser parameter (`| json a="path"`, `| logfmt a="key"`) that found nothing sets
    /// `name` to the empty string, unless a label of that name exists: any label for `json`
    /// (`keep_any`), a stream or metadata label for `logfmt` (which replaces a value an
    /// earlier stage parsed).
    pub fn set_absent(&mut self, name: &str, keep_any: bool) {
        let exists = if keep_any {
            self.get(name).is_some()
        } else {
            self.is_base(name)
        };
        if !exists {
            self.put(name.to_string(), "", Origin::Parsed);
        }
    }

    /// Sets a label, whatever holds the name now (`label_format`).
    pub fn set(&mut self, name: &str, value: &str) {
        if name == ERROR_LABEL {
            self.error = Some(value.to_string());
            return;
        }
        if name == ERROR_DETAILS_LABEL {
            self.details = Some(value.to_string());
            return;
        }
        self.put(name.to_string(), value, Origin::Formatted);
    }

    fn put(&mut self, name: String, value: &str, origin: Origin) {
        if let Some(i) = self.stream_index(&name) {
            self.hidden[i] = true;
        }
        match self.added.iter_mut().find(|(k, _, _)| *k == name) {
            Some(slot) => {
                slot.1.clear();
                slot.1.push_str(value);
                slot.2 = origin;
            }
            None => self.added.push((name, value.to_string(), origin)),
        }
    }

    /// Removes a label (stream, metadata, parsed or error).
    pub fn delete(&mut self, name: &str) {
        if name == ERROR_LABEL {
            self.error = None;
        } else if name == ERROR_DETAILS_LABEL {
            self.details = None;
        } else {
            if let Some(i) = self.stream_index(name) {
                self.hidden[i] = true;
            }
            self.added.retain(|(k, _, _)| k != name);
        }
    }

    /// Records a stage's failure. The first error of an entry stays: later stages do not
    /// replace it.
    pub fn set_error(&mut self, kind: &str, details: &str) {
        if self.error.is_none() {
            self.error = Some(kind.to_string());
            self.details = (!details.is_empty()).then(|| details.to_string());
        }
    }

    pub fn has_error(&self) -> bool {
        self.error.is_some()
    }

    /// Every current label as (name, value), error labels included, in no particular order.
    pub fn visit<'a>(&'a self, mut f: impl FnMut(&'a str, &'a str)) {
        for (i, (k, v)) in self.stream.pairs().iter().enumerate() {
            if !self.hidden[i] {
                f(k, v);
            }
        }
        for (k, v, _) in &self.added {
            f(k, v);
        }
        if let Some(e) = &self.error {
            f(ERROR_LABEL, e);
        }
        if let Some(d) = &self.details {
            f(ERROR_DETAILS_LABEL, d);
        }
    }

    /// Keeps only the labels for which `keep` is true (error labels always stay: `keep` and
    /// `drop` name them explicitly to touch them, and callers pass that in `keep`).
    pub fn retain(&mut self, mut keep: impl FnMut(&str, &str) -> bool) {
        for (i, (k, v)) in self.stream.pairs().iter().enumerate() {
            if !self.hidden[i] && !keep(k, v) {
                self.hidden[i] = true;
            }
        }
        self.added.retain(|(k, v, _)| keep(k, v));
        if let Some(e) = &self.error {
            if !keep(ERROR_LABEL, e) {
                self.error = None;
            }
        }
        if let Some(d) = &self.details {
            if !keep(ERROR_DETAILS_LABEL, d) {
                self.details = None;
            }
        }
    }

    /// True when no stage changed the labels: the result is the stream's own label set.
    pub fn unchanged(&self) -> bool {
        self.added.is_empty()
            && self.error.is_none()
            && self.details.is_none()
            && !self.hidden.iter().any(|h| *h)
    }

    /// The entry's labels by where they came from, as Loki categorizes them: the stream's
    /// own (`None` when the pipeline left them whole), the structured metadata, and the rest
    /// (parsed, formatted, errors), each sorted by name.
    pub fn categories(&self) -> Categories {
        let stream = self.hidden.iter().any(|h| *h).then(|| {
            let pairs = self
                .stream
                .pairs()
                .iter()
                .zip(&self.hidden)
                .filter(|(_, hidden)| !**hidden)
                .map(|((k, v), _)| (k.to_string(), v.to_string()))
                .collect();
            Labels::from_sorted_unchecked(pairs)
        });
        let mut metadata = Vec::new();
        let mut parsed = Vec::new();
        for (k, v, origin) in &self.added {
            let to = if *origin == Origin::Metadata {
                &mut metadata
            } else {
                &mut parsed
            };
            to.push((k.clone(), v.clone()));
        }
        if let Some(e) = &self.error {
            parsed.push((ERROR_LABEL.to_string(), e.clone()));
        }
        if let Some(d) = &self.details {
            parsed.push((ERROR_DETAILS_LABEL.to_string(), d.clone()));
        }
        metadata.sort();
        parsed.sort();
        Categories {
            stream,
            metadata,
            parsed,
        }
    }

    /// The entry's final label set. Labels with an empty value stay (`| logfmt --keep-empty`
    /// makes them on purpose, and Loki shows them), unlike in Prometheus' data model.
    pub fn to_labels(&self) -> Labels {
        if self.unchanged() {
            return self.stream.clone();
        }
        let mut pairs: Vec<(String, String)> = Vec::with_capacity(self.stream.len() + 4);
        self.visit(|k, v| pairs.push((k.to_string(), v.to_string())));
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        // Names are unique by construction (`put` replaces in place, stream labels it shadows
        // are hidden), so the pairs are sorted and unique.
        Labels::from_sorted_unchecked(pairs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clashes_keep_the_stream_then_metadata_then_parsed() {
        let stream = Labels::from_pairs([("app", "a"), ("sl", "s"), ("sm", "s"), ("tri", "s")]);
        let mut l = EntryLabels::new(&stream);
        l.reset(&[
            ("md".into(), "m".into()),
            ("sm".into(), "m".into()),
            ("tri".into(), "m".into()),
        ]);
        for (k, v) in [("sl", "p"), ("md", "p"), ("tri", "p")] {
            l.set_parsed(k, v);
        }
        assert_eq!(
            l.to_labels().to_string(),
            r#"{app="a", md="m", md_extracted="p", sl="s", sl_extracted="p", sm="s", sm_extracted="m", tri="s", tri_extracted="p"}"#
        );
        l.reset(&[]);
        assert!(l.unchanged());
        assert!(l.to_labels().ptr_eq(&stream));
    }

    #[test]
    fn set_delete_and_errors() {
        let stream = Labels::from_pairs([("app", "a"), ("level", "info")]);
        let mut l = EntryLabels::new(&stream);
        l.reset(&[]);
        l.set("level", "warn");
        l.delete("app");
        l.set_error("JSONParserErr", "bad");
        l.set_error("LogfmtParserErr", "later");
        assert_eq!(l.get("level"), Some("warn"));
        assert_eq!(l.get("app"), None);
        assert_eq!(
            l.to_labels().to_string(),
            r#"{__error__="JSONParserErr", __error_details__="bad", level="warn"}"#
        );
        l.retain(|k, _| k != ERROR_LABEL && k != ERROR_DETAILS_LABEL);
        assert!(!l.has_error());
    }
}
