//! A set of named templates, as a Go template and its associated templates are: several texts
//! parsed into one set (Alertmanager's template files, then a receiver's own text), each
//! adding its own tree and its definitions, any of which `{{template "name"}}` may call.
//!
//! A later parse replaces a template of the same name, except that a definition that is only
//! spaces does not replace one that exists (Go's `associate`); within one parse, defining a
//! name twice is an error (`parse.rs`).

use super::funcs::FuncSet;
use super::parse::{parse_named, ParseError};
use super::tree::{is_empty_tree, Node, Source, Template};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Named templates and the texts they were parsed from. Cloning is cheap: trees are shared (and may be, across threads).
#[derive(Clone, Debug, Default)]
pub struct Set {
    trees: BTreeMap<String, Arc<SetTree>>,
}

#[derive(Debug)]
struct SetTree {
    nodes: Vec<Node>,
    source: Arc<Source>,
}

impl Set {
    pub fn new() -> Set {
        Set::default()
    }

    /// Parses `text` as the template `name` and adds it and its definitions to the set (Go's
    /// `t.New(name).Parse(text)` on a set). On error the set is unchanged.
    pub fn parse(&mut self, name: &str, text: &str, funcs: &FuncSet) -> Result<(), ParseError> {
        let t = parse_named(name, text, funcs)?;
        self.add(t);
        Ok(())
    }

    /// Adds a parsed template: its own tree under its name, and each template it defines.
    pub fn add(&mut self, t: Template) {
        let Template {
            name,
            nodes,
            defined,
            source,
        } = t;
        self.associate(name, nodes, &source);
        for d in defined {
            self.associate(d.name, d.nodes, &source);
        }
    }

    /// Go's `associate`: a tree of only spaces does not replace an existing template.
    fn associate(&mut self, name: String, nodes: Vec<Node>, source: &Arc<Source>) {
        if is_empty_tree(&nodes) && self.trees.contains_key(&name) {
            return;
        }
        let tree = SetTree {
            nodes,
            source: Arc::clone(source),
        };
        self.trees.insert(name, Arc::new(tree));
    }

    /// The template called `name`: its name, its tree, and the text it was parsed from.
    pub fn lookup(&self, name: &str) -> Option<(&str, &[Node], &Source)> {
        self.trees
            .get_key_value(name)
            .map(|(k, t)| (k.as_str(), t.nodes.as_slice(), &*t.source))
    }

    /// Whether the set has a template called `name`.
    pub fn contains(&self, name: &str) -> bool {
        self.trees.contains_key(name)
    }

    /// The names of the templates, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.trees.keys().map(String::as_str)
    }
}
