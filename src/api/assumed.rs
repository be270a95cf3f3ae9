//! The contract's open questions, in one place: every choice this client makes where the
//! vendor's reference is silent (`[assumed]` in `../shared/treepl-api.md`), each with what a
//! real site may do instead and where the choice lives. Values are constants here; choices
//! that are behaviour live in the one function named, and nowhere else. Each choice a site
//! may make otherwise is a setting of the site's [`super::dialect::Dialect`] (`dialect`), and
//! `treepl-contacts doctor` probes it (`probed_by`: the rows of its table).

use std::time::Duration;

/// Where the admin contacts API lives on a site.
pub const CONTACTS_PATH: &str = "api/v2/admin/contacts";

/// The token endpoint, relative to the site (v1 even for the v2 admin API; this one is in
/// the reference, the request's shape is not).
pub const TOKEN_PATH: &str = "api/v1/oauth/token";

/// How long a token lives when its reply does not say.
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// The page size asked for when there is no reason to ask for another (the reference's
/// example uses 100).
pub const DEFAULT_LIMIT: u32 = 100;

/// The page size asked for when walking a whole list (the sandbox's cap); a site that
/// returns fewer is followed, page by page, at its own size.
pub const WALK_LIMIT: u32 = 500;

/// The order sent when the user chose none: offset paging over an unpromised order skips
/// and repeats records.
pub const DEFAULT_ORDER_FIELD: &str = "Id";

/// Ids asked for in one `Id $in [...]` filter: few enough for any URL length limit.
pub const IDS_PER_REQUEST: usize = 200;

/// Emails asked for in one `Email $in [...]` filter: an email is some 30 characters, so
/// fewer of them fit the same URL length as ids.
pub const EMAILS_PER_REQUEST: usize = 50;

/// How many characters (Unicode scalar values) a contact's password may have: the rule the
/// app checks as the user types and the sandbox enforces. [assumed] from the contract
/// (the vendor's reference gives no bounds); a site with another rule answers 400, shown as is.
pub const PASSWORD_CHARS: std::ops::RangeInclusive<usize> = 6..=128;

/// One open question of the contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Assumption {
    pub topic: &'static str,
    /// What this client does.
    pub choice: &'static str,
    /// What a real site may do instead, and how the client copes.
    pub real_site_may: &'static str,
    /// Where the choice lives.
    pub lives_in: &'static str,
    /// The setting of a site's dialect that holds the site's own answer, if it may differ.
    pub dialect: Option<&'static str>,
    /// The doctor's probes of it (the "Choice" column of its table); none when it is not probed.
    pub probed_by: &'static [&'static str],
}

pub const OPEN_QUESTIONS: &[Assumption] = &[
    Assumption {
        topic: "Token request",
        choice: "POST form-urlencoded grant_type=client_credentials&client_id&client_secret",
        real_site_may: "want JSON or HTTP Basic auth: the site then answers 400/401 and the user is told the credentials were refused",
        lives_in: "Client::fetch_token",
        dialect: None,
        probed_by: &[],
    },
    Assumption {
        topic: "Token reply",
        choice: "access_token, AccessToken or token; expires_in optional (DEFAULT_TOKEN_LIFETIME)",
        real_site_may: "use other names or no expiry: a missing token is an undecodable reply; a 401 renews once",
        lives_in: "auth::parse_token_reply",
        dialect: None,
        probed_by: &[],
    },
    Assumption {
        topic: "Renewal on 401",
        choice: "fetch a new token once and repeat the call once; a second 401 is refused credentials",
        real_site_may: "answer 403 for an expired token: that is shown as a missing scope",
        lives_in: "Client::call",
        dialect: None,
        probed_by: &[],
    },
    Assumption {
        topic: "List query encoding",
        choice: "query parameters ?Where=<JSON>&Order_By=..&Offset=..&Limit=.., keys as the reference writes them",
        real_site_may: "want them in a JSON body, or other key casing: lists ignore the filter, which the guards refuse",
        lives_in: "Dialect::list_request",
        dialect: Some("Dialect::params, Dialect::keys"),
        probed_by: &[
            "Where in the query string",
            "Lowercase keys in the query string",
            "Where in a JSON body",
            "Lowercase keys in a JSON body",
        ],
    },
    Assumption {
        topic: "Order_By",
        choice: "always sent, DEFAULT_ORDER_FIELD when the user chose none; \"Field DESC\" for descending",
        real_site_may: "not break ties by Id, spell descending `-Field`, or sort ascending only: the dialect says which",
        lives_in: "Dialect::list_request",
        dialect: Some("Dialect::order"),
        probed_by: &["DESC reverses the order"],
    },
    Assumption {
        topic: "Page cap",
        choice: "ask WALK_LIMIT (or DEFAULT_LIMIT) and advance by what came back",
        real_site_may: "cap lower, or refuse a large Limit: lower caps are followed; a refusal is a 400 shown to the user",
        lives_in: "Dialect::limit (never asked above the learned cap), paging::for_each_page_until, app::grid::Grid::page_loaded",
        dialect: Some("Dialect::max_page"),
        probed_by: &["Limit is a cap"],
    },
    Assumption {
        topic: "Offset paging",
        choice: "Offset moves through the list; walks page by Offset, or by the last Id where Id $gt is honoured",
        real_site_may: "ignore Offset (every page the first): walks then page by the last Id, and the grid's guard refuses repeats",
        lives_in: "PagingOptions::for_site, paging::pages_by_id",
        dialect: Some("Dialect::offset_honoured, Dialect::keyset_paging"),
        probed_by: &["Offset moves", "Keyset paging"],
    },
    Assumption {
        topic: "Where dialect",
        choice: "the project's JSON dialect ($eq, $contains, $and, ...; custom fields as CustomCrmGroups.Group.Field)",
        real_site_may: "support another dialect or none: a 400 names the offending part",
        lives_in: "api::query (Where), api::filter_check (the rows checked against it)",
        dialect: Some("Dialect::unhonoured_operators"),
        probed_by: &[
            "$eq",
            "$neq",
            "$gt",
            "$gte",
            "$lt",
            "$lte",
            "$in",
            "$nin",
            "$isNull",
            "$contains",
            "$notContains",
            "$startsWith",
            "$endsWith",
            "$and",
            "$or",
            "$not",
        ],
    },
    Assumption {
        topic: "Dates without a zone",
        choice: "read as UTC; sent back as the same text, without a zone (a new date: wire::DateForm)",
        real_site_may: "mean the site's local time: shown times are then off by the site's offset",
        lives_in: "wire::Timestamp::parse, wire::Timestamp::to_wire",
        dialect: Some("Dialect::dates"),
        probed_by: &["Dates carry a zone"],
    },
    Assumption {
        topic: "Update semantics",
        choice: "send the whole object as the site sent it, only the fields the user changed re-encoded, after re-reading it",
        real_site_may: "replace the whole record or merge fields: sending the whole object is right either way",
        lives_in: "model::Contact (UpdateBody), Client::update_contact",
        dialect: None,
        probed_by: &["Update"],
    },
    Assumption {
        topic: "Create reply",
        choice: "a Contact in the body of a 200/201",
        real_site_may: "answer 201 with an empty body or without the contact: the client finds it by its email",
        lives_in: "Client::create_contact",
        dialect: None,
        probed_by: &["Create"],
    },
    Assumption {
        topic: "Write replies",
        choice: "the contact (or the zones) in the body of a contact PUT, set-password or the zones PUT",
        real_site_may: "answer 200 or 204 with an empty body: a success, and the contact or zones are read again",
        lives_in: "Client::update_contact, Client::set_password, Client::set_secure_zones",
        dialect: None,
        probed_by: &["Update"],
    },
    Assumption {
        topic: "Error bodies",
        choice: "{\"Message\", \"Errors\": [{\"Field\", \"Message\"}]}; any JSON or plain-text body gives a message",
        real_site_may: "send HTML or other shapes: HTML is never shown; field errors then are not placed at their field",
        lives_in: "error::human_message, error::field_errors",
        dialect: None,
        probed_by: &[],
    },
    Assumption {
        topic: "Secure zones PUT",
        choice: "replaces the whole list; the client sends the complete desired list from a fresh GET",
        real_site_may: "add to the list instead: the list read back after the PUT shows what the site did",
        lives_in: "Client::set_secure_zones, journal::Writes::set_zones (a removal refused where the PUT merges)",
        dialect: Some("Dialect::zones_put"),
        probed_by: &["Secure zones PUT replaces the list"],
    },
    Assumption {
        topic: "Password length",
        choice: "PASSWORD_CHARS (6 to 128 characters) checked before set-password or a create is sent",
        real_site_may: "allow other lengths or want character classes: its 400 is shown in the dialog",
        lives_in: "assumed::PASSWORD_CHARS",
        dialect: None,
        probed_by: &[],
    },
    Assumption {
        topic: "New contact defaults",
        choice: "left to the site (the sandbox gives CrmType \"Contact\", Role \"General\", Type 0)",
        real_site_may: "store nulls: shown as empty",
        lives_in: "ContactInput::new",
        dialect: None,
        probed_by: &[],
    },
];
