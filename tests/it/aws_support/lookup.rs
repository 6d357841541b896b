//! The CloudTrail stand-in: answers `CloudTrail_20131101.LookupEvents` (JSON 1.1 protocol) from fixed pages,
//! following `NextToken`, and records every request body.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};

/// The SDK sends the short target; the service model's full name is also accepted.
const TARGETS: &[&str] =
    &["CloudTrail_20131101.LookupEvents", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"];

#[derive(Clone)]
pub struct LookupServer {
    pub addr: SocketAddr,
    /// Request bodies received (JSON).
    pub requests: Arc<Mutex<Vec<serde_json::Value>>>,
}

impl LookupServer {
    /// Serves `pages` (each a list of CloudTrail record JSON values); page N links to page N+1.
    pub fn start(pages: Vec<Vec<serde_json::Value>>) -> LookupServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let server = LookupServer { addr, requests: requests.clone() };
        let pages = Arc::new(pages);
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                loop {
                    let Ok((socket, _)) = listener.accept().await else { continue };
                    let (pages, requests) = (pages.clone(), requests.clone());
                    tokio::spawn(async move {
                        let handler =
                            hyper::service::service_fn(move |req| handle(pages.clone(), requests.clone(), req));
                        let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                            .serve_connection(TokioIo::new(socket), handler)
                            .await;
                    });
                }
            });
        });
        server
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

async fn handle(
    pages: Arc<Vec<Vec<serde_json::Value>>>,
    requests: Arc<Mutex<Vec<serde_json::Value>>>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let target = req.headers().get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let signed = req.headers().contains_key("authorization");
    let body = req.into_body().collect().await?.to_bytes();
    let request: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    requests.lock().unwrap().push(request.clone());
    if !TARGETS.contains(&target.as_str()) || !signed {
        let error = serde_json::json!({"__type": "UnknownOperationException", "message": target});
        return Ok(json_response(400, &error));
    }
    let page: usize = request["NextToken"].as_str().and_then(|t| t.strip_prefix("page-")?.parse().ok()).unwrap_or(0);
    let events: Vec<serde_json::Value> = pages
        .get(page)
        .into_iter()
        .flatten()
        .map(|record| {
            serde_json::json!({
                "EventId": record["eventID"],
                "EventName": record["eventName"],
                "EventSource": record["eventSource"],
                "CloudTrailEvent": record.to_string(),
            })
        })
        .collect();
    let mut answer = serde_json::json!({ "Events": events });
    if page + 1 < pages.len() {
        answer["NextToken"] = serde_json::json!(format!("page-{}", page + 1));
    }
    Ok(json_response(200, &answer))
}

fn json_response(status: u16, value: &serde_json::Value) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/x-amz-json-1.1")
        .body(Full::new(Bytes::from(value.to_string())))
        .unwrap()
}
