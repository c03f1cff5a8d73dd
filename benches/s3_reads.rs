//! Benchmark: reading a 50-node-group cluster from an S3 state store, one batch of concurrent
//! reads (what plan does) against one read after another.
//!
//! Needs an S3 endpoint: `scripts/test.sh --run cargo bench --profile dev --bench s3_reads`
//! (moto on loopback). It is I/O-bound, so the dev profile measures what matters and avoids a
//! release build of the AWS SDK.

use std::time::{Duration, Instant};

use palisade::state::{S3Options, S3Store, StateStore};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let endpoint = std::env::var("AWS_ENDPOINT_URL")
        .expect("run under scripts/test.sh --run (needs AWS_ENDPOINT_URL)");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let shared = rt.block_on(aws_config::load_defaults(
        aws_config::BehaviorVersion::latest(),
    ));
    let client = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&shared)
            .force_path_style(true)
            .build(),
    );
    let bucket = format!("bench-{}", std::process::id());
    rt.block_on(client.create_bucket().bucket(&bucket).send())
        .expect("bucket");
    let url = format!("s3://{bucket}");
    let options = S3Options {
        path_style: true,
        kms_key_id: None,
        endpoint_url: Some(endpoint),
        lease: None,
        region: None,
    };
    let store = S3Store::open(&url, &bucket, "", options).expect("store");
    // a realistic object size: one instance group document
    let doc = "apiVersion: kops.k8s.io/v1alpha2\nkind: InstanceGroup\nmetadata:\n  name: pool\nspec:\n  machineType: m6i.large\n  maxSize: 3\n  minSize: 1\n  role: Node\n  subnets: [eu-west-1a, eu-west-1b, eu-west-1c]\n";
    let mut keys = vec![
        "c/config".to_string(),
        "c/secrets/encryptionconfig".to_string(),
    ];
    keys.extend((0..54).map(|i| format!("c/instancegroup/pool-{i:02}")));
    for k in &keys {
        store
            .put(k, doc.as_bytes(), &palisade::state::Precondition::Absent)
            .expect("put");
    }
    let runs = 30;
    let mut concurrent = Vec::new();
    let mut sequential = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let listed = store.list("c/instancegroup/").expect("list");
        assert_eq!(listed.len(), 54);
        store.get_many(&keys).expect("get_many");
        concurrent.push(t.elapsed());
        let t = Instant::now();
        store.list("c/instancegroup/").expect("list");
        store.get_sequential(&keys).expect("sequential");
        sequential.push(t.elapsed());
    }
    println!(
        "S3 reads of {} objects (1 listing + reads), {runs} runs each, median:",
        keys.len()
    );
    println!(
        "  concurrent (16 at a time): {:.1} ms",
        median(concurrent).as_secs_f64() * 1000.0
    );
    println!(
        "  sequential:                {:.1} ms",
        median(sequential).as_secs_f64() * 1000.0
    );
}
