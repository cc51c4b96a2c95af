//! Unit tests of the field reader.

use super::*;
use crate::scenario::raw::parse;

/// Line `line`, column `column` of the test file.
fn at(line: usize, column: usize) -> Location {
    Location::File {
        file: "f.toml".into(),
        line,
        column,
    }
}

/// Reads the table `[t]` of `text` with `read`, then reports its unknown
/// keys; returns what `read` returned, the table's own location and the
/// problems.
fn read_t<T>(
    text: &str,
    read: impl FnOnce(&mut Cx, &mut Fields<'_>) -> T,
) -> (T, Location, Vec<Problem>) {
    let root = parse(text, "f.toml").expect("valid TOML");
    let table = root.get("t").expect("a [t] table");
    let mut cx = Cx::default();
    let mut f = Fields::new(&mut cx, table, "t").expect("[t] is a table");
    let value = read(&mut cx, &mut f);
    f.finish(&mut cx);
    (value, table.origin.clone(), cx.problems)
}

/// The single problem, or a panic listing them all.
fn only(problems: &[Problem]) -> &Problem {
    assert_eq!(problems.len(), 1, "{problems:#?}");
    &problems[0]
}

#[test]
fn known_keys_are_not_reported() {
    let (v, _, problems) = read_t("[t]\nvolume = 2\nid = \"a\"\n", |cx, f| {
        f.get("id");
        f.number(cx, "volume")
    });
    assert_eq!(v, Some(2.0));
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn unknown_key_suggests_the_closest_known_one() {
    let (v, _, problems) = read_t("[t]\nvolume = 1\nvolumn = 2\n", |cx, f| {
        f.number(cx, "volume")
    });
    assert_eq!(v, Some(1.0));
    let p = only(&problems);
    assert_eq!(p.field, "t.volumn");
    assert_eq!(p.location, at(3, 10));
    assert_eq!(p.message, "unknown key `volumn` (did you mean `volume`?)");
}

#[test]
fn unknown_key_without_a_close_one_lists_what_is_allowed() {
    let (_, _, problems) = read_t("[t]\nzzz = 1\n", |cx, f| {
        f.number(cx, "volume");
        f.string(cx, "name");
    });
    let p = only(&problems);
    assert_eq!(p.field, "t.zzz");
    assert_eq!(p.location, at(2, 7));
    assert_eq!(p.message, "unknown key `zzz`; allowed here: volume, name");
}

#[test]
fn missing_required_field_names_the_path_and_points_at_the_table() {
    let (v, table, problems) = read_t("[t]\nother = 1\n", |cx, f| {
        f.get("other");
        f.required(cx, "volume", "unit/yr, >= 0")
            .and_then(|_| f.non_negative(cx, "volume"))
    });
    assert_eq!(v, None);
    let p = only(&problems);
    assert_eq!(p.field, "t.volume");
    assert_eq!(p.location, table);
    assert_eq!(p.message, "is required (unit/yr, >= 0)");
    assert_eq!(
        p.to_string(),
        format!(
            "{}: t.volume: is required (unit/yr, >= 0)",
            table.describe()
        )
    );
}

#[test]
fn present_required_field_is_read() {
    let (v, _, problems) = read_t("[t]\nvolume = 3.5\n", |cx, f| {
        f.required(cx, "volume", "unit/yr")
            .and_then(|_| f.non_negative(cx, "volume"))
    });
    assert_eq!(v, Some(3.5));
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn wrong_type_names_expected_and_given_types() {
    let (v, _, problems) = read_t("[t]\nvolume = \"ten\"\n", |cx, f| f.number(cx, "volume"));
    assert_eq!(v, None);
    let p = only(&problems);
    assert_eq!((p.field.as_str(), &p.location), ("t.volume", &at(2, 10)));
    assert_eq!(p.message, "must be a number, not a string");

    let (v, _, problems) = read_t("[t]\nname = 3\n", |cx, f| f.string(cx, "name"));
    assert_eq!(v, None);
    assert_eq!(only(&problems).message, "must be a string, not an integer");

    let (v, _, problems) = read_t("[t]\nvolume = true\n", |cx, f| f.non_negative(cx, "volume"));
    assert_eq!(v, None);
    assert_eq!(only(&problems).message, "must be a number, not a boolean");
}

#[test]
fn numbers_must_be_finite() {
    let (v, _, problems) = read_t("[t]\nvolume = nan\n", |cx, f| f.number(cx, "volume"));
    assert_eq!(v, None);
    assert_eq!(only(&problems).message, "must be a finite number, got NaN");
    let (_, _, problems) = read_t("[t]\nvolume = -inf\n", |cx, f| f.number(cx, "volume"));
    assert_eq!(only(&problems).message, "must be a finite number, got -inf");
}

#[test]
fn non_negative_rejects_a_negative_value() {
    let (v, _, problems) = read_t("[t]\nvolume = -2\n", |cx, f| f.non_negative(cx, "volume"));
    assert_eq!(v, None);
    let p = only(&problems);
    assert_eq!((p.field.as_str(), &p.location), ("t.volume", &at(2, 10)));
    assert_eq!(p.message, "must be >= 0, got -2");

    let (v, _, problems) = read_t("[t]\nvolume = 0\n", |cx, f| f.non_negative(cx, "volume"));
    assert_eq!(v, Some(0.0));
    assert!(problems.is_empty());
    // An optional field that is absent is no problem.
    let (v, _, problems) = read_t("[t]\n", |cx, f| f.non_negative(cx, "volume"));
    assert_eq!(v, None);
    assert!(problems.is_empty());
}

#[test]
fn integer_bounds_are_inclusive() {
    let read = |text: &str| {
        let (v, _, problems) = read_t(text, |cx, f| {
            let node = f.get("n")?;
            integer(cx, node, "t.n", 1, 10)
        });
        (v, problems)
    };
    assert_eq!(read("[t]\nn = 1\n").0, Some(1));
    assert_eq!(read("[t]\nn = 10\n").0, Some(10));
    let (v, problems) = read("[t]\nn = 0\n");
    assert_eq!(v, None);
    let p = only(&problems);
    assert_eq!((p.field.as_str(), &p.location), ("t.n", &at(2, 5)));
    assert_eq!(p.message, "must be between 1 and 10, got 0");
    let (_, problems) = read("[t]\nn = 11\n");
    assert_eq!(only(&problems).message, "must be between 1 and 10, got 11");
    let (_, problems) = read("[t]\nn = 1.5\n");
    assert_eq!(
        only(&problems).message,
        "must be a whole number, not a float"
    );
}

#[test]
fn choice_lists_what_is_allowed() {
    const STEPS: [&str; 4] = ["hour", "day", "week", "month"];
    let (v, _, problems) = read_t("[t]\nstep = \"week\"\n", |cx, f| {
        f.choice(cx, "step", &STEPS)
    });
    assert_eq!(v, Some("week"));
    assert!(problems.is_empty());

    let (v, _, problems) = read_t("[t]\nstep = \"weak\"\n", |cx, f| {
        f.choice(cx, "step", &STEPS)
    });
    assert_eq!(v, None);
    let p = only(&problems);
    assert_eq!((p.field.as_str(), &p.location), ("t.step", &at(2, 8)));
    assert_eq!(
        p.message,
        "must be one of \"hour\", \"day\", \"week\", \"month\", got \"weak\" (did you mean \"week\"?)"
    );

    let (_, _, problems) = read_t("[t]\nstep = \"fortnight\"\n", |cx, f| {
        f.choice(cx, "step", &STEPS)
    });
    assert_eq!(
        only(&problems).message,
        "must be one of \"hour\", \"day\", \"week\", \"month\", got \"fortnight\""
    );

    let (_, _, problems) = read_t("[t]\nstep = 7\n", |cx, f| f.choice(cx, "step", &STEPS));
    assert_eq!(
        only(&problems).message,
        "must be one of \"hour\", \"day\", \"week\", \"month\""
    );
}

#[test]
fn numbers_name_the_bad_element() {
    let (v, _, problems) = read_t("[t]\np = [1, 2.5, 3]\n", |cx, f| f.numbers(cx, "p"));
    assert_eq!(v, Some(vec![1.0, 2.5, 3.0]));
    assert!(problems.is_empty());

    let (v, _, problems) = read_t("[t]\np = [1, \"x\", 3]\n", |cx, f| f.numbers(cx, "p"));
    assert_eq!(v, None);
    let p = only(&problems);
    assert_eq!((p.field.as_str(), &p.location), ("t.p[1]", &at(2, 9)));
    assert_eq!(p.message, "must be a number, not a string");

    let (_, _, problems) = read_t("[t]\np = 3\n", |cx, f| f.numbers(cx, "p"));
    assert_eq!(
        only(&problems).message,
        "must be an array of numbers, not an integer"
    );
}

#[test]
fn dates_parse_from_toml_dates_and_strings() {
    let read = |text: &str| {
        let (v, _, problems) = read_t(text, |cx, f| {
            let node = f.get("start")?;
            date(cx, node, "t.start")
        });
        (v, problems)
    };
    let march = NaiveDate::from_ymd_opt(2024, 3, 1);
    assert_eq!(read("[t]\nstart = 2024-03-01\n").0, march);
    assert_eq!(read("[t]\nstart = \"2024-03-01\"\n").0, march);

    let (v, problems) = read("[t]\nstart = \"2024-13-01\"\n");
    assert_eq!(v, None);
    let p = only(&problems);
    assert_eq!((p.field.as_str(), &p.location), ("t.start", &at(2, 9)));
    assert_eq!(
        p.message,
        "must be a date like 2024-01-01, got \"2024-13-01\""
    );

    let (_, problems) = read("[t]\nstart = \"1 March 2024\"\n");
    assert_eq!(
        only(&problems).message,
        "must be a date like 2024-01-01, got \"1 March 2024\""
    );
    let (_, problems) = read("[t]\nstart = 20240301\n");
    assert_eq!(
        only(&problems).message,
        "must be a date like 2024-01-01, not an integer"
    );
}

#[test]
fn a_table_is_required_where_one_is_expected() {
    let root = parse("t = 3\n", "f.toml").unwrap();
    let mut cx = Cx::default();
    assert!(Fields::new(&mut cx, root.get("t").unwrap(), "t").is_none());
    let p = only(&cx.problems);
    assert_eq!((p.field.as_str(), &p.location), ("t", &at(1, 5)));
    assert_eq!(p.message, "must be a table, not an integer");
}

#[test]
fn a_problem_without_a_node_has_no_location() {
    let mut cx = Cx::default();
    cx.error(None, "scenario.name", "is required");
    let p = only(&cx.problems);
    assert_eq!(p.location, Location::Generated);
    assert_eq!(p.to_string(), "scenario.name: is required");
}

#[test]
fn suggest_only_close_words() {
    let known = ["volume", "capacity", "profile"];
    assert_eq!(suggest("volumn", &known), Some("volume"));
    assert_eq!(suggest("capacty", &known), Some("capacity"));
    assert_eq!(suggest("xyz", &known), None);
    assert_eq!(suggest("volume", &[]), None);
}

#[test]
fn ids_are_lowercase_digits_underscore_and_dash() {
    assert!(valid_id("qatar_2-b"));
    assert!(!valid_id(""));
    assert!(!valid_id("Qatar"));
    assert!(!valid_id("a b"));
    assert!(!valid_id("a.b"));
}

#[test]
fn quoted_lists_words_in_quotes() {
    assert_eq!(quoted(&["a", "b"]), "\"a\", \"b\"");
    assert_eq!(quoted(&[]), "");
}

#[test]
fn a_distribution_entirely_outside_its_range_is_refused() {
    let check = |value: &str| {
        let root = parse(&format!("d = {value}\n"), "f.toml").expect("valid TOML");
        let node = root.get("d").unwrap();
        let mut cx = Cx::default();
        let d = dist(&mut cx, node, "x.loss").expect("a valid distribution");
        check_reachable(
            &mut cx,
            Some(node),
            "x.loss",
            &d,
            (0.0, 1.0),
            ("a fraction", "within [0, 1]"),
        );
        cx.problems
    };
    let p = check("{ dist = \"uniform\", min = 1.5, max = 1.5 }");
    let p = only(&p);
    assert_eq!((p.field.as_str(), &p.location), ("x.loss", &at(1, 5)));
    assert!(
        p.message.starts_with("a fraction must be within [0, 1], but every value of this distribution is outside it (its values run from 1.5 to 1.5)"),
        "{}",
        p.message
    );
    assert_eq!(
        check("{ dist = \"empirical\", values = [1.5, -2] }").len(),
        1
    );
    // Reaching outside is fine (clamped); so is touching the range's edge.
    assert!(check("{ dist = \"normal\", mean = 0.9, sd = 0.5 }").is_empty());
    assert!(check("{ dist = \"uniform\", min = 1, max = 3 }").is_empty());
    assert!(check("{ dist = \"empirical\", values = [1.5, 0.5] }").is_empty());
    // A weight of 0 takes a value out of the distribution's values.
    assert_eq!(
        check("{ dist = \"empirical\", values = [1.5, 0.5], weights = [1, 0] }").len(),
        1
    );
    // Fixed values are left to the field's own check.
    assert!(check("1.5").is_empty());
}

#[test]
fn numbers_beyond_the_largest_magnitude_are_refused() {
    let root = parse("a = 1e15\nb = -1.5e15\nc = 1e308\n", "f.toml").unwrap();
    let mut cx = Cx::default();
    assert_eq!(number(&mut cx, root.get("a").unwrap(), "a"), Some(1e15));
    assert_eq!(number(&mut cx, root.get("b").unwrap(), "b"), None);
    assert_eq!(number(&mut cx, root.get("c").unwrap(), "c"), None);
    assert_eq!(cx.problems.len(), 2);
    assert_eq!(
        cx.problems[1].message,
        "1e308 is too large: numbers in a scenario must lie within ±1e15"
    );
}

#[test]
fn ids_longer_than_the_limit_are_refused() {
    assert_eq!(id_problem(&"a".repeat(MAX_ID_LEN)), None);
    assert_eq!(
        id_problem(&"a".repeat(MAX_ID_LEN + 1)).as_deref(),
        Some("must be at most 64 characters, got 65")
    );
    assert!(!valid_id(&"a".repeat(MAX_ID_LEN + 1)));
}
