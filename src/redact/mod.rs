//! The one redaction point. Everything that leaves the process (the log file, error messages,
//! the `--json` stream, transcripts, curl exports, the TUI's copy and saved files) passes
//! through a [`Redactor`].
//!
//! Two kinds of rule:
//!
//! - **Registered values**: secrets (API keys, client secrets, tokens learnt from responses) and
//!   the profile's KYC values, each with a [`Kind`] that decides its mask: names to their
//!   initial (`B…`), dates of birth and document, tax and phone numbers to at most their last
//!   four characters (`…1120`), emails to a masked local part (`e…@somemail.org`), addresses to
//!   `[address]`, images to their size and a short hash (`<image 68 B sha256:1a2b3c4d>`),
//!   secrets to `[REDACTED]`. Each value is also matched in the forms adapters write it in
//!   (digits only, another date order, transliterated) and as it looks JSON-escaped or
//!   URL/form-encoded, ignoring ASCII case. One Aho-Corasick automaton per redactor, built
//!   lazily after the last registration, so redacting a string that holds no sensitive value
//!   costs one scan.
//! - **Structural rules** ([`rules`]): credential headers (Authorization, X-API-KEY,
//!   X-App-Token, X-App-Access-Sig, Cookie, ...) and credential fields (`client_secret`,
//!   `password`, `security_code`, `access_token`, `token`, `clientSecret`, `init_token`,
//!   `signature`, ...) in JSON and form bodies, found with nothing registered.
//!
//! Values shorter than [`MIN_LEN`] characters or without a letter or digit are not registered:
//! masking them would mangle every text they occur in, and they identify nobody. The exception
//! is a name of two letters (`Li`, `Wu`, `Bo`), which does identify: it is masked where it
//! stands as a word of its own, never inside another (`client`, `body`).
//!
//! Identifiers the operator chose (profile names, file paths) are not KYC data, even when one
//! spells a profile's value: where a message marks them with [`ident`], they are shown as written.
//!
//! A journey owns a [`SharedRedactor`] (its secrets, its profile, and the tokens the plugin
//! marks sensitive as it learns them); [`register`] makes it apply to the log file too.

mod event;
mod global;
mod ident;
pub mod rules;
mod variants;

pub use event::{header, redact_event, redact_json, redact_profile};
pub use global::{global_redact, pin, pin_profiles, register, SharedRedactor};
pub use ident::{ident, unmarked};
pub use variants::image_summary;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use rampsim_plugin_sdk::wire::Profile;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// What a secret becomes.
pub const REDACTED: &str = "[REDACTED]";
/// What a value becomes when even its mask would reveal a registered value.
const OPAQUE: &str = "•••";
/// Shorter values are not registered.
pub const MIN_LEN: usize = 3;
/// Names as short as this are registered, matched as whole words only.
const MIN_NAME_LEN: usize = 2;

/// What a registered value is, which decides its mask and the forms it is looked for in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// API keys, client secrets, bearer tokens, TOTP codes, signatures: `[REDACTED]`.
    Secret,
    /// First or last name: the initial.
    Name,
    DateOfBirth,
    DocumentNumber,
    TaxNumber,
    Phone,
    Email,
    /// Street lines, city, postal code.
    Address,
    /// Base64 of a document image.
    Image,
    /// Ids that single out the user (the company's ref id, the IDV record's id).
    Identifier,
    /// A crypto wallet address: the first 6 and last 4 characters.
    Wallet,
}

impl Kind {
    /// When one text is registered as two kinds, the stronger mask wins.
    fn rank(self) -> u8 {
        match self {
            Kind::Secret => 0,
            Kind::Image => 1,
            _ => 2,
        }
    }
}

/// Redacts registered values and structural secrets. Cheap to clone (the automaton is shared).
#[derive(Clone, Default)]
pub struct Redactor {
    order: Vec<String>,
    kinds: HashMap<String, Kind>,
    /// Masks KYC data found by field name too ([`rules::KYC_PART_FIELDS`]): set once a profile
    /// is registered.
    kyc_parts: bool,
    /// Changes with every value added, and is never the same for two redactors of different
    /// values: what [`global_redact`] caches its union by.
    version: u64,
    compiled: OnceLock<Arc<Compiled>>,
}

/// The next [`Redactor`] version.
static VERSIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

struct Compiled {
    ac: Option<AhoCorasick>,
    /// One per pattern.
    masks: Vec<Arc<str>>,
    /// Image prefixes: the match runs on over the rest of the base64.
    extend: Vec<bool>,
    /// Short names: a match counts only as a word of its own.
    whole_word: Vec<bool>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("values", &self.order.len())
            .finish()
    }
}

impl Redactor {
    /// A redactor with the structural rules only.
    pub fn new() -> Redactor {
        Redactor::default()
    }

    /// A journey's redactor: its secret settings and its profile.
    pub fn for_journey(secrets: &[String], profile: &Profile) -> Redactor {
        let mut r = Redactor::new();
        for s in secrets {
            r.add_secret(s);
        }
        r.add_profile(profile);
        r
    }

    /// The values registered as secrets (for an unredacted transcript, so that a later export
    /// can redact them again).
    pub fn secrets(&self) -> Vec<String> {
        self.order
            .iter()
            .filter(|v| self.kinds.get(*v) == Some(&Kind::Secret))
            .cloned()
            .collect()
    }

    /// How many values are registered.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Registers a secret: an API key, client secret, bearer token, TOTP code, signature, or
    /// a token learnt from a response.
    pub fn add_secret(&mut self, value: impl AsRef<str>) {
        self.add(value.as_ref(), Kind::Secret);
    }

    /// Registers a value of `kind`. Values too short to mask safely are ignored (see
    /// [`MIN_LEN`]).
    pub fn add(&mut self, value: &str, kind: Kind) {
        let v = value.trim();
        let min = if kind == Kind::Name {
            MIN_NAME_LEN
        } else {
            MIN_LEN
        };
        if v.chars().count() < min || !v.chars().any(char::is_alphanumeric) {
            return;
        }
        match self.kinds.get(v) {
            Some(k) if k.rank() <= kind.rank() => return,
            Some(_) => {}
            None => self.order.push(v.to_string()),
        }
        self.kinds.insert(v.to_string(), kind);
        self.compiled = OnceLock::new();
        self.version = VERSIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// See the field: equal versions mean equal values.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Adds every value `other` holds, by its kind (the stronger kind wins, as in [`add`]).
    ///
    /// [`add`]: Redactor::add
    pub fn merge(&mut self, other: &Redactor) {
        for v in &other.order {
            self.add(v, other.kinds[v]);
        }
        if other.kyc_parts && !self.kyc_parts {
            self.kyc_parts = true;
            self.version = VERSIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// Registers every KYC value of a profile by kind.
    pub fn add_profile(&mut self, p: &Profile) {
        if !self.kyc_parts {
            self.kyc_parts = true;
            self.version = VERSIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        self.add(&p.first_name, Kind::Name);
        self.add(&p.last_name, Kind::Name);
        self.add(&p.date_of_birth, Kind::DateOfBirth);
        self.add(&p.email, Kind::Email);
        self.add(&p.phone, Kind::Phone);
        self.add(&p.address.line1, Kind::Address);
        self.add(&p.address.line2, Kind::Address);
        self.add(&p.address.city, Kind::Address);
        self.add(&p.address.postal_code, Kind::Address);
        self.add(&p.tax_id.number, Kind::TaxNumber);
        self.add(&p.document.number, Kind::DocumentNumber);
        for img in [&p.document.front_image, &p.document.back_image]
            .into_iter()
            .flatten()
        {
            self.add(img, Kind::Image);
        }
        self.add(&p.ref_id, Kind::Identifier);
        self.add(&p.idv.verification_id, Kind::Identifier);
        self.add(&p.order.wallet_address, Kind::Wallet);
    }

    fn compiled(&self) -> &Compiled {
        self.compiled.get_or_init(|| Arc::new(self.compile()))
    }

    fn compile(&self) -> Compiled {
        let mut entries: Vec<(&String, Kind)> =
            self.order.iter().map(|v| (v, self.kinds[v])).collect();
        entries.sort_by_key(|(_, k)| k.rank());
        let mut patterns: Vec<String> = Vec::new();
        let mut masks: Vec<Arc<str>> = Vec::new();
        let mut extend = Vec::new();
        let mut whole_word = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (value, kind) in entries {
            let mask: Arc<str> = variants::mask(kind, value).into();
            let min = if kind == Kind::Name {
                MIN_NAME_LEN
            } else {
                MIN_LEN
            };
            for form in variants::forms(kind, value) {
                for enc in variants::encodings(&form) {
                    let len = enc.chars().count();
                    let usable = len >= min && enc.chars().any(char::is_alphanumeric);
                    if usable && seen.insert(enc.to_ascii_lowercase()) {
                        patterns.push(enc);
                        masks.push(mask.clone());
                        extend.push(kind == Kind::Image);
                        whole_word.push(len < MIN_LEN);
                    }
                }
            }
        }
        if patterns.is_empty() {
            return Compiled {
                ac: None,
                masks,
                extend,
                whole_word,
            };
        }
        // A contiguous NFA: built in microseconds (a journey rebuilds it whenever the plugin
        // marks a token), and searched nearly as fast as a DFA.
        let build = |kind| {
            AhoCorasick::builder()
                .kind(kind)
                .match_kind(MatchKind::LeftmostLongest)
                .ascii_case_insensitive(true)
                .build(&patterns)
        };
        let ac = build(Some(AhoCorasickKind::ContiguousNFA))
            .or_else(|_| build(None))
            .ok();
        // A mask must not itself contain a registered value (a name that is the initial of
        // another, a secret equal to a last-four): then it becomes opaque.
        // A short name counts only as a word of its own there too (`Ed` is not in
        // `[REDACTED]`).
        if let Some(ac) = &ac {
            for m in masks.iter_mut() {
                let holds_one = ac.find_iter(m.as_ref()).any(|hit| {
                    !whole_word[hit.pattern().as_usize()]
                        || variants::is_word(m, hit.start(), hit.end())
                });
                if holds_one {
                    *m = OPAQUE.into();
                }
            }
        }
        Compiled {
            ac,
            masks,
            extend,
            whole_word,
        }
    }

    /// One pass of registered values; `None` when none occurs.
    fn values_once(&self, s: &str, opaque: bool) -> Option<String> {
        let c = self.compiled();
        let ac = c.ac.as_ref()?;
        let mut matches = ac.find_iter(s).peekable();
        matches.peek()?;
        let mut out = String::with_capacity(s.len());
        let mut last = 0;
        let mut replaced = false;
        for m in matches {
            if m.start() < last
                || (c.whole_word[m.pattern().as_usize()]
                    && !variants::is_word(s, m.start(), m.end()))
            {
                continue;
            }
            replaced = true;
            out.push_str(&s[last..m.start()]);
            out.push_str(if opaque {
                OPAQUE
            } else {
                &c.masks[m.pattern().as_usize()]
            });
            last = if c.extend[m.pattern().as_usize()] {
                variants::extend_base64(s, m.end())
            } else {
                m.end()
            };
        }
        out.push_str(&s[last..]);
        // Matches that were all inside other words replaced nothing.
        replaced.then_some(out)
    }

    /// Registered values until none is left: a mask next to other text can, rarely, spell a
    /// registered value again; after a few passes what is left becomes opaque.
    fn values(&self, s: &str) -> Option<String> {
        let mut cur = self.values_once(s, false)?;
        for _ in 0..3 {
            match self.values_once(&cur, false) {
                Some(next) => cur = next,
                None => return Some(cur),
            }
        }
        while let Some(next) = self.values_once(&cur, true) {
            cur = next;
        }
        Some(cur)
    }

    /// Redacts free text (a log line, an error message, a body of any kind). Identifiers a
    /// message marked are kept as written, without their marks.
    pub fn redact<'a>(&self, s: &'a str) -> Cow<'a, str> {
        let Some(pieces) = ident::pieces(s) else {
            return self.redact_text(s);
        };
        let mut out = String::with_capacity(s.len());
        for (piece, as_written) in &pieces {
            if *as_written {
                out.push_str(piece);
            } else {
                out.push_str(&self.redact_text(piece));
            }
        }
        Cow::Owned(out)
    }

    fn redact_text<'a>(&self, s: &'a str) -> Cow<'a, str> {
        let mut cur: Cow<'a, str> = Cow::Borrowed(s);
        for _ in 0..4 {
            let mut changed = false;
            if let Some(next) = rules::apply(&cur) {
                cur = Cow::Owned(next);
                changed = true;
            }
            if self.kyc_parts {
                if let Some(next) = rules::apply_kyc_parts(&cur) {
                    cur = Cow::Owned(next);
                    changed = true;
                }
            }
            if let Some(next) = self.values(&cur) {
                cur = Cow::Owned(next);
                changed = true;
            }
            if !changed {
                break;
            }
        }
        cur
    }

    /// [`Redactor::redact`] into a `String`.
    pub fn redact_str(&self, s: &str) -> String {
        self.redact(s).into_owned()
    }

    /// Headers: credential headers keep only their scheme (`Bearer [REDACTED]`); every other
    /// value is redacted as text.
    pub fn redact_headers(&self, headers: &[(String, String)]) -> Vec<(String, String)> {
        headers
            .iter()
            .map(|(k, v)| {
                let v = if rules::is_secret_header(k) {
                    rules::mask_header_value(v)
                } else {
                    self.redact_str(v)
                };
                (k.clone(), v)
            })
            .collect()
    }

    /// A request or response body. Image bodies become a summary; JSON, forms and text are
    /// redacted in place, keeping their layout.
    pub fn redact_body(&self, content_type: Option<&str>, body: &str) -> String {
        let ct = content_type.unwrap_or("").trim().to_ascii_lowercase();
        if ct.starts_with("image/") && !body.is_empty() {
            return image_summary(body);
        }
        self.redact_str(body)
    }

    /// True when `s` holds a registered value or a structural secret.
    pub fn finds_anything(&self, s: &str) -> bool {
        matches!(self.redact(s), Cow::Owned(ref o) if o != s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampsim_plugin_sdk::wire::Profile;

    fn billy() -> Profile {
        let mut p = Profile {
            first_name: "Billy".into(),
            last_name: "Duncan".into(),
            date_of_birth: "1960-01-01".into(),
            email: "example@somemail.org".into(),
            phone: "+15556781234".into(),
            ref_id: "user-billy-duncan-001".into(),
            ..Profile::default()
        };
        p.tax_id.number = "073-05-1120".into();
        p.document.number = "P12345678".into();
        p.address.line1 = "123 Main St".into();
        p
    }

    #[test]
    fn masks_values_by_kind_in_every_encoding() {
        let mut r = Redactor::new();
        r.add_profile(&billy());
        r.add_secret("s3cr3t-value");
        let out = r.redact_str(
            r#"{"first_name":"BILLY","last_name":"Duncan","dob":"01/01/1960","tax":"073051120","phone":"%2B15556781234","k":"s3cr3t-value","ref":"user-billy-duncan-001"}"#,
        );
        assert_eq!(
            out,
            r#"{"first_name":"B…","last_name":"D…","dob":"…1-01","tax":"…1120","phone":"…1234","k":"[REDACTED]","ref":"…-001"}"#
        );
        assert_eq!(r.redact_str("name=Billy+Duncan&x=1"), "name=B…+D…&x=1");
        assert_eq!(r.redact_str("plain text"), "plain text");
    }

    #[test]
    fn two_letter_names_are_masked_as_words_only() {
        let mut p = billy();
        p.first_name = "Bo".into();
        p.last_name = "Li".into();
        let mut r = Redactor::new();
        r.add_profile(&p);
        assert_eq!(
            r.redact_str(r#"{"first_name":"Bo","last_name":"LI","client":"body","q":"Bo%20Li","t":"Li, Bo."}"#),
            r#"{"first_name":"B…","last_name":"L…","client":"body","q":"B…%20L…","t":"L…, B…."}"#
        );
        assert_eq!(r.redact_str("name=Bo+Li&limit=1"), "name=B…+L…&limit=1");
        // After an escape (a JSON body inside a string, a Debug line).
        assert_eq!(r.redact_str(r#"a\nLi b\u00a0Bo"#), r#"a\nL… b\u00a0B…"#);
        // A short name does not spoil other masks that hold its letters.
        let mut r = Redactor::new();
        r.add("Ed", Kind::Name);
        r.add("Ha", Kind::Name);
        r.add_secret("s3cret-token-1");
        assert_eq!(r.redact_str("Ed: s3cret-token-1"), "E…: [REDACTED]");
        // One letter identifies nobody and would mangle everything.
        let mut r = Redactor::new();
        r.add("Q", Kind::Name);
        assert!(r.is_empty());
    }

    #[test]
    fn headers_keep_their_scheme() {
        let mut r = Redactor::new();
        r.add_secret("tok-123456");
        let h = r.redact_headers(&[
            ("Authorization".into(), "Bearer tok-123456".into()),
            ("X-Trace".into(), "tok-123456".into()),
            ("Accept".into(), "application/json".into()),
        ]);
        assert_eq!(h[0].1, "Bearer [REDACTED]");
        assert_eq!(h[1].1, "[REDACTED]");
        assert_eq!(h[2].1, "application/json");
    }

    #[test]
    fn images_become_a_summary() {
        use base64::Engine as _;
        let img = base64::engine::general_purpose::STANDARD.encode((0..200u8).collect::<Vec<_>>());
        let mut p = billy();
        p.document.front_image = Some(img.clone());
        let mut r = Redactor::new();
        r.add_profile(&p);
        let out = r.redact_str(&format!(r#"{{"frontImg":"{img}","n":1}}"#));
        assert!(
            out.starts_with(r#"{"frontImg":"<image 200 B sha256:"#),
            "{out}"
        );
        assert!(out.ends_with(r#">","n":1}"#), "{out}");
        let escaped = img.replace('/', "\\/");
        assert!(!r.redact_str(&escaped).contains(&img[..20]));
    }

    #[test]
    fn short_values_are_not_registered() {
        let mut r = Redactor::new();
        r.add_secret("ab");
        r.add("  ", Kind::Name);
        r.add("---", Kind::Name);
        assert!(r.is_empty());
        assert_eq!(r.redact_str("ab cd"), "ab cd");
    }

    #[test]
    fn identifiers_a_message_marks_are_shown_as_written_and_the_same_value_elsewhere_masked() {
        let mut r = Redactor::new();
        r.add_profile(&billy());
        let message = format!(
            "{} is not a profile; profiles in config.toml: {}, {}",
            ident("duncn"),
            ident("billy"),
            ident("duncan")
        );
        assert_eq!(
            r.redact_str(&message),
            "duncn is not a profile; profiles in config.toml: billy, duncan"
        );
        // Unmarked, the same text is the profile's name: a body, or a message quoting it.
        assert_eq!(
            r.redact_str(r#"{"last_name":"duncan"} for billy"#),
            r#"{"last_name":"D…"} for B…"#
        );
        let quoted = format!("{}: last name 'Duncan' refused", ident("profiles.duncan"));
        assert_eq!(
            r.redact_str(&quoted),
            "profiles.duncan: last name 'D…' refused"
        );
        // Marks around what no message marked keep nothing in clear.
        assert_eq!(r.redact_str("\u{E000}Billy Duncan\u{E001}"), "B… D…");
    }

    #[test]
    fn a_mask_never_reveals_another_value() {
        let mut r = Redactor::new();
        r.add("1120", Kind::Secret);
        r.add("073-05-1120", Kind::TaxNumber);
        let out = r.redact_str("ssn 073-05-1120");
        assert!(!out.contains("1120"), "{out}");
        assert_eq!(r.redact_str(&out), out);
    }
}
