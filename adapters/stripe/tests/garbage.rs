//! Every request of a journey answered with garbage (HTML, truncated JSON, a 500, an empty body)
//! ends the journey `failed` at the right stage with a reason: never a panic, never a success.

use rampsim_plugin_sdk::testing::{
    assert_garbage_fails_each_request, sample_profile, spoilt_response, Harness, Spoil, SpoiledOnce,
};
use rampsim_plugin_sdk::{HttpResponse, Outcome, Stage};
use rampsim_stripe::StripePlugin;

/// The real fake (playing `l1_verified`), except that the first response to one chosen request is
/// replaced. The scenario string names the garbage and the request: see [`SpoiledOnce`].
struct Spoiler;

impl Spoil for Spoiler {
    type Plugin = StripePlugin;
    const SCENARIO: &'static str = "l1_verified";
    fn spoilt(kind: &str) -> HttpResponse {
        spoilt_response(kind, r#"{"id":"crc_1RsimSbx0000"#)
    }
}

type Corrupting = SpoiledOnce<Spoiler>;

/// Each request of the happy journey and the stage it belongs to.
const TARGETS: [(&str, Stage); 4] = [
    ("POST /v1/crypto/customers", Stage::Register),
    ("POST /kyc_info", Stage::IdvPassthrough),
    ("GET /v1/crypto/customers/", Stage::AwaitKyc),
    ("POST /onramp_sessions", Stage::CreateOrder),
];

#[test]
fn garbage_at_every_request_fails_the_journey_at_that_stage() {
    assert_garbage_fails_each_request::<Spoiler>(&sample_profile(), &TARGETS, |_| {
        "Stripe answered"
    });
}

#[test]
fn garbage_reasons_say_what_was_wrong() {
    let cases = [
        ("html@POST /onramp_sessions", "Stripe answered 200 to create onramp session: an HTML page, not JSON"),
        ("empty@POST /kyc_info", "Stripe answered 200 to attach KYC info: empty body"),
        ("500@GET /v1/crypto/customers/", "Stripe answered 500 to retrieve crypto customer: no error object in the answer"),
        (
            "truncated@POST /v1/crypto/customers",
            "Stripe answered 200 to create crypto customer: a body that is not JSON (truncated or garbled)",
        ),
    ];
    for (scenario, message) in cases {
        let mut h = Harness::<Corrupting>::new(scenario);
        let r = h.run(sample_profile()).unwrap();
        assert_eq!(r.stages.last().unwrap().1.message, message, "{scenario}");
    }
}

#[test]
fn a_429_anywhere_is_waited_out_and_the_journey_still_succeeds() {
    for (target, stage) in TARGETS {
        let scenario = format!("429@{target}");
        let mut h = Harness::<Corrupting>::new(&scenario);
        let r = h.run(sample_profile()).unwrap();
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
