//! Profiles from TOML: a `[profiles.NAME]` table in config.toml or a standalone profile file with
//! the same keys at the top level. Reads the table into the SDK's `Profile`, loads document
//! images (paths relative to the file) as base64, and validates every field, reporting each
//! problem with its line.

use super::error::{ConfigError, Location, Problem, Source};
use super::reader::{join, Diag, Got, Need, TableReader};
use super::tree::{self, Key, Node};
use super::validate::{validate_profile, MAX_IMAGE_BYTES};
use crate::redact::ident;
use base64::Engine as _;
use rampsim_plugin_sdk::{Address, Document, DueDiligence, Idv, OrderRequest, Profile, TaxId};
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// A profile with where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadedProfile {
    /// The name under `[profiles]`, or the file stem of a standalone profile file.
    pub name: String,
    /// The `[profiles.NAME]` header, or the start of the standalone file.
    pub location: Location,
    pub profile: Profile,
    /// The standalone file it was read from (absolute); `None` for a `[profiles.NAME]`.
    pub file: Option<std::path::PathBuf>,
}

const PROFILE_KEYS: &[&str] = &[
    "ref_id",
    "first_name",
    "last_name",
    "date_of_birth",
    "email",
    "phone",
    "nationality",
    "address",
    "tax_id",
    "document",
    "idv",
    "due_diligence",
    "order",
];
const ADDRESS_KEYS: &[&str] = &["line1", "line2", "city", "region", "postal_code", "country"];
const TAX_ID_KEYS: &[&str] = &["number", "type", "country"];
const DOCUMENT_KEYS: &[&str] = &["type", "number", "country", "front_image", "back_image"];
const IDV_KEYS: &[&str] = &[
    "provider",
    "verification_id",
    "verified_at",
    "status",
    "fields",
];
const DUE_DILIGENCE_KEYS: &[&str] = &[
    "estimated_yearly_income",
    "expected_transfer_value",
    "source_of_wealth",
    "employment_status",
    "industry",
];
const ORDER_KEYS: &[&str] = &["asset", "amount", "currency", "wallet_address", "network"];

/// A standalone profile file: the keys of a `[profiles.x]` table at the top level. Image paths
/// are relative to the file.
pub fn load_profile_file(path: &Path) -> Result<LoadedProfile, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigError::file(
            path,
            format!("cannot read profile file {}: {e}", ident(path.display())),
        )
    })?;
    profile_from_str(&text, path)
}

/// Parses a standalone profile file's text; `path` is used for messages and image paths.
pub fn profile_from_str(text: &str, path: &Path) -> Result<LoadedProfile, ConfigError> {
    let src = Source::new(path, text);
    let entries = tree::parse(text).map_err(|e| syntax_error(&src, &e))?;
    let mut d = Diag::new(&src);
    let base = path.parent().unwrap_or(Path::new(""));
    let profile = read_profile(&mut d, "", Some(0..0), &entries, base);
    if !d.problems.is_empty() {
        return Err(ConfigError::sorted(d.problems));
    }
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(LoadedProfile {
        name,
        location: src.start(),
        profile,
        file: Some(std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())),
    })
}

/// A TOML syntax error as a problem at the parser's line and column.
pub(crate) fn syntax_error(src: &Source, e: &toml::de::Error) -> ConfigError {
    let message = e
        .message()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    let location = src
        .location(e.span().as_ref())
        .unwrap_or_else(|| src.start());
    ConfigError::single(Problem::new(
        Some(location),
        "",
        format!("TOML syntax error: {message}"),
    ))
}

/// Reads a profile table, pushing every problem (structural and semantic) into `d`. The profile
/// returned is complete only when no problem was pushed.
pub(crate) fn read_profile(
    d: &mut Diag,
    prefix: &str,
    anchor: Option<Range<usize>>,
    entries: &[(Key, Node)],
    base_dir: &Path,
) -> Profile {
    let mut f = Spans {
        prefix,
        spans: BTreeMap::new(),
    };
    let mut r = TableReader::new(prefix, anchor.clone(), entries, PROFILE_KEYS);
    let ref_id = f.string(&mut r, d, "ref_id", Need::Required);
    let first_name = f.string(&mut r, d, "first_name", Need::Required);
    let last_name = f.string(&mut r, d, "last_name", Need::Required);
    let date_of_birth = f.string(&mut r, d, "date_of_birth", Need::Required);
    let email = f.string(&mut r, d, "email", Need::Required);
    let phone = f.string(&mut r, d, "phone", Need::Required);
    let nationality = f.string(&mut r, d, "nationality", Need::Required);

    let address = f
        .table(&mut r, d, "address", ADDRESS_KEYS)
        .map(|mut t| {
            let address = Address {
                line1: f.string(&mut t, d, "line1", Need::Required),
                line2: f.string(&mut t, d, "line2", Need::Optional),
                city: f.string(&mut t, d, "city", Need::Required),
                region: f.string(&mut t, d, "region", Need::Optional),
                postal_code: f.string(&mut t, d, "postal_code", Need::Required),
                country: f.string(&mut t, d, "country", Need::Required),
            };
            t.finish(d);
            address
        })
        .unwrap_or_default();
    let tax_id = f
        .table(&mut r, d, "tax_id", TAX_ID_KEYS)
        .map(|mut t| {
            let tax_id = TaxId {
                number: f.string(&mut t, d, "number", Need::Required),
                kind: f.string(&mut t, d, "type", Need::Required),
                country: f.string(&mut t, d, "country", Need::Required),
            };
            t.finish(d);
            tax_id
        })
        .unwrap_or_default();
    let document = f
        .table(&mut r, d, "document", DOCUMENT_KEYS)
        .map(|mut t| {
            let kind = f.string(&mut t, d, "type", Need::Required);
            let number = f.string(&mut t, d, "number", Need::Required);
            let country = f.string(&mut t, d, "country", Need::Required);
            let front = t.string(d, "front_image", Need::Optional);
            let back = t.string(d, "back_image", Need::Optional);
            let front_image = front.and_then(|g| image(d, &t.field("front_image"), g, base_dir));
            let back_image = back.and_then(|g| image(d, &t.field("back_image"), g, base_dir));
            t.finish(d);
            Document {
                kind,
                number,
                country,
                front_image,
                back_image,
            }
        })
        .unwrap_or_default();
    let idv = f
        .table(&mut r, d, "idv", IDV_KEYS)
        .map(|mut t| {
            let idv = Idv {
                provider: f.string(&mut t, d, "provider", Need::Required),
                verification_id: f.string(&mut t, d, "verification_id", Need::Required),
                verified_at: f.string(&mut t, d, "verified_at", Need::Required),
                status: f.string(&mut t, d, "status", Need::Required),
                fields: f.list(&mut t, d, "fields"),
            };
            t.finish(d);
            idv
        })
        .unwrap_or_default();
    let due_diligence = f
        .table(&mut r, d, "due_diligence", DUE_DILIGENCE_KEYS)
        .map(|mut t| {
            let dd = DueDiligence {
                estimated_yearly_income: f.string(
                    &mut t,
                    d,
                    "estimated_yearly_income",
                    Need::Required,
                ),
                expected_transfer_value: f.string(
                    &mut t,
                    d,
                    "expected_transfer_value",
                    Need::Required,
                ),
                source_of_wealth: f.string(&mut t, d, "source_of_wealth", Need::Required),
                employment_status: f.string(&mut t, d, "employment_status", Need::Required),
                industry: f.string(&mut t, d, "industry", Need::Required),
            };
            t.finish(d);
            dd
        })
        .unwrap_or_default();
    let order = f
        .table(&mut r, d, "order", ORDER_KEYS)
        .map(|mut t| {
            let order = OrderRequest {
                asset: f.string(&mut t, d, "asset", Need::Required),
                amount: f.string(&mut t, d, "amount", Need::Required),
                currency: f.string(&mut t, d, "currency", Need::Required),
                wallet_address: f.string(&mut t, d, "wallet_address", Need::Required),
                network: f.string(&mut t, d, "network", Need::Optional),
            };
            t.finish(d);
            order
        })
        .unwrap_or_default();
    let p = Profile {
        ref_id,
        first_name,
        last_name,
        date_of_birth,
        email,
        phone,
        nationality,
        address,
        tax_id,
        document,
        idv,
        due_diligence,
        order,
    };
    r.finish(d);
    let spans = f.spans;

    // Field rules, skipping fields whose problem was already reported (missing, wrong type).
    for fp in validate_profile(&p) {
        let field = join(prefix, &fp.field);
        if d.is_broken(&field) {
            continue;
        }
        let span = spans
            .get(&fp.field)
            .or_else(|| fp.field.split_once('.').and_then(|(t, _)| spans.get(t)))
            .cloned()
            .flatten()
            .or_else(|| anchor.clone());
        d.report(span.as_ref(), &field, fp.message);
    }
    p
}

/// Reads fields and remembers where each was read, by its profile-relative name
/// (`address.country`), so field rules can point at the right line.
struct Spans<'p> {
    prefix: &'p str,
    spans: BTreeMap<String, Option<Range<usize>>>,
}

impl Spans<'_> {
    fn string(
        &mut self,
        r: &mut TableReader,
        d: &mut Diag,
        name: &'static str,
        need: Need,
    ) -> String {
        // Dates may be written as TOML date literals as well as strings.
        let g = if name == "date_of_birth" || name == "verified_at" {
            r.string_or_datetime(d, name, need)
        } else {
            r.string(d, name, need)
        };
        self.keep(&r.field(name), g)
    }

    fn list(&mut self, r: &mut TableReader, d: &mut Diag, name: &'static str) -> Vec<String> {
        let g = r.string_list(d, name, Need::Optional);
        self.keep(&r.field(name), g)
    }

    fn table<'t>(
        &mut self,
        r: &mut TableReader<'t>,
        d: &mut Diag,
        name: &'static str,
        allowed: &'static [&'static str],
    ) -> Option<TableReader<'t>> {
        let t = r.table(d, name, Need::Required, allowed)?;
        let rel = self.relative(&t.path);
        self.spans.insert(rel, t.anchor.clone());
        Some(t)
    }

    fn keep<T: Default>(&mut self, full_field: &str, g: Option<Got<T>>) -> T {
        match g {
            Some(g) => {
                let rel = self.relative(full_field);
                self.spans.insert(rel, g.span);
                g.value
            }
            None => T::default(),
        }
    }

    fn relative(&self, full: &str) -> String {
        if self.prefix.is_empty() {
            return full.to_string();
        }
        full.strip_prefix(self.prefix)
            .and_then(|s| s.strip_prefix('.'))
            .unwrap_or(full)
            .to_string()
    }
}

/// Loads a document image named in a profile file, reporting a problem (and returning None) when
/// it cannot be used.
fn image(d: &mut Diag, field: &str, g: Got<String>, base_dir: &Path) -> Option<String> {
    if g.value.is_empty() {
        d.report_broken(
            g.span.as_ref(),
            field,
            "must not be empty (a path to an image file, or leave the key out)",
        );
        return None;
    }
    let path = resolve(base_dir, Path::new(&g.value));
    match read_image(&path) {
        Ok(b64) => Some(b64),
        Err(message) => {
            d.report_broken(g.span.as_ref(), field, message);
            None
        }
    }
}

/// Reads an image file as base64, refusing a missing file and one over the providers' 10 MiB
/// limit. The error names the path.
pub fn read_image(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path)
        .map_err(|e| format!("cannot read image file {}: {e}", path.display()))?;
    if !meta.is_file() {
        return Err(format!("image {} is not a file", path.display()));
    }
    if meta.len() > MAX_IMAGE_BYTES {
        return Err(format!(
            "image {} is {:.1} MiB; the providers' limit is {} MiB",
            path.display(),
            meta.len() as f64 / (1024.0 * 1024.0),
            MAX_IMAGE_BYTES / (1024 * 1024)
        ));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| format!("cannot read image file {}: {e}", path.display()))?;
    if bytes.len() as u64 > MAX_IMAGE_BYTES {
        return Err(format!(
            "image {} is larger than the providers' limit of {} MiB",
            path.display(),
            MAX_IMAGE_BYTES / (1024 * 1024)
        ));
    }
    Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// `p` relative to `base` unless absolute.
pub(crate) fn resolve(base: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    }
}
