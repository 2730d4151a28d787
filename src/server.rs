//! The HTTP server: AWS's JSON protocol (`wire`) over HTTP/1.1, on threads of its own.
//!
//! hyper reads and writes HTTP; a current-thread tokio runtime on the server's own thread
//! runs every connection, and calls that forward into Python run on a small pool of its own.
//! No request can hold the server: headers (and idle keep-alive connections) time out, a body
//! must arrive in time and under the size limit, a response the client does not take times
//! out, and connections are capped.

use crate::error;
use crate::wire::{self, Reply, Request, Service};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderValue, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tokio_io_timeout::TimeoutStream;

/// The largest request body accepted (docs/decisions.md, "Server mode").
pub const MAX_BODY: usize = 10 * 1024 * 1024;
pub const TIMEOUT: Duration = Duration::from_secs(30);
const MAX_CONNECTIONS: usize = 1024;
/// How long `stop` waits for the requests under way.
const GRACE: Duration = Duration::from_secs(5);

pub struct Config {
    pub host: String,
    /// 0 picks a free port.
    pub port: u16,
    /// The longest a request may take to arrive, a response to be taken, and a connection
    /// to sit idle between requests.
    pub timeout: Duration,
    pub max_body: usize,
    pub max_connections: usize,
}

impl Config {
    pub fn new(host: &str, port: u16) -> Config {
        Config {
            host: host.to_owned(),
            port,
            timeout: TIMEOUT,
            max_body: MAX_BODY,
            max_connections: MAX_CONNECTIONS,
        }
    }
}

/// A running server; `stop` (or dropping it) ends it.
pub struct Server {
    addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Binds `config.host:config.port` and serves `service` until stopped.
    pub fn start(config: Config, service: Service) -> std::io::Result<Server> {
        // One thread serves every connection: a request costs microseconds of engine time,
        // and waking one thread per request answers sooner than handing work between several.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .max_blocking_threads(8)
            .thread_name("eventbridge-mock-http")
            .enable_io()
            .enable_time()
            .build()?;
        let listener = std::net::TcpListener::bind((config.host.as_str(), config.port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let listener = {
            let _in_runtime = runtime.enter();
            TcpListener::from_std(listener)?
        };
        let (shutdown, stopping) = watch::channel(false);
        let thread = std::thread::Builder::new()
            .name("eventbridge-mock-http".into())
            .spawn(move || serve(runtime, listener, service, config, stopping))?;
        Ok(Server {
            addr,
            shutdown,
            thread: Some(thread),
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn is_running(&self) -> bool {
        self.thread.is_some()
    }

    /// Stops accepting, lets the requests under way finish (for up to `GRACE`), closes every
    /// connection and ends the server's thread. Stopping a stopped server does nothing.
    pub fn stop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Without waiting: the thread finishes on its own.
        let _ = self.shutdown.send(true);
    }
}

/// The server's thread: accepts until told to stop, then gives the connections `GRACE` to
/// finish their requests.
fn serve(
    runtime: tokio::runtime::Runtime,
    listener: TcpListener,
    service: Service,
    config: Config,
    stopping: watch::Receiver<bool>,
) {
    let max_connections = config.max_connections.clamp(1, Semaphore::MAX_PERMITS);
    let connections = Arc::new(Semaphore::new(max_connections));
    let all = u32::try_from(max_connections).unwrap_or(u32::MAX);
    runtime.block_on(async {
        accept(
            listener,
            Arc::new(service),
            Arc::new(config),
            connections.clone(),
            stopping,
        )
        .await;
        let _ = tokio::time::timeout(GRACE, connections.acquire_many(all)).await;
    });
    runtime.shutdown_timeout(Duration::from_secs(1));
}

async fn accept(
    listener: TcpListener,
    service: Arc<Service>,
    config: Arc<Config>,
    connections: Arc<Semaphore>,
    mut stopping: watch::Receiver<bool>,
) {
    loop {
        // At the cap, new connections wait in the listen backlog.
        let permit = tokio::select! {
            _ = stopping.changed() => return,
            permit = connections.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => return,
            },
        };
        let stream = tokio::select! {
            _ = stopping.changed() => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors, or a connection reset before it was accepted.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        tokio::spawn(connection(
            stream,
            service.clone(),
            config.clone(),
            stopping.clone(),
            permit,
        ));
    }
}

async fn connection(
    stream: TcpStream,
    service: Arc<Service>,
    config: Arc<Config>,
    mut stopping: watch::Receiver<bool>,
    _permit: OwnedSemaphorePermit,
) {
    // Small requests and responses on a kept-alive connection: no Nagle delay.
    let _ = stream.set_nodelay(true);
    let mut stream = TimeoutStream::new(stream);
    stream.set_write_timeout(Some(config.timeout));
    let timeout = config.timeout;
    let serve = service_fn(move |req| handle(req, service.clone(), config.clone()));
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        // Also closes a kept-alive connection that sends nothing for this long.
        .header_read_timeout(timeout)
        .keep_alive(true)
        .serve_connection(TokioIo::new(Box::pin(stream)), serve);
    let mut conn = std::pin::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = stopping.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

async fn handle(
    req: hyper::Request<Incoming>,
    service: Arc<Service>,
    config: Arc<Config>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > config.max_body as u64) {
        return Ok(refuse(StatusCode::PAYLOAD_TOO_LARGE));
    }
    let (parts, body) = req.into_parts();
    let body = Limited::new(body, config.max_body).collect();
    let body = match tokio::time::timeout(config.timeout, body).await {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(e)) if e.is::<LengthLimitError>() => {
            return Ok(refuse(StatusCode::PAYLOAD_TOO_LARGE))
        }
        Ok(Err(_)) => return Ok(refuse(StatusCode::BAD_REQUEST)),
        Err(_) => return Ok(refuse(StatusCode::REQUEST_TIMEOUT)),
    };
    let forwards = service.forwards();
    let answer = move || {
        let header = |name: &str| parts.headers.get(name).map(HeaderValue::as_bytes);
        service.respond(&Request {
            target: header("x-amz-target"),
            authorization: header("authorization"),
            body: &body,
        })
    };
    let reply = if forwards {
        // Forwarding enters Python, which may wait for the interpreter: off the server thread.
        tokio::task::spawn_blocking(answer)
            .await
            .unwrap_or_else(|_| wire::error_reply(&error::internal("the engine failed")))
    } else {
        answer()
    };
    Ok(respond(reply))
}

/// AWS's headers: the request id and the protocol's content type (hyper adds Date and
/// Content-Length).
fn respond(reply: Reply) -> Response<Full<Bytes>> {
    let mut id = [0u8; uuid::fmt::Hyphenated::LENGTH];
    let id = uuid::Uuid::new_v4().hyphenated().encode_lower(&mut id);
    let mut response = Response::new(Full::new(Bytes::from(reply.body)));
    *response.status_mut() = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
    let headers = response.headers_mut();
    if let Ok(id) = HeaderValue::from_str(id) {
        headers.insert("x-amzn-requestid", id);
    }
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    response
}

/// A request refused before it reached the service: an empty body, and the connection
/// closed, as AWS closes it after a 413 (docs/aws-facts.md §8.1).
fn refuse(status: StatusCode) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tests::test_model;
    use crate::state::{Backend, Ctx};
    use std::io::{Read, Write};

    fn start(timeout: Duration) -> Server {
        let service = Service {
            model: Box::leak(Box::new(test_model())),
            backend: Arc::new(Backend::new()),
            default: Ctx::new("123456789012", "us-east-1"),
            forward: None,
        };
        let mut config = Config::new("127.0.0.1", 0);
        config.timeout = timeout;
        config.max_body = 1000;
        Server::start(config, service).unwrap()
    }

    /// Sends `request` on a new connection and reads until the server closes it.
    fn exchange(server: &Server, request: &[u8]) -> String {
        let mut s = std::net::TcpStream::connect(server.local_addr()).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.write_all(request).unwrap();
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out
    }

    #[test]
    fn answers_with_aws_headers_and_closes_when_asked() {
        let server = start(TIMEOUT);
        let body = r#"{"x":1}"#;
        let out = exchange(
            &server,
            format!(
                "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Things.Nope\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
            .as_bytes(),
        );
        let lower = out.to_ascii_lowercase();
        assert!(out.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{out}");
        assert!(lower.contains("\r\nx-amzn-requestid: "), "{out}");
        assert!(
            lower.contains("\r\ncontent-type: application/x-amz-json-1.1\r\n"),
            "{out}"
        );
        assert!(lower.contains("\r\ndate: "), "{out}");
        assert!(
            out.ends_with("\r\n\r\n{\"__type\":\"UnknownOperationException\"}"),
            "{out}"
        );
    }

    #[test]
    fn refuses_a_body_over_the_limit_and_closes() {
        let server = start(TIMEOUT);
        let out = exchange(
            &server,
            b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Things.PutThing\r\nContent-Length: 1001\r\n\r\n",
        );
        assert!(
            out.starts_with("HTTP/1.1 413 Payload Too Large\r\n"),
            "{out}"
        );
        assert!(out.contains("connection: close\r\n"), "{out}");
        assert!(
            out.ends_with("content-length: 0\r\n\r\n") || out.contains("content-length: 0\r\n")
        );
        // Without a length, the limit applies as the body arrives.
        let chunk = "x".repeat(1001);
        let out = exchange(
            &server,
            format!(
                "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{chunk}\r\n0\r\n\r\n",
                chunk.len()
            )
            .as_bytes(),
        );
        assert!(
            out.starts_with("HTTP/1.1 413 Payload Too Large\r\n"),
            "{out}"
        );
    }

    #[test]
    fn a_slow_client_times_out_while_others_are_served() {
        let server = start(Duration::from_millis(300));
        let mut slow = std::net::TcpStream::connect(server.local_addr()).unwrap();
        slow.write_all(b"POST / HTTP/1.1\r\nHost: x\r\n").unwrap();
        let mut body_slow = std::net::TcpStream::connect(server.local_addr()).unwrap();
        body_slow
            .write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{")
            .unwrap();
        let out = exchange(
            &server,
            b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        );
        assert!(out.starts_with("HTTP/1.1 400 "), "{out}");
        let started = std::time::Instant::now();
        slow.set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut rest = Vec::new();
        let _ = slow.read_to_end(&mut rest);
        assert!(started.elapsed() < Duration::from_secs(5));
        let mut out = String::new();
        body_slow
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let _ = body_slow.read_to_string(&mut out);
        assert!(out.starts_with("HTTP/1.1 408 Request Timeout\r\n"), "{out}");
    }

    #[test]
    fn stop_frees_the_port_and_is_idempotent() {
        let mut server = start(TIMEOUT);
        let addr = server.local_addr();
        let idle = std::net::TcpStream::connect(addr).unwrap();
        server.stop();
        server.stop();
        assert!(!server.is_running());
        assert!(std::net::TcpStream::connect(addr).is_err());
        drop(idle);
    }
}
