use super::faults::{Fault, FaultPlan, FaultSpec};
use crate::clock::Clock;
use crate::plugin::{FakeHandle, LoadedPlugin};
use axum::body::{to_bytes, Body};
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, Request, Response, StatusCode};
use rampsim_plugin_sdk::wire::{FakeCall, FakeNote, FakeRequest, HttpResponse};
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use tokio::sync::oneshot;

/// Requests larger than this are refused before they reach a fake (images are 10 MB at most,
/// base64 makes that ~13.4 MB; leave room for the rest of the record).
const MAX_BODY: usize = 32 * 1024 * 1024;

struct Session {
    fake: Mutex<FakeHandle>,
    scenario: String,
    clock: Arc<Clock>,
    faults: Option<Mutex<FaultPlan>>,
    /// What the fake reported it did (orders created), for batch audits.
    notes: Mutex<Vec<FakeNote>>,
    /// What went wrong inside the fake, each naming the request: the adapter only sees the
    /// sandbox's 500 in its place, and `plugin check` must name the fake's own fault.
    fake_failures: Mutex<Vec<String>>,
}

impl Session {
    fn note_failure(&self, why: String) {
        self.fake_failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(why);
    }

    /// The fake's call for `request` failed. After a panic the fake answers every request with
    /// that panic again: only the request it panicked on is named.
    fn fake_failed(&self, request: &str, e: &crate::plugin::CallError) {
        let mut failures = self.fake_failures.lock().unwrap_or_else(|p| p.into_inner());
        if !e.is_panic() {
            failures.push(format!("the fake failed on {request}: {}", e.message));
        } else if !failures.iter().any(|f| f.starts_with("the fake panicked")) {
            let why = e.message.strip_prefix("plugin panicked in fake: ");
            failures.push(format!(
                "the fake panicked on {request}: {}",
                why.unwrap_or(&e.message)
            ));
        }
    }
}

#[derive(Default)]
struct Routes {
    sessions: RwLock<HashMap<String, Arc<Session>>>,
}

/// What `open_session` hands back: the base URL of each of the plugin's endpoints.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub key: String,
    pub base_urls: BTreeMap<String, String>,
}

/// A running loopback server. Dropping it stops the server.
pub struct Sandbox {
    addr: SocketAddr,
    routes: Arc<Routes>,
    _stop: oneshot::Sender<()>,
}

/// A port the operator chose (not 0, which asks the system for any) that another program holds:
/// theirs to change, so a usage error rather than a failure.
pub fn chosen_port_taken(port: u16, e: &std::io::Error) -> bool {
    port != 0 && e.kind() == std::io::ErrorKind::AddrInUse
}

impl Sandbox {
    /// Binds 127.0.0.1:`port` (0: an ephemeral port) and serves from a thread of its own.
    ///
    /// The fakes are the providers: like a real provider they run apart from the app, on their
    /// own single-threaded runtime. A fake that computes or blocks for a while cannot stall the
    /// terminal UI or the journeys' tasks, and the journeys' work between requests does not
    /// make the server's scheduler park and wake the app's workers (which cost about 1.8x the
    /// work itself when both shared one runtime; BENCHMARKS.md).
    pub async fn start(port: u16) -> std::io::Result<Sandbox> {
        let std_listener = std::net::TcpListener::bind(("127.0.0.1", port))?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let routes = Arc::new(Routes::default());
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(routes.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        std::thread::Builder::new()
            .name("rampsim-sandbox".into())
            .spawn(move || {
                rt.block_on(async move {
                    let Ok(listener) = tokio::net::TcpListener::from_std(std_listener) else {
                        return;
                    };
                    tokio::select! {
                        _ = axum::serve(listener, app) => {}
                        _ = stopped => {}
                    }
                });
                // Dropping the runtime here ends every connection still open, including one a
                // `hang` fault holds forever.
                drop(rt);
            })?;
        Ok(Sandbox {
            addr,
            routes,
            _stop: stop,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Opens a session `key` with a fresh fake of `plugin` playing `scenario` on `clock`.
    pub fn open_session(
        &self,
        key: &str,
        plugin: &Arc<LoadedPlugin>,
        scenario: &str,
        clock: Arc<Clock>,
    ) -> Result<SessionInfo, crate::plugin::CallError> {
        self.open_session_with_faults(key, plugin, scenario, clock, None)
    }

    /// As `open_session`, with faults injected into this session's answers. `stream` picks the
    /// session's draws from the seed: the same stream gives the same faults in every run.
    pub fn open_session_with_faults(
        &self,
        key: &str,
        plugin: &Arc<LoadedPlugin>,
        scenario: &str,
        clock: Arc<Clock>,
        faults: Option<(FaultSpec, &str)>,
    ) -> Result<SessionInfo, crate::plugin::CallError> {
        let fake = plugin.new_fake()?;
        let session = Arc::new(Session {
            fake: Mutex::new(fake),
            scenario: scenario.to_string(),
            clock,
            faults: faults
                .filter(|(f, _)| !f.is_none())
                .map(|(f, stream)| Mutex::new(FaultPlan::new(f, stream))),
            notes: Mutex::new(Vec::new()),
            fake_failures: Mutex::new(Vec::new()),
        });
        self.routes
            .sessions
            .write()
            .expect("sandbox routes lock")
            .insert(key.to_string(), session);
        let base_urls = plugin
            .manifest
            .endpoints
            .iter()
            .map(|e| {
                (
                    e.name.clone(),
                    format!("http://{}/{}/{}", self.addr, key, e.name),
                )
            })
            .collect();
        Ok(SessionInfo {
            key: key.to_string(),
            base_urls,
        })
    }

    /// Closes session `key` when dropped, so finished journeys free their fake.
    pub fn session_guard(&self, key: &str) -> SessionGuard {
        SessionGuard {
            routes: self.routes.clone(),
            key: key.to_string(),
        }
    }

    fn session(&self, key: &str) -> Option<Arc<Session>> {
        self.routes
            .sessions
            .read()
            .ok()
            .and_then(|s| s.get(key).cloned())
    }

    /// What session `key`'s fake reported so far (orders it created).
    pub fn notes(&self, key: &str) -> Vec<FakeNote> {
        self.session(key)
            .map(|s| s.notes.lock().unwrap_or_else(|p| p.into_inner()).clone())
            .unwrap_or_default()
    }

    /// What went wrong inside session `key`'s fake so far: `the fake panicked on POST /orders:
    /// ...`, `the fake answered GET /users/1 with status 42...`.
    pub fn fake_failures(&self, key: &str) -> Vec<String> {
        self.session(key)
            .map(|s| {
                s.fake_failures
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .clone()
            })
            .unwrap_or_default()
    }

    pub fn close_session(&self, key: &str) {
        self.routes
            .sessions
            .write()
            .expect("sandbox routes lock")
            .remove(key);
    }
}

pub struct SessionGuard {
    routes: Arc<Routes>,
    key: String,
}

impl Drop for SessionGuard {
    fn drop(&mut self) {
        if let Ok(mut s) = self.routes.sessions.write() {
            s.remove(&self.key);
        }
    }
}

fn to_response(resp: HttpResponse) -> Response<Body> {
    let mut r = Response::new(Body::from(resp.body));
    *r.status_mut() =
        StatusCode::from_u16(resp.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (k, v) in resp.headers {
        if let (Ok(k), Ok(v)) = (HeaderName::try_from(k), HeaderValue::try_from(v)) {
            r.headers_mut().append(k, v);
        }
    }
    r
}

fn server_error(status: u16) -> Response<Body> {
    plain(
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        serde_json::json!({"error": "injected_fault", "message": format!("sandbox fault: {status}")}).to_string(),
    )
}

/// A response whose body fails mid-stream: the connection breaks off before a complete
/// answer, which the client sees as a reset.
fn reset() -> Response<Body> {
    let stream = futures::stream::once(async {
        Err::<axum::body::Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "injected reset",
        ))
    });
    let mut r = Response::new(Body::from_stream(stream));
    r.headers_mut()
        .insert("content-length", HeaderValue::from_static("1000"));
    r
}

fn plain(status: StatusCode, body: String) -> Response<Body> {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    r
}

async fn handle(State(routes): State<Arc<Routes>>, req: Request<Body>) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or("").to_string();
    let mut segs = path.trim_start_matches('/').splitn(3, '/');
    let key = segs.next().unwrap_or("");
    let endpoint = segs.next().unwrap_or("").to_string();
    let rest = format!("/{}", segs.next().unwrap_or(""));
    let session = routes
        .sessions
        .read()
        .expect("sandbox routes lock")
        .get(key)
        .cloned();
    let Some(session) = session else {
        return plain(
            StatusCode::NOT_FOUND,
            serde_json::json!({"error": "rampsim_sandbox_unknown_session",
                "message": format!("no sandbox session `{key}`: URLs are /<session>/<endpoint>/<path>")})
            .to_string(),
        );
    };
    let body = match to_bytes(body, MAX_BODY).await {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(_) => {
            return plain(
                StatusCode::PAYLOAD_TOO_LARGE,
                serde_json::json!({"error": "rampsim_sandbox_body_too_large",
                    "message": format!("request body over {MAX_BODY} bytes")})
                .to_string(),
            )
        }
    };
    let headers = parts
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let call = FakeCall {
        request: FakeRequest {
            endpoint,
            method: parts.method.as_str().to_string(),
            path: rest,
            query,
            headers,
            body,
        },
        now_ms: session.clock.now_ms(),
        scenario: session.scenario.clone(),
    };
    let (fault, latency) = match &session.faults {
        Some(plan) => {
            let mut plan = plan.lock().unwrap_or_else(|p| p.into_inner());
            (plan.draw(), plan.latency())
        }
        None => (Fault::None, std::time::Duration::ZERO),
    };
    if !latency.is_zero() {
        session.clock.sleep(latency).await;
    }
    // Faults that strike before the fake sees the request.
    match fault {
        Fault::ServerError {
            status,
            after: false,
        } => return server_error(status),
        Fault::RateLimited { retry_after_s } => {
            let mut r = plain(
                StatusCode::TOO_MANY_REQUESTS,
                serde_json::json!({"error": "rate_limited", "message": "too many requests"})
                    .to_string(),
            );
            r.headers_mut()
                .insert("retry-after", HeaderValue::from(retry_after_s));
            return r;
        }
        Fault::Reset { after: false } => return reset(),
        Fault::Hang => {
            // Never answer; the client's timeout ends the wait and drops this future.
            std::future::pending::<()>().await;
        }
        _ => {}
    }
    let reply = {
        let mut fake = session.fake.lock().unwrap_or_else(|p| p.into_inner());
        fake.call(&call)
    };
    let request = format!("{} {}", call.request.method, call.request.path);
    match reply {
        Ok(reply) => {
            let status = reply.response.status;
            if !(100..=599).contains(&status) {
                let sent = if StatusCode::from_u16(status).is_ok() {
                    "sent as it is".to_string()
                } else {
                    "the sandbox answered 500 in its place".to_string()
                };
                session.note_failure(format!(
                    "the fake answered {request} with status {status}, not a valid HTTP status (100..=599; {sent})"
                ));
            }
            if !reply.notes.is_empty() {
                session
                    .notes
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .extend(reply.notes);
            }
            // Faults that strike after the fake acted: the client cannot tell.
            match fault {
                Fault::ServerError {
                    status,
                    after: true,
                } => return server_error(status),
                Fault::Reset { after: true } => return reset(),
                Fault::Truncated => {
                    let mut resp = reply.response;
                    let cut = resp.body.len() / 2;
                    let cut = (0..=cut)
                        .rev()
                        .find(|i| resp.body.is_char_boundary(*i))
                        .unwrap_or(0);
                    resp.body.truncate(cut);
                    return to_response(resp);
                }
                Fault::Html => {
                    let mut r = Response::new(Body::from(
                        "<html><head><title>502 Bad Gateway</title></head><body>upstream error</body></html>",
                    ));
                    r.headers_mut()
                        .insert("content-type", HeaderValue::from_static("text/html"));
                    return r;
                }
                _ => {}
            }
            to_response(reply.response)
        }
        Err(e) => {
            tracing::error!(error = %e, "sandbox fake failed");
            session.fake_failed(&request, &e);
            plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                serde_json::json!({"error": "rampsim_fake_failed", "message": e.to_string()})
                    .to_string(),
            )
        }
    }
}
