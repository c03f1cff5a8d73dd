//! A fake of a cluster's Kubernetes API on loopback, for the GKE guardrail tests. It checks
//! every request as the real API server would for the objects Palisade applies: a bearer
//! token; GET by path; PATCH only as a server-side apply (`application/apply-patch+yaml`,
//! `fieldManager=palisade`, `force=true`) at the path the object's kind, namespace and name
//! give (namespaced kinds under `/namespaces/NS/`, cluster-scoped ones not), into a namespace
//! that exists; and the body against the Kubernetes OpenAPI schema of the cluster's version
//! (kubernetes-validate, strictly, through scripts/validate-k8s-lines.py). Stored objects get
//! the server's fields and defaults, as a real GET would show them.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub query: String,
    pub content_type: String,
    pub authorization: String,
}

struct Validator {
    _child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Validator {
    fn check(&mut self, doc: &Value) -> Result<(), String> {
        writeln!(self.stdin, "{doc}").map_err(|e| e.to_string())?;
        self.stdin.flush().map_err(|e| e.to_string())?;
        let mut line = String::new();
        self.stdout
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        match line.trim_end() {
            "ok" => Ok(()),
            "" => Err("the schema validator stopped".into()),
            other => Err(other.to_string()),
        }
    }
}

#[derive(Default)]
struct State {
    objects: BTreeMap<String, Value>,
    requests: Vec<Request>,
    rejected: Vec<String>,
    next_uid: u64,
}

#[derive(Clone)]
pub struct FakeKube {
    pub url: String,
    pub token: String,
    state: Arc<Mutex<State>>,
}

/// (apiVersion, plural, namespaced) of the kinds a cluster serves here.
fn kind_info(kind: &str) -> Option<(&'static str, &'static str, bool)> {
    Some(match kind {
        "Namespace" => ("v1", "namespaces", false),
        "ServiceAccount" => ("v1", "serviceaccounts", true),
        "NetworkPolicy" => ("networking.k8s.io/v1", "networkpolicies", true),
        "ValidatingAdmissionPolicy" => (
            "admissionregistration.k8s.io/v1",
            "validatingadmissionpolicies",
            false,
        ),
        "ValidatingAdmissionPolicyBinding" => (
            "admissionregistration.k8s.io/v1",
            "validatingadmissionpolicybindings",
            false,
        ),
        _ => return None,
    })
}

fn status(code: u16, reason: &str, message: &str) -> (u16, Value) {
    (
        code,
        json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": message, "reason": reason, "code": code}),
    )
}

impl FakeKube {
    /// A server judging bodies against the schemas of Kubernetes 1.`minor`, with the
    /// namespaces every cluster has.
    pub fn start(python: &str, minor: u32) -> FakeKube {
        let script = super::root().join("scripts/validate-k8s-lines.py");
        let mut child = Command::new(python)
            .arg(&script)
            .arg(minor.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the schema validator");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let validator = Arc::new(Mutex::new(Validator {
            _child: child,
            stdin,
            stdout,
        }));
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let fake = FakeKube {
            url,
            token: "test-token-3f9a".into(),
            state: Arc::new(Mutex::new(State::default())),
        };
        for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            fake.store(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}));
        }
        let shared = fake.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let f = shared.clone();
                let v = validator.clone();
                std::thread::spawn(move || serve(stream, &f, &v));
            }
        });
        fake
    }

    /// The object at `path` (`/api/v1/namespaces/payments`), as a GET shows it.
    pub fn object(&self, path: &str) -> Option<Value> {
        self.state.lock().expect("lock").objects.get(path).cloned()
    }

    /// Every stored object's path.
    pub fn paths(&self) -> Vec<String> {
        self.state
            .lock()
            .expect("lock")
            .objects
            .keys()
            .cloned()
            .collect()
    }

    /// Changes a stored object as another client would (`kubectl edit`).
    pub fn edit(&self, path: &str, f: impl FnOnce(&mut Value)) {
        let mut st = self.state.lock().expect("lock");
        let o = st.objects.get_mut(path).expect("stored object");
        f(o);
    }

    pub fn delete(&self, path: &str) {
        self.state.lock().expect("lock").objects.remove(path);
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().expect("lock").requests.clone()
    }

    /// Requests refused as the real server would refuse them.
    pub fn rejected(&self) -> Vec<String> {
        self.state.lock().expect("lock").rejected.clone()
    }

    /// The path an object lives at, by its kind, namespace and name.
    pub fn path_of(object: &Value) -> Option<String> {
        let (api, plural, namespaced) = kind_info(object["kind"].as_str()?)?;
        let prefix = if api == "v1" {
            "/api/v1".to_string()
        } else {
            format!("/apis/{api}")
        };
        let name = object["metadata"]["name"].as_str()?;
        match (namespaced, object["metadata"]["namespace"].as_str()) {
            (true, Some(ns)) => Some(format!("{prefix}/namespaces/{ns}/{plural}/{name}")),
            (false, None) => Some(format!("{prefix}/{plural}/{name}")),
            _ => None,
        }
    }

    /// Stores `object` with what the server adds (uid, resourceVersion, defaults).
    fn store(&self, mut object: Value) -> Value {
        let mut st = self.state.lock().expect("lock");
        st.next_uid += 1;
        let path = Self::path_of(&object).expect("path");
        let api = object["apiVersion"].clone();
        let meta = &mut object["metadata"];
        meta["uid"] = json!(format!("uid-{}", st.next_uid));
        meta["resourceVersion"] = json!(st.next_uid.to_string());
        meta["creationTimestamp"] = json!("2026-12-02T00:00:00Z");
        meta["managedFields"] =
            json!([{"manager": "palisade", "operation": "Apply", "apiVersion": api}]);
        match object["kind"].as_str() {
            Some("Namespace") => {
                let name = object["metadata"]["name"].clone();
                object["metadata"]["labels"]["kubernetes.io/metadata.name"] = name;
                object["spec"] = json!({"finalizers": ["kubernetes"]});
                object["status"] = json!({"phase": "Active"});
            }
            Some("ValidatingAdmissionPolicy") => {
                let spec = &mut object["spec"]["matchConstraints"];
                spec["matchPolicy"] = json!("Equivalent");
                spec["objectSelector"] = json!({});
                if let Some(rules) = spec["resourceRules"].as_array_mut() {
                    for r in rules {
                        r["scope"] = json!("*");
                    }
                }
            }
            Some("ValidatingAdmissionPolicyBinding") => {
                object["spec"]["matchResources"]["matchPolicy"] = json!("Equivalent");
                object["spec"]["matchResources"]["objectSelector"] = json!({});
            }
            _ => {}
        }
        st.objects.insert(path, object.clone());
        object
    }

    fn handle(&self, v: &Mutex<Validator>, req: &Request, body: &[u8]) -> (u16, Value) {
        if req.authorization != format!("Bearer {}", self.token) {
            return status(401, "Unauthorized", "Unauthorized");
        }
        match req.method.as_str() {
            "GET" if req.path == "/api/v1/namespaces" => self.list_namespaces(&req.query),
            "GET" => match self.object(&req.path) {
                Some(o) => (200, o),
                None => status(404, "NotFound", &format!("{} not found", req.path)),
            },
            "PATCH" => self.apply(v, req, body),
            "PUT" => self.replace(v, req, body),
            other => status(
                405,
                "MethodNotAllowed",
                &format!("{other} is not served here"),
            ),
        }
    }

    /// A NamespaceList, filtered by an equality `labelSelector` (`k=v`, URL-encoded); its
    /// items carry no kind or apiVersion, as the real server's do not.
    fn list_namespaces(&self, query: &str) -> (u16, Value) {
        let decode = |s: &str| {
            s.replace("%2F", "/")
                .replace("%3D", "=")
                .replace("%2f", "/")
                .replace("%3d", "=")
        };
        let selector = query
            .split('&')
            .find_map(|kv| kv.strip_prefix("labelSelector="))
            .map(decode);
        let wanted = match selector.as_deref().map(|s| s.split_once('=')) {
            None => None,
            Some(Some((k, v))) => Some((k.to_string(), v.to_string())),
            Some(None) => return status(400, "BadRequest", "only k=v selectors here"),
        };
        let st = self.state.lock().expect("lock");
        let items: Vec<Value> = st
            .objects
            .iter()
            .filter(|(p, _)| p.starts_with("/api/v1/namespaces/") && p.matches('/').count() == 4)
            .map(|(_, o)| o)
            .filter(|o| {
                wanted
                    .as_ref()
                    .is_none_or(|(k, v)| o["metadata"]["labels"][k.as_str()] == v.as_str())
            })
            .map(|o| {
                let mut o = o.clone();
                o.as_object_mut().map(|m| {
                    m.remove("kind");
                    m.remove("apiVersion")
                });
                o
            })
            .collect();
        (
            200,
            json!({"kind": "NamespaceList", "apiVersion": "v1", "metadata": {"resourceVersion": "1"}, "items": items}),
        )
    }

    /// A replace: JSON, the field manager, the resourceVersion of the stored object.
    fn replace(&self, v: &Mutex<Validator>, req: &Request, body: &[u8]) -> (u16, Value) {
        if req.content_type != "application/json" {
            return status(415, "UnsupportedMediaType", "a replace is JSON");
        }
        if !req.query.split('&').any(|kv| kv == "fieldManager=palisade") {
            return status(
                400,
                "BadRequest",
                "a replace names fieldManager=palisade here",
            );
        }
        let object: Value = match serde_json::from_slice(body) {
            Ok(o) => o,
            Err(e) => return status(400, "BadRequest", &format!("body: {e}")),
        };
        if Self::path_of(&object).as_deref() != Some(req.path.as_str()) {
            return status(400, "BadRequest", "the body does not belong at this path");
        }
        let Some(stored) = self.object(&req.path) else {
            return status(404, "NotFound", &format!("{} not found", req.path));
        };
        if object["metadata"]["resourceVersion"] != stored["metadata"]["resourceVersion"] {
            return status(409, "Conflict", "the object has been modified; please apply your changes to the latest version and try again");
        }
        let mut check = object.clone();
        check["metadata"]
            .as_object_mut()
            .map(|m| m.remove("resourceVersion"));
        if let Err(why) = v.lock().expect("validator").check(&check) {
            return status(422, "Invalid", &format!("{}: {why}", req.path));
        }
        (200, self.store(check))
    }

    fn apply(&self, v: &Mutex<Validator>, req: &Request, body: &[u8]) -> (u16, Value) {
        if req.content_type != "application/apply-patch+yaml" {
            return status(
                415,
                "UnsupportedMediaType",
                &format!(
                    "only server-side apply is served here, not {:?}",
                    req.content_type
                ),
            );
        }
        let query: BTreeMap<&str, &str> = req
            .query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .collect();
        if query.get("fieldManager") != Some(&"palisade") || query.get("force") != Some(&"true") {
            return status(
                400,
                "BadRequest",
                &format!(
                    "apply needs fieldManager=palisade and force=true, got {:?}",
                    req.query
                ),
            );
        }
        // JSON is YAML: the apply content type takes either
        let object: Value = match serde_yaml::from_slice(body) {
            Ok(o) => o,
            Err(e) => return status(400, "BadRequest", &format!("body: {e}")),
        };
        match Self::path_of(&object) {
            Some(p) if p == req.path => {}
            other => {
                return status(
                    400,
                    "BadRequest",
                    &format!("the body ({other:?}) does not belong at {}", req.path),
                )
            }
        }
        let kind = object["kind"].as_str().unwrap_or("");
        if kind_info(kind).is_some_and(|(api, _, _)| object["apiVersion"] != api) {
            return status(400, "BadRequest", "apiVersion does not match the path");
        }
        if let Some(ns) = object["metadata"]["namespace"].as_str() {
            if self.object(&format!("/api/v1/namespaces/{ns}")).is_none() {
                return status(404, "NotFound", &format!("namespaces \"{ns}\" not found"));
            }
        }
        if let Err(why) = v.lock().expect("validator").check(&object) {
            return status(422, "Invalid", &format!("{}: {why}", req.path));
        }
        let created = self.object(&req.path).is_none();
        let stored = self.store(object);
        (if created { 201 } else { 200 }, stored)
    }
}

fn serve(stream: TcpStream, fake: &FakeKube, validator: &Mutex<Validator>) {
    super::http::serve_json(stream, |r| {
        let (path, query) = r.target.split_once('?').unwrap_or((&r.target, ""));
        let req = Request {
            method: r.method.clone(),
            path: path.to_string(),
            query: query.to_string(),
            content_type: r.header("content-type"),
            authorization: r.header("authorization"),
        };
        let (code, reply) = fake.handle(validator, &req, &r.body);
        let mut st = fake.state.lock().expect("lock");
        if code >= 400 && code != 404 {
            st.rejected
                .push(format!("{} {}: {}", req.method, req.path, reply["message"]));
        }
        st.requests.push(req);
        (code, reply)
    });
}
