//! Deterministic demo data for the sandbox site: contacts from nine countries with their
//! bookings, cases, orders and secure-zone subscriptions.
//!
//! Everything comes from a `fastrand` generator seeded from the contact's index alone (no
//! clock, no global state), so `demo_contact(i)` is the same on every run and every machine.
//! All dates lie between 2019-01-01 and 2026-10-31 (UTC). Money is exact (`Decimal`, cents).

use std::collections::BTreeMap;

use chrono::DateTime;
use fastrand::Rng;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::Value;

use crate::api::model::{
    BillingAddress, Booking, Case, Contact, CustomCrmGroups, Discount, EventRef, FormRef, GiftVoucher, LineAttribute,
    Order, OrderLine, Payment, PostalAddress, ShippingInfo, StatusShort, Tax,
};
use crate::api::{Amount, Timestamp};

/// The site's secure zones: (Id, Name).
pub const ZONES: &[(i64, &str)] = &[
    (1, "Members Area"),
    (2, "Wine Club"),
    (3, "Wholesale Portal"),
    (4, "VIP Lounge"),
    (5, "Event Partners"),
    (6, "Staff Resources"),
];

/// One demo contact with everything that hangs off it. Ids are 0 (the store assigns them),
/// except on order lines and payments, numbered 1..n within their order; `MemberId` and
/// `Member` are `None` (the store fills them from the contact).
///
/// `OrderId` on a booking or a case is not a store Id: it is the 1-based position of an
/// order in `orders` of the same `DemoContact` (set only when that contact has orders), for
/// the store to replace with the Id it gives that order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DemoContact {
    pub contact: Contact,
    pub bookings: Vec<Booking>,
    pub cases: Vec<Case>,
    pub orders: Vec<Order>,
    pub zones: Vec<ZoneSubscription>,
}

/// A subscription to one of [`ZONES`]; no expiry when `expiry` is `None`. Sorted by zone.
#[derive(Clone, Debug, PartialEq)]
pub struct ZoneSubscription {
    pub zone_id: i64,
    pub expiry: Option<Timestamp>,
}

/// Mixed into the index so that index 0 does not seed the generator with 0.
const SEED_SALT: u64 = 0x7EE9_1C0A_5EED_D47A;
/// Contacts `0..HEAVY_CONTACTS` are big customers with many records of every kind.
const HEAVY_CONTACTS: u64 = 5;
/// Orders of the site's biggest customer, the first demo contact: enough to page through
/// (and to measure the Orders tab with).
pub const BIGGEST_CUSTOMER_ORDERS: usize = 2_000;
/// Orders of any other contact stay below this (heavy ones have up to 120).
const MOST_ORDERS: u64 = 200;
const DAY_MS: i64 = 86_400_000;
/// 2019-01-01T00:00:00.000Z
const START_MS: i64 = 1_546_300_800_000;
/// 2026-10-31T23:59:59.999Z
const END_MS: i64 = 1_793_491_200_000 - 1;
const SITE: &str = "www.example.com";
/// The module of the shop's products.
const PRODUCT_MODULE_ID: i64 = 1872;

/// How a country writes a street address.
#[derive(Clone, Copy)]
enum HouseNumber {
    /// `12 Queen Street`
    Before,
    /// `Hauptstraße 12`
    After,
    /// `Calle Mayor, 12`
    AfterComma,
}

/// `(City, State, ZipCode)`.
type City = (&'static str, &'static str, &'static str);

struct Country {
    /// ISO 3166 alpha-2.
    code: &'static str,
    domain: &'static str,
    currency: &'static str,
    /// `(Code, rate digits, rate scale)`: 8.875% is `("Sales Tax", 8875, 3)`.
    tax: (&'static str, i64, u32),
    languages: &'static [&'static str],
    first_names: &'static [&'static str],
    last_names: &'static [&'static str],
    streets: &'static [&'static str],
    house_number: HouseNumber,
    cities: &'static [City],
    /// `#` stands for a random digit. US and CA use the fictional 555-01xx range, GB Ofcom's drama ranges.
    phones: &'static [&'static str],
    /// Share of the contacts, out of the sum of all weights.
    weight: u32,
}

// One country a block, laid out by hand: rustfmt would spread these tables over 300 lines.
#[rustfmt::skip]
const COUNTRIES: &[Country] = &[
    Country {
        code: "NZ", domain: "example.co.nz", currency: "NZD", tax: ("GST", 15, 0), weight: 20,
        languages: &["English", "English", "Te Reo Māori"], house_number: HouseNumber::Before,
        first_names: &["Aroha", "Mere", "Tama", "Wiremu", "Olivia", "Jack", "Charlotte", "Liam", "Zoë", "Hēmi", "Isla"],
        last_names: &["Ngata", "Te Whata", "Smith", "Wilson", "Pōmare", "Parata", "O'Connor", "Taylor", "Tāufa"],
        streets: &["Queen Street", "Cuba Street", "Ponsonby Road", "Riccarton Road", "George Street", "Lambton Quay"],
        cities: &[("Auckland", "Auckland", "1010"), ("Wellington", "Wellington", "6011"), ("Dunedin", "Otago", "9016"),
            ("Christchurch", "Canterbury", "8011"), ("Hamilton", "Waikato", "3204"), ("Whangārei", "Northland", "0110"),
            ("Tauranga", "Bay of Plenty", "3110")],
        phones: &["+64 21 ### ####", "+64 9 ### ####", "+64 4 ### ####"],
    },
    Country {
        code: "AU", domain: "example.com.au", currency: "AUD", tax: ("GST", 10, 0), weight: 18,
        languages: &["English"], house_number: HouseNumber::Before,
        first_names: &["Chloe", "Lachlan", "Mia", "Noah", "Matilda", "Oliver", "Thanh", "Sienna", "Cooper", "Zoë"],
        last_names: &["Nguyễn", "Smith", "Jones", "Kelly", "Papadopoulos", "Williams", "Trần", "Murphy", "Rossi", "Lê"],
        streets: &["George Street", "Collins Street", "Swanston Street", "Hay Street", "Rundle Mall", "Oxford Street"],
        cities: &[("Sydney", "NSW", "2000"), ("Melbourne", "VIC", "3000"), ("Brisbane", "QLD", "4000"),
            ("Perth", "WA", "6000"), ("Adelaide", "SA", "5000"), ("Hobart", "TAS", "7000")],
        phones: &["+61 4## ### ###", "+61 2 #### ####", "+61 3 #### ####"],
    },
    Country {
        code: "US", domain: "example.com", currency: "USD", tax: ("Sales Tax", 8875, 3), weight: 16,
        languages: &["English", "English", "Español"], house_number: HouseNumber::Before,
        first_names: &["Emily", "James", "Sofía", "Michael", "Aaliyah", "Ethan", "José", "Madison", "Chloé", "Jamal"],
        last_names: &["Johnson", "García", "Ñúñez", "Smith", "Washington", "Kowalski", "Nguyễn", "Miller", "O'Brien"],
        streets: &["Main Street", "Maple Avenue", "Oak Street", "Broadway", "Washington Avenue", "Sunset Boulevard"],
        cities: &[("New York", "NY", "10001"), ("Austin", "TX", "78701"), ("Portland", "OR", "97205"),
            ("Chicago", "IL", "60601"), ("San José", "CA", "95113"), ("Boston", "MA", "02108")],
        phones: &["+1 (212) 555-01##", "+1 (512) 555-01##", "+1 (312) 555-01##"],
    },
    Country {
        code: "GB", domain: "example.co.uk", currency: "GBP", tax: ("VAT", 20, 0), weight: 12,
        languages: &["English", "English", "Cymraeg"], house_number: HouseNumber::Before,
        first_names: &["Oliver", "Amelia", "Harry", "Freya", "George", "Łukasz", "Siobhán", "Rhys", "Priya", "Eilidh"],
        last_names: &["Smith", "Jones", "Evans", "Wójcik", "MacDonald", "Patel", "O'Neill", "Brontë", "Ó Briain"],
        streets: &["High Street", "Station Road", "Church Lane", "Victoria Road", "Mill Lane", "King's Road"],
        cities: &[("London", "Greater London", "EC1A 1BB"), ("Manchester", "Greater Manchester", "M1 1AE"),
            ("Edinburgh", "Scotland", "EH1 1YZ"), ("Cardiff", "Wales", "CF10 1EP"), ("Bristol", "Bristol", "BS1 4DJ"),
            ("Leeds", "West Yorkshire", "LS1 4AP"), ("Belfast", "Northern Ireland", "BT1 5GS")],
        phones: &["+44 7700 900###", "+44 20 7946 0###", "+44 161 496 0###"],
    },
    Country {
        code: "DE", domain: "example.de", currency: "EUR", tax: ("MwSt", 19, 0), weight: 9,
        languages: &["Deutsch"], house_number: HouseNumber::After,
        first_names: &["Lukas", "Anna", "Jürgen", "Sophie", "Maximilian", "Lea", "Björn", "Jörg", "Emre", "Käthe"],
        last_names: &["Müller", "Schmidt", "Schneider", "Weiß", "Öztürk", "Ökten", "Groß", "Schäfer", "Krüger"],
        streets: &["Hauptstraße", "Bahnhofstraße", "Schillerstraße", "Goethestraße", "Lindenallee", "Am Markt"],
        cities: &[("Berlin", "Berlin", "10115"), ("München", "Bayern", "80331"), ("Hamburg", "Hamburg", "20095"),
            ("Köln", "Nordrhein-Westfalen", "50667"), ("Düsseldorf", "Nordrhein-Westfalen", "40213"),
            ("Leipzig", "Sachsen", "04109"), ("Stuttgart", "Baden-Württemberg", "70173")],
        phones: &["+49 30 #######", "+49 151 ########", "+49 89 #######"],
    },
    Country {
        code: "FR", domain: "example.fr", currency: "EUR", tax: ("TVA", 20, 0), weight: 8,
        languages: &["Français"], house_number: HouseNumber::Before,
        first_names: &["Émile", "Chloé", "Léa", "Hugo", "Zoë", "Théo", "Inès", "Louis", "Maëlle", "Jérôme", "Noël"],
        last_names: &["Dupont", "Martin", "Lefèvre", "Bernard", "Moreau", "Gauthier", "Rousseau", "Duchêne", "Benoît"],
        streets: &["rue de la République", "avenue Victor Hugo", "rue des Écoles", "place du Marché", "rue Pasteur"],
        cities: &[("Paris", "Île-de-France", "75004"), ("Lyon", "Auvergne-Rhône-Alpes", "69002"),
            ("Marseille", "Provence-Alpes-Côte d'Azur", "13001"), ("Bordeaux", "Nouvelle-Aquitaine", "33000"),
            ("Toulouse", "Occitanie", "31000"), ("Besançon", "Bourgogne-Franche-Comté", "25000")],
        phones: &["+33 6 ## ## ## ##", "+33 1 ## ## ## ##", "+33 4 ## ## ## ##"],
    },
    Country {
        code: "CA", domain: "example.ca", currency: "CAD", tax: ("GST", 5, 0), weight: 8,
        languages: &["English", "English", "Français"], house_number: HouseNumber::Before,
        first_names: &["Liam", "Olivia", "Émilie", "Noah", "Gabrielle", "Étienne", "Maya", "François", "Zoé"],
        last_names: &["Tremblay", "Gagnon", "Côté", "Bouchard", "Morin", "Wong", "MacLeod", "Nguyễn", "Lévesque"],
        streets: &["Yonge Street", "rue Sainte-Catherine", "Granville Street", "Spring Garden Road"],
        cities: &[("Toronto", "ON", "M5V 2T6"), ("Montréal", "QC", "H2Y 1C6"), ("Vancouver", "BC", "V6B 1A1"),
            ("Calgary", "AB", "T2P 1J9"), ("Ottawa", "ON", "K1P 1J1"), ("Québec", "QC", "G1R 4P5"),
            ("Halifax", "NS", "B3J 1S9")],
        phones: &["+1 (416) 555-01##", "+1 (514) 555-01##", "+1 (604) 555-01##"],
    },
    Country {
        code: "NO", domain: "example.no", currency: "NOK", tax: ("MVA", 25, 0), weight: 4,
        languages: &["Norsk"], house_number: HouseNumber::After,
        first_names: &["Øyvind", "Ingrid", "Åse", "Lars", "Sigrid", "Håkon", "Kari", "Bjørn", "Solveig", "Eirik"],
        last_names: &["Hansen", "Johansen", "Olsen", "Larsen", "Bråten", "Søreide", "Haugen", "Dæhlie", "Strøm"],
        streets: &["Karl Johans gate", "Storgata", "Kirkegata", "Strandgata", "Møllergata", "Kongens gate"],
        cities: &[("Oslo", "Oslo", "0150"), ("Bergen", "Vestland", "5003"), ("Trondheim", "Trøndelag", "7011"),
            ("Tromsø", "Troms", "9008"), ("Stavanger", "Rogaland", "4006"), ("Ålesund", "Møre og Romsdal", "6002")],
        phones: &["+47 4## ## ###", "+47 9## ## ###", "+47 22 ## ## ##"],
    },
    Country {
        code: "ES", domain: "example.es", currency: "EUR", tax: ("IVA", 21, 0), weight: 5,
        languages: &["Español", "Español", "Català"], house_number: HouseNumber::AfterComma,
        first_names: &["José", "María", "Íñigo", "Lucía", "Álvaro", "Carmen", "Jesús", "Núria", "Begoña", "Raúl"],
        last_names: &["Ñúñez", "García", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Muñoz", "Jiménez"],
        streets: &["Calle Mayor", "Gran Vía", "Calle de Alcalá", "Passeig de Gràcia", "Avenida de la Constitución"],
        cities: &[("Madrid", "Comunidad de Madrid", "28013"), ("Barcelona", "Cataluña", "08002"),
            ("Sevilla", "Andalucía", "41004"), ("Valencia", "Comunidad Valenciana", "46002"),
            ("Bilbao", "País Vasco", "48005"), ("A Coruña", "Galicia", "15001")],
        phones: &["+34 6## ### ###", "+34 91 ### ## ##", "+34 93 ### ## ##"],
    },
];

const STATUSES: &[(&str, u32)] = &[("Active", 60), ("Inactive", 10), ("Lead", 18), ("Prospect", 12)];
const CUSTOMER_TYPES: &[(Option<&str>, u32)] =
    &[(Some("Retail"), 45), (Some("Wholesale"), 15), (Some("VIP"), 10), (None, 30)];
const ROLES: &[&str] = &["Member", "Reseller", "Editor", "Partner"];
const NOTES: &[&str] = &[
    "Prefers a call after 5 pm.",
    "Met at the Spring Wine Tasting.",
    "Ne pas contacter le week-end.",
    "Bitte nur per E-Mail kontaktieren.",
    "VIP — send the printed catalogue.",
    "Nut allergy: flag on event bookings.",
    "Asked about wholesale pricing.",
    "Moved from Auckland in 2023; update the courier account.",
];

/// `(Id, Alias, Name)` of a form.
type Form = (i64, &'static str, &'static str);

const EVENTS: &[(i64, &str)] = &[
    (101, "Spring Wine Tasting 2025"),
    (102, "Summer Jazz Evening 2024"),
    (103, "Cheese & Wine Masterclass"),
    (104, "Autumn Harvest Dinner 2025"),
    (105, "Winter Gin Workshop 2023"),
    (106, "Vineyard Tour 2026"),
    (107, "Sommelier Basics 2022"),
    (108, "Christmas Market 2024"),
];
const BOOKING_FORMS: &[Form] =
    &[(201, "event-registration", "Event Registration"), (202, "workshop-booking", "Workshop Booking")];
const DIETARY_NEEDS: &[&str] = &["None", "None", "Vegetarian", "Vegan", "Gluten-free", "Nut allergy", "Halal"];
const SEATING: &[&str] = &["Front", "Middle", "Back", "Any"];

const CONTACT_US: Form = (301, "contact-us", "Contact Us");
const WARRANTY_CLAIM: Form = (302, "warranty-claim", "Warranty Claim");
const QUOTE_REQUEST: Form = (303, "quote-request", "Quote Request");
/// `(Form, Subject, Message)` of a case.
const CASE_TOPICS: &[(Form, &str, &str)] = &[
    (CONTACT_US, "Opening hours", "Are you open on public holidays?"),
    (CONTACT_US, "Change of address", "We have moved; please update my delivery address."),
    (CONTACT_US, "Newsletter", "I'd like fewer emails, once a month is plenty."),
    (WARRANTY_CLAIM, "Broken decanter", "The decanter arrived with a crack near the neck."),
    (WARRANTY_CLAIM, "Faulty corkscrew", "The lever snapped after two uses."),
    (WARRANTY_CLAIM, "Chipped glasses", "Two of the six glasses were chipped on arrival."),
    (QUOTE_REQUEST, "Corporate gift hampers", "Price for 40 deluxe hampers delivered by December?"),
    (QUOTE_REQUEST, "Private tasting", "A tasting for 12 people at our office — what would it cost?"),
    (QUOTE_REQUEST, "Wholesale account", "We run a café and would like trade prices."),
];
const PRIORITIES: &[(&str, u32)] = &[("Low", 30), ("Normal", 50), ("High", 20)];

#[derive(Clone, Copy)]
struct Product {
    id: i64,
    name: &'static str,
    cents: i64,
    /// The file of a downloadable product.
    file: Option<&'static str>,
}

const PRODUCTS: &[Product] = &[
    Product { id: 5001, name: "Pinot Noir 2021 (750 ml)", cents: 3490, file: None },
    Product { id: 5002, name: "Sauvignon Blanc 2023 (750 ml)", cents: 2150, file: None },
    Product { id: 5003, name: "Riesling Trocken 2022", cents: 1890, file: None },
    Product { id: 5004, name: "Gift Hamper Deluxe", cents: 12900, file: None },
    Product { id: 5005, name: "Cheese Board Set", cents: 5995, file: None },
    Product { id: 5006, name: "Crystal Wine Glasses (set of 6)", cents: 7400, file: None },
    Product { id: 5007, name: "Decanter", cents: 4500, file: None },
    Product { id: 5008, name: "Extra Virgin Olive Oil (500 ml)", cents: 1680, file: None },
    Product { id: 5009, name: "Corkscrew Pro", cents: 2495, file: None },
    Product { id: 5010, name: "Dark Chocolate Truffles (250 g)", cents: 1950, file: None },
    Product { id: 5011, name: "Tasting Notes eBook", cents: 999, file: Some("tasting-notes.pdf") },
];
/// `(AttributeId, OptionId)` a line may carry.
const LINE_ATTRIBUTES: &[(i64, &str)] = &[(11, "gift-wrap"), (12, "engraving"), (13, "magnum")];
/// `(Name, Cost in cents)`.
const SHIPPING_OPTIONS: &[(&str, i64)] =
    &[("Standard Shipping", 950), ("Express Courier", 1800), ("Click & Collect", 0), ("Overnight", 2450)];
/// `(Code, percent off the lines)`.
const DISCOUNT_CODES: &[(&str, i64)] = &[("WELCOME10", 10), ("SPRING15", 15), ("VIP20", 20), ("CLUB5", 5)];
const VOUCHER_CENTS: &[i64] = &[2500, 5000, 10000];
/// `(PaymentType, PaymentGatewayType)`. Gateway types are lowercase, as the reference
/// writes them (`"PaymentGatewayType": "stripe"`); payment types are PascalCase (`"CreditCard"`).
const PAYMENT_METHODS: &[(&str, &str)] = &[("CreditCard", "stripe"), ("PayPal", "paypal"), ("BankTransfer", "manual")];

/// `((StatusId, Name), weight)` of an order.
const ORDER_STATUSES: &[((i64, &str), u32)] =
    &[((1, "New"), 15), ((2, "Processing"), 10), ((3, "Shipped"), 15), ((4, "Completed"), 50), ((5, "Cancelled"), 10)];

/// The demo contact at `index` (0-based): the same index always gives the same data.
pub fn demo_contact(index: u64) -> DemoContact {
    let mut rng = Rng::with_seed(splitmix64(index ^ SEED_SALT));
    let rng = &mut rng;
    let heavy = index < HEAVY_CONTACTS;
    let country = weighted(rng, COUNTRIES, |country| country.weight);
    let since = if heavy { START_MS + rng.i64(0..60 * DAY_MS) } else { rng.i64(START_MS..END_MS - 30 * DAY_MS) };
    let [bookings, cases, orders, zones] = if heavy {
        let orders = if index == 0 { BIGGEST_CUSTOMER_ORDERS } else { rng.usize(30..=120) };
        [rng.usize(30..=120), rng.usize(30..=120), orders, ZONES.len()]
    } else {
        [few(rng, 20), few(rng, 15), few(rng, 25), few(rng, 20)]
    };
    let mut contact = contact(rng, index, country, since, orders > 0);
    if heavy {
        contact.status = Some("Active".to_owned());
        contact.customer_type_name = Some("VIP".to_owned());
    }
    let owner = Owner { index, country, address: &contact.address, since };
    let orders: Vec<Order> = (0..orders).map(|k| order(rng, &owner, k)).collect();
    let bookings = (0..bookings).map(|_| booking(rng, &owner, orders.len())).collect();
    let cases = (0..cases).map(|_| case(rng, &owner, orders.len())).collect();
    let zones = zone_subscriptions(rng, zones, since);
    DemoContact { contact, bookings, cases, orders, zones }
}

/// What a contact's records need to know about it.
struct Owner<'a> {
    index: u64,
    country: &'static Country,
    address: &'a PostalAddress,
    /// When the contact was created (ms): its records come later.
    since: i64,
}

fn contact(rng: &mut Rng, index: u64, country: &'static Country, since: i64, customer: bool) -> Contact {
    let first_name = pick(rng, country.first_names);
    let last_name = pick(rng, country.last_names);
    let address = postal_address(rng, country);
    let billing = if chance(rng, 30) {
        let PostalAddress { address, city, state, zip_code, country } = postal_address(rng, country);
        BillingAddress { address, city, state, zip_code, country }
    } else {
        BillingAddress::default()
    };
    Contact {
        id: 0,
        email: email(first_name, last_name, index, country.domain),
        first_name: Some(first_name.to_owned()),
        last_name: Some(last_name.to_owned()),
        crm_type: Some(if customer { "Customer" } else { "Contact" }.to_owned()),
        email_confirmed: Some(chance(rng, 80)),
        // The role a site gives a contact created without one, now and then another.
        role: Some(if chance(rng, 10) { pick(rng, ROLES) } else { "General" }.to_owned()),
        created_date: Some(at(since)),
        address,
        billing,
        site: Some(SITE.to_owned()),
        phone: chance(rng, 90).then(|| phone(rng, country.phones)),
        status: Some(weighted(rng, STATUSES, |s| s.1).0.to_owned()),
        notes: chance(rng, 12).then(|| pick(rng, NOTES).to_owned()),
        contact_type: Some(rng.i64(0..=3)),
        customer_type_name: weighted(rng, CUSTOMER_TYPES, |t| t.1).0.map(str::to_owned),
        is_data_using_allowed: Some(chance(rng, 60)),
        custom_crm_groups: contact_groups(rng, country),
        extra: Default::default(),
        received: Default::default(),
    }
}

fn postal_address(rng: &mut Rng, country: &Country) -> PostalAddress {
    let (city, state, zip_code) = pick(rng, country.cities);
    let street = pick(rng, country.streets);
    let number = rng.u16(1..=240);
    let address = match country.house_number {
        HouseNumber::Before => format!("{number} {street}"),
        HouseNumber::After => format!("{street} {number}"),
        HouseNumber::AfterComma => format!("{street}, {number}"),
    };
    PostalAddress {
        address: Some(address),
        city: Some(city.to_owned()),
        state: Some(state.to_owned()),
        zip_code: Some(zip_code.to_owned()),
        country: Some(country.code.to_owned()),
    }
}

/// `first.last.index@domain`, ASCII only: the index makes it unique whatever the names.
fn email(first_name: &str, last_name: &str, index: u64, domain: &str) -> String {
    let mut local = String::with_capacity(first_name.len() + last_name.len() + 1);
    push_folded(&mut local, first_name);
    local.push('.');
    push_folded(&mut local, last_name);
    format!("{local}.{index}@{domain}")
}

/// Appends `text` lower-cased and folded to ASCII (é→e, ø→o, ß→ss); spaces, apostrophes
/// and other marks are dropped.
fn push_folded(out: &mut String, text: &str) {
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'a'..='z' | '0'..='9' => out.push(c),
            'ß' => out.push_str("ss"),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            _ => out.extend(fold_letter(c)),
        }
    }
}

/// The base letter of an accented lower-case Latin letter (Vietnamese tones included).
fn fold_letter(c: char) -> Option<char> {
    Some(match c {
        'à'..='å' | 'ā' | 'ă' | 'ą' | 'ạ' | 'ả' | 'ấ' | 'ầ' | 'ẩ' | 'ẫ' | 'ậ' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'đ' | 'ð' => 'd',
        'è'..='ë' | 'ē' | 'ę' | 'ě' | 'ẹ' | 'ế' | 'ề' | 'ể' | 'ễ' | 'ệ' => 'e',
        'ì'..='ï' | 'ī' | 'į' | 'ı' => 'i',
        'ł' => 'l',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò'..='ö' | 'ø' | 'ō' | 'ő' | 'ơ' | 'ố' | 'ồ' | 'ộ' => 'o',
        'ś' | 'š' | 'ş' => 's',
        'ù'..='ü' | 'ū' | 'ű' | 'ů' | 'ư' | 'ứ' | 'ừ' => 'u',
        'ý' | 'ÿ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        _ => return None,
    })
}

/// One of the patterns with each `#` replaced by a random digit.
fn phone(rng: &mut Rng, patterns: &[&str]) -> String {
    pick(rng, patterns).chars().map(|c| if c == '#' { char::from(b'0' + rng.u8(0..10)) } else { c }).collect()
}

/// Two or three of the groups "Preferences", "Membership" and "Marketing"; a field is
/// occasionally missing, as on a real site whose groups grew over time.
fn contact_groups(rng: &mut Rng, country: &Country) -> CustomCrmGroups {
    let left_out = if chance(rng, 33) { None } else { Some(rng.u8(0..3)) };
    let mut groups = CustomCrmGroups::new();
    if left_out != Some(0) {
        let fields = [
            ("Newsletter", Value::Bool(chance(rng, 55))),
            ("PreferredChannel", Value::from(pick(rng, &["Email", "Email", "Phone", "Post"]))),
            ("Language", Value::from(pick(rng, country.languages))),
        ];
        groups.insert("Preferences".to_owned(), some_of(rng, fields));
    }
    if left_out != Some(1) {
        let (year, month) = (rng.u16(2025..=2026), rng.u8(1..=10));
        let fields = [
            ("Level", Value::from(pick(rng, &["Bronze", "Bronze", "Silver", "Gold", "Platinum"]))),
            ("Points", Value::from(rng.u32(0..=25_000))),
            ("Renewal", Value::from(format!("{year}-{month:02}-01"))),
        ];
        groups.insert("Membership".to_owned(), some_of(rng, fields));
    }
    if left_out != Some(2) {
        let fields = [
            ("Source", Value::from(pick(rng, &["Google", "Referral", "Event", "Newsletter", "Walk-in"]))),
            // Tenths, so the number has one decimal; not money, so f64 is fine.
            ("Score", Value::from(f64::from(rng.u8(0..=100)) / 10.0)),
            ("Consent", Value::Bool(chance(rng, 70))),
        ];
        groups.insert("Marketing".to_owned(), some_of(rng, fields));
    }
    groups
}

/// The fields of a group, each left out 8% of the time.
fn some_of(rng: &mut Rng, fields: [(&str, Value); 3]) -> BTreeMap<String, Value> {
    field_map(fields.into_iter().filter(|_| chance(rng, 92)))
}

/// Inserted one by one: cheaper than `collect` (which sorts a buffer) for a handful of fields.
fn field_map<'a>(fields: impl IntoIterator<Item = (&'a str, Value)>) -> BTreeMap<String, Value> {
    let mut map = BTreeMap::new();
    for (alias, value) in fields {
        map.insert(alias.to_owned(), value);
    }
    map
}

fn booking(rng: &mut Rng, owner: &Owner, orders: usize) -> Booking {
    let (event_id, event_name) = pick(rng, EVENTS);
    let form = pick(rng, BOOKING_FORMS);
    let allocation = rng.i64(1..=4);
    let fields =
        field_map([("DietaryNeeds", Value::from(pick(rng, DIETARY_NEEDS))), ("Guests", Value::from(allocation - 1))]);
    let mut groups = CustomCrmGroups::new();
    if chance(rng, 25) {
        let extras =
            field_map([("Parking", Value::Bool(chance(rng, 40))), ("Seating", Value::from(pick(rng, SEATING)))]);
        groups.insert("EventExtras".to_owned(), extras);
    }
    Booking {
        event_id: Some(event_id),
        order_id: linked_order(rng, orders, 30),
        form_id: Some(form.0),
        allocation: Some(allocation),
        created_date_time: Some(at(rng.i64(owner.since..=END_MS))),
        custom_crm_groups: groups,
        form: Some(form_ref(form)),
        event: Some(EventRef { id: event_id, name: Some(event_name.to_owned()), extra: Default::default() }),
        event_booking_fields: fields,
        ..Default::default()
    }
}

fn case(rng: &mut Rng, owner: &Owner, orders: usize) -> Case {
    let (form, subject, message) = pick(rng, CASE_TOPICS);
    // A warranty claim is usually about one of the contact's orders.
    let linked_percent = if form.0 == WARRANTY_CLAIM.0 { 70 } else { 10 };
    let priority = weighted(rng, PRIORITIES, |p| p.1).0;
    let fields = field_map([("Subject", subject.into()), ("Message", message.into()), ("Priority", priority.into())]);
    Case {
        order_id: linked_order(rng, orders, linked_percent),
        form_id: Some(form.0),
        created_date_time: Some(at(rng.i64(owner.since..=END_MS))),
        form: Some(form_ref(form)),
        case_fields: fields,
        ..Default::default()
    }
}

/// Sometimes the 1-based position of one of the contact's orders (see [`DemoContact`]).
fn linked_order(rng: &mut Rng, orders: usize, percent: u8) -> Option<i64> {
    (orders > 0 && chance(rng, percent)).then(|| rng.i64(1..=orders as i64))
}

fn form_ref((id, alias, name): Form) -> FormRef {
    FormRef { id, alias: Some(alias.to_owned()), name: Some(name.to_owned()), extra: Default::default() }
}

/// The `k`-th order of the owner. Prices are tax-inclusive (`Tax` and each line's `TaxRate`
/// give the rate they include), so no tax is added:
/// `TotalCost = Σ TotalPrice + ShippingInfo.Cost − Discount.Cost − GiftVoucher.Cost`,
/// `AmountPaid = Σ Payments.Amount` and `AmountPending = TotalCost − AmountPaid`.
fn order(rng: &mut Rng, owner: &Owner, k: usize) -> Order {
    let country = owner.country;
    // Unique across all contacts: the biggest customer's come first, then each other
    // contact has room for `MOST_ORDERS`.
    let serial = match owner.index {
        0 => k as u64 + 1,
        index => BIGGEST_CUSTOMER_ORDERS as u64 + (index - 1) * MOST_ORDERS + k as u64 + 1,
    };
    let created = rng.i64(owner.since..=END_MS);
    let (tax_code, rate, scale) = country.tax;
    let tax_rate = Decimal::new(rate, scale);

    let mut subtotal = Decimal::ZERO;
    let order_lines: Vec<OrderLine> = (1..=rng.i64(1..=5))
        .map(|id| {
            let (line, total) = order_line(rng, id, tax_rate);
            subtotal += total;
            line
        })
        .collect();
    let (shipping_name, shipping_cents) = pick(rng, SHIPPING_OPTIONS);
    let shipping = Decimal::new(shipping_cents, 2);
    let discount = chance(rng, 15).then(|| {
        let (code, percent) = pick(rng, DISCOUNT_CODES);
        (code, to_cents(subtotal * Decimal::new(percent, 2)))
    });
    let after_discount = subtotal + shipping - discount.map_or(Decimal::ZERO, |d| d.1);
    // A voucher never covers more than what is left to pay.
    let voucher = chance(rng, 5).then(|| Decimal::new(pick(rng, VOUCHER_CENTS), 2).min(after_discount));
    let total = after_discount - voucher.unwrap_or(Decimal::ZERO);

    let (status_id, status_name) = weighted(rng, ORDER_STATUSES, |s| s.1).0;
    let (payment_state, payments) = payments(rng, status_name, total, created);
    let paid: Decimal = payments.iter().filter_map(|p| p.amount).map(|a| a.0).sum();
    let shipped = matches!(status_name, "Shipped" | "Completed");
    let awb_number = (shipped && chance(rng, 70)).then(|| format!("AWB{:010}", rng.u64(..10_000_000_000)));
    let invoice_number = 100_000 + serial as i64;
    let tracking_url = shipped.then(|| match &awb_number {
        Some(awb) => format!("https://tracking.example.com/{awb}"),
        None => format!("https://tracking.example.com/invoice/{invoice_number}"),
    });
    let is_recurring = chance(rng, 3);
    Order {
        awb_number,
        currency_country: Some(country.code.to_owned()),
        currency: Some(country.currency.to_owned()),
        country: Some(country.code.to_owned()),
        invoice_date: Some(at(later(rng, created, 2))),
        invoice_number: Some(invoice_number.into()),
        is_recurring,
        order_name: Some(format!("Order #{serial}")),
        payment_state: Some(payment_state.to_owned()),
        status_id: Some(status_id),
        total_cost: Some(cents(total)),
        created_date_time: Some(at(created)),
        has_subscriptions: is_recurring,
        has_paid_subscription: is_recurring && payment_state == "Paid",
        tracking_url,
        transaction_id: payments.first().and_then(|p| p.transaction_id.clone()),
        amount_paid: Some(cents(paid)),
        amount_pending: Some(cents(total - paid)),
        order_case_type: Some(if chance(rng, 20) { "FormCase" } else { "None" }.to_owned()),
        status_short: Some(StatusShort {
            id: status_id,
            name: Some(status_name.to_owned()),
            extra: Default::default(),
        }),
        discount: discount.map(|(code, cost)| Discount {
            code: Some(code.to_owned()),
            cost: Some(Amount(cost)),
            extra: Default::default(),
        }),
        gift_voucher: voucher.map(|cost| GiftVoucher {
            name: Some(format!("Gift Voucher GV-{:05}", rng.u32(..100_000))),
            cost: Some(Amount(cost)),
            extra: Default::default(),
        }),
        tax: Some(Tax { code: Some(tax_code.to_owned()), rate: Some(Amount(tax_rate)), extra: Default::default() }),
        shipping_info: Some(ShippingInfo {
            name: Some(shipping_name.to_owned()),
            cost: Some(Amount(shipping)),
            address: owner.address.address.clone(),
            city: owner.address.city.clone(),
            state: owner.address.state.clone(),
            zipcode: owner.address.zip_code.clone(),
            country: owner.address.country.clone(),
            extra: Default::default(),
        }),
        order_lines,
        payments,
        ..Default::default()
    }
}

/// Line `id` of an order and its total price.
fn order_line(rng: &mut Rng, id: i64, tax_rate: Decimal) -> (OrderLine, Decimal) {
    let product = pick(rng, PRODUCTS);
    let quantity =
        if product.file.is_some() { 1 } else { weighted(rng, &[(1_i64, 60), (2, 25), (3, 8), (6, 7)], |q| q.1).0 };
    let unit_price = Decimal::new(product.cents, 2);
    let total = unit_price * Decimal::from(quantity);
    let attributes = if product.file.is_none() && chance(rng, 10) {
        let (attribute_id, option) = pick(rng, LINE_ATTRIBUTES);
        vec![LineAttribute {
            attribute_id: Some(attribute_id),
            options_ids: vec![option.to_owned()],
            extra: Default::default(),
        }]
    } else {
        Vec::new()
    };
    let line = OrderLine {
        id,
        entity_type: Some("Product".to_owned()),
        product_id: Some(product.id),
        module_id: Some(PRODUCT_MODULE_ID),
        product_name: Some(product.name.to_owned()),
        quantity: Some(quantity),
        tax_rate: Some(Amount(tax_rate)),
        unit_price: Some(Amount(unit_price)),
        total_price: Some(Amount(total)),
        file_name: product.file.map(str::to_owned),
        is_download: product.file.is_some(),
        attributes,
        extra: Default::default(),
    };
    (line, total)
}

/// The payment state of an order in `status` and the payments behind it (ids 1..n).
fn payments(rng: &mut Rng, status: &str, total: Decimal, created: i64) -> (&'static str, Vec<Payment>) {
    let state = match status {
        "Cancelled" => "None",
        "New" => weighted(rng, &[("None", 50), ("PartiallyPaid", 20), ("Paid", 30)], |s| s.1).0,
        "Processing" => weighted(rng, &[("Paid", 70), ("PartiallyPaid", 20), ("None", 10)], |s| s.1).0,
        _ => weighted(rng, &[("Paid", 90), ("PartiallyPaid", 10)], |s| s.1).0,
    };
    // Nothing to pay (a voucher covered it all): paid, without a payment.
    if total <= Decimal::ZERO {
        return (if state == "None" { "None" } else { "Paid" }, Vec::new());
    }
    let part = share(rng, total);
    let splittable = part > Decimal::ZERO && part < total;
    let (state, amounts) = match state {
        "None" => ("None", Vec::new()),
        "PartiallyPaid" if splittable => ("PartiallyPaid", vec![part]),
        // A deposit and the balance, now and then.
        _ if splittable && chance(rng, 20) => ("Paid", vec![part, total - part]),
        _ => ("Paid", vec![total]),
    };
    let mut when = created;
    let payments = amounts
        .into_iter()
        .zip(1..)
        .map(|(amount, id)| {
            when = later(rng, when, 3);
            payment(rng, id, amount, when)
        })
        .collect();
    (state, payments)
}

fn payment(rng: &mut Rng, id: i64, amount: Decimal, when: i64) -> Payment {
    let (payment_type, gateway) = pick(rng, PAYMENT_METHODS);
    Payment {
        id,
        amount: Some(cents(amount)),
        amount_captured: Some(cents(amount)),
        gateway_reason: Some("Approved".to_owned()),
        transaction_id: Some(format!("txn_{:016x}", rng.u64(..))),
        status: Some("Success".to_owned()),
        payment_type: Some(payment_type.to_owned()),
        payment_gateway_type: Some(gateway.to_owned()),
        notes: None,
        created_date_time: Some(at(when)),
        extra: Default::default(),
    }
}

/// 20% to 80% of `amount`, in cents.
fn share(rng: &mut Rng, amount: Decimal) -> Decimal {
    to_cents(amount * Decimal::new(rng.i64(20..=80), 2))
}

/// `count` distinct zones, sorted; about half of them expire.
fn zone_subscriptions(rng: &mut Rng, count: usize, since: i64) -> Vec<ZoneSubscription> {
    let mut ids: Vec<i64> = ZONES.iter().map(|zone| zone.0).collect();
    rng.shuffle(&mut ids);
    ids.truncate(count);
    ids.sort_unstable();
    ids.into_iter()
        .map(|zone_id| ZoneSubscription {
            zone_id,
            expiry: chance(rng, 50).then(|| at(rng.i64(since + 30 * DAY_MS..=END_MS))),
        })
        .collect()
}

/// 0 records, or 1 to 3 of them `percent` of the time.
fn few(rng: &mut Rng, percent: u8) -> usize {
    if chance(rng, percent) { weighted(rng, &[(1, 60), (2, 28), (3, 12)], |n| n.1).0 } else { 0 }
}

fn chance(rng: &mut Rng, percent: u8) -> bool {
    rng.u8(0..100) < percent
}

/// A random item of a non-empty table.
fn pick<T: Copy>(rng: &mut Rng, items: &[T]) -> T {
    items[rng.usize(..items.len())]
}

/// A random item of a non-empty table, each as likely as its weight.
fn weighted<T>(rng: &mut Rng, items: &'static [T], weight: impl Fn(&T) -> u32) -> &'static T {
    let mut roll = rng.u32(..items.iter().map(&weight).sum::<u32>());
    for item in items {
        if roll < weight(item) {
            return item;
        }
        roll -= weight(item);
    }
    &items[items.len() - 1]
}

/// A moment up to `days` after `from`, never past the end of the demo window.
fn later(rng: &mut Rng, from: i64, days: i64) -> i64 {
    (from + rng.i64(0..=days * DAY_MS)).min(END_MS)
}

fn at(millis: i64) -> Timestamp {
    Timestamp::from(DateTime::from_timestamp_millis(millis).unwrap_or_default())
}

/// Rounded to cents, half away from zero as a till does.
fn to_cents(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// An amount with exactly two decimals.
fn cents(amount: Decimal) -> Amount {
    let mut amount = to_cents(amount);
    amount.rescale(2);
    Amount(amount)
}

/// Spreads neighbouring indexes over unrelated seeds.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn money(amount: Option<Amount>) -> Decimal {
        let amount = amount.map(|a| a.0);
        assert!(amount.is_none_or(|a| a.scale() == 2 && a >= Decimal::ZERO), "{amount:?} is not a sum in cents");
        amount.unwrap_or_default()
    }

    #[test]
    fn the_same_index_gives_the_same_data_and_others_differ() {
        for index in [0, 1, 7, 4242, 99_999] {
            assert_eq!(demo_contact(index), demo_contact(index));
        }
        assert_ne!(demo_contact(10).contact, demo_contact(11).contact);
        let addresses: HashSet<_> = (100..200).map(|i| demo_contact(i).contact.address.address).collect();
        assert!(addresses.len() > 80, "only {} addresses in 100 contacts", addresses.len());
    }

    #[test]
    fn emails_are_unique_ignoring_case_and_plain_ascii() {
        let mut seen = HashSet::new();
        for index in 0..20_000 {
            let email = demo_contact(index).contact.email;
            let (local, domain) = email.split_once('@').unwrap_or_default();
            assert!(domain.starts_with("example."), "{email}");
            assert!(local.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.'), "{email}");
            assert!(!local.starts_with('.') && !local.contains(".."), "{email}");
            assert!(seen.insert(email.to_lowercase()), "{email} is given twice");
        }
    }

    #[test]
    fn every_name_folds_to_ascii_without_losing_a_letter() {
        for name in COUNTRIES.iter().flat_map(|country| country.first_names.iter().chain(country.last_names)) {
            let mut folded = String::new();
            push_folded(&mut folded, name);
            let letters: usize =
                name.chars().filter(|c| c.is_alphabetic()).map(|c| 1 + usize::from("ßæœÆŒ".contains(c))).sum();
            assert_eq!(folded.len(), letters, "{name} -> {folded}");
        }
        let mut folded = String::new();
        push_folded(&mut folded, "Øyvind Ñúñez-Łukasz Groß Nguyễn Ó'Briain Dæhlie");
        assert_eq!(folded, "oyvindnunezlukaszgrossnguyenobriaindaehlie");
    }

    #[test]
    fn order_money_adds_up_exactly() {
        let mut checked = 0;
        for index in 0..3_000 {
            let demo = demo_contact(index);
            let country = COUNTRIES.iter().find(|c| demo.contact.address.country.as_deref() == Some(c.code));
            for order in &demo.orders {
                let mut subtotal = Decimal::ZERO;
                for (position, line) in order.order_lines.iter().enumerate() {
                    assert_eq!(line.id, position as i64 + 1);
                    let quantity = Decimal::from(line.quantity.unwrap_or_default());
                    assert!(quantity >= Decimal::ONE);
                    assert_eq!(money(line.total_price), money(line.unit_price) * quantity);
                    assert_eq!(line.tax_rate, order.tax.as_ref().and_then(|t| t.rate));
                    subtotal += money(line.total_price);
                }
                assert!((1..=5).contains(&order.order_lines.len()));
                let shipping = money(order.shipping_info.as_ref().and_then(|s| s.cost));
                let discount = money(order.discount.as_ref().and_then(|d| d.cost));
                let voucher = money(order.gift_voucher.as_ref().and_then(|v| v.cost));
                let total = money(order.total_cost);
                assert_eq!(total, subtotal + shipping - discount - voucher);
                let paid: Decimal = order.payments.iter().map(|p| money(p.amount)).sum();
                assert_eq!(money(order.amount_paid), paid);
                assert_eq!(money(order.amount_pending), total - paid);
                match order.payment_state.as_deref() {
                    Some("Paid") => assert_eq!(paid, total),
                    Some("PartiallyPaid") => assert!(paid > Decimal::ZERO && paid < total),
                    Some("None") => assert!(order.payments.is_empty()),
                    other => panic!("payment state {other:?}"),
                }
                let payment_ids: Vec<i64> = order.payments.iter().map(|p| p.id).collect();
                assert!(payment_ids.iter().zip(1..).all(|(id, n)| *id == n));
                assert_eq!(order.status_short.as_ref().map(|s| s.id), order.status_id);
                assert_eq!(order.currency.as_deref(), country.map(|c| c.currency));
                assert_eq!(order.tax.as_ref().and_then(|t| t.code.as_deref()), country.map(|c| c.tax.0));
                checked += 1;
            }
        }
        assert!(checked > 500, "only {checked} orders checked");
    }

    #[test]
    fn the_biggest_customer_has_thousands_of_orders_and_invoice_numbers_stay_unique() {
        assert_eq!(demo_contact(0).orders.len(), BIGGEST_CUSTOMER_ORDERS);
        let mut seen = std::collections::HashSet::new();
        for demo in (0..300).map(demo_contact) {
            assert!(demo.orders.len() < MOST_ORDERS as usize || demo.orders.len() == BIGGEST_CUSTOMER_ORDERS);
            for order in demo.orders {
                assert!(seen.insert(order.invoice_number.clone()), "{:?} twice", order.invoice_number);
            }
        }
    }

    #[test]
    fn heavy_contacts_have_many_records_of_every_kind() {
        for index in 0..HEAVY_CONTACTS {
            let demo = demo_contact(index);
            assert!(demo.bookings.len() >= 30 && demo.cases.len() >= 30 && demo.orders.len() >= 30, "{index}");
            assert_eq!(demo.zones.len(), ZONES.len());
            assert_eq!(demo.contact.crm_type.as_deref(), Some("Customer"));
        }
    }

    #[test]
    fn shares_are_roughly_as_specified() {
        const N: u64 = 10_000;
        let mut counts = [0_u64; 9];
        let mut countries = HashSet::new();
        for demo in (HEAVY_CONTACTS..HEAVY_CONTACTS + N).map(demo_contact) {
            let contact = &demo.contact;
            let flags = [
                !demo.bookings.is_empty(),
                !demo.cases.is_empty(),
                !demo.orders.is_empty(),
                !demo.zones.is_empty(),
                contact.billing.address.is_some(),
                contact.phone.is_none(),
                contact.email_confirmed == Some(true),
                contact.is_data_using_allowed == Some(true),
                contact.notes.is_some(),
            ];
            for (count, flag) in counts.iter_mut().zip(flags) {
                *count += u64::from(flag);
            }
            assert!((2..=3).contains(&contact.custom_crm_groups.len()));
            let customer = contact.crm_type.as_deref() == Some("Customer");
            assert_eq!(customer, !demo.orders.is_empty());
            assert!(demo.bookings.len().max(demo.cases.len()).max(demo.orders.len()).max(demo.zones.len()) <= 3);
            countries.insert(contact.address.country.clone().unwrap_or_default());
        }
        let expected = [20, 15, 25, 20, 30, 10, 80, 60, 12];
        for (count, percent) in counts.into_iter().zip(expected) {
            let actual = count * 100 / N;
            assert!(actual.abs_diff(percent) <= 3, "{actual}% where about {percent}% was expected: {counts:?}");
        }
        assert_eq!(countries.len(), COUNTRIES.len());
    }

    #[test]
    fn records_leave_ids_to_the_store_and_dates_stay_in_the_window() {
        let in_window = |t: Option<Timestamp>| t.is_some_and(|t| (START_MS..=END_MS).contains(&t.millis()));
        for demo in (0..2_000).map(demo_contact) {
            let orders = demo.orders.len() as i64;
            assert_eq!(demo.contact.id, 0);
            assert!(in_window(demo.contact.created_date));
            for booking in &demo.bookings {
                assert!(booking.id == 0 && booking.member_id.is_none() && booking.member.is_none());
                assert!(in_window(booking.created_date_time));
                assert!(booking.order_id.is_none_or(|k| (1..=orders).contains(&k)));
            }
            for case in &demo.cases {
                assert!(case.id == 0 && case.member_id.is_none() && case.member.is_none());
                assert!(in_window(case.created_date_time));
                assert!(case.order_id.is_none_or(|k| (1..=orders).contains(&k)));
            }
            for order in &demo.orders {
                assert!(order.id == 0 && order.member_id.is_none() && order.member.is_none());
                assert!(in_window(order.created_date_time) && in_window(order.invoice_date));
                assert!(order.payments.iter().all(|p| in_window(p.created_date_time)));
            }
            assert!(demo.zones.windows(2).all(|pair| pair[0].zone_id < pair[1].zone_id));
            for zone in &demo.zones {
                assert!(ZONES.iter().any(|z| z.0 == zone.zone_id));
                assert!(zone.expiry.is_none() || in_window(zone.expiry));
            }
        }
    }
}
