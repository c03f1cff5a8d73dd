//! The S3 state store against a real S3-compatible server (moto 5.1.22 on loopback, started by
//! scripts/test.sh): conditional writes, SSE, concurrency, an outage mid-apply, request counts.

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

use common::{bucket, moto, palisade, plan_for, text, Hooked};
use palisade::provider::kops::apply;
use palisade::state::{FileStore, S3Options, S3Store, StateStore};
use palisade::yaml::tree;

fn s3(url: &str, bucket: &str, prefix: &str) -> S3Store {
    S3Store::open(
        url,
        bucket,
        prefix,
        S3Options {
            path_style: true,
            kms_key_id: None,
            endpoint_url: Some(moto()),
            lease: None,
            region: None,
        },
    )
    .expect("s3 store")
}

fn example(name: &str) -> std::path::PathBuf {
    common::root().join("examples").join(name)
}

fn without_config_base(bytes: &[u8]) -> serde_yaml::Value {
    let mut v: serde_yaml::Value = serde_yaml::from_slice(bytes).expect("yaml");
    tree::remove(&mut v, &["spec", "configBase"]);
    v
}

#[test]
fn plan_apply_plan_over_s3_matches_the_file_store() {
    let b = bucket("pap");
    let url = format!("s3://{b}/kops");
    let f = example("kops-private-ha.yaml").display().to_string();
    let first = palisade(&["plan", "-f", &f, "--state", &url, "--detailed-exitcode"]);
    assert_eq!(first.status.code(), Some(2), "{}", text(&first.stderr));
    let out = palisade(&["apply", "-f", &f, "--state", &url, "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let again = palisade(&["plan", "-f", &f, "--state", &url, "--detailed-exitcode"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stdout));
    let listed = palisade(&["clusters", "--state", &url]);
    assert_eq!(text(&listed.stdout), "prod.k8s.example.com\n");

    let dir = tempfile::tempdir().expect("tmp");
    let file_url = format!("file://{}", dir.path().display());
    assert_eq!(
        palisade(&["apply", "-f", &f, "--state", &file_url, "--yes"])
            .status
            .code(),
        Some(0)
    );
    let files = FileStore::open(&file_url, dir.path().to_path_buf()).expect("file store");
    let store = s3(&url, &b, "kops");
    let keys = store.list("").expect("list");
    assert_eq!(keys, files.list("").expect("list"));
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let client = common::s3_client(&rt, &moto());
    for key in &keys {
        let a = store.get(key).expect("get").expect("present").data;
        let f = files.get(key).expect("get").expect("present").data;
        if key.ends_with("/config") {
            // the two stores differ in where they are, which configBase records
            assert_eq!(without_config_base(&a), without_config_base(&f), "{key}");
        } else if !key.contains("/secrets/") {
            assert_eq!(a, f, "{key} differs between s3:// and file://");
        }
        let head = rt
            .block_on(
                client
                    .head_object()
                    .bucket(&b)
                    .key(format!("kops/{key}"))
                    .send(),
            )
            .expect("head");
        assert_eq!(
            head.server_side_encryption().map(|s| s.as_str()),
            Some("AES256"),
            "{key} has no SSE"
        );
    }
}

#[test]
fn s3_compare_and_swap_under_contention() {
    let b = bucket("cas");
    let url = format!("s3://{b}");
    common::check_compare_and_swap(move || s3(&url, &b, ""));
}

#[test]
fn eight_concurrent_applies_one_wins_per_base() {
    let b = bucket("race");
    let url = format!("s3://{b}/state");
    let work = tempfile::tempdir().expect("tmp");
    let base_text = std::fs::read_to_string(example("kops-minimal.yaml")).expect("example");
    let (p0, s0) = plan_for(&example("kops-minimal.yaml"), &url);
    apply(&p0, s0.as_ref()).expect("base apply");
    let files: Vec<_> = (5..13)
        .map(|n| {
            let p = work.path().join(format!("max{n}.yaml"));
            std::fs::write(
                &p,
                base_text.replace("maxSize: 4", &format!("maxSize: {n}")),
            )
            .expect("write");
            p
        })
        .collect();
    let plans: Vec<_> = files.iter().map(|f| plan_for(f, &url).0).collect();
    let barrier = Arc::new(Barrier::new(plans.len()));
    let handles: Vec<_> = plans
        .into_iter()
        .map(|plan| {
            let (barrier, url, b) = (barrier.clone(), url.clone(), b.clone());
            std::thread::spawn(move || {
                let store = s3(&url, &b, "state");
                barrier.wait();
                apply(&plan, &store).map_err(|e| e.to_string())
            })
        })
        .collect();
    let results: Vec<_> = handles
        .into_iter()
        .map(|h| h.join().expect("thread"))
        .collect();
    let winners: Vec<usize> = (0..results.len()).filter(|i| results[*i].is_ok()).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    for r in results.iter().filter_map(|r| r.as_ref().err()) {
        assert!(
            r.contains("run plan again") || r.contains("since the plan"),
            "{r}"
        );
    }
    let store = s3(&url, &b, "state");
    let nodes = store
        .get("minimal.example.com/instancegroup/nodes")
        .expect("get")
        .expect("present");
    let want = format!("maxSize: {}", winners[0] + 5);
    assert!(
        String::from_utf8_lossy(&nodes.data).contains(&want),
        "the winner's write is missing"
    );
    for (i, f) in files.iter().enumerate() {
        assert_eq!(
            plan_for(f, &url).0.has_changes(),
            i != winners[0],
            "{}",
            f.display()
        );
    }
}

/// A TCP forwarder to the moto server that can be stopped and started again on its port: an
/// outage of the S3 endpoint while the server keeps its state.
struct Outage {
    port: u16,
    running: Arc<AtomicBool>,
    conns: Arc<Mutex<Vec<TcpStream>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Outage {
    fn start(port: u16) -> Outage {
        let target = moto().trim_start_matches("http://").to_string();
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind proxy");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("addr").port();
        let running = Arc::new(AtomicBool::new(true));
        let conns: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let (r, c) = (running.clone(), conns.clone());
        let thread = std::thread::spawn(move || {
            while r.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((client, _)) => {
                        client.set_nonblocking(false).expect("blocking");
                        let Ok(server) = TcpStream::connect(&target) else {
                            continue;
                        };
                        for s in [&client, &server] {
                            c.lock().expect("conns").push(s.try_clone().expect("clone"));
                        }
                        for (mut from, mut to) in [
                            (
                                client.try_clone().expect("clone"),
                                server.try_clone().expect("clone"),
                            ),
                            (server, client),
                        ] {
                            std::thread::spawn(move || {
                                let mut buf = [0u8; 16384];
                                while let Ok(n) = from.read(&mut buf) {
                                    if n == 0 || to.write_all(&buf[..n]).is_err() {
                                        break;
                                    }
                                }
                                let _ = to.shutdown(Shutdown::Both);
                            });
                        }
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Outage {
            port,
            running,
            conns,
            thread: Some(thread),
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn stop(&mut self) {
        self.running.store(false, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            t.join().expect("proxy thread");
        }
        for c in self.conns.lock().expect("conns").drain(..) {
            let _ = c.shutdown(Shutdown::Both);
        }
    }
}

impl Drop for Outage {
    fn drop(&mut self) {
        self.stop();
    }
}

#[test]
fn an_s3_outage_mid_apply_fails_cleanly_and_the_next_apply_converges() {
    let b = bucket("outage");
    let url = format!("s3://{b}/state");
    let mut outage = Outage::start(0);
    let port = outage.port;
    let options = S3Options {
        path_style: true,
        kms_key_id: None,
        endpoint_url: Some(outage.url()),
        // the apply cut off by the outage cannot release its lease: it runs out after 3 s
        lease: Some(std::time::Duration::from_secs(3)),
        region: None,
    };
    let store = S3Store::open(&url, &b, "state", options.clone()).expect("store");
    let (plan, _) = plan_for(&example("kops-private-ha.yaml"), &url);
    let total = plan.changes.len();
    let err = {
        let done = Mutex::new(0usize);
        let outage = Mutex::new(&mut outage);
        let stopping = Hooked {
            inner: store,
            before_put: Box::new(move |_, _| {
                let mut n = done.lock().expect("done");
                if *n == 2 {
                    outage.lock().expect("outage").stop();
                }
                *n += 1;
                Ok(())
            }),
        };
        apply(&plan, &stopping).expect_err("the outage stops the apply")
    };
    let msg = err.to_string();
    assert!(
        msg.contains("cannot reach the S3 endpoint")
            && msg.contains(&format!("2 of {total} writes done")),
        "{msg}"
    );

    // from the command line, with the endpoint still down: exit 1 and a clear message
    let f = example("kops-private-ha.yaml").display().to_string();
    let down = std::process::Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["apply", "-f", &f, "--state", &url, "--yes"])
        .env("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}"))
        .output()
        .expect("run");
    assert_eq!(down.status.code(), Some(1));
    assert!(
        text(&down.stderr).contains("cannot reach the S3 endpoint"),
        "{}",
        text(&down.stderr)
    );

    // the endpoint is back: apply again (once the cut-off apply's lease has run out) converges
    let _back = Outage::start(port);
    let up = std::process::Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args([
            "apply",
            "-f",
            &f,
            "--state",
            &url,
            "--yes",
            "--lock-timeout",
            "30s",
        ])
        .env("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}"))
        .output()
        .expect("run");
    assert_eq!(up.status.code(), Some(0), "{}", text(&up.stderr));
    assert!(
        text(&up.stdout).contains(&format!("{} object(s) written", total - 2)),
        "{}",
        text(&up.stdout)
    );
    let (after, _) = plan_for(&example("kops-private-ha.yaml"), &url);
    assert!(!after.has_changes(), "{:?}", after.changes);
}

#[test]
fn a_plan_of_fifty_groups_lists_once_and_reads_the_rest_in_one_batch() {
    let b = bucket("fifty");
    let url = format!("s3://{b}");
    let work = tempfile::tempdir().expect("tmp");
    let file = fifty_groups(work.path());
    let (plan, store) = plan_for(&file, &url);
    apply(&plan, store.as_ref()).expect("apply");
    let counted = s3(&url, &b, "");
    let (f, map) = palisade::cluster_file::load(
        &file,
        palisade::cluster_file::Date::today(),
        palisade::controls::is_known,
    )
    .expect("load");
    let profile = palisade::profile::resolve(&f.profile.list(), Path::new(".")).expect("profile");
    let mut r = palisade::provider::kops::render::render(&f, &profile, &map)
        .expect("render")
        .accepted()
        .expect("ok");
    palisade::provider::kops::render::set_config_base(&mut r.spec, &url);
    let plan = palisade::provider::kops::make_plan(&f, &profile, r, &counted).expect("plan");
    assert!(!plan.has_changes());
    let counts = counted.requests().counts();
    assert_eq!(counts.get("list"), Some(&1), "{counts:?}");
    // config + encryption secret + cluster addons + 50 node groups + 3 control-plane groups
    // + bastion
    assert_eq!(counts.get("get"), Some(&(3 + 50 + 3 + 1)), "{counts:?}");
    assert_eq!(counts.get("put"), None, "{counts:?}");
}

/// examples/kops-private-ha.yaml with 50 node groups.
pub fn fifty_groups(dir: &Path) -> std::path::PathBuf {
    let text = std::fs::read_to_string(example("kops-private-ha.yaml")).expect("example");
    let (head, tail) = text.split_once("  nodeGroups:\n").expect("nodeGroups");
    let rest = &tail[tail.find("  bastion:").expect("bastion")..];
    let mut out = format!("{head}  nodeGroups:\n");
    for i in 0..50 {
        out +=
            &format!("  - {{name: pool-{i:02}, machineType: m6i.large, minSize: 1, maxSize: 3}}\n");
    }
    out += rest;
    let p = dir.join("fifty.yaml");
    std::fs::write(&p, out).expect("write");
    p
}
