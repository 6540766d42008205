//! Loader tests: the sample config, one bad field at a time (each must give exactly one problem
//! with the right field and line), settings resolution, and fuzzing for panics.

use super::*;
use proptest::prelude::*;
use rampsim_plugin_sdk::testing::sample_profile;
use rampsim_plugin_sdk::{Manifest, Profile, SettingInfo};

/// The seed's example person as `billy`, image left out.
const SAMPLE: &str = r#"# rampsim configuration
[app]
provider = "paxos"
profile = "billy"
clock = "virtual"
plugin_paths = ["plugins", "/opt/rampsim/plugins"]
journeys_dir = "journeys"
log_file = "logs/rampsim.log"

[sandbox]
enabled = true
port = 8787

[engine]
request_timeout_ms = 5000
poll_initial_ms = 500
poll_max_ms = 20000
kyc_deadline_ms = 1800000
max_retries = 2

[providers.paxos]
mode = "sandbox"
scenario = "approved"
[providers.paxos.settings]
client_id = "rampsim-sandbox-client"
client_secret = { env = "PAXOS_CLIENT_SECRET" }

[profiles.billy]
ref_id = "user-billy-duncan-001"
first_name = "Billy"
last_name = "Duncan"
date_of_birth = "1960-01-01"
email = "example@somemail.org"
phone = "+15556781234"
nationality = "US"

[profiles.billy.address]
line1 = "123 Main St"
city = "New York"
region = "NY"
postal_code = "10001"
country = "US"

[profiles.billy.tax_id]
number = "073-05-1120"
type = "ssn"
country = "US"

[profiles.billy.document]
type = "passport"
number = "P12345678"
country = "US"

[profiles.billy.idv]
provider = "jumio"
verification_id = "775300ef-4edb-47b9-8ec4-f45fe3cbf41f"
verified_at = "2021-06-16T09:28:14Z"
status = "approved"
fields = ["full_legal_name", "date_of_birth"]

[profiles.billy.due_diligence]
estimated_yearly_income = "50k_to_100k"
expected_transfer_value = "25k_to_50k"
source_of_wealth = "employment_income"
employment_status = "full_time"
industry = "arts_entertainment_recreation"

[profiles.billy.order]
asset = "BTC"
amount = "100.00"
currency = "USD"
wallet_address = "0x742d35Cc6634C0532925a3b844Bc454e4438f44e"
network = "ethereum"
"#;

fn expected_billy() -> Profile {
    let mut p = sample_profile();
    p.document.front_image = None;
    p
}

/// An error as printed: redaction shows the identifiers as written, without their marks.
fn shown(err: &ConfigError) -> String {
    crate::redact::Redactor::new().redact_str(&err.to_string())
}

/// 1-based line of the first occurrence of `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in text"));
    text[..at].matches('\n').count() + 1
}

fn path() -> &'static Path {
    Path::new("config.toml")
}

fn load(text: &str) -> Result<Config, ConfigError> {
    Config::from_str(text, path())
}

fn replaced(from: &str, to: &str) -> String {
    assert!(SAMPLE.contains(from), "{from:?} not in SAMPLE");
    SAMPLE.replacen(from, to, 1)
}

/// Loads `text`, expecting exactly one problem; checks its field, its line and a piece of its
/// message, and returns it.
#[track_caller]
fn one_problem(text: &str, field: &str, line: usize, needle: &str) -> Problem {
    let err = match load(text) {
        Ok(_) => panic!("expected a problem with {field}"),
        Err(e) => e,
    };
    assert_eq!(err.problems.len(), 1, "expected one problem:\n{err}");
    let p = err.problems[0].clone();
    assert_eq!(p.field, field, "{err}");
    let loc = p.location.clone().expect("a location");
    assert_eq!(loc.line, line, "{err}");
    assert_eq!(loc.file, path());
    assert!(
        p.message.contains(needle),
        "{:?} lacks {needle:?}",
        p.message
    );
    p
}

#[test]
fn the_sample_config_loads() {
    let cfg = load(SAMPLE).expect("sample loads");
    assert_eq!(cfg.path, path());
    assert!(cfg.dir.is_absolute());
    assert_eq!(cfg.app.provider, "paxos");
    assert_eq!(cfg.app.profile, "billy");
    assert_eq!(cfg.app.clock, ClockMode::Virtual);
    assert_eq!(
        cfg.app.plugin_paths,
        vec![
            cfg.dir.join("plugins"),
            PathBuf::from("/opt/rampsim/plugins")
        ]
    );
    assert_eq!(cfg.app.journeys_dir, cfg.dir.join("journeys"));
    assert_eq!(cfg.app.log_file, cfg.dir.join("logs/rampsim.log"));
    assert_eq!(
        cfg.sandbox,
        SandboxConfig {
            enabled: true,
            port: Some(8787)
        }
    );
    assert_eq!(
        cfg.engine,
        EngineConfig {
            request_timeout_ms: 5000,
            poll_initial_ms: 500,
            poll_max_ms: 20000,
            kyc_deadline_ms: 1_800_000,
            max_retries: 2,
        }
    );
    assert!(cfg.faults.is_none());

    let paxos = cfg.provider("paxos");
    assert_eq!(paxos.mode, Mode::Sandbox);
    assert_eq!(paxos.scenario.as_deref(), Some("approved"));
    assert_eq!(paxos.location.line, line_of(SAMPLE, "[providers.paxos]"));
    assert_eq!(
        paxos.location_of("scenario"),
        &Location::new(path(), line_of(SAMPLE, "scenario = \"approved\""), 1)
    );
    assert_eq!(
        paxos.settings.get("client_secret"),
        Some(&SettingSource::Env {
            var: "PAXOS_CLIENT_SECRET".into(),
            location: Location::new(path(), line_of(SAMPLE, "client_secret ="), 1),
        })
    );
    assert!(matches!(
        paxos.settings.get("client_id"),
        Some(SettingSource::Value { value, .. }) if value == "rampsim-sandbox-client"
    ));

    let billy = cfg.profile("billy").expect("billy");
    assert_eq!(billy.profile, expected_billy());
    assert_eq!(billy.name, "billy");
    assert_eq!(billy.location.line, line_of(SAMPLE, "[profiles.billy]"));
    assert_eq!(cfg.default_profile().expect("default profile"), billy);
}

#[test]
fn everything_is_optional_but_profiles() {
    let cfg = load("").expect("empty config loads");
    assert_eq!(cfg.engine, EngineConfig::default());
    assert_eq!(cfg.sandbox, SandboxConfig::default());
    assert_eq!(cfg.app.provider, "paxos");
    assert_eq!(cfg.app.profile, "billy");
    assert_eq!(cfg.app.clock, ClockMode::Real);
    assert_eq!(cfg.app.log_file, cfg.dir.join("rampsim.log"));
    assert!(cfg.profiles.is_empty());
    let p = cfg.provider("stripe");
    assert_eq!(p.mode, Mode::Sandbox);
    assert_eq!(p.scenario, None);
    assert!(p.settings.is_empty());
    assert_eq!(p.location, Location::file_only("config.toml"));
}

#[test]
fn the_error_line_reads_as_documented() {
    let text = replaced(
        "date_of_birth = \"1960-01-01\"",
        "date_of_birth = \"1960-02-30\"",
    );
    let err = load(&text).expect_err("bad date");
    assert_eq!(
        shown(&err),
        format!(
            "config.toml:{}:1: profiles.billy.date_of_birth: \"…2-30\" is not a valid date (expected YYYY-MM-DD)",
            line_of(&text, "date_of_birth")
        )
    );
}

#[test]
fn a_kyc_value_written_without_quotes_is_not_echoed() {
    for (from, to, field, value) in [
        (
            "date_of_birth = \"1960-01-01\"",
            "date_of_birth = 19600101",
            "date_of_birth",
            "1960",
        ),
        (
            "phone = \"+15556781234\"",
            "phone = 15556781234",
            "phone",
            "5556781234",
        ),
        (
            "number = \"073-05-1120\"",
            "number = 73051120",
            "number",
            "73051120",
        ),
    ] {
        let text = replaced(from, to);
        let p = one_problem(
            &text,
            &format!(
                "profiles.billy.{}",
                if field == "number" {
                    "tax_id.number"
                } else {
                    field
                }
            ),
            line_of(&text, to),
            "expected a string",
        );
        assert!(!p.message.contains(value), "{field}: {}", p.message);
    }
}

#[test]
fn each_bad_field_gives_one_problem_at_its_line() {
    // (replace, with, field, line anchor in the new text, message piece)
    let cases: &[(&str, &str, &str, &str, &str)] = &[
        ("date_of_birth = \"1960-01-01\"", "date_of_birth = \"1960-02-30\"", "profiles.billy.date_of_birth", "date_of_birth", "not a valid date"),
        ("date_of_birth = \"1960-01-01\"", "date_of_birth = \"2999-01-01\"", "profiles.billy.date_of_birth", "date_of_birth", "in the future"),
        ("date_of_birth = \"1960-01-01\"", "date_of_birth = 1960", "profiles.billy.date_of_birth", "date_of_birth", "expected a string, found an integer"),
        ("postal_code = \"10001\"\ncountry = \"US\"", "postal_code = \"10001\"\ncountry = \"us\"", "profiles.billy.address.country", "country = \"us\"", "write \"US\""),
        ("nationality = \"US\"", "nationality = \"USA\"", "profiles.billy.nationality", "nationality", "alpha-2 code is expected (\"US\")"),
        ("email = \"example@somemail.org\"", "email = \"example.somemail.org\"", "profiles.billy.email", "email", "plausible email"),
        ("phone = \"+15556781234\"", "phone = \"555 678 1234\"", "profiles.billy.phone", "phone", "E.164"),
        ("amount = \"100.00\"", "amount = \"100.005\"", "profiles.billy.order.amount", "amount", "at most 2 decimals"),
        ("amount = \"100.00\"", "amount = \"0\"", "profiles.billy.order.amount", "amount", "positive"),
        ("currency = \"USD\"", "currency = \"usd\"", "profiles.billy.order.currency", "currency", "ISO 4217"),
        ("type = \"passport\"", "type = \"pasport\"", "profiles.billy.document.type", "type = \"pasport\"", "passport, id_card, driving_license"),
        ("employment_status = \"full_time\"", "employment_status = \"fulltime\"", "profiles.billy.due_diligence.employment_status", "employment_status", "full_time, part_time"),
        ("status = \"approved\"", "status = \"ok\"", "profiles.billy.idv.status", "status = \"ok\"", "approved, denied"),
        ("fields = [\"full_legal_name\", \"date_of_birth\"]", "fields = [\"full_legal_name\", \"face\"]", "profiles.billy.idv.fields", "fields =", "full_legal_name, date_of_birth, address"),
        ("fields = [\"full_legal_name\", \"date_of_birth\"]", "fields = [\"full_legal_name\", 7]", "profiles.billy.idv.fields[1]", "fields =", "expected a string"),
        ("verified_at = \"2021-06-16T09:28:14Z\"", "verified_at = \"yesterday\"", "profiles.billy.idv.verified_at", "verified_at", "RFC 3339"),
        ("first_name = \"Billy\"", "frist_name = \"Billy\"", "profiles.billy.frist_name", "frist_name", "did you mean `first_name`"),
        ("first_name = \"Billy\"", "first_name = \"\"", "profiles.billy.first_name", "first_name", "must not be empty"),
        ("ref_id = \"user-billy-duncan-001\"\n", "", "profiles.billy.ref_id", "[profiles.billy]", "missing key `ref_id`"),
        ("number = \"073-05-1120\"", "number = \"073-05-1120\"\nnickname = \"x\"", "profiles.billy.tax_id.nickname", "nickname", "unknown key"),
        ("[profiles.billy.address]\nline1 = \"123 Main St\"\ncity = \"New York\"\nregion = \"NY\"\npostal_code = \"10001\"\ncountry = \"US\"\n", "", "profiles.billy.address", "[profiles.billy]", "missing table `address`"),
        ("clock = \"virtual\"", "clock = \"fast\"", "app.clock", "clock", "\"real\" or \"virtual\""),
        ("port = 8787", "port = 70000", "sandbox.port", "port", "0 to 65535"),
        ("max_retries = 2", "max_retries = -1", "engine.max_retries", "max_retries", "not a retry count"),
        ("poll_max_ms = 20000", "poll_max_ms = 100", "engine.poll_max_ms", "poll_max_ms", "less than poll_initial_ms"),
        ("enabled = true", "enabled = \"yes\"", "sandbox.enabled", "enabled", "expected true or false"),
        ("mode = \"sandbox\"", "mode = \"prod\"", "providers.paxos.mode", "mode", "\"sandbox\" or \"live\""),
        ("client_id = \"rampsim-sandbox-client\"", "client_id = 42", "providers.paxos.settings.client_id", "client_id", "{ env = \"VARIABLE\" }"),
        ("client_secret = { env = \"PAXOS_CLIENT_SECRET\" }", "client_secret = { var = \"X\" }", "providers.paxos.settings.client_secret", "client_secret", "other keys"),
        ("[sandbox]", "[sandbx]", "sandbx", "[sandbx]", "did you mean `sandbox`"),
        ("journeys_dir = \"journeys\"", "journey_dir = \"journeys\"", "app.journey_dir", "journey_dir", "did you mean `journeys_dir`"),
    ];
    for (from, to, field, anchor, needle) in cases {
        let text = replaced(from, to);
        one_problem(&text, field, line_of(&text, anchor), needle);
    }
}

#[test]
fn a_toml_syntax_error_is_one_problem_at_the_parser_position() {
    let text = replaced("last_name = \"Duncan\"", "last_name = \"Duncan");
    let p = one_problem(&text, "", line_of(&text, "last_name"), "TOML syntax error");
    assert!(!p.message.contains('\n'));
    let text = replaced("[profiles.billy.order]", "[profiles.billy.order");
    one_problem(
        &text,
        "",
        line_of(&text, "[profiles.billy.order"),
        "TOML syntax error",
    );
}

#[test]
fn all_problems_are_reported_in_line_order() {
    let text = SAMPLE
        .replacen("email = \"example@somemail.org\"", "email = \"nope\"", 1)
        .replacen("nationality = \"US\"", "nationality = \"usa\"", 1)
        .replacen("currency = \"USD\"", "currency = \"dollars\"", 1)
        .replacen("clock = \"virtual\"", "clock = \"slow\"", 1);
    let err = load(&text).expect_err("four problems");
    let fields: Vec<&str> = err.problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "app.clock",
            "profiles.billy.email",
            "profiles.billy.nationality",
            "profiles.billy.order.currency"
        ]
    );
    assert_eq!(err.to_string().lines().count(), 4);
}

#[test]
fn toml_date_literals_are_accepted_for_dates() {
    let text = replaced(
        "date_of_birth = \"1960-01-01\"",
        "date_of_birth = 1960-01-01",
    )
    .replacen(
        "verified_at = \"2021-06-16T09:28:14Z\"",
        "verified_at = 2021-06-16T09:28:14Z",
        1,
    );
    let cfg = load(&text).expect("loads");
    assert_eq!(cfg.profiles["billy"].profile, expected_billy());
    // ...but not for other strings
    let text = replaced("ref_id = \"user-billy-duncan-001\"", "ref_id = 2021-06-16");
    one_problem(
        &text,
        "profiles.billy.ref_id",
        line_of(&text, "ref_id"),
        "expected a string",
    );
}

#[test]
fn inline_tables_work_like_headers() {
    let text = r#"
[profiles.ann]
ref_id = "a-1"
first_name = "Ann"
last_name = "Lee"
date_of_birth = "1990-05-17"
email = "ann@example.de"
phone = "+4930123456"
nationality = "DE"
address = { line1 = "Hauptstr. 1", city = "Berlin", postal_code = "10115", country = "de" }
tax_id = { number = "12345678901", type = "tin", country = "DE" }
document = { type = "id_card", number = "L01X00T47", country = "DE" }
idv = { provider = "sumsub", verification_id = "abc", verified_at = "2024-01-01T00:00:00+01:00", status = "approved" }
due_diligence = { estimated_yearly_income = "under_50k", expected_transfer_value = "under_25k", source_of_wealth = "savings", employment_status = "student", industry = "educational_services" }
order = { asset = "ETH", amount = "50", currency = "EUR", wallet_address = "0xabc" }
"#;
    let p = one_problem(
        text,
        "profiles.ann.address.country",
        line_of(text, "address ="),
        "write \"DE\"",
    );
    assert!(p.location.is_some_and(|l| l.column > 1));
    let cfg = load(&text.replace("country = \"de\"", "country = \"DE\"")).expect("loads");
    let ann = cfg.profile("ann").expect("ann");
    assert!(ann.profile.idv.fields.is_empty());
    assert_eq!(ann.profile.order.network, "");
}

#[test]
fn images_are_loaded_relative_to_the_file_and_size_checked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let png = [0x89u8, b'P', b'N', b'G', 1, 2, 3];
    std::fs::write(dir.path().join("front.png"), png).expect("write");
    let cfg_path = dir.path().join("config.toml");
    let with_image = |name: &str| {
        SAMPLE.replacen(
            "number = \"P12345678\"",
            &format!("number = \"P12345678\"\nfront_image = \"{name}\""),
            1,
        )
    };

    let cfg = Config::from_str(&with_image("front.png"), &cfg_path).expect("loads");
    let doc = &cfg.profiles["billy"].profile.document;
    assert_eq!(doc.front_image.as_deref(), Some("iVBORwECAw=="));
    assert_eq!(doc.back_image, None);

    // a missing file: named, with the field and the line
    let text = with_image("missing.png");
    let err = Config::from_str(&text, &cfg_path).expect_err("missing image");
    assert_eq!(err.problems.len(), 1, "{err}");
    let p = &err.problems[0];
    assert_eq!(p.field, "profiles.billy.document.front_image");
    assert_eq!(
        p.location.as_ref().map(|l| l.line),
        Some(line_of(&text, "front_image"))
    );
    assert!(
        p.message
            .contains(&dir.path().join("missing.png").display().to_string()),
        "{p}"
    );

    // over the providers' 10 MiB limit
    let big = std::fs::File::create(dir.path().join("big.png")).expect("create");
    big.set_len(MAX_IMAGE_BYTES + 1).expect("grow");
    let text = with_image("big.png");
    let err = Config::from_str(&text, &cfg_path).expect_err("big image");
    assert_eq!(err.problems.len(), 1, "{err}");
    assert_eq!(err.problems[0].field, "profiles.billy.document.front_image");
    assert!(err.problems[0].message.contains("10 MiB"), "{err}");
    assert_eq!(
        err.problems[0].location.as_ref().map(|l| l.line),
        Some(line_of(&text, "front_image"))
    );

    // exactly 10 MiB is fine
    let edge = std::fs::File::create(dir.path().join("edge.png")).expect("create");
    edge.set_len(MAX_IMAGE_BYTES).expect("grow");
    assert!(read_image(&dir.path().join("edge.png")).is_ok());
}

/// The [profiles.billy] table of SAMPLE as a standalone file (keys at the top level).
fn billy_file() -> String {
    let start = SAMPLE.find("[profiles.billy]").expect("billy");
    SAMPLE[start..]
        .replacen("[profiles.billy]\n", "", 1)
        .replace("[profiles.billy.", "[")
}

#[test]
fn profiles_resolve_by_name_or_by_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("img")).expect("mkdir");
    std::fs::write(dir.path().join("img/back.png"), b"back").expect("write");
    let file = billy_file().replacen(
        "number = \"P12345678\"",
        "number = \"P12345678\"\nback_image = \"img/back.png\"",
        1,
    );
    let profile_path = dir.path().join("carol.toml");
    std::fs::write(&profile_path, &file).expect("write");

    let loaded = load_profile_file(&profile_path).expect("standalone profile loads");
    assert_eq!(loaded.name, "carol");
    assert_eq!(loaded.location, Location::new(&profile_path, 1, 1));
    let mut expected = expected_billy();
    expected.document.back_image = Some("YmFjaw==".into());
    assert_eq!(loaded.profile, expected);

    let cfg = load(SAMPLE).expect("sample");
    assert_eq!(
        cfg.profile("billy").expect("by name").profile,
        expected_billy()
    );
    let by_path = cfg
        .profile(&profile_path.display().to_string())
        .expect("by path");
    assert_eq!(by_path.profile, expected);

    let err = cfg.profile("nobody").expect_err("unknown");
    assert!(
        shown(&err).contains("profiles in config.toml: billy"),
        "{err}"
    );

    // [app] profile may name a file, relative to config.toml
    let cfg_path = dir.path().join("config.toml");
    let cfg = Config::from_str("[app]\nprofile = \"carol.toml\"\n", &cfg_path).expect("loads");
    assert_eq!(cfg.default_profile().expect("default").profile, expected);
    // and so may profile(), when the path does not exist relative to the current directory
    assert_eq!(
        cfg.profile("carol.toml")
            .expect("relative to config")
            .profile,
        expected
    );

    // a standalone file's problems name fields without a prefix, with the file's lines
    let bad = file.replacen("phone = \"+15556781234\"", "phone = \"+1 555\"", 1);
    std::fs::write(&profile_path, &bad).expect("write");
    let err = load_profile_file(&profile_path).expect_err("bad phone");
    assert_eq!(err.problems.len(), 1, "{err}");
    assert_eq!(err.problems[0].field, "phone");
    assert_eq!(
        err.problems[0].location,
        Some(Location::new(&profile_path, line_of(&bad, "phone"), 1))
    );
    let err = load_profile_file(&dir.path().join("none.toml")).expect_err("no file");
    assert!(
        err.to_string().contains("cannot read profile file"),
        "{err}"
    );
}

#[test]
fn faults_are_read_into_their_spec() {
    let cfg = load("[faults]\nseed = 7\nlatency_ms = 200\nerror_rate = 0.25\nhang_rate = 0\n")
        .expect("loads");
    let f = cfg.faults.expect("faults");
    assert_eq!((f.seed, f.latency_ms), (7, 200));
    assert_eq!((f.error_rate, f.hang_rate), (0.25, 0.0));
}

#[test]
fn every_bad_fault_setting_is_its_own_problem_at_its_line() {
    let text =
        "[faults]\nseed = -1\nerror_rate = 1.5\nrate_limit_rate = \"x\"\nmalformd_rate = 0.1\n";
    let err = load(text).expect_err("four problems");
    let got: Vec<(String, usize)> = err
        .problems
        .iter()
        .map(|p| (p.field.clone(), p.location.as_ref().map_or(0, |l| l.line)))
        .collect();
    assert_eq!(
        got,
        vec![
            ("faults.seed".to_string(), 2),
            ("faults.error_rate".to_string(), 3),
            ("faults.rate_limit_rate".to_string(), 4),
            ("faults.malformd_rate".to_string(), 5),
        ],
        "{err}"
    );
    let text = err.to_string();
    assert!(text.contains("-1 is negative"), "{text}");
    assert!(text.contains("1.5 is not a rate"), "{text}");
    assert!(text.contains("expected a number, found a string"), "{text}");
    assert!(text.contains("did you mean `malformed_rate`"), "{text}");
    // Rates fine alone but more than all requests together: said at the last one.
    let err = load("[faults]\nerror_rate = 0.6\nreset_rate = 0.6\n").expect_err("sum");
    assert_eq!(err.problems.len(), 1, "{err}");
    let p = &err.problems[0];
    assert_eq!(p.field, "faults.reset_rate", "{err}");
    assert_eq!(p.location.as_ref().map(|l| l.line), Some(3), "{err}");
}

#[test]
fn clock_mode_parses_and_prints() {
    for c in [ClockMode::Real, ClockMode::Virtual] {
        assert_eq!(c.to_string().parse::<ClockMode>(), Ok(c));
    }
    assert!("Real".parse::<ClockMode>().is_err());
}

#[test]
fn load_reads_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("config.toml");
    std::fs::write(&p, SAMPLE).expect("write");
    let cfg = Config::load(&p).expect("loads");
    assert_eq!(cfg.dir, dir.path());
    assert_eq!(cfg.app.journeys_dir, dir.path().join("journeys"));
    let err = Config::load(&dir.path().join("nope.toml")).expect_err("missing");
    assert!(err.to_string().contains("cannot read config file"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// resolve_settings
// ---------------------------------------------------------------------------------------------

fn manifest() -> Manifest {
    Manifest {
        id: "paxos".into(),
        name: "Paxos".into(),
        version: "1.0.0".into(),
        protocol_version: "1.0".into(),
        description: String::new(),
        stages: vec![],
        endpoints: vec![],
        settings: vec![
            SettingInfo {
                name: "client_id".into(),
                description: String::new(),
                secret: false,
                sandbox_value: Some("sandbox-id".into()),
            },
            SettingInfo {
                name: "client_secret".into(),
                description: String::new(),
                secret: true,
                sandbox_value: Some("sandbox-secret".into()),
            },
        ],
        scenarios: vec![],
    }
}

fn no_env(_: &str) -> Option<String> {
    None
}

fn provider_from(settings: &str, mode: &str) -> (String, ProviderConfig) {
    let text =
        format!("[providers.paxos]\nmode = \"{mode}\"\n[providers.paxos.settings]\n{settings}");
    let cfg = load(&text).expect("loads");
    (text, cfg.provider("paxos"))
}

#[test]
fn a_secret_written_in_the_file_is_refused_with_the_how_to() {
    let (text, p) = provider_from(
        "client_id = \"id\"\nclient_secret = \"hunter2\"\n",
        "sandbox",
    );
    let err = resolve_settings("paxos", &p, &manifest(), &no_env).expect_err("refused");
    assert_eq!(err.problems.len(), 1);
    assert_eq!(
        shown(&err),
        format!(
            "config.toml:{}:1: providers.paxos.settings.client_secret: is a secret and cannot be written in the config file; set an environment variable and write client_secret = {{ env = \"PAXOS_CLIENT_SECRET\" }}",
            line_of(&text, "client_secret")
        )
    );
    assert!(!err.to_string().contains("hunter2"));
    assert!(
        !format!("{p:?}").contains("hunter2"),
        "Debug must not show plain values"
    );
}

#[test]
fn env_variables_supply_secrets() {
    let (_, p) = provider_from(
        "client_id = \"my-id\"\nclient_secret = { env = \"PAXOS_CLIENT_SECRET\" }\n",
        "live",
    );
    let env = |v: &str| (v == "PAXOS_CLIENT_SECRET").then(|| "s3cr3t-value".to_string());
    let r = resolve_settings("paxos", &p, &manifest(), &env).expect("resolves");
    let all = r.expose_all();
    assert_eq!(all["client_id"], "my-id");
    assert_eq!(all["client_secret"], "s3cr3t-value");
    assert_eq!(r.secret_values(), vec!["s3cr3t-value".to_string()]);
    assert!(r.secret_names.contains("client_secret"));
    let debug = format!("{r:?}");
    assert!(
        !debug.contains("s3cr3t-value") && !debug.contains("my-id"),
        "{debug}"
    );
}

#[test]
fn sandbox_mode_falls_back_to_the_plugins_sandbox_values() {
    // env named but unset, and a setting not written at all
    let (_, p) = provider_from(
        "client_secret = { env = \"PAXOS_CLIENT_SECRET\" }\n",
        "sandbox",
    );
    let r = resolve_settings("paxos", &p, &manifest(), &no_env).expect("resolves");
    assert_eq!(r.expose_all()["client_id"], "sandbox-id");
    assert_eq!(r.expose_all()["client_secret"], "sandbox-secret");
    assert_eq!(r.secret_values(), vec!["sandbox-secret".to_string()]);
    // no [providers.x] table at all
    let cfg = load("").expect("loads");
    let r =
        resolve_settings("paxos", &cfg.provider("paxos"), &manifest(), &no_env).expect("resolves");
    assert_eq!(r.values.len(), 2);
}

#[test]
fn live_mode_needs_every_value() {
    let (text, p) = provider_from(
        "client_secret = { env = \"PAXOS_CLIENT_SECRET\" }\n",
        "live",
    );
    let err = resolve_settings("paxos", &p, &manifest(), &no_env).expect_err("missing");
    assert_eq!(err.problems.len(), 2, "{err}");
    let by_field = |f: &str| {
        err.problems
            .iter()
            .find(|p| p.field == f)
            .unwrap_or_else(|| panic!("no problem for {f}: {err}"))
    };
    let secret = by_field("providers.paxos.settings.client_secret");
    assert_eq!(
        secret.location.as_ref().map(|l| l.line),
        Some(line_of(&text, "client_secret"))
    );
    assert!(
        secret.message.contains("PAXOS_CLIENT_SECRET is not set"),
        "{secret}"
    );
    let id = by_field("providers.paxos.settings.client_id");
    assert_eq!(
        id.location.as_ref().map(|l| l.line),
        Some(line_of(&text, "[providers.paxos]"))
    );
    assert!(
        id.message
            .contains("add `client_id = \"...\"` under [providers.paxos.settings]"),
        "{id}"
    );
}

#[test]
fn undeclared_settings_are_refused() {
    let (text, p) = provider_from("client_id = \"x\"\napi_key = { env = \"K\" }\n", "sandbox");
    let err = resolve_settings("paxos", &p, &manifest(), &no_env).expect_err("undeclared");
    assert_eq!(err.problems.len(), 1, "{err}");
    let problem = &err.problems[0];
    assert_eq!(problem.field, "providers.paxos.settings.api_key");
    assert_eq!(
        problem.location.as_ref().map(|l| l.line),
        Some(line_of(&text, "api_key"))
    );
    assert!(
        problem
            .message
            .contains("declared settings: client_id, client_secret"),
        "{problem}"
    );
}

#[test]
fn env_names_are_suggested_upper_case() {
    assert_eq!(
        suggested_env_var("paxos", "client_secret"),
        "PAXOS_CLIENT_SECRET"
    );
    assert_eq!(
        suggested_env_var("proof-widget", "api.key"),
        "PROOF_WIDGET_API_KEY"
    );
}

// ---------------------------------------------------------------------------------------------
// Fuzzing: nothing panics
// ---------------------------------------------------------------------------------------------

/// Lines that look like config.toml, to reach deep into the loader.
fn fragment() -> impl Strategy<Value = String> {
    let headers = prop::sample::select(vec![
        "[app]",
        "[sandbox]",
        "[engine]",
        "[providers.paxos]",
        "[providers.paxos.settings]",
        "[profiles.billy]",
        "[profiles.billy.address]",
        "[profiles.billy.document]",
        "[profiles.billy.idv]",
        "[profiles.billy.order]",
        "[faults]",
        "[[profiles]]",
        "[profiles]",
    ])
    .prop_map(str::to_string);
    let keys = prop::sample::select(vec![
        "provider",
        "profile",
        "clock",
        "plugin_paths",
        "port",
        "enabled",
        "mode",
        "settings",
        "client_secret",
        "first_name",
        "date_of_birth",
        "country",
        "address",
        "front_image",
        "fields",
        "amount",
        "env",
        "billy",
        "app",
        "profiles",
        "faults",
        "type",
    ]);
    let values = prop::sample::select(vec![
        "\"x\"",
        "\"\"",
        "1",
        "-1",
        "99999999999",
        "true",
        "1.5",
        "1960-01-01",
        "2021-06-16T09:28:14Z",
        "[]",
        "[\"a\", 1]",
        "{}",
        "{ env = \"X\" }",
        "{ env = 1 }",
        "{ a = { b = [] } }",
        "\"/nonexistent/x.png\"",
        "\"US\"",
    ]);
    prop_oneof![
        headers,
        (keys, values).prop_map(|(k, v)| format!("{k} = {v}")),
        "\\PC{0,20}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = load(&text);
        let _ = profile_from_str(&text, Path::new("p.toml"));
    }

    #[test]
    fn config_like_text_never_panics(lines in prop::collection::vec(fragment(), 0..40)) {
        let text = lines.join("\n");
        match load(&text) {
            Ok(_) => {}
            Err(e) => {
                prop_assert!(!e.problems.is_empty());
                for p in &e.problems {
                    prop_assert!(p.location.is_some(), "{}", p);
                    prop_assert!(!p.to_string().contains('\n'), "{}", p);
                }
            }
        }
        let _ = profile_from_str(&text, Path::new("p.toml"));
    }

    #[test]
    fn the_sample_with_a_line_removed_never_panics(i in 0usize..90) {
        let lines: Vec<&str> = SAMPLE.lines().collect();
        let kept: Vec<&str> = lines
            .iter()
            .enumerate()
            .filter(|(n, _)| *n != i)
            .map(|(_, l)| *l)
            .collect();
        let text = kept.join("\n");
        if let Err(e) = load(&text) {
            // whatever is wrong is reported with a line inside the file
            for p in &e.problems {
                let line = p.location.as_ref().map(|l| l.line).unwrap_or(0);
                prop_assert!(line >= 1 && line <= kept.len().max(1), "{}", p);
            }
        }
    }
}
