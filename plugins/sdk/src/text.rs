//! Text as providers that take ASCII only want it.

/// Latin letters outside ASCII, spelled the way passports' machine-readable zones and postal
/// services do (`ß` -> `ss`, `ä` -> `ae`, `é` -> `e`); typographic punctuation to ASCII.
///
/// Adapters that must send ASCII use this one: the host's redactor looks for a profile's names
/// and addresses in this spelling too, so a value rewritten any other way could leave the
/// process unmasked.
pub fn transliterate(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let rep: &str = match c {
            'ß' => "ss",
            'ẞ' => "SS",
            'ä' | 'æ' => "ae",
            'Ä' | 'Æ' => "Ae",
            'ö' | 'œ' => "oe",
            'Ö' | 'Œ' => "Oe",
            'ü' => "ue",
            'Ü' => "Ue",
            'þ' => "th",
            'Þ' => "Th",
            'à' | 'á' | 'â' | 'ã' | 'å' | 'ā' | 'ă' | 'ą' => "a",
            'À' | 'Á' | 'Â' | 'Ã' | 'Å' | 'Ā' | 'Ă' | 'Ą' => "A",
            'ç' | 'ć' | 'č' | 'ĉ' | 'ċ' => "c",
            'Ç' | 'Ć' | 'Č' | 'Ĉ' | 'Ċ' => "C",
            'ď' | 'đ' | 'ð' => "d",
            'Ď' | 'Đ' | 'Ð' => "D",
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
            'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ė' | 'Ę' | 'Ě' => "E",
            'ğ' | 'ģ' => "g",
            'Ğ' | 'Ģ' => "G",
            'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
            'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' | 'Į' | 'İ' => "I",
            'ķ' => "k",
            'Ķ' => "K",
            'ł' | 'ľ' | 'ĺ' | 'ļ' => "l",
            'Ł' | 'Ľ' | 'Ĺ' | 'Ļ' => "L",
            'ñ' | 'ń' | 'ň' | 'ņ' => "n",
            'Ñ' | 'Ń' | 'Ň' | 'Ņ' => "N",
            'ò' | 'ó' | 'ô' | 'õ' | 'ø' | 'ō' | 'ő' => "o",
            'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ø' | 'Ō' | 'Ő' => "O",
            'ŕ' | 'ř' => "r",
            'Ŕ' | 'Ř' => "R",
            'ś' | 'š' | 'ş' | 'ș' => "s",
            'Ś' | 'Š' | 'Ş' | 'Ș' => "S",
            'ť' | 'ţ' | 'ț' => "t",
            'Ť' | 'Ţ' | 'Ț' => "T",
            'ù' | 'ú' | 'û' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
            'Ù' | 'Ú' | 'Û' | 'Ū' | 'Ů' | 'Ű' | 'Ų' => "U",
            'ý' | 'ÿ' => "y",
            'Ý' | 'Ÿ' => "Y",
            'ź' | 'ż' | 'ž' => "z",
            'Ź' | 'Ż' | 'Ž' => "Z",
            '\u{2018}' | '\u{2019}' | '`' | '´' => "'",
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' => "-",
            '\u{00a0}' | '\t' => " ",
            _ => {
                out.push(c);
                continue;
            }
        };
        out.push_str(rep);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_letters_and_punctuation_become_ascii() {
        assert_eq!(transliterate("Hauptstraße"), "Hauptstrasse");
        assert_eq!(
            transliterate("Müller-Lüdenscheidt"),
            "Mueller-Luedenscheidt"
        );
        assert_eq!(transliterate("José Ñúñez"), "Jose Nunez");
        assert_eq!(transliterate("Łódź"), "Lodz");
        assert_eq!(transliterate("O’Brien"), "O'Brien");
        assert_eq!(transliterate("Guðrún Þórsdóttir"), "Gudrun Thorsdottir");
        assert_eq!(transliterate("a\u{00a0}b"), "a b");
    }
}
