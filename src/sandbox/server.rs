use crate::clock::Clock;
use crate::plugin::{FakeHandle, LoadedPlugin};
use axum::body::{to_bytes, Body};
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, Request, Response, StatusCode};
use rampsim_plugin_sdk::wire::{FakeCall, FakeRequest};
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

impl Sandbox {
    /// Binds 127.0.0.1:`port` (0: an ephemeral port) and serves in the background.
    pub async fn start(port: u16) -> std::io::Result<Sandbox> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let routes = Arc::new(Routes::default());
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(routes.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
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
        let fake = plugin.new_fake()?;
        let session = Arc::new(Session {
            fake: Mutex::new(fake),
            scenario: scenario.to_string(),
            clock,
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
            .map(|e| (e.name.clone(), format!("http://{}/{}/{}", self.addr, key, e.name)))
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
        .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
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
    let reply = {
        let mut fake = session.fake.lock().unwrap_or_else(|p| p.into_inner());
        fake.call(&call)
    };
    match reply {
        Ok(reply) => {
            let mut r = Response::new(Body::from(reply.response.body));
            *r.status_mut() =
                StatusCode::from_u16(reply.response.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            for (k, v) in reply.response.headers {
                if let (Ok(k), Ok(v)) = (HeaderName::try_from(k), HeaderValue::try_from(v)) {
                    r.headers_mut().append(k, v);
                }
            }
            r
        }
        Err(e) => {
            tracing::error!(error = %e, "sandbox fake failed");
            plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                serde_json::json!({"error": "rampsim_fake_failed", "message": e.to_string()}).to_string(),
            )
        }
    }
}
