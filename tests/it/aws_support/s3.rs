//! The S3 stand-in: s3s-fs serving `root/<bucket>/<key>` behind a layer that counts requests and injects
//! faults (503 SlowDown, 500, a reset connection, a truncated body, a late answer, 403 on a bucket) per key.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, StreamBody, combinators::BoxBody};
use hyper::body::{Frame, Incoming};
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use s3s::auth::SimpleAuth;
use s3s::service::{S3Service, S3ServiceBuilder};

type Error = Box<dyn std::error::Error + Send + Sync>;
type Body = BoxBody<Bytes, Error>;

/// A fault to inject into one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    SlowDown,
    InternalError,
    /// Close the connection without answering.
    Reset,
    /// Send the headers and half the body, then break the connection.
    Truncate,
    /// Answer normally, this many milliseconds late.
    Delay(u64),
}

#[derive(Default)]
struct State {
    /// `METHOD path?query` of every request, in arrival order.
    log: Vec<String>,
    /// Faults still to inject for GETs of keys ending with the map key, in order.
    faults: HashMap<String, Vec<Fault>>,
    /// Buckets whose every request is answered 403 AccessDenied.
    denied_buckets: Vec<String>,
    /// Listing requests whose query holds the text are answered this many milliseconds late.
    slow_listings: Vec<(String, u64)>,
}

/// A running server; it stops with the test process.
#[derive(Clone)]
pub struct S3Server {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
}

impl S3Server {
    /// Serves `root` (each folder is a bucket).
    pub fn start(root: &Path) -> S3Server {
        let fs = s3s_fs::FileSystem::new(root).unwrap();
        let mut builder = S3ServiceBuilder::new(fs);
        builder.set_auth(SimpleAuth::from_single(super::ACCESS_KEY, super::SECRET_KEY));
        let service = builder.build();
        let state = Arc::new(Mutex::new(State::default()));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let server = S3Server { addr, state: state.clone() };
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            runtime.block_on(serve(listener, service, state));
        });
        server
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Injects `faults` into the next GETs of the key ending with `key_suffix`.
    pub fn inject(&self, key_suffix: &str, faults: &[Fault]) {
        self.state.lock().unwrap().faults.insert(key_suffix.to_owned(), faults.to_vec());
    }

    /// Answers the listing requests whose query holds `text` (e.g. `prefix=world%2FAWSLogs`) `ms` late.
    pub fn slow_listing(&self, text: &str, ms: u64) {
        self.state.lock().unwrap().slow_listings.push((text.to_owned(), ms));
    }

    pub fn deny_bucket(&self, bucket: &str) {
        self.state.lock().unwrap().denied_buckets.push(bucket.to_owned());
    }

    /// Every request so far, as `METHOD path?query` (and ` range=...` when ranged).
    pub fn requests(&self) -> Vec<String> {
        self.state.lock().unwrap().log.clone()
    }

    /// Object GETs so far (paths).
    pub fn object_gets(&self) -> Vec<String> {
        self.requests()
            .into_iter()
            .filter(|r| r.starts_with("GET ") && !r.contains("list-type") && r.matches('/').count() >= 2)
            .map(|r| r.trim_start_matches("GET ").split(['?', ' ']).next().unwrap().to_owned())
            .collect()
    }

    pub fn clear_log(&self) {
        self.state.lock().unwrap().log.clear();
    }
}

async fn serve(listener: std::net::TcpListener, service: S3Service, state: Arc<Mutex<State>>) {
    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
    loop {
        let Ok((socket, _)) = listener.accept().await else { continue };
        let (service, state) = (service.clone(), state.clone());
        tokio::spawn(async move {
            let handler = hyper::service::service_fn(move |req| handle(service.clone(), state.clone(), req));
            let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(socket), handler)
                .await;
        });
    }
}

async fn handle(service: S3Service, state: Arc<Mutex<State>>, req: Request<Incoming>) -> Result<Response<Body>, Error> {
    let path = req.uri().path().to_owned();
    let mut line = format!("{} {}", req.method(), req.uri().path_and_query().map_or("", |p| p.as_str()));
    if let Some(range) = req.headers().get("range").and_then(|r| r.to_str().ok()) {
        line.push_str(&format!(" range={range}"));
    }
    let (fault, denied, late) = {
        let mut state = state.lock().unwrap();
        state.log.push(line.clone());
        let bucket = path.trim_start_matches('/').split('/').next().unwrap_or_default().to_owned();
        let denied = state.denied_buckets.contains(&bucket);
        let is_get = req.method() == hyper::Method::GET && !line.contains("list-type");
        let fault = state
            .faults
            .iter_mut()
            .find(|(suffix, faults)| is_get && path.ends_with(suffix.as_str()) && !faults.is_empty())
            .map(|(_, faults)| faults.remove(0));
        let late =
            state.slow_listings.iter().find(|(text, _)| !is_get && line.contains(text.as_str())).map(|(_, ms)| *ms);
        (fault, denied, late)
    };
    if let Some(ms) = late {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
    if denied {
        return Ok(xml_error(403, "AccessDenied", "Access Denied"));
    }
    match fault {
        Some(Fault::SlowDown) => return Ok(xml_error(503, "SlowDown", "Please reduce your request rate.")),
        Some(Fault::InternalError) => return Ok(xml_error(500, "InternalError", "We encountered an internal error.")),
        Some(Fault::Reset) => return Err("injected connection reset".into()),
        Some(Fault::Delay(ms)) => tokio::time::sleep(std::time::Duration::from_millis(ms)).await,
        _ => {}
    }
    let response = hyper::service::Service::call(&service, req).await?;
    let (parts, body) = response.into_parts();
    if fault == Some(Fault::Truncate) {
        let bytes = body.collect().await?.to_bytes();
        let half = bytes.slice(..bytes.len() / 2);
        // The break comes a moment later, so the headers and the first half are on the wire before it.
        let first = futures_util::stream::iter([Ok::<_, Error>(Frame::data(half))]);
        let broken = futures_util::stream::once(async {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            Err::<Frame<Bytes>, Error>("injected truncation".into())
        });
        let body = StreamBody::new(futures_util::StreamExt::chain(first, broken));
        return Ok(Response::from_parts(parts, BodyExt::boxed(body)));
    }
    Ok(Response::from_parts(parts, body.boxed()))
}

fn xml_error(status: u16, code: &str, message: &str) -> Response<Body> {
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message>\
         <RequestId>TEST</RequestId></Error>"
    );
    Response::builder()
        .status(status)
        .header("content-type", "application/xml")
        .body(Full::new(Bytes::from(xml)).map_err(|never| match never {}).boxed())
        .unwrap()
}
