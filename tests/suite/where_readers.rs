//! The client's Where reader (`api::query::Where::parse`) and the sandbox's own
//! (`sandbox::where_reader::read_where`) on the same generated filters: what the client's
//! builder writes, both read as the builder meant; on near-miss JSON (unknown operators,
//! values of the wrong kind, shorthand, logic nested in odd places, bad custom paths) both
//! accept or both refuse, and what both accept they read alike. The same for Order_By. A
//! codec bug on either side is then a failing test rather than a blind spot the two share.

use proptest::prelude::*;
use serde_json::{Value, json};
use treepl_contacts::api::query::{FieldPath, Op, OrderBy, Where};
use treepl_contacts::sandbox::SiteOrder;
use treepl_contacts::sandbox::where_reader::{SitePath, read_where};

/// The neutral form of the sandbox's `to_canonical_json`, for a client filter.
fn client_canonical(filter: &Where) -> Value {
    let list = |parts: &[Where]| Value::Array(parts.iter().map(client_canonical).collect());
    match filter {
        Where::All => json!({"and": []}),
        Where::Compare { field, op, value } => {
            let parts = match field {
                FieldPath::Top(name) => json!([name]),
                FieldPath::Custom { group, field } => json!(["CustomCrmGroups", group, field]),
            };
            json!({"test": [parts, op.wire_name(), value]})
        }
        Where::And(parts) => json!({"and": list(parts)}),
        Where::Or(parts) => json!({"or": list(parts)}),
        Where::Not(inner) => json!({"not": client_canonical(inner)}),
        // `parse` never gives one; kept visible so that a comparison fails if it did.
        Where::Raw(value) => json!({"raw": value}),
    }
}

/// Drops the nesting that does not change a filter's meaning: an `and` in an `and` (an
/// `or` in an `or`) is spliced in, and a one-part `and` / `or` is its part.
fn normalised(canonical: &Value) -> Value {
    let splice = |joiner: &str, parts: &Value| -> Value {
        let mut flat = Vec::new();
        for part in parts.as_array().into_iter().flatten().map(normalised) {
            match part.get(joiner) {
                Some(Value::Array(inner)) => flat.extend(inner.iter().cloned()),
                _ => flat.push(part),
            }
        }
        if flat.len() == 1 { flat.remove(0) } else { json!({ joiner: flat }) }
    };
    match canonical {
        Value::Object(map) if map.contains_key("and") => splice("and", &map["and"]),
        Value::Object(map) if map.contains_key("or") => splice("or", &map["or"]),
        Value::Object(map) if map.contains_key("not") => json!({"not": normalised(&map["not"])}),
        other => other.clone(),
    }
}

/// Both readers on `input`: `Ok` with the normalised reading when both accept and read alike.
fn both_read(input: &Value) -> Result<Option<Value>, TestCaseError> {
    let client = Where::parse(input);
    let site = read_where(input);
    match (&client, &site) {
        (Ok(client), Ok(site)) => {
            let (client, site) = (normalised(&client_canonical(client)), normalised(&site.to_canonical_json()));
            prop_assert_eq!(&client, &site, "both accept {} but read it differently", input);
            Ok(Some(site))
        }
        (Err(_), Err(_)) => Ok(None),
        _ => Err(TestCaseError::fail(format!("{input}: the client says {client:?}, the sandbox says {site:?}"))),
    }
}

// ---- Filters the client's builder writes ----

const FIELDS: &[&str] = &["FirstName", "LastName", "City", "Email", "Id", "Type", "CreatedDate", "EmailConfirmed"];
const TEXTS: &[&str] = &["Émile", "zoë", "", "a b", "$eq", "CustomCrmGroups.x", "2024-05-17T12:00:00Z", "0"];

fn plain_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        proptest::sample::select(TEXTS).prop_map(|t| json!(t)),
        (-5i64..5).prop_map(|n| json!(n)),
        Just(json!(0.25)),
        Just(json!(u64::MAX)),
        Just(json!(-1e300)),
        any::<bool>().prop_map(|b| json!(b)),
    ]
}

/// A field and an operator of the dialect with a value of the kind that operator takes.
fn comparison() -> impl Strategy<Value = Where> {
    let field = prop_oneof![
        3 => proptest::sample::select(FIELDS).prop_map(Where::field),
        1 => (proptest::sample::select(vec!["Prefs", "G2"]), proptest::sample::select(vec!["Text", "a.b", "Flag"]))
            .prop_map(|(group, field)| Where::custom(group, field)),
    ];
    let text = proptest::sample::select(TEXTS);
    let list = proptest::collection::vec(prop_oneof![4 => plain_value(), 1 => Just(Value::Null)], 0..4);
    (field, proptest::sample::select(Op::ALL.to_vec()), plain_value(), text, list, any::<bool>()).prop_map(
        |(field, op, plain, text, list, flag)| match op {
            Op::Eq | Op::Neq if flag => field.op(op, Value::Null),
            Op::Eq | Op::Neq | Op::Gt | Op::Gte | Op::Lt | Op::Lte => field.op(op, plain),
            Op::Contains | Op::NotContains | Op::StartsWith | Op::EndsWith => field.op(op, text),
            Op::In | Op::Nin => field.op(op, Value::Array(list)),
            Op::IsNull => field.is_null(flag),
        },
    )
}

/// Filters combined with the builder's own `and`, `or`, `negate`, and bare `And`/`Or` lists
/// (empty ones included), nested a few levels.
fn built_filter() -> impl Strategy<Value = Where> {
    comparison().prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| a.and(b)),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| a.or(b)),
            inner.clone().prop_map(Where::negate),
            proptest::collection::vec(inner.clone(), 0..3).prop_map(Where::And),
            proptest::collection::vec(inner, 0..3).prop_map(Where::Or),
        ]
    })
}

// ---- Near misses: the dialect's pieces in places they do not belong ----

/// Field keys, good and bad (custom paths of every malformed shape; the client's known
/// disagreement, a name that only starts with `CustomCrmGroups`, is tested on its own below).
const FIELD_KEYS: &[&str] = &[
    "City",
    "Id",
    "city",
    " Email ",
    "CustomCrmGroups.G.F",
    "CustomCrmGroups.G.F.H",
    "CustomCrmGroups.G",
    "CustomCrmGroups.G.",
    "CustomCrmGroups..F",
    "CustomCrmGroups.",
    "CustomCrmGroups",
    "",
];
const LOGIC_KEYS: &[&str] = &["$and", "$or", "$not", "$xor", "$", "$AND"];
const OPERATOR_KEYS: &[&str] = &[
    "$eq",
    "$neq",
    "$gt",
    "$gte",
    "$lt",
    "$lte",
    "$contains",
    "$notContains",
    "$startsWith",
    "$endsWith",
    "$in",
    "$nin",
    "$isNull",
    "$like",
    "$EQ",
    "$notcontains",
    "eq",
    "$and",
    "$not",
    "City",
];

fn scalar_or_null() -> impl Strategy<Value = Value> {
    prop_oneof![4 => plain_value(), 1 => Just(Value::Null)]
}

/// What an operator may be given: plain values, null, lists (of plain values, or with a list
/// or an object inside), objects.
fn operand() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => scalar_or_null(),
        3 => proptest::collection::vec(scalar_or_null(), 0..3).prop_map(Value::Array),
        1 => Just(json!([[1], "a"])),
        1 => Just(json!([{"City": 1}])),
        1 => Just(json!({})),
        1 => Just(json!({"$eq": 1})),
    ]
}

fn operators() -> impl Strategy<Value = Value> {
    proptest::collection::btree_map(proptest::sample::select(OPERATOR_KEYS), operand(), 0..3)
        .prop_map(|map| Value::Object(map.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()))
}

/// An object of 0..3 keys: fields (with a bare value, an operators object or anything) and
/// logic keys (with a filter, a list of filters, or a value of the wrong kind).
fn near_filter() -> impl Strategy<Value = Value> {
    let leaf = proptest::collection::btree_map(
        proptest::sample::select(FIELD_KEYS),
        prop_oneof![2 => operand(), 3 => operators()],
        0..3,
    )
    .prop_map(|map| Value::Object(map.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()));
    leaf.prop_recursive(4, 32, 3, |inner| {
        let logic_value = prop_oneof![
            3 => proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            3 => inner.clone(),
            1 => scalar_or_null(),
            1 => proptest::collection::vec(scalar_or_null(), 1..2).prop_map(Value::Array),
        ];
        prop_oneof![
            4 => proptest::collection::btree_map(proptest::sample::select(LOGIC_KEYS), logic_value, 1..3)
                .prop_map(|map| Value::Object(map.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
            // A filter beside a field key, several keys in one object.
            2 => (inner.clone(), proptest::sample::select(FIELD_KEYS), operators()).prop_map(|(mut filter, key, ops)| {
                if let Value::Object(map) = &mut filter {
                    map.insert(key.to_owned(), ops);
                }
                filter
            }),
            // Arrays and plain values where a filter goes.
            1 => proptest::collection::vec(inner, 0..2).prop_map(Value::Array),
            1 => scalar_or_null(),
        ]
    })
}

/// One small change to a filter's JSON at one node.
#[derive(Clone, Debug)]
enum Mutation {
    /// The node becomes this value (a wrong kind, an array or an object where it does not belong).
    Replace(Value),
    /// One key of an object node is renamed.
    Rename(String),
    /// An object node gains a key.
    Add(String, Value),
    /// The node goes into an array.
    Wrap,
}

/// An operator's name as a hurried writer may misspell it: another case, no `$`, a letter
/// more or less, or (for `slip` 5) right as it is.
fn misspelt(name: &str, slip: u8) -> String {
    match slip {
        0 => name.to_lowercase(),
        1 => name.to_uppercase(),
        2 => name.trim_start_matches('$').to_owned(),
        3 => format!("{name}s"),
        4 => name[..name.len() - 1].to_owned(),
        _ => name.to_owned(),
    }
}

fn near_operator() -> impl Strategy<Value = String> {
    let names: Vec<&str> = Op::ALL.iter().map(|op| op.wire_name()).collect();
    (proptest::sample::select(names), 0..6u8).prop_map(|(name, slip)| misspelt(name, slip))
}

/// Misspells one operator of the filter (the one numbered `at`, counting depth first), where
/// its operand is of the right kind: only the name is then wrong.
fn misspell_an_operator(node: &mut Value, at: &mut usize, slip: u8) {
    match node {
        Value::Object(map) => {
            let operator = map.keys().find(|key| Op::from_wire(key).is_some()).cloned();
            if let Some(operator) = operator {
                if *at == 0 {
                    if let Some(operand) = map.remove(&operator) {
                        map.insert(misspelt(&operator, slip), operand);
                    }
                    *at = usize::MAX;
                    return;
                }
                *at -= 1;
            }
            map.values_mut().for_each(|inner| misspell_an_operator(inner, at, slip));
        }
        Value::Array(items) => items.iter_mut().for_each(|inner| misspell_an_operator(inner, at, slip)),
        _ => {}
    }
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let any_key = prop_oneof![
        2 => proptest::sample::select([FIELD_KEYS, LOGIC_KEYS, OPERATOR_KEYS].concat()).prop_map(str::to_owned),
        3 => near_operator(),
    ];
    prop_oneof![
        3 => operand().prop_map(Mutation::Replace),
        3 => any_key.clone().prop_map(Mutation::Rename),
        2 => (any_key, operand()).prop_map(|(key, value)| Mutation::Add(key, value)),
        1 => Just(Mutation::Wrap),
    ]
}

/// Applies `mutation` to the node numbered `target` (counting objects, arrays and values
/// depth first); `target` is left at how many nodes remained to count.
fn mutate(node: &mut Value, target: &mut usize, mutation: &Mutation) {
    if *target == 0 {
        match (mutation, &mut *node) {
            (Mutation::Replace(value), _) => *node = value.clone(),
            (Mutation::Rename(to), Value::Object(map)) if !map.is_empty() => {
                let from = map.keys().nth(map.len() / 2).cloned().unwrap_or_default();
                if let Some(value) = map.remove(&from) {
                    map.insert(to.clone(), value);
                }
            }
            (Mutation::Add(key, value), Value::Object(map)) => {
                map.insert(key.clone(), value.clone());
            }
            (Mutation::Wrap, _) => *node = json!([node.take()]),
            // A rename or an addition lands on a plain value: the node becomes an object.
            (Mutation::Rename(key) | Mutation::Add(key, _), _) => *node = json!({ key.clone(): node.take() }),
        }
        *target = usize::MAX;
        return;
    }
    *target -= 1;
    match node {
        Value::Object(map) => map.values_mut().for_each(|inner| mutate(inner, target, mutation)),
        Value::Array(items) => items.iter_mut().for_each(|inner| mutate(inner, target, mutation)),
        _ => {}
    }
}

fn count_nodes(node: &Value) -> usize {
    1 + match node {
        Value::Object(map) => map.values().map(count_nodes).sum(),
        Value::Array(items) => items.iter().map(count_nodes).sum(),
        _ => 0,
    }
}

/// A built filter's JSON with one or two small mistakes (or none), or JSON made from the
/// dialect's pieces at random.
fn near_miss() -> impl Strategy<Value = Value> {
    let mutated = (built_filter(), proptest::collection::vec((any::<usize>(), mutation()), 0..3)).prop_map(
        |(filter, mutations)| {
            let mut json = filter.to_json();
            for (at, mutation) in mutations {
                let mut target = at % count_nodes(&json);
                mutate(&mut json, &mut target, &mutation);
            }
            json
        },
    );
    let misspelt = (built_filter(), 0..4usize, 0..5u8).prop_map(|(filter, mut at, slip)| {
        let mut json = filter.to_json();
        misspell_an_operator(&mut json, &mut at, slip);
        json
    });
    prop_oneof![3 => mutated, 2 => misspelt, 1 => near_filter()]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn both_readers_read_what_the_builder_writes_as_it_was_built(filter in built_filter()) {
        let sent = filter.to_json();
        let read = both_read(&sent)?;
        let built = normalised(&client_canonical(&filter));
        prop_assert_eq!(read.as_ref(), Some(&built), "{} was refused or misread", sent);
    }

    #[test]
    fn both_readers_accept_or_refuse_near_misses_alike(input in near_miss()) {
        both_read(&input)?;
    }
}

// ---- Order_By ----

/// Both readers of an Order_By text: the client's `OrderBy::parse` with its field read as a
/// `FieldPath` (as the sandbox read it before it had its own reader), and `SiteOrder::read`.
/// `Some((path parts, descending))` when both accept and agree.
fn both_read_order(text: &str) -> Result<Option<(Value, bool)>, TestCaseError> {
    let client = OrderBy::parse(text).and_then(|order| Ok((FieldPath::parse(&order.field)?, order.descending)));
    let site = SiteOrder::read(text);
    match (&client, &site) {
        (Ok((path, descending)), Ok(order)) => {
            let client_parts = match path {
                FieldPath::Top(name) => json!([name]),
                FieldPath::Custom { group, field } => json!(["CustomCrmGroups", group, field]),
            };
            let site_parts = match &order.path {
                SitePath::Field(name) => json!([name]),
                SitePath::Custom { group, field } => json!(["CustomCrmGroups", group, field]),
            };
            prop_assert_eq!((&client_parts, *descending), (&site_parts, order.descending), "{:?}", text);
            Ok(Some((site_parts, order.descending)))
        }
        (Err(_), Err(_)) => Ok(None),
        _ => Err(TestCaseError::fail(format!("{text:?}: the client says {client:?}, the sandbox says {site:?}"))),
    }
}

/// Order_By texts: a field (good or bad) with a direction (any case, a wrong one, none) and
/// stray spaces, or led by `-` alone (the client's known disagreement, `-` with a direction,
/// is tested on its own below).
fn order_text() -> impl Strategy<Value = String> {
    let field = proptest::sample::select(FIELD_KEYS);
    let direction =
        proptest::sample::select(vec!["", " ASC", " desc", " Desc", "  DESC", " sideways", " DESC DESC", " "]);
    let space = proptest::sample::select(vec!["", " ", "\t"]);
    prop_oneof![
        3 => (space.clone(), field.clone(), direction, space.clone())
            .prop_map(|(before, field, direction, after)| format!("{before}{field}{direction}{after}")),
        1 => (space.clone(), field, space).prop_map(|(before, field, after)| format!("{before}-{field}{after}")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn both_readers_read_order_by_alike(text in order_text()) {
        both_read_order(&text)?;
    }

    #[test]
    fn both_readers_read_the_order_the_client_writes(field in proptest::sample::select(FIELDS), descending in any::<bool>()) {
        let order = OrderBy { field: field.to_owned(), descending };
        let read = both_read_order(&order.to_string())?;
        prop_assert_eq!(read, Some((json!([field]), descending)));
    }
}

/// The contract's Order_By is a field with an optional ` ASC` / ` DESC`, or a field led by
/// `-`; `-LastName DESC` is neither. The sandbox refuses it; the client reads it as a sort
/// on a field named `LastName DESC` (descending), which only the schema then refuses.
#[test]
fn a_leading_minus_with_a_direction_is_refused_by_both() {
    assert!(SiteOrder::read("-LastName DESC").is_err());
    assert_eq!(both_read_order("-LastName DESC").unwrap_or_else(|e| panic!("{e}")), None);
}

/// Near misses chosen by hand, with the verdict the contract gives, so that the generated
/// cases above are known to reach both verdicts on each kind of mistake.
#[test]
fn chosen_near_misses_get_the_contracts_verdict_from_both() {
    let cases = [
        (json!({}), true),
        (json!({"City": "Oslo", "Id": {"$gt": 3, "$lt": 9}}), true),
        (json!({"City": null}), true),
        (json!({"City": [1]}), false),
        (json!({"City": {}}), false),
        (json!({"City": {"$like": "x"}}), false),
        (json!({"City": {"eq": "x"}}), false),
        (json!({"City": {"$EQ": "x"}}), false),
        (json!({"Id": {"$gt": null}}), false),
        (json!({"Id": {"$in": 3}}), false),
        (json!({"Id": {"$in": []}}), true),
        (json!({"Id": {"$nin": [1, null, "a", true]}}), true),
        (json!({"Id": {"$in": [[1]]}}), false),
        (json!({"City": {"$contains": 1}}), false),
        (json!({"City": {"$isNull": "true"}}), false),
        (json!({"$not": {"$not": {"$or": []}}}), true),
        (json!({"$not": []}), false),
        (json!({"$and": {}}), false),
        (json!({"$or": [{"City": 1}, []]}), false),
        (json!({"$xor": []}), false),
        (json!({"CustomCrmGroups.G.F": {"$eq": true}}), true),
        (json!({"CustomCrmGroups.G.F.H": 1}), true),
        (json!({"CustomCrmGroups.G": 1}), false),
        (json!({"CustomCrmGroups..F": 1}), false),
        (json!({"": 1}), false),
        (json!([{"City": 1}]), false),
        (json!("City"), false),
    ];
    for (input, accepted) in cases {
        let read = both_read(&input).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read.is_some(), accepted, "{input}");
    }
}

/// The contract's fields are a top-level field or `CustomCrmGroups.<Group>.<Field>`; a name
/// that merely starts with `CustomCrmGroups` is neither a custom path nor malformed: it is a
/// top-level name (a 400 from the schema if the record has no such field). The sandbox reads
/// it so; the client's `FieldPath::parse` refuses it as a bad custom path.
#[test]
fn a_name_that_only_starts_like_a_custom_path_is_a_top_level_name_for_both() {
    for input in [json!({"CustomCrmGroupsX": 1}), json!({"CustomCrmGroups2.G.F": 1})] {
        assert!(read_where(&input).is_ok(), "{input}");
        both_read(&input).unwrap_or_else(|e| panic!("{e}"));
    }
}
