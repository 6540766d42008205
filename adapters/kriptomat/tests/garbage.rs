//! Every request of a journey answered with garbage (HTML, truncated JSON, a 500, an empty body)
//! ends the journey `failed` at the right stage with a reason: never a panic, never a success.

mod common;

use common::kriptomat_profile;
use rampsim_kriptomat::KriptomatPlugin;
use rampsim_plugin_sdk::testing::{
    assert_garbage_fails_each_request, spoilt_response, Harness, Spoil, SpoiledOnce,
};
use rampsim_plugin_sdk::{HttpResponse, Outcome, Stage};

/// The real fake (playing `passed`), except that the first response to one chosen request is
/// replaced. The scenario string names the garbage and the request: see [`SpoiledOnce`].
struct Spoiler;

impl Spoil for Spoiler {
    type Plugin = KriptomatPlugin;
    const SCENARIO: &'static str = "passed";
    fn spoilt(kind: &str) -> HttpResponse {
        spoilt_response(kind, r#"{"status":true,"data":{"id":10"#)
    }
}

type Corrupting = SpoiledOnce<Spoiler>;

/// Each request of the happy journey and the stage it belongs to.
const TARGETS: [(&str, Stage); 7] = [
    ("POST /auth/login", Stage::Register),
    ("POST /partners/users", Stage::Register),
    ("POST /shareToken", Stage::IdvPassthrough),
    ("POST /kyc-import", Stage::IdvPassthrough),
    ("GET /partners/users/", Stage::AwaitKyc),
    ("POST /buy", Stage::CreateOrder),
    ("GET /transactions/", Stage::CreateOrder),
];

#[test]
fn garbage_at_every_request_fails_the_journey_at_that_stage() {
    // Sumsub answers the share-token call; Kriptomat everything else.
    assert_garbage_fails_each_request::<Spoiler>(&kriptomat_profile(), &TARGETS, |target| {
        if target.contains("shareToken") {
            "Sumsub answered"
        } else {
            "Kriptomat answered"
        }
    });
}

#[test]
fn garbage_reasons_say_what_was_wrong() {
    let cases = [
        (
            "html@POST /buy",
            "Kriptomat answered 200 to buy: an HTML page, not JSON",
        ),
        (
            "empty@POST /kyc-import",
            "Kriptomat answered 200 to kyc-import: empty body",
        ),
        (
            "500@GET /partners/users/",
            "Kriptomat answered 500 to show user: Server Error",
        ),
        (
            "truncated@POST /partners/users",
            "Kriptomat answered 200 to create user: a body that is not JSON (truncated or garbled)",
        ),
        (
            "500@POST /shareToken",
            "Sumsub answered 500 to share token: no description",
        ),
    ];
    for (scenario, message) in cases {
        let mut h = Harness::<Corrupting>::new(scenario);
        let r = h.run(kriptomat_profile()).unwrap();
        assert_eq!(r.stages.last().unwrap().1.message, message, "{scenario}");
    }
}

#[test]
fn a_429_anywhere_is_waited_out_and_the_journey_still_succeeds() {
    for (target, stage) in TARGETS {
        let scenario = format!("429@{target}");
        let mut h = Harness::<Corrupting>::new(&scenario);
        let r = h.run(kriptomat_profile()).unwrap();
        assert_eq!(
            r.outcome,
            Outcome::OrderCreated,
            "{scenario}: {:#?}",
            r.stages.last()
        );
        let refused = r
            .exchanges
            .iter()
            .position(|e| e.response.status == 429)
            .unwrap();
        assert_eq!(r.exchanges[refused].stage, stage, "{scenario}");
        // The stage polled (waiting the provider's Retry-After) and was begun again.
        assert!(r.polls >= 1, "{scenario}");
        let again = r
            .exchanges
            .iter()
            .skip(refused + 1)
            .find(|e| e.stage == stage);
        assert!(again.is_some(), "{scenario}: the stage was begun again");
        assert_eq!(r.order_id.iter().count(), 1);
    }
}
