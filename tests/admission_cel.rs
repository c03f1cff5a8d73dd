//! Every ValidatingAdmissionPolicy Palisade ships, judged outside a cluster by a CEL evaluator
//! (the `cel` crate: the standard definitions only, as the policies promise) on a table of
//! objects that must be allowed or denied, each denial with its message. The policy's own
//! match rules decide which requests it sees: system namespaces are never judged.

use cel::{Context, Program};
use serde_json::{json, Value};

use palisade::controls::guardrails::{
    image_pinned, namespace_pod_security, service_type_restricted,
};
use palisade::guardrails::{Exempt, GKE_EXEMPT, KOPS_EXEMPT};

/// A policy as the API server runs it: match, variables in order, then each validation.
struct Policy {
    policy: Value,
    system: Exempt,
}

const SYSTEM: &Exempt = &KOPS_EXEMPT;

impl Policy {
    fn new(objects: [serde_yaml::Value; 2]) -> Self {
        Self::excluding(objects, KOPS_EXEMPT)
    }

    fn excluding(objects: [serde_yaml::Value; 2], system: Exempt) -> Self {
        let [policy, binding] = objects;
        let policy: Value = serde_json::to_value(policy).expect("json");
        let binding: Value = serde_json::to_value(binding).expect("json");
        // the binding excludes the same system namespaces as the policy
        assert_eq!(
            binding["spec"]["matchResources"]["namespaceSelector"],
            policy["spec"]["matchConstraints"]["namespaceSelector"]
        );
        assert_eq!(binding["spec"]["policyName"], policy["metadata"]["name"]);
        Policy { policy, system }
    }

    /// Whether a request for `resource` (group, plural) and `operation` is one the policy sees.
    fn matches(&self, group: &str, resource: &str, operation: &str, namespace: &str) -> bool {
        // the selector names the system namespaces
        let excluded = &self.policy["spec"]["matchConstraints"]["namespaceSelector"]
            ["matchExpressions"][0]["values"];
        assert_eq!(excluded, &json!(self.system.names));
        if self.system.names.contains(&namespace) {
            return false;
        }
        self.policy["spec"]["matchConstraints"]["resourceRules"]
            .as_array()
            .expect("rules")
            .iter()
            .any(|r| {
                let has = |k: &str, v: &str| {
                    r[k].as_array()
                        .is_some_and(|a| a.iter().any(|x| x == v || x == "*"))
                };
                has("apiGroups", group)
                    && has("resources", resource)
                    && has("operations", operation)
            })
    }

    /// `None`: allowed; `Some(message)`: denied.
    fn judge(
        &self,
        group: &str,
        resource: &str,
        operation: &str,
        namespace: &str,
        object: Value,
        old: Value,
    ) -> Option<String> {
        if !self.matches(group, resource, operation, namespace) {
            return None;
        }
        // a Namespace request carries no namespace of its own: the object's name is judged
        let request_ns = if resource == "namespaces" {
            ""
        } else {
            namespace
        };
        let request = json!({"operation": operation, "namespace": request_ns, "resource": {"group": group, "resource": resource}});
        for m in self.policy["spec"]["matchConditions"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let expression = m["expression"].as_str().expect("expression");
            let program =
                Program::compile(expression).unwrap_or_else(|e| panic!("{expression}: {e:?}"));
            let mut c = Context::default();
            c.add_variable("object", object.clone()).expect("object");
            c.add_variable("oldObject", old.clone()).expect("oldObject");
            c.add_variable("request", request.clone()).expect("request");
            match program.execute(&c) {
                Ok(cel::Value::Bool(true)) => {}
                Ok(cel::Value::Bool(false)) => return None,
                other => panic!("{expression} gave {other:?} (failurePolicy Fail would deny)"),
            }
        }
        // with the provider's prefixes the same as in the policy
        assert_eq!(
            self.policy["spec"]["matchConditions"].is_array(),
            !self.system.prefixes.is_empty()
        );
        let mut variables = serde_json::Map::new();
        let context = |variables: &serde_json::Map<String, Value>| {
            let mut c = Context::default();
            c.add_variable("object", object.clone()).expect("object");
            c.add_variable("oldObject", old.clone()).expect("oldObject");
            c.add_variable("request", request.clone()).expect("request");
            c.add_variable("variables", Value::Object(variables.clone()))
                .expect("variables");
            c
        };
        for v in self.policy["spec"]["variables"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let name = v["name"].as_str().expect("name");
            let expression = v["expression"].as_str().expect("expression");
            let program = Program::compile(expression)
                .unwrap_or_else(|e| panic!("{name}: {expression}: {e:?}"));
            let value = program
                .execute(&context(&variables))
                .unwrap_or_else(|e| panic!("{name}: {e:?}"));
            variables.insert(name.to_string(), value.json().expect("json"));
        }
        for v in self.policy["spec"]["validations"]
            .as_array()
            .expect("validations")
        {
            let expression = v["expression"].as_str().expect("expression");
            let program =
                Program::compile(expression).unwrap_or_else(|e| panic!("{expression}: {e:?}"));
            match program.execute(&context(&variables)) {
                Ok(cel::Value::Bool(true)) => {}
                Ok(cel::Value::Bool(false)) => {
                    return Some(v["message"].as_str().expect("message").to_string())
                }
                other => panic!("{expression} gave {other:?} (failurePolicy Fail would deny)"),
            }
        }
        None
    }
}

fn service(namespace: &str, spec: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": namespace}, "spec": spec})
}

fn pod_spec(containers: &[&str], init: &[&str]) -> Value {
    let list = |images: &[&str]| {
        Value::Array(
            images
                .iter()
                .enumerate()
                .map(|(i, im)| json!({"name": format!("c{i}"), "image": im}))
                .collect(),
        )
    };
    let mut s = json!({"containers": list(containers)});
    if !init.is_empty() {
        s["initContainers"] = list(init);
    }
    s
}

fn workload(kind: &str, containers: &[&str], init: &[&str]) -> Value {
    let spec = pod_spec(containers, init);
    match kind {
        "Pod" => {
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec})
        }
        "CronJob" => {
            json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "j"}, "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": {"spec": spec}}}}})
        }
        k => {
            json!({"apiVersion": "apps/v1", "kind": k, "metadata": {"name": "w"}, "spec": {"template": {"spec": spec}}})
        }
    }
}

fn resource(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "Pod" => ("", "pods"),
        "Deployment" => ("apps", "deployments"),
        "StatefulSet" => ("apps", "statefulsets"),
        "DaemonSet" => ("apps", "daemonsets"),
        "ReplicaSet" => ("apps", "replicasets"),
        "Job" => ("batch", "jobs"),
        "CronJob" => ("batch", "cronjobs"),
        other => panic!("{other}"),
    }
}

const DIGEST: &str = "registry.example.com/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

#[test]
fn service_types_and_external_ips() {
    let p = Policy::new(service_type_restricted::objects(
        &["ingress".to_string()],
        "deny",
        SYSTEM,
    ));
    let exposed = "allowed only in the ingress namespaces (ingress)";
    let external = "spec.externalIPs is not allowed (CVE-2020-8554)";
    // (namespace, operation, object spec, old spec, expected denial)
    let cases: Vec<(&str, &str, Value, Value, Option<&str>)> = vec![
        (
            "payments",
            "CREATE",
            json!({"type": "ClusterIP"}),
            Value::Null,
            None,
        ),
        ("payments", "CREATE", json!({}), Value::Null, None),
        (
            "payments",
            "CREATE",
            json!({"type": "LoadBalancer"}),
            Value::Null,
            Some(exposed),
        ),
        (
            "payments",
            "CREATE",
            json!({"type": "NodePort"}),
            Value::Null,
            Some(exposed),
        ),
        (
            "payments",
            "CREATE",
            json!({"type": "ExternalName", "externalName": "db.example.com"}),
            Value::Null,
            None,
        ),
        (
            "ingress",
            "CREATE",
            json!({"type": "LoadBalancer"}),
            Value::Null,
            None,
        ),
        (
            "ingress",
            "CREATE",
            json!({"type": "NodePort"}),
            Value::Null,
            None,
        ),
        (
            "default",
            "CREATE",
            json!({"type": "LoadBalancer"}),
            Value::Null,
            Some(exposed),
        ),
        (
            "kube-system",
            "CREATE",
            json!({"type": "LoadBalancer"}),
            Value::Null,
            None,
        ),
        (
            "payments",
            "UPDATE",
            json!({"type": "LoadBalancer"}),
            json!({"type": "LoadBalancer"}),
            None,
        ),
        (
            "payments",
            "UPDATE",
            json!({"type": "LoadBalancer"}),
            json!({"type": "ClusterIP"}),
            Some(exposed),
        ),
        (
            "payments",
            "UPDATE",
            json!({"type": "NodePort"}),
            json!({"type": "LoadBalancer"}),
            Some(exposed),
        ),
        (
            "payments",
            "CREATE",
            json!({"externalIPs": ["203.0.113.9"]}),
            Value::Null,
            Some(external),
        ),
        (
            "ingress",
            "CREATE",
            json!({"type": "LoadBalancer", "externalIPs": ["203.0.113.9"]}),
            Value::Null,
            Some(external),
        ),
        (
            "payments",
            "CREATE",
            json!({"externalIPs": []}),
            Value::Null,
            None,
        ),
    ];
    assert!(cases.len() >= 15);
    for (ns, op, spec, old, want) in cases {
        let old = if old.is_null() {
            Value::Null
        } else {
            service(ns, old)
        };
        let got = p.judge("", "services", op, ns, service(ns, spec.clone()), old);
        match (want, &got) {
            (None, None) => {}
            (Some(w), Some(m)) if m.contains(w) => {}
            _ => panic!("{ns} {op} {spec}: expected {want:?}, got {got:?}"),
        }
    }
}

#[test]
fn images_need_a_tag_other_than_latest_or_a_digest() {
    let p = Policy::new(image_pinned::objects(false, "deny", &[], SYSTEM));
    let denied = "must name a tag other than latest, or a digest";
    let cases: Vec<(&str, Vec<&str>, Vec<&str>, bool)> = vec![
        ("Pod", vec!["nginx:1.25"], vec![], true),
        ("Pod", vec!["nginx"], vec![], false),
        ("Pod", vec!["nginx:latest"], vec![], false),
        ("Pod", vec!["registry.local:5000/app"], vec![], false),
        ("Pod", vec!["registry.local:5000/app:1.2"], vec![], true),
        ("Pod", vec![DIGEST], vec![], true),
        ("Pod", vec!["registry.example.com/app:1.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"], vec![], true),
        ("Pod", vec!["app@sha256:ABC"], vec![], false),
        ("Pod", vec!["app:"], vec![], false),
        ("Pod", vec!["docker.io/library/nginx:1.25"], vec![], true),
        ("Pod", vec!["nginx:1.25"], vec!["busybox"], false),
        ("Pod", vec!["nginx:1.25", "sidecar:latest"], vec![], false),
        ("Deployment", vec!["nginx:latest"], vec![], false),
        ("Deployment", vec!["nginx:1.25"], vec!["init:2"], true),
        ("StatefulSet", vec!["db"], vec![], false),
        ("StatefulSet", vec!["db:16.2"], vec![], true),
        ("DaemonSet", vec!["agent:3"], vec![], true),
        ("DaemonSet", vec!["agent:3"], vec!["setup:latest"], false),
        ("ReplicaSet", vec!["web:latest"], vec![], false),
        ("Job", vec!["batch:7"], vec![], true),
        ("Job", vec!["batch:7"], vec!["prep"], false),
        ("CronJob", vec!["report:1"], vec![], true),
        ("CronJob", vec!["report:latest"], vec![], false),
    ];
    for (kind, containers, init, allowed) in &cases {
        let (group, res) = resource(kind);
        let got = p.judge(
            group,
            res,
            "CREATE",
            "payments",
            workload(kind, containers, init),
            Value::Null,
        );
        assert_eq!(
            got.is_none(),
            *allowed,
            "{kind} {containers:?} {init:?}: {got:?}"
        );
        if let Some(m) = got {
            assert!(m.contains(denied) && m.contains("image: app:1.4.2"), "{m}");
        }
    }
    // ephemeral containers added through the subresource
    let mut debug = workload("Pod", &["nginx:1.25"], &[]);
    debug["spec"]["ephemeralContainers"] = json!([{"name": "debug", "image": "busybox:latest"}]);
    let got = p.judge(
        "",
        "pods/ephemeralcontainers",
        "UPDATE",
        "payments",
        debug.clone(),
        workload("Pod", &["nginx:1.25"], &[]),
    );
    assert!(got.is_some_and(|m| m.contains(denied)));
    debug["spec"]["ephemeralContainers"] = json!([{"name": "debug", "image": "busybox:1.36"}]);
    assert_eq!(
        p.judge(
            "",
            "pods/ephemeralcontainers",
            "UPDATE",
            "payments",
            debug,
            Value::Null
        ),
        None
    );
    // an update that leaves the images alone is not judged (objects from before the policy stay
    // manageable); one that changes them is
    let old = workload("Deployment", &["legacy:latest"], &[]);
    let mut relabelled = old.clone();
    relabelled["metadata"]["labels"] = json!({"team": "payments"});
    assert_eq!(
        p.judge(
            "apps",
            "deployments",
            "UPDATE",
            "payments",
            relabelled,
            old.clone()
        ),
        None
    );
    let changed = workload("Deployment", &["legacy:latest", "sidecar"], &[]);
    assert!(p
        .judge("apps", "deployments", "UPDATE", "payments", changed, old)
        .is_some());
    let was = workload("Pod", &["nginx:1.25"], &[]);
    let now = workload("Pod", &["nginx:latest"], &[]);
    assert!(p
        .judge("", "pods", "UPDATE", "payments", now, was)
        .is_some());
    // a container without an image is refused with the policy's message, not an error
    let mut bare = workload("Pod", &["nginx:1.25"], &[]);
    bare["spec"]["containers"][0]
        .as_object_mut()
        .expect("container")
        .remove("image");
    let got = p.judge("", "pods", "CREATE", "payments", bare, Value::Null);
    assert!(got.is_some_and(|m| m.contains(denied)));
    // system namespaces are not judged; a ConfigMap is not matched
    assert_eq!(
        p.judge(
            "",
            "pods",
            "CREATE",
            "kube-system",
            workload("Pod", &["x:latest"], &[]),
            Value::Null
        ),
        None
    );
    assert_eq!(
        p.judge(
            "",
            "configmaps",
            "CREATE",
            "payments",
            json!({"kind": "ConfigMap"}),
            Value::Null
        ),
        None
    );
}

#[test]
fn strict_asks_for_digests() {
    let p = Policy::new(image_pinned::objects(true, "deny", &[], SYSTEM));
    let cases: Vec<(&str, Vec<&str>, bool)> = vec![
        ("Pod", vec!["nginx:1.25"], false),
        ("Pod", vec![DIGEST], true),
        ("Deployment", vec![DIGEST, "sidecar:1.0"], false),
        ("CronJob", vec![DIGEST], true),
    ];
    for (kind, containers, allowed) in cases {
        let (group, res) = resource(kind);
        let got = p.judge(
            group,
            res,
            "CREATE",
            "payments",
            workload(kind, &containers, &[]),
            Value::Null,
        );
        assert_eq!(got.is_none(), allowed, "{kind} {containers:?}: {got:?}");
        if let Some(m) = got {
            assert!(m.contains("pinned by digest"), "{m}");
        }
    }
}

#[test]
fn warn_mode_binds_with_warn_and_audit() {
    let [_, binding] = image_pinned::objects(false, "warn", &[], SYSTEM);
    let b = serde_json::to_value(binding).expect("json");
    assert_eq!(b["spec"]["validationActions"], json!(["Warn", "Audit"]));
    let [_, binding] = service_type_restricted::objects(&[], "deny", SYSTEM);
    let b = serde_json::to_value(binding).expect("json");
    assert_eq!(b["spec"]["validationActions"], json!(["Deny"]));
}

fn namespace(name: &str, labels: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}})
}

#[test]
fn gke_namespaces_need_an_enforce_label() {
    let p = Policy::excluding(
        namespace_pod_security::label_policy(&GKE_EXEMPT),
        GKE_EXEMPT,
    );
    let enforce = "pod-security.kubernetes.io/enforce";
    let cases: Vec<(&str, &str, Value, Value, bool)> = vec![
        (
            "CREATE",
            "team-a",
            json!({enforce: "baseline"}),
            Value::Null,
            true,
        ),
        (
            "CREATE",
            "team-a",
            json!({enforce: "restricted", "x": "y"}),
            Value::Null,
            true,
        ),
        ("CREATE", "team-a", json!({}), Value::Null, false),
        ("CREATE", "team-a", Value::Null, Value::Null, false),
        (
            "CREATE",
            "team-a",
            json!({enforce: "privileged"}),
            Value::Null,
            // privileged, said out loud, is a decision (a waived namespace stays manageable)
            true,
        ),
        (
            "CREATE",
            "team-a",
            json!({enforce: "Privileged"}),
            Value::Null,
            false,
        ),
        ("CREATE", "team-a", json!({enforce: ""}), Value::Null, false),
        (
            "CREATE",
            "team-a",
            json!({"pod-security.kubernetes.io/warn": "restricted"}),
            Value::Null,
            false,
        ),
        // relabelling away the level is an update like any other
        (
            "UPDATE",
            "team-a",
            json!({"other": "x"}),
            namespace("team-a", json!({enforce: "baseline"})),
            false,
        ),
        (
            "UPDATE",
            "team-a",
            json!({enforce: "restricted"}),
            namespace("team-a", json!({enforce: "baseline"})),
            true,
        ),
        // GKE's own namespaces and Kubernetes' are not judged
        ("CREATE", "gke-managed-system", json!({}), Value::Null, true),
        // by prefix: a GKE namespace no list names yet
        (
            "CREATE",
            "gke-managed-dpv2-observability",
            json!({}),
            Value::Null,
            true,
        ),
        ("CREATE", "team-gke-x", json!({}), Value::Null, false),
        ("CREATE", "kube-system", Value::Null, Value::Null, true),
        ("UPDATE", "gmp-public", json!({}), Value::Null, true),
        // `default` is not a system namespace
        ("UPDATE", "default", json!({}), Value::Null, false),
    ];
    for (op, name, labels, old, allowed) in cases {
        let object = if labels.is_null() {
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
        } else {
            namespace(name, labels.clone())
        };
        let got = p.judge("", "namespaces", op, name, object, old);
        assert_eq!(got.is_none(), allowed, "{op} {name} {labels}: {got:?}");
        if let Some(m) = got {
            assert!(
                m.contains(enforce) && m.contains("(baseline or restricted;"),
                "{m}"
            );
        }
    }
    // the policy judges nothing but namespaces
    assert!(!p.matches("", "pods", "CREATE", "team-a"));
}

#[test]
fn a_registry_allow_list_admits_only_images_named_from_those_registries() {
    let registries = vec![
        "registry.example.com".to_string(),
        "registry.local:5000/team".to_string(),
    ];
    let p = Policy::new(image_pinned::objects(false, "deny", &registries, SYSTEM));
    let cases: Vec<(&str, Vec<&str>, Vec<&str>, bool)> = vec![
        ("Pod", vec!["registry.example.com/app:1.2"], vec![], true),
        (
            "Deployment",
            vec!["registry.local:5000/team/app:3"],
            vec!["registry.example.com/init:1"],
            true,
        ),
        // the registry is a prefix up to a slash, not any string that starts alike
        (
            "Pod",
            vec!["registry.example.com.evil.io/app:1.2"],
            vec![],
            false,
        ),
        (
            "Pod",
            vec!["registry.local:5000/teamx/app:1"],
            vec![],
            false,
        ),
        ("Pod", vec!["registry.local:5000/app:1"], vec![], false),
        // a short name is Docker Hub's, not an allowed registry's
        ("Pod", vec!["app:1.2"], vec![], false),
        (
            "Job",
            vec!["registry.example.com/app:1.2"],
            vec!["docker.io/busybox:1.36"],
            false,
        ),
        // pinning still applies
        (
            "Pod",
            vec!["registry.example.com/app:latest"],
            vec![],
            false,
        ),
    ];
    for (kind, containers, init, allowed) in cases {
        let (group, res) = resource(kind);
        let got = p.judge(
            group,
            res,
            "CREATE",
            "payments",
            workload(kind, &containers, &init),
            Value::Null,
        );
        assert_eq!(
            got.is_none(),
            allowed,
            "{kind} {containers:?} {init:?}: {got:?}"
        );
        if let Some(m) = got {
            assert!(
                m.contains("allowed registry (registry.example.com, registry.local:5000/team)")
                    || m.contains("tag other than latest"),
                "{m}"
            );
        }
    }
    // an update that changes no image is not judged, as for pinning
    let old = workload("Pod", &["docker.io/app:1"], &[]);
    assert_eq!(
        p.judge("", "pods", "UPDATE", "payments", old.clone(), old),
        None
    );
}

#[test]
fn on_gke_the_workload_policies_leave_gke_namespaces_alone_by_prefix() {
    let p = Policy::excluding(
        image_pinned::objects(false, "deny", &[], &GKE_EXEMPT),
        GKE_EXEMPT,
    );
    let pod = workload("Pod", &["nginx"], &[]);
    for (namespace, allowed) in [
        ("gke-managed-dpv2-observability", true),
        ("gmp-system", true),
        ("kube-system", true),
        ("payments", false),
        ("default", false),
        ("my-gke-team", false),
    ] {
        let got = p.judge("", "pods", "CREATE", namespace, pod.clone(), Value::Null);
        assert_eq!(got.is_none(), allowed, "{namespace}: {got:?}");
    }
    let s = Policy::excluding(
        service_type_restricted::objects(&[], "deny", &GKE_EXEMPT),
        GKE_EXEMPT,
    );
    let lb = service("gke-managed-system", json!({"type": "LoadBalancer"}));
    assert_eq!(
        s.judge(
            "",
            "services",
            "CREATE",
            "gke-managed-system",
            lb,
            Value::Null
        ),
        None
    );
    let lb = service("payments", json!({"type": "LoadBalancer"}));
    assert!(s
        .judge("", "services", "CREATE", "payments", lb, Value::Null)
        .is_some());
}
