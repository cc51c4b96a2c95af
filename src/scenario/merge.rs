//! `extends` chains and `--set` overrides.
//!
//! Tables merge key by key; the arrays of tables `supplier`, `substitute` and
//! `event` merge by `id` (same id: fields override; new id: appended); an
//! entry whose merged `enabled` is `false` is removed at the end. A table
//! that carries a `dist` key is a distribution and replaces the value it
//! overrides as a whole (merging the parameters of two different
//! distributions would make no sense).

use std::path::{Path, PathBuf};

use super::files::FileError;
use super::raw::{self, Node, Value};
use super::validate::suggest;
use crate::error::{Error, Location, Problem};

/// The arrays of tables that merge by `id`.
pub const ID_ARRAYS: [&str; 3] = ["supplier", "substitute", "event"];

/// Loads `path`, following its `extends` chain (parents first), and returns
/// the merged tree with `extends` removed. Relative paths inside a file
/// (`extends`, `demand.per_step_csv`) are resolved against that file's folder.
pub fn load_chain(path: &Path) -> Result<Node, Error> {
    let mut stack = Vec::new();
    load_inner(path, path, None, &mut stack)
}

/// `stack` holds (canonical path, path as named) of the files being loaded.
fn load_inner(
    top: &Path,
    path: &Path,
    named_at: Option<Location>,
    stack: &mut Vec<(PathBuf, PathBuf)>,
) -> Result<Node, Error> {
    let canonical = match (std::fs::canonicalize(path), &named_at) {
        (Ok(c), _) => c,
        (Err(source), None) => {
            return Err(Error::Read {
                path: path.to_path_buf(),
                source,
            });
        }
        (Err(source), Some(origin)) => {
            return Err(Error::scenario(
                top,
                Problem {
                    location: origin.clone(),
                    field: "scenario.extends".into(),
                    message: format!("cannot read {}: {source}", path.display()),
                },
            ));
        }
    };
    if let Some(pos) = stack.iter().position(|(c, _)| *c == canonical) {
        let chain: Vec<String> = stack[pos..]
            .iter()
            .map(|(_, named)| named.display().to_string())
            .chain(std::iter::once(path.display().to_string()))
            .collect();
        return Err(Error::scenario(
            top,
            Problem {
                location: named_at.unwrap_or(Location::Generated),
                field: "scenario.extends".into(),
                message: format!("cyclic extends: {}", chain.join(" -> ")),
            },
        ));
    }
    let text = super::files::read_text(path).map_err(|e| unreadable(top, path, named_at, e))?;
    // Syntax errors of a parent are reported against the file the user named.
    let mut node =
        raw::parse(&text, &path.display().to_string()).map_err(|problems| Error::Scenario {
            file: top.to_path_buf(),
            problems,
        })?;
    let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
    resolve_relative_paths(&mut node, &dir);

    let extends = take_extends(&mut node).map_err(|p| Error::scenario(top, p))?;
    match extends {
        None => Ok(node),
        Some((parent_rel, origin)) => {
            // Entries of a file that extends another merge by id, so a
            // repeated id inside the file would silently merge: reject it.
            let duplicates = duplicate_ids(&node);
            if !duplicates.is_empty() {
                return Err(Error::Scenario {
                    file: top.to_path_buf(),
                    problems: duplicates,
                });
            }
            stack.push((canonical, path.to_path_buf()));
            let parent_path = dir.join(&parent_rel);
            let mut base = load_inner(top, &parent_path, Some(origin), stack)?;
            stack.pop();
            let mut problems = Vec::new();
            merge_into(&mut base, node, "", &mut problems);
            if problems.is_empty() {
                Ok(base)
            } else {
                Err(Error::Scenario {
                    file: top.to_path_buf(),
                    problems,
                })
            }
        }
    }
}

/// A file of the chain that cannot be read: the file named on the command
/// line as such, a parent as a problem of the `extends` that names it.
fn unreadable(top: &Path, path: &Path, named_at: Option<Location>, e: FileError) -> Error {
    match (e, named_at) {
        (FileError::Io(source), None) => Error::Read {
            path: path.to_path_buf(),
            source,
        },
        (FileError::Refused(message), None) => Error::scenario(
            top,
            Problem {
                location: Location::WholeFile(path.display().to_string().into()),
                field: String::new(),
                message,
            },
        ),
        (e, Some(origin)) => Error::scenario(
            top,
            Problem {
                location: origin,
                field: "scenario.extends".into(),
                message: format!("cannot read {}: {e}", path.display()),
            },
        ),
    }
}

/// Problems for ids repeated within one array of tables of a single file.
fn duplicate_ids(node: &Node) -> Vec<Problem> {
    let mut problems = Vec::new();
    for key in ID_ARRAYS {
        let Some(Value::Array(items)) = node.get(key).map(|n| &n.value) else {
            continue;
        };
        let mut seen: Vec<(&str, &Location)> = Vec::new();
        for item in items {
            let Some(id) = item.get("id") else { continue };
            let Value::Str(s) = &id.value else { continue };
            match seen.iter().find(|(k, _)| k == s) {
                Some((_, first)) => problems.push(Problem {
                    location: id.origin.clone(),
                    field: format!("{key}.{s}.id"),
                    message: format!(
                        "duplicate id \"{s}\" (first used at {}); ids must be unique across suppliers, substitutes and events",
                        first.describe()
                    ),
                }),
                None => seen.push((s, &id.origin)),
            }
        }
    }
    problems
}

/// Removes `scenario.extends` and returns it with where it was written.
fn take_extends(node: &mut Node) -> Result<Option<(String, Location)>, Problem> {
    let Value::Table(root) = &mut node.value else {
        return Ok(None);
    };
    let Some((_, scenario)) = root.iter_mut().find(|(k, _)| k == "scenario") else {
        return Ok(None);
    };
    let Value::Table(table) = &mut scenario.value else {
        return Ok(None);
    };
    let Some(pos) = table.iter().position(|(k, _)| k == "extends") else {
        return Ok(None);
    };
    let (_, value) = table.remove(pos);
    match value.value {
        Value::Str(s) => Ok(Some((s, value.origin))),
        other => Err(Problem {
            location: value.origin.clone(),
            field: "scenario.extends".into(),
            message: format!("must be a path (a string), not {}", other.type_name()),
        }),
    }
}

/// Rewrites `demand.per_step_csv` to a path relative to the working folder.
fn resolve_relative_paths(node: &mut Node, dir: &Path) {
    let Value::Table(root) = &mut node.value else {
        return;
    };
    for (key, demand) in root.iter_mut() {
        if key != "demand" {
            continue;
        }
        if let Value::Table(t) = &mut demand.value {
            for (k, v) in t.iter_mut() {
                if k == "per_step_csv" {
                    if let Value::Str(s) = &mut v.value {
                        *s = dir.join(&*s).display().to_string();
                    }
                }
            }
        }
    }
}

/// Merges `over` into `base` (`over` wins). `path` is the dotted path of `base`.
pub fn merge_into(base: &mut Node, over: Node, path: &str, problems: &mut Vec<Problem>) {
    match (&mut base.value, over.value) {
        (Value::Table(bt), Value::Table(ot)) if !ot.iter().any(|(k, _)| k == "dist") => {
            for (key, value) in ot {
                let child_path = join(path, &key);
                let id_array = path.is_empty() && ID_ARRAYS.contains(&key.as_str());
                match bt.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, existing)) if id_array => {
                        merge_by_id(existing, value, &child_path, problems)
                    }
                    Some((_, existing)) => merge_into(existing, value, &child_path, problems),
                    None => bt.push((key, value)),
                }
            }
        }
        (_, value) => {
            *base = Node {
                value,
                origin: over.origin,
            };
        }
    }
}

fn merge_by_id(base: &mut Node, over: Node, path: &str, problems: &mut Vec<Problem>) {
    let (Value::Array(base_items), Value::Array(over_items)) = (&mut base.value, over.value) else {
        problems.push(Problem {
            location: over.origin.clone(),
            field: path.into(),
            message: "must be an array of tables ([[...]] entries)".into(),
        });
        return;
    };
    for item in over_items {
        let Some(id) = item.get("id").and_then(|n| match &n.value {
            Value::Str(s) => Some(s.clone()),
            _ => None,
        }) else {
            problems.push(Problem {
                location: item.origin.clone(),
                field: path.into(),
                message: "an entry that extends or overrides another file needs an `id` (a string)"
                    .into(),
            });
            continue;
        };
        match base_items
            .iter_mut()
            .find(|b| matches!(b.get("id").map(|n| &n.value), Some(Value::Str(s)) if *s == id))
        {
            Some(existing) => merge_into(existing, item, &format!("{path}.{id}"), problems),
            None => base_items.push(item),
        }
    }
}

/// Removes array-of-table entries whose `enabled` is `false` and drops the
/// `enabled` key of the rest. Returns problems for non-boolean `enabled`.
pub fn apply_enabled(root: &mut Node) -> Vec<Problem> {
    apply_enabled_listing(root, &mut Vec::new())
}

/// [`apply_enabled`], also listing each entry it removes as `kind.id`.
pub fn apply_enabled_listing(root: &mut Node, removed: &mut Vec<String>) -> Vec<Problem> {
    let mut problems = Vec::new();
    let Value::Table(t) = &mut root.value else {
        return problems;
    };
    for (key, value) in t.iter_mut() {
        if !ID_ARRAYS.contains(&key.as_str()) {
            continue;
        }
        let Value::Array(items) = &mut value.value else {
            continue;
        };
        items.retain_mut(|item| {
            let Value::Table(fields) = &mut item.value else {
                return true;
            };
            let Some(pos) = fields.iter().position(|(k, _)| k == "enabled") else {
                return true;
            };
            let id = match fields
                .iter()
                .find(|(k, _)| k == "id")
                .map(|(_, v)| &v.value)
            {
                Some(Value::Str(s)) => s.clone(),
                _ => "?".into(),
            };
            let (_, flag) = fields.remove(pos);
            match flag.value {
                Value::Bool(b) => {
                    if !b {
                        removed.push(format!("{key}.{id}"));
                    }
                    b
                }
                other => {
                    problems.push(Problem {
                        location: flag.origin.clone(),
                        field: format!("{key}.{id}.enabled"),
                        message: format!("must be true or false, not {}", other.type_name()),
                    });
                    true
                }
            }
        });
    }
    problems
}

/// Applies one `--set PATH=VALUE` to the merged tree. `PATH` is dotted; the
/// second part of a `supplier`, `substitute` or `event` path is the entry's id,
/// which must name an entry of the merged scenario (`--set` never adds one).
pub fn apply_set(root: &mut Node, arg: &str) -> Result<(), Problem> {
    apply_set_after(root, arg, &[])
}

/// [`apply_set`] on a tree from which the entries `removed` (`kind.id`, see
/// [`apply_enabled_listing`]) were taken out by `enabled = false`: an id
/// among them is refused with that reason.
pub fn apply_set_after(root: &mut Node, arg: &str, removed: &[String]) -> Result<(), Problem> {
    let Some((path, text)) = arg.split_once('=') else {
        return Err(Problem {
            location: Location::Set(arg.into()),
            field: String::new(),
            message: "expected PATH=VALUE, e.g. --set storage.capacity=3.5".into(),
        });
    };
    let path = path.trim();
    if path == "scenario.extends" {
        return Err(Problem {
            location: Location::Set(arg.into()),
            field: path.into(),
            message: "cannot be set on the command line: extends is resolved when the file is read; write it in the file".into(),
        });
    }
    let parts: Vec<&str> = path.split('.').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(Problem {
            location: Location::Set(arg.into()),
            field: path.into(),
            message: "empty part in the path".into(),
        });
    }
    let value = raw::parse_set_value(text.trim(), arg);
    let origin = Location::Set(arg.into());
    // Build the override as a small tree and merge it like a file.
    let over = if ID_ARRAYS.contains(&parts[0]) {
        if parts.len() < 3 {
            return Err(Problem {
                location: Location::Set(arg.into()),
                field: path.into(),
                message: format!(
                    "a {} path names the id and a field, e.g. {}.ID.FIELD",
                    parts[0], parts[0]
                ),
            });
        }
        if parts[2] == "id" && parts.len() == 3 {
            return Err(Problem {
                location: Location::Set(arg.into()),
                field: path.into(),
                message: "an entry's id cannot be changed with --set (it names the entry and its random stream)".into(),
            });
        }
        if removed
            .iter()
            .any(|r| *r == format!("{}.{}", parts[0], parts[1]))
        {
            return Err(Problem {
                location: Location::Set(arg.into()),
                field: path.into(),
                message: format!(
                    "{} \"{}\" is removed by enabled = false in the scenario's files; --set cannot change or bring back a removed entry",
                    parts[0], parts[1]
                ),
            });
        }
        check_set_id(root, parts[0], parts[1], arg, path)?;
        let id = Node {
            value: Value::Str(parts[1].into()),
            origin: origin.clone(),
        };
        let mut entry = nest(&parts[2..], value, &origin);
        if let Value::Table(t) = &mut entry.value {
            t.insert(0, ("id".into(), id));
        }
        Node {
            value: Value::Table(vec![(
                parts[0].into(),
                Node {
                    value: Value::Array(vec![entry]),
                    origin: origin.clone(),
                },
            )]),
            origin,
        }
    } else {
        nest(&parts, value, &origin)
    };
    let mut problems = Vec::new();
    merge_into(root, over, "", &mut problems);
    problems.into_iter().next().map_or(Ok(()), Err)
}

/// `--set` changes entries and never adds one: `id` must name an entry of
/// the array `kind` (SCENARIO.md, "Inheritance and overrides"), so that a
/// typo cannot silently add a supplier, substitute or event.
fn check_set_id(root: &Node, kind: &str, id: &str, arg: &str, path: &str) -> Result<(), Problem> {
    let ids_of = |key: &str| -> Vec<String> {
        match root.get(key).map(|n| &n.value) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|item| match item.get("id").map(|n| &n.value) {
                    Some(Value::Str(s)) => Some(s.clone()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    };
    let ids = ids_of(kind);
    if ids.iter().any(|i| i == id) {
        return Ok(());
    }
    let known: Vec<&str> = ids.iter().map(String::as_str).collect();
    let elsewhere = ID_ARRAYS
        .iter()
        .find(|k| **k != kind && ids_of(k).iter().any(|i| i == id));
    let hint = if let Some(other) = elsewhere {
        format!(
            " (\"{id}\" is a{} {other}: {other}.{id}...)",
            if other.starts_with(['a', 'e', 'i', 'o', 'u']) {
                "n"
            } else {
                ""
            }
        )
    } else {
        match suggest(id, &known) {
            Some(h) => format!(" (did you mean `{h}`?)"),
            None if known.is_empty() => format!("; the scenario has no {kind}"),
            None => format!("; {kind} ids: {}", known.join(", ")),
        }
    };
    Err(Problem {
        location: Location::Set(arg.into()),
        field: path.into(),
        message: format!(
            "no {kind} has id \"{id}\"{hint}; --set changes an entry and never adds one (add new entries in a file)"
        ),
    })
}

fn nest(parts: &[&str], leaf: Node, origin: &Location) -> Node {
    parts.iter().rev().fold(leaf, |inner, key| Node {
        value: Value::Table(vec![((*key).into(), inner)]),
        origin: origin.clone(),
    })
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.into()
    } else {
        format!("{path}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Node {
        raw::parse(s, "t.toml").unwrap()
    }

    #[test]
    fn arrays_merge_by_id_and_enabled_removes() {
        let mut base = parse(
            "[[supplier]]\nid='a'\nvolume=1\n[[supplier]]\nid='b'\nvolume=2\n[storage]\ncapacity=3\n",
        );
        let over = parse(
            "[[supplier]]\nid='b'\nvolume=5\n[[supplier]]\nid='c'\nvolume=7\n[[supplier]]\nid='a'\nenabled=false\n[storage]\ninitial=1\n",
        );
        let mut problems = vec![];
        merge_into(&mut base, over, "", &mut problems);
        assert!(problems.is_empty());
        assert!(apply_enabled(&mut base).is_empty());
        let j = base.to_json();
        let s = &j["supplier"];
        assert_eq!(s.as_array().unwrap().len(), 2);
        assert_eq!(s[0]["id"], "b");
        assert_eq!(s[0]["volume"], 5);
        assert_eq!(s[1]["id"], "c");
        assert_eq!(j["storage"]["capacity"], 3);
        assert_eq!(j["storage"]["initial"], 1);
    }

    #[test]
    fn distributions_replace_whole() {
        let mut base = parse("[x]\nd={dist='lognormal', median=3, sigma=1}\n");
        let over = parse("[x]\nd={dist='fixed', value=2}\n");
        merge_into(&mut base, over, "", &mut vec![]);
        let j = base.to_json();
        assert!(j["x"]["d"].get("median").is_none());
        assert_eq!(j["x"]["d"]["value"], 2);
    }

    #[test]
    fn set_paths() {
        let mut base = parse("[[event]]\nid='cut'\nprobability=0.1\n[storage]\ncapacity=1\n");
        apply_set(&mut base, "event.cut.probability=1").unwrap();
        apply_set(&mut base, "storage.capacity=2.5").unwrap();
        apply_set(&mut base, "time.step=week").unwrap();
        let j = base.to_json();
        assert_eq!(j["event"][0]["probability"], 1);
        assert_eq!(j["storage"]["capacity"], 2.5);
        assert_eq!(j["time"]["step"], "week");
        assert!(apply_set(&mut base, "storage.capacity").is_err());
        assert!(apply_set(&mut base, "event.cut=1").is_err());
    }
}
