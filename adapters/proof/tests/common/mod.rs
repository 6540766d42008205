//! Garbage to answer the adapter with, through the SDK's
//! [`run_with_replaced_answer`](rampsim_plugin_sdk::testing::run_with_replaced_answer).

use rampsim_plugin_sdk::HttpResponse;

/// Garbage a broken proxy or provider could answer.
pub fn garbage() -> Vec<(&'static str, HttpResponse)> {
    vec![
        (
            "HTML",
            HttpResponse {
                status: 200,
                headers: vec![("Content-Type".into(), "text/html".into())],
                body: "<html><body><h1>502 Bad Gateway</h1></body></html>".into(),
            },
        ),
        (
            "truncated JSON",
            HttpResponse {
                status: 200,
                headers: vec![("Content-Type".into(), "application/json".into())],
                body: r#"{"partner_user_id": "user-1", "status": "verif"#.into(),
            },
        ),
        (
            "500",
            HttpResponse {
                status: 500,
                headers: vec![("Content-Type".into(), "application/json".into())],
                body: r#"{"error": "internal_error", "code": "internal_error", "message": "Internal server error"}"#.into(),
            },
        ),
        (
            "empty body",
            HttpResponse {
                status: 200,
                headers: vec![],
                body: String::new(),
            },
        ),
        (
            "JSON of another shape",
            HttpResponse {
                status: 200,
                headers: vec![("Content-Type".into(), "application/json".into())],
                body: r#"[1, 2, 3]"#.into(),
            },
        ),
    ]
}
