//! Money written for people: the exact decimal from the site, rounded to the currency's
//! minor unit, with the digits, separators and grouping of the user's locale (CLDR data
//! through ICU4X) and the ISO currency code. Never through a float.

use icu_decimal::DecimalFormatter;
use icu_decimal::input::Decimal as LocaleDecimal;
use icu_locale_core::Locale;
use rust_decimal::{Decimal, RoundingStrategy};

/// Formats amounts for one locale. Build it once: loading the locale's data is not free.
#[derive(Clone, Debug)]
pub struct MoneyFormat {
    formatter: DecimalFormatter,
    /// The code goes after the number (`1.234,50 EUR`), as the locale writes currencies.
    code_after: bool,
}

/// Languages that write the currency after the amount (CLDR's currency patterns).
const CODE_AFTER: &[&str] =
    &["de", "fr", "es", "it", "pt", "nb", "nn", "no", "sv", "da", "fi", "pl", "cs", "sk", "ru", "uk", "hu", "ro"];

impl MoneyFormat {
    /// The user's locale, as the operating system reports it (`LANG` and the like); the
    /// neutral locale when it cannot be read.
    pub fn system() -> Self {
        Self::for_locale(&sys_locale::get_locale().unwrap_or_default())
    }

    /// `tag`: a BCP 47 tag such as `de-DE` or `en_NZ.UTF-8` (a POSIX locale name also reads).
    pub fn for_locale(tag: &str) -> Self {
        let tag = tag.split(['.', '@']).next().unwrap_or_default().replace('_', "-");
        let locale: Locale = tag.parse().unwrap_or(Locale::UNKNOWN);
        let language = locale.id.language.as_str().to_owned();
        let formatter = DecimalFormatter::try_new(locale.into(), Default::default())
            .or_else(|_| DecimalFormatter::try_new(Default::default(), Default::default()));
        let formatter = match formatter {
            Ok(formatter) => formatter,
            // Compiled data always holds the root locale.
            Err(error) => unreachable!("ICU4X has no root locale data: {error}"),
        };
        Self { formatter, code_after: CODE_AFTER.contains(&language.as_str()) }
    }

    /// `12.5` in `NZD` as `NZD 12.50` (or `12,50 EUR` where the locale writes it so). No
    /// currency: the number alone, with the minor unit of most currencies.
    pub fn format(&self, amount: Decimal, currency: Option<&str>) -> String {
        let code = currency.map(str::trim).filter(|c| !c.is_empty());
        let number = self.number(amount, minor_digits(code));
        match code {
            Some(code) if self.code_after => format!("{number}\u{a0}{code}"),
            Some(code) => format!("{code}\u{a0}{number}"),
            None => number,
        }
    }

    /// The amount rounded half away from zero to `digits` places, in the locale's digits.
    pub fn number(&self, amount: Decimal, digits: u32) -> String {
        let rounded = amount.round_dp_with_strategy(digits, RoundingStrategy::MidpointAwayFromZero);
        let text = format!("{rounded:.prec$}", prec = digits as usize);
        match text.parse::<LocaleDecimal>() {
            Ok(decimal) => self.formatter.format(&decimal).to_string(),
            // rust_decimal writes plain digits, which always parse; keep them if not.
            Err(_) => text,
        }
    }
}

/// ISO 4217 minor unit digits (2 unless the currency is known to differ).
fn minor_digits(currency: Option<&str>) -> u32 {
    match currency.map(str::to_ascii_uppercase).as_deref() {
        Some("JPY" | "KRW" | "ISK" | "CLP" | "VND" | "XAF" | "XOF" | "XPF" | "PYG" | "UGX") => 0,
        Some("BHD" | "KWD" | "OMR" | "JOD" | "TND" | "LYD" | "IQD") => 3,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn english_groups_with_commas_and_puts_the_code_first() {
        let money = MoneyFormat::for_locale("en-NZ");
        assert_eq!(money.format(dec("1234.5"), Some("NZD")), "NZD\u{a0}1,234.50");
        assert_eq!(money.format(dec("-0.125"), Some("USD")), "USD\u{a0}-0.13", "half away from zero");
        assert_eq!(money.format(dec("1234567"), Some("JPY")), "JPY\u{a0}1,234,567");
        assert_eq!(money.format(dec("1.2345"), Some("KWD")), "KWD\u{a0}1.235");
    }

    #[test]
    fn german_and_french_write_their_own_separators_and_the_code_after() {
        assert_eq!(MoneyFormat::for_locale("de_DE.UTF-8").format(dec("1234.5"), Some("EUR")), "1.234,50\u{a0}EUR");
        let french = MoneyFormat::for_locale("fr-FR").format(dec("1234567.891"), Some("EUR"));
        assert_eq!(french, "1\u{202f}234\u{202f}567,89\u{a0}EUR");
    }

    #[test]
    fn amounts_that_a_float_would_round_wrongly_stay_exact() {
        let money = MoneyFormat::for_locale("en");
        // 0.1 + 0.2 in f64 is 0.30000000000000004; 1.005 in f64 is 1.00499999999999989...
        assert_eq!(money.format(dec("0.1") + dec("0.2"), None), "0.30");
        assert_eq!(money.format(dec("1.005"), Some("AUD")), "AUD\u{a0}1.01");
        assert_eq!(money.format(dec("79228162514264337593543950.335"), None), "79,228,162,514,264,337,593,543,950.34");
    }

    #[test]
    fn an_unreadable_locale_falls_back_to_the_neutral_one() {
        assert_eq!(MoneyFormat::for_locale("not a locale!").format(dec("1000"), Some("GBP")), "GBP\u{a0}1,000.00");
        assert_eq!(MoneyFormat::for_locale("").format(dec("5"), Some("  ")), "5.00");
    }
}
