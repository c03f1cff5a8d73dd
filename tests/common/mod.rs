//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("tests/fixtures").join(dir))
        .expect("fixture directory")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

/// Runs the real binary from the repository root.
pub fn palisade(args: &[&str]) -> Output {
    palisade_in(&root(), args)
}

/// Runs the real binary in `dir`.
pub fn palisade_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run palisade")
}

/// Writes `body` to DIR/NAME; returns the path.
pub fn write(dir: &Path, name: &str, body: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, body).expect("write");
    p.display().to_string()
}

/// Runs palisade: (exit code, stdout, stderr).
pub fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = palisade(args);
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub fn rel(p: &Path) -> String {
    p.strip_prefix(root()).unwrap_or(p).display().to_string()
}

/// Plans a cluster file against the store at `url`, as `palisade plan` does.
pub fn plan_for(
    file: &Path,
    url: &str,
) -> (palisade::plan::Plan, Box<dyn palisade::state::StateStore>) {
    use palisade::cluster_file::{load, Date};
    let (f, map) = load(file, Date::today(), palisade::controls::is_known).expect("load");
    let profile = palisade::profile::resolve(&f.profile.list(), file.parent().expect("dir"))
        .expect("profile");
    let mut r = palisade::provider::kops::render::render(&f, &profile, &map)
        .expect("render")
        .accepted()
        .expect("accepted");
    palisade::provider::kops::render::set_config_base(&mut r.spec, url);
    let store = palisade::state::open(url).expect("store");
    let plan = palisade::provider::kops::make_plan(&f, &profile, r, store.as_ref()).expect("plan");
    (plan, store)
}

/// Every file of a directory tree with its bytes, lock and temporary files left out.
pub fn snapshot(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    fn walk(base: &Path, dir: &Path, out: &mut std::collections::BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with(".palisade") {
                continue;
            }
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.insert(
                    p.strip_prefix(base).expect("prefix").display().to_string(),
                    std::fs::read(&p).expect("read"),
                );
            }
        }
    }
    walk(dir, dir, &mut out);
    out
}

/// The moto server scripts/test.sh started. Tests that need it fail, never skip, without it.
pub fn moto() -> String {
    std::env::var("PALISADE_TEST_MOTO").unwrap_or_else(|_| {
        panic!("no S3/EC2 test server: run the tests with scripts/test.sh, which starts moto on loopback")
    })
}

/// A fresh bucket on the moto server, named after the test.
pub fn bucket(name: &str) -> String {
    bucket_at(&moto(), name)
}

pub fn bucket_at(endpoint: &str, name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_nanos();
    let bucket = format!("{}-{}", name.replace('_', "-"), nanos % 1_000_000_000_000);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let client = s3_client(&rt, endpoint);
    rt.block_on(client.create_bucket().bucket(&bucket).send())
        .expect("create bucket");
    bucket
}

pub fn s3_client(rt: &tokio::runtime::Runtime, endpoint: &str) -> aws_sdk_s3::Client {
    let shared = rt.block_on(aws_config::load_defaults(
        aws_config::BehaviorVersion::latest(),
    ));
    let conf = aws_sdk_s3::config::Builder::from(&shared)
        .endpoint_url(endpoint)
        .force_path_style(true)
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

/// A real store with a hook run before each write: faults, outages and concurrent writers are
/// injected there, and everything else goes to the real store untouched.
pub struct Hooked<'a, S> {
    pub inner: S,
    #[allow(clippy::type_complexity)]
    pub before_put:
        Box<dyn Fn(&S, &str) -> Result<(), palisade::state::StoreError> + Send + Sync + 'a>,
}

impl<S: palisade::state::StateStore> palisade::state::StateStore for Hooked<'_, S> {
    fn url(&self) -> &str {
        self.inner.url()
    }
    fn list(&self, prefix: &str) -> Result<Vec<String>, palisade::state::StoreError> {
        self.inner.list(prefix)
    }
    fn get(
        &self,
        key: &str,
    ) -> Result<Option<palisade::state::Object>, palisade::state::StoreError> {
        self.inner.get(key)
    }
    fn put(
        &self,
        key: &str,
        data: &[u8],
        c: &palisade::state::Precondition,
    ) -> Result<palisade::state::Version, palisade::state::StoreError> {
        (self.before_put)(&self.inner, key)?;
        self.inner.put(key, data, c)
    }
    fn lock(
        &self,
        cluster: &str,
    ) -> Result<Box<dyn palisade::state::ApplyLock>, palisade::state::StoreError> {
        self.inner.lock(cluster)
    }
}

/// The compare-and-swap contract of a store under contention: 8 threads × 10 read-and-increment
/// writes end at exactly 80, and of 8 simultaneous create-only writes exactly one wins. `open`
/// gives each thread a store of its own on the same backing.
pub fn check_compare_and_swap<S, F>(open: F)
where
    S: palisade::state::StateStore,
    F: Fn() -> S + Send + Sync + 'static,
{
    use palisade::state::{Precondition, StoreError};
    use std::sync::{Arc, Barrier};
    let open = Arc::new(open);
    open()
        .put("c/counter", b"0", &Precondition::Absent)
        .expect("init");
    let barrier = Arc::new(Barrier::new(8));
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let (barrier, open) = (barrier.clone(), open.clone());
            std::thread::spawn(move || {
                let s = open();
                barrier.wait();
                for _ in 0..10 {
                    loop {
                        let o = s.get("c/counter").expect("get").expect("present");
                        let n: u32 = String::from_utf8_lossy(&o.data).parse().expect("number");
                        match s.put(
                            "c/counter",
                            (n + 1).to_string().as_bytes(),
                            &Precondition::Matches(o.version),
                        ) {
                            Ok(_) => break,
                            Err(StoreError::Conflict { .. }) => continue,
                            Err(e) => panic!("{e}"),
                        }
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("thread");
    }
    assert_eq!(
        open().get("c/counter").expect("get").expect("present").data,
        b"80"
    );

    let barrier = Arc::new(Barrier::new(8));
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let (barrier, open) = (barrier.clone(), open.clone());
            std::thread::spawn(move || {
                let s = open();
                barrier.wait();
                s.put(
                    "c/created",
                    format!("{i}").as_bytes(),
                    &Precondition::Absent,
                )
                .is_ok()
            })
        })
        .collect();
    let winners: usize = handles
        .into_iter()
        .map(|h| usize::from(h.join().expect("thread")))
        .sum();
    assert_eq!(winners, 1);
}
pub mod gke_fake;
pub mod http;
pub mod kube_fake;

/// The Python that has kubernetes-validate (scripts/test.sh installs it and sets this).
pub fn python() -> String {
    std::env::var("PALISADE_TEST_PYTHON").unwrap_or_else(|_| {
        panic!("no Python with kubernetes-validate: run the tests with scripts/test.sh, which installs it")
    })
}
