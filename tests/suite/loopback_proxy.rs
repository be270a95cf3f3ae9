//! A proxy set in the environment (HTTP_PROXY and the like) never stands between the client and
//! the sandbox on this computer: the sandbox's secret stays on loopback, and a dead proxy does
//! not break the demo. The environment is set only in a child process (this same test binary,
//! run again for one test), so no other test sees it.

use crate::common;

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const CHILD: &str = "TREEPL_LOOPBACK_PROXY_CHILD";

#[test]
fn a_dead_proxy_in_the_environment_is_bypassed_for_the_loopback_sandbox() {
    // The "proxy": accepts connections, counts them, and closes them without a word.
    let proxy = TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = proxy.local_addr().unwrap().port();
    let reached = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&reached);
    std::thread::spawn(move || {
        for stream in proxy.incoming().map_while(Result::ok) {
            counted.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    let address = format!("http://127.0.0.1:{port}");
    let mut child = std::process::Command::new(std::env::current_exe().unwrap());
    let name = common::harness_name(module_path!(), "child_connects_to_a_sandbox");
    child.args(["--exact", &name, "--nocapture", "--test-threads=1"]).env(CHILD, "1");
    for name in ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"] {
        child.env(name, &address);
    }
    for name in ["NO_PROXY", "no_proxy"] {
        child.env_remove(name);
    }

    let output = child.output().unwrap();

    let printed = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "the child's call failed:\n{printed}");
    assert!(printed.contains("1 passed"), "the child test ran:\n{printed}");
    assert_eq!(reached.load(Ordering::SeqCst), 0, "nothing went through the proxy");
}

/// Run by the test above, in a child process whose environment names a dead proxy.
#[test]
fn child_connects_to_a_sandbox() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let site = common::site(0).await;
        assert_eq!(site.client.check_connection().await.unwrap(), 0);
    });
}
