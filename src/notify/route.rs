//! The routing tree: which routes an alert's labels reach, and what each route decides for
//! it (receiver, grouping labels, timings), as Alertmanager's `dispatch/route.go` does.
//!
//! A route inherits every option it does not set from its parent (the root from
//! Alertmanager's defaults: group_wait 30s, group_interval 5m, repeat_interval 4h, no
//! grouping labels). Matching is depth first, left to right: an alert that matches a route
//! is offered to its children in order; the first child that matches takes it, unless that
//! child says `continue`, in which case the following siblings are tried too. A route none
//! of whose children matched is itself the match.
//!
//! Each route has a key (its matchers, prefixed by its parent's key: `{}/{severity="page"}`)
//! and an id (the key plus its position among its siblings). Group keys are built from the
//! key, as Alertmanager builds them; the id tells sibling routes with equal matchers apart.

use super::matchers::{self, Matcher};
use crate::gotmpl::strconv::quote;
use crate::model::Labels;
use std::collections::BTreeSet;

pub const DEFAULT_GROUP_WAIT: i64 = 30_000;
pub const DEFAULT_GROUP_INTERVAL: i64 = 300_000;
pub const DEFAULT_REPEAT_INTERVAL: i64 = 4 * 3_600_000;

/// A route as the configuration writes it (before inheritance).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RouteSpec {
    pub receiver: Option<String>,
    /// Grouping labels; empty leaves the parent's grouping in place (as in Alertmanager,
    /// where `group_by: []` does not reset it).
    pub group_by: Vec<String>,
    /// `group_by: ['...']`: every label groups.
    pub group_by_all: bool,
    /// The old `match:` map (equality) and `match_re:` map (regexes as written).
    pub match_equal: Vec<(String, String)>,
    pub match_re: Vec<(String, String)>,
    /// The `matchers:` lines, parsed.
    pub matchers: Vec<Matcher>,
    pub continue_matching: bool,
    pub routes: Vec<RouteSpec>,
    pub group_wait: Option<i64>,
    pub group_interval: Option<i64>,
    pub repeat_interval: Option<i64>,
    /// Where the route starts in the configuration file.
    pub line: usize,
}

/// What a route decides for the alerts it takes.
#[derive(Clone, Debug, PartialEq)]
pub struct RouteOpts {
    pub receiver: String,
    pub group_by: BTreeSet<String>,
    pub group_by_all: bool,
    pub group_wait: i64,
    pub group_interval: i64,
    pub repeat_interval: i64,
}

/// One node of the routing tree, with its options resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    pub id: String,
    pub key: String,
    pub opts: RouteOpts,
    /// Sorted as Alertmanager sorts them (they print in this order in the key).
    pub matchers: Vec<Matcher>,
    pub continue_matching: bool,
    pub routes: Vec<Route>,
    pub line: usize,
}

impl Route {
    /// Builds the tree from the root's spec. Fails only on an invalid `match_re` pattern.
    pub fn build(root: &RouteSpec) -> Result<Route, String> {
        let defaults = RouteOpts {
            receiver: String::new(),
            group_by: BTreeSet::new(),
            group_by_all: false,
            group_wait: DEFAULT_GROUP_WAIT,
            group_interval: DEFAULT_GROUP_INTERVAL,
            repeat_interval: DEFAULT_REPEAT_INTERVAL,
        };
        Route::node(root, &defaults, None)
    }

    /// `parent` is the parent's key and this route's position among its siblings.
    fn node(
        spec: &RouteSpec,
        inherited: &RouteOpts,
        parent: Option<(&str, usize)>,
    ) -> Result<Route, String> {
        let mut opts = inherited.clone();
        if let Some(r) = &spec.receiver {
            if !r.is_empty() {
                opts.receiver = r.clone();
            }
        }
        if !spec.group_by.is_empty() {
            opts.group_by = spec.group_by.iter().cloned().collect();
            opts.group_by_all = false;
        } else if spec.group_by_all {
            opts.group_by_all = true;
        }
        opts.group_wait = spec.group_wait.unwrap_or(opts.group_wait);
        opts.group_interval = spec.group_interval.unwrap_or(opts.group_interval);
        opts.repeat_interval = spec.repeat_interval.unwrap_or(opts.repeat_interval);

        let mut ms = Vec::new();
        for (name, value) in &spec.match_equal {
            ms.push(Matcher::equal(name, value));
        }
        for (name, pattern) in &spec.match_re {
            // Alertmanager hands the compiled `^(?:re)$` back as the matcher's value, so it
            // is what prints in the route key.
            let anchored = format!("^(?:{pattern})$");
            ms.push(Matcher::new(matchers::MatchType::Regexp, name, &anchored)?);
        }
        ms.extend(spec.matchers.iter().cloned());
        matchers::sort(&mut ms);

        let own = matchers::list_string(&ms);
        let (key, id) = match parent {
            None => (own.clone(), own),
            Some((parent_key, position)) => {
                let key = format!("{parent_key}/{own}");
                let id = format!("{key}/{position}");
                (key, id)
            }
        };
        let mut routes = Vec::with_capacity(spec.routes.len());
        for (i, child) in spec.routes.iter().enumerate() {
            routes.push(Route::node(child, &opts, Some((&key, i)))?);
        }
        Ok(Route {
            id,
            key,
            opts,
            matchers: ms,
            continue_matching: spec.continue_matching,
            routes,
            line: spec.line,
        })
    }

    /// The routes that take an alert with these labels, in tree order.
    pub fn matching(&self, labels: &Labels) -> Vec<&Route> {
        if !matchers::all_match(&self.matchers, labels) {
            return Vec::new();
        }
        let mut all = Vec::new();
        for child in &self.routes {
            let found = child.matching(labels);
            let matched = !found.is_empty();
            all.extend(found);
            if matched && !child.continue_matching {
                break;
            }
        }
        if all.is_empty() {
            all.push(self);
        }
        all
    }

    /// The labels of an alert that name its group on this route.
    pub fn group_labels(&self, labels: &Labels) -> Labels {
        if self.opts.group_by_all {
            return labels.clone();
        }
        Labels::from_pairs(
            labels
                .iter()
                .filter(|(n, _)| self.opts.group_by.contains(*n)),
        )
    }

    /// Alertmanager's group key: the route key, a colon, and the group labels printed as
    /// `{a="1", b="2"}` (Go-quoted values).
    pub fn group_key(&self, group_labels: &Labels) -> String {
        format!("{}:{}", self.key, label_set_string(group_labels))
    }

    /// Every route of the tree, depth first.
    pub fn walk(&self) -> Vec<&Route> {
        let mut out = vec![self];
        for child in &self.routes {
            out.extend(child.walk());
        }
        out
    }

    /// The route with this id.
    pub fn find(&self, id: &str) -> Option<&Route> {
        self.walk().into_iter().find(|r| r.id == id)
    }
}

/// A label set as `prometheus/common/model` prints it: `{a="1", b="2"}`.
pub fn label_set_string(labels: &Labels) -> String {
    let parts: Vec<String> = labels
        .iter()
        .map(|(n, v)| format!("{n}={}", quote(v, '"', false)))
        .collect();
    format!("{{{}}}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(pairs: &[(&str, &str)]) -> Labels {
        Labels::from_pairs(pairs.iter().copied())
    }

    fn spec(matchers_text: &str, receiver: &str) -> RouteSpec {
        RouteSpec {
            receiver: Some(receiver.to_string()),
            matchers: matchers::parse_list(matchers_text).unwrap(),
            ..Default::default()
        }
    }

    /// The tree of Alertmanager's routing documentation, reduced: a database route with
    /// children, a frontend route that continues, and a catch-all.
    fn tree() -> Route {
        let mut db = spec(r#"service=~"mysql|cassandra""#, "team-DB-pager");
        db.group_by = vec!["alertname".into(), "cluster".into(), "database".into()];
        db.routes = vec![spec(r#"owner="team-X""#, "team-X-pager")];
        let mut frontend = spec(r#"service="frontend""#, "team-FE");
        frontend.continue_matching = true;
        let mut root = RouteSpec {
            receiver: Some("default".into()),
            group_by: vec!["alertname".into()],
            group_wait: Some(10_000),
            ..Default::default()
        };
        root.routes = vec![
            db,
            frontend,
            spec(r#"team="fe""#, "team-FE-2"),
            spec("", "catch"),
        ];
        Route::build(&root).unwrap()
    }

    fn receivers(r: &Route, labels: &Labels) -> Vec<String> {
        r.matching(labels)
            .iter()
            .map(|m| m.opts.receiver.clone())
            .collect()
    }

    #[test]
    fn depth_first_first_match_wins_unless_continue() {
        let t = tree();
        assert_eq!(
            receivers(&t, &l(&[("service", "mysql")])),
            ["team-DB-pager"]
        );
        assert_eq!(
            receivers(&t, &l(&[("service", "mysql"), ("owner", "team-X")])),
            ["team-X-pager"]
        );
        assert_eq!(
            receivers(&t, &l(&[("service", "frontend"), ("team", "fe")])),
            ["team-FE", "team-FE-2"]
        );
        assert_eq!(
            receivers(&t, &l(&[("service", "frontend")])),
            ["team-FE", "catch"]
        );
        assert_eq!(receivers(&t, &l(&[("x", "y")])), ["catch"]);
    }

    #[test]
    fn options_are_inherited_and_overridden() {
        let t = tree();
        let x = &t.matching(&l(&[("service", "mysql"), ("owner", "team-X")]))[0];
        assert_eq!(x.opts.group_wait, 10_000);
        assert_eq!(x.opts.group_interval, DEFAULT_GROUP_INTERVAL);
        assert_eq!(x.opts.repeat_interval, DEFAULT_REPEAT_INTERVAL);
        let by: Vec<&str> = x.opts.group_by.iter().map(|s| s.as_str()).collect();
        assert_eq!(by, ["alertname", "cluster", "database"]);
    }

    #[test]
    fn keys_ids_and_group_keys_as_alertmanager_builds_them() {
        let t = tree();
        assert_eq!((t.key.as_str(), t.id.as_str()), ("{}", "{}"));
        let x = &t.routes[0].routes[0];
        assert_eq!(x.key, r#"{}/{service=~"mysql|cassandra"}/{owner="team-X"}"#);
        assert_eq!(
            x.id,
            r#"{}/{service=~"mysql|cassandra"}/{owner="team-X"}/0"#
        );
        assert_eq!(t.routes[3].id, "{}/{}/3");
        let labels = l(&[("alertname", "X"), ("instance", "a")]);
        let gl = t.group_labels(&labels);
        assert_eq!(t.group_key(&gl), r#"{}:{alertname="X"}"#);
        let two = l(&[("alertname", "Disk \"full\""), ("cluster", "eu")]);
        assert_eq!(
            t.routes[0].group_key(&two),
            r#"{}/{service=~"mysql|cassandra"}:{alertname="Disk \"full\"", cluster="eu"}"#
        );
    }

    #[test]
    fn old_match_re_prints_its_anchored_form() {
        let root = RouteSpec {
            receiver: Some("r".into()),
            routes: vec![RouteSpec {
                match_re: vec![("service".into(), "foo1|foo2".into())],
                match_equal: vec![("a".into(), "b".into())],
                ..Default::default()
            }],
            ..Default::default()
        };
        let t = Route::build(&root).unwrap();
        assert_eq!(t.routes[0].key, r#"{}/{a="b",service=~"^(?:foo1|foo2)$"}"#);
        assert_eq!(receivers(&t, &l(&[("a", "b"), ("service", "foo2")])), ["r"]);
        assert_eq!(
            t.matching(&l(&[("a", "b"), ("service", "foo3")]))[0].id,
            "{}"
        );
    }

    #[test]
    fn grouping_by_all_labels_and_by_none() {
        let mut root = spec("", "r");
        root.group_by_all = true;
        let mut child = spec("a=b", "r2");
        child.group_by = vec!["a".into()];
        let mut grandchild = spec("c=d", "r3");
        grandchild.group_by_all = false;
        child.routes = vec![grandchild];
        root.routes = vec![child, spec("x=y", "r4")];
        let t = Route::build(&root).unwrap();
        let labels = l(&[("a", "b"), ("c", "d"), ("x", "y")]);
        assert_eq!(t.group_labels(&labels), labels);
        // The grandchild sets no grouping and inherits its parent's.
        assert_eq!(
            t.routes[0].routes[0].group_labels(&labels),
            l(&[("a", "b")])
        );
        assert_eq!(t.routes[1].group_labels(&labels), labels);
        let none = Route::build(&spec("", "r")).unwrap();
        assert_eq!(none.group_key(&none.group_labels(&labels)), "{}:{}");
    }
}
