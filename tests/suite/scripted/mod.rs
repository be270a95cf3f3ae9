//! A scripted site for transport tests: a listener on loopback (HTTPS with a self-signed
//! certificate for `localhost`, or plain HTTP) that answers each request as a test's closure
//! says, one request a connection, and counts what reaches it: connections accepted (before
//! any TLS), requests read, and bytes written.

#![allow(dead_code)] // Helpers for the suite; each module uses a subset.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use secrecy::SecretString;
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use tokio::net::TcpListener;
use treepl_contacts::api::{Client, ClientOptions, RetryPolicy, SiteCredentials};

pub const SECRET: &str = "scripted-client-secret-1b7e";
pub const TOKEN: &str = "scripted-access-token-3c9d";

/// One certificate for `localhost`, shared by the listeners of a test so that a redirect
/// from one to the other would verify (and so be followed, but for the client's rule).
#[derive(Clone)]
pub struct Tls {
    pub certificate: CertificateDer<'static>,
    acceptor: tokio_rustls::TlsAcceptor,
}

impl Tls {
    pub fn new() -> Self {
        let generated = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let certificate = generated.cert.der().clone();
        let key = PrivateKeyDer::Pkcs8(generated.signing_key.serialize_der().into());
        let config =
            rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(vec![certificate.clone()], key)
                .unwrap();
        Self { certificate, acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)) }
    }
}

/// A request as the site read it.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    /// The path with its query.
    pub target: String,
    pub head: String,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }

    pub fn is_token(&self) -> bool {
        self.target.starts_with("/api/v1/oauth/token")
    }
}

/// How the site answers one request.
pub enum Reply {
    Now(Vec<u8>),
    /// After a pause (so that a retry's clock has run past a second).
    After(Duration, Vec<u8>),
    /// A 200 whose chunked body never ends: written until the client stops reading.
    Endless,
}

pub type Script = Arc<dyn Fn(&Request) -> Reply + Send + Sync>;

pub struct Site {
    pub port: u16,
    pub scheme: &'static str,
    pub connections: Arc<AtomicUsize>,
    pub requests: Arc<Mutex<Vec<Request>>>,
    pub bytes_sent: Arc<AtomicUsize>,
    pub certificate: Option<CertificateDer<'static>>,
}

impl Site {
    pub async fn start(tls: Option<&Tls>, script: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Self {
        let script: Script = Arc::new(script);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let bytes_sent = Arc::new(AtomicUsize::new(0));
        let acceptor = tls.map(|tls| tls.acceptor.clone());
        let (counted, seen, sent) = (Arc::clone(&connections), Arc::clone(&requests), Arc::clone(&bytes_sent));
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::SeqCst);
                let (acceptor, script, seen, sent) =
                    (acceptor.clone(), Arc::clone(&script), Arc::clone(&seen), Arc::clone(&sent));
                tokio::spawn(async move {
                    match acceptor {
                        Some(acceptor) => {
                            if let Ok(tls) = acceptor.accept(tcp).await {
                                serve(tls, &*script, &seen, &sent).await;
                            }
                        }
                        None => serve(tcp, &*script, &seen, &sent).await,
                    }
                });
            }
        });
        let scheme = if tls.is_some() { "https" } else { "http" };
        Self { port, scheme, connections, requests, bytes_sent, certificate: tls.map(|tls| tls.certificate.clone()) }
    }

    /// The site's origin as a client addresses it: `localhost` for the certificate's name.
    pub fn origin(&self) -> String {
        let host = if self.scheme == "https" { "localhost" } else { "127.0.0.1" };
        format!("{}://{host}:{}", self.scheme, self.port)
    }

    pub fn connection_count(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    /// A client for this site that trusts its certificate, with quick retries.
    pub fn client(&self) -> Client {
        self.client_with(ClientOptions::default())
    }

    pub fn client_with(&self, mut options: ClientOptions) -> Client {
        options.retry = RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
            ..RetryPolicy::default()
        };
        options.extra_root_certificates.extend(self.certificate.iter().map(|c| c.to_vec()));
        let credentials = SiteCredentials::new(&self.origin(), "scripted", SecretString::from(SECRET)).unwrap();
        Client::with_options(credentials, options).unwrap()
    }
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    script: &(dyn Fn(&Request) -> Reply + Send + Sync),
    seen: &Mutex<Vec<Request>>,
    sent: &AtomicUsize,
) {
    let Some(request) = read_request(&mut stream).await else { return };
    seen.lock().unwrap().push(request.clone());
    match script(&request) {
        Reply::Now(bytes) => {
            write_counted(&mut stream, &bytes, sent).await;
        }
        Reply::After(pause, bytes) => {
            tokio::time::sleep(pause).await;
            write_counted(&mut stream, &bytes, sent).await;
        }
        Reply::Endless => {
            let head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
            if !write_counted(&mut stream, head, sent).await {
                return;
            }
            let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, " ".repeat(64 * 1024)).into_bytes();
            while write_counted(&mut stream, &chunk, sent).await {}
        }
    }
    let _ = stream.shutdown().await;
}

async fn write_counted<S: AsyncWrite + Unpin>(stream: &mut S, bytes: &[u8], sent: &AtomicUsize) -> bool {
    let ok = stream.write_all(bytes).await.is_ok() && stream.flush().await.is_ok();
    if ok {
        sent.fetch_add(bytes.len(), Ordering::SeqCst);
    }
    ok
}

async fn read_request<S: AsyncRead + Unpin>(stream: &mut S) -> Option<Request> {
    let mut bytes = Vec::new();
    let mut buffer = [0_u8; 4096];
    let head_end = loop {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buffer)).await.ok()?.ok()?;
        if n == 0 {
            return None;
        }
        bytes.extend_from_slice(&buffer[..n]);
        if let Some(at) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&bytes[..head_end]).into_owned();
    let mut first = head.lines().next()?.split(' ');
    let (method, target) = (first.next()?.to_owned(), first.next()?.to_owned());
    let length = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned()))
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    while bytes.len() < head_end + length {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buffer)).await.ok()?.ok()?;
        if n == 0 {
            break;
        }
        bytes.extend_from_slice(&buffer[..n]);
    }
    Some(Request { method, target, head, body: bytes[head_end..].to_vec() })
}

/// A complete reply with a body and the given extra header lines (each ending in `\r\n`).
pub fn reply(status: u16, headers: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status} Scripted\r\nconnection: close\r\ncontent-type: application/json\r\n{headers}content-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

pub fn token_reply() -> Vec<u8> {
    reply(200, "", &format!(r#"{{"access_token":"{TOKEN}","token_type":"Bearer","expires_in":3600}}"#))
}

pub fn contact_reply(id: u64) -> Vec<u8> {
    reply(200, "", &format!(r#"{{"Id":{id},"Email":"ada@example.com","FirstName":"Ada"}}"#))
}

pub fn redirect(status: u16, location: &str) -> Vec<u8> {
    reply(status, &format!("location: {location}\r\n"), "")
}
