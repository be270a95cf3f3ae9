//! What the client and the sandbox accept of the connection itself: no secret in clear text
//! over a network, no site whose certificate does not verify, no sandbox open to other
//! computers by accident.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use secrecy::SecretString;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use treepl_contacts::api::{ApiError, Client, SiteCredentials};
use treepl_contacts::sandbox::{Sandbox, SandboxConfig, SandboxError};

const SECRET: &str = "do-not-send-me-4f1c";

/// An HTTPS server with a self-signed certificate for `localhost`: it counts connections
/// and the HTTP requests that got through the handshake, and answers each with a token.
struct SelfSignedSite {
    port: u16,
    certificate: CertificateDer<'static>,
    connections: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
}

impl SelfSignedSite {
    async fn start() -> Self {
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
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(AtomicUsize::new(0));
        let (counted, answered) = (Arc::clone(&connections), Arc::clone(&requests));
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::SeqCst);
                let (acceptor, answered) = (acceptor.clone(), Arc::clone(&answered));
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                    let mut request = vec![0u8; 4096];
                    if tls.read(&mut request).await.unwrap_or(0) > 0 {
                        answered.fetch_add(1, Ordering::SeqCst);
                        let body = r#"{"access_token":"t","token_type":"bearer","expires_in":3600}"#;
                        let reply = format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                            body.len()
                        );
                        let _ = tls.write_all(reply.as_bytes()).await;
                        let _ = tls.shutdown().await;
                    }
                });
            }
        });
        Self { port, certificate, connections, requests }
    }

    /// An HTTPS request from a client that trusts this certificate: proof that the server
    /// works, so that the app's refusal is about the certificate alone.
    async fn request_trusting_it(&self) -> String {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(self.certificate.clone()).unwrap();
        let config =
            rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_root_certificates(roots)
                .with_no_client_auth();
        let tcp = TcpStream::connect(("127.0.0.1", self.port)).await.unwrap();
        let name = ServerName::try_from("localhost").unwrap();
        let mut tls = tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp).await.unwrap();
        tls.write_all(b"POST /api/v1/oauth/token HTTP/1.1\r\nhost: localhost\r\n\r\n").await.unwrap();
        let mut reply = String::new();
        let _ = tls.read_to_string(&mut reply).await;
        reply
    }
}

fn credentials(url: &str) -> SiteCredentials {
    SiteCredentials::new(url, "app", SecretString::from(SECRET)).unwrap()
}

#[tokio::test]
async fn a_site_with_a_self_signed_certificate_is_refused_with_a_clear_message_and_gets_nothing() {
    let site = SelfSignedSite::start().await;
    assert!(site.request_trusting_it().await.starts_with("HTTP/1.1 200"), "the test server answers over TLS");
    let answered_before = site.requests.load(Ordering::SeqCst);

    let client = Client::new(credentials(&format!("https://localhost:{}", site.port))).unwrap();
    let started = Instant::now();
    let error = client.check_connection().await.unwrap_err();

    assert!(matches!(error, ApiError::UntrustedSite { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("certificate could not be verified"), "{message}");
    assert!(message.contains("self-signed"), "{message}");
    assert!(!message.contains(SECRET), "{message}");
    // Refused at the handshake, so no request (and no secret) reached the server; and a
    // certificate does not get better on a retry.
    assert_eq!(site.requests.load(Ordering::SeqCst), answered_before);
    assert_eq!(site.connections.load(Ordering::SeqCst), 2, "one connection from each client: no retry");
    assert!(started.elapsed() < Duration::from_secs(5), "refused at once, took {:?}", started.elapsed());
}

#[test]
fn a_remote_plain_http_site_is_refused_even_when_its_credentials_are_built_by_hand() {
    let by_hand = SiteCredentials {
        site_url: url::Url::parse("http://shop.example.com/").unwrap(),
        client_id: "app".to_owned(),
        client_secret: SecretString::from(SECRET),
    };
    let Err(error) = Client::new(by_hand) else { panic!("a client for a remote http:// site") };
    let message = error.to_string();
    assert!(message.contains("plain http://"), "{message}");
    assert!(!message.contains(SECRET), "{message}");
    // Typed in the connect dialog, the same address is refused the same way.
    let typed = SiteCredentials::new("http://shop.example.com", "app", SecretString::from(SECRET)).unwrap_err();
    assert!(typed.to_string().contains("plain http://"), "{typed}");
    // The sandbox on this computer may use plain http.
    assert!(Client::new(credentials("http://127.0.0.1:9")).is_ok());
}

#[tokio::test]
async fn the_sandbox_refuses_an_address_beyond_loopback_unless_told_it_is_unsafe() {
    let folder = tempfile::tempdir().unwrap();
    let mut config = SandboxConfig::new(folder.path().join("sandbox.db"));
    config.addr = "0.0.0.0:0".parse().unwrap();
    let Err(refused) = Sandbox::start(config.clone()).await else { panic!("the sandbox listened on 0.0.0.0") };
    assert!(matches!(refused, SandboxError::BeyondLoopback { .. }), "{refused:?}");
    assert!(refused.to_string().contains("--unsafe-listen-beyond-loopback"), "{refused}");
    assert!(!folder.path().join("sandbox.db").exists(), "refused before it opened its database");

    // Beyond loopback, never with the public demo secret.
    config.unsafe_beyond_loopback = true;
    let Err(demo) = Sandbox::start(config.clone()).await else { panic!("the demo secret was taken beyond loopback") };
    assert!(matches!(demo, SandboxError::DemoSecretBeyondLoopback { .. }), "{demo:?}");
    config.client_secret = secrecy::SecretString::from("a-secret-of-its-own-4711".to_owned());
    let sandbox = Sandbox::start(config).await.unwrap();
    assert_eq!(sandbox.url().host_str(), Some("127.0.0.1"), "reached on this computer through loopback");
    let client = Client::with_options(sandbox.credentials(), common::quick_options()).unwrap();
    assert_eq!(client.check_connection().await.unwrap(), 0);
}

#[test]
fn the_sandbox_command_refuses_an_address_beyond_loopback() {
    let folder = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_treepl-contacts"))
        .args(["sandbox", "--addr", "0.0.0.0:0", "--seed", "0", "--db"])
        .arg(folder.path().join("sandbox.db"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("will not listen on 0.0.0.0:0"), "{stderr}");
    assert!(stderr.contains("--unsafe-listen-beyond-loopback"), "{stderr}");
}
