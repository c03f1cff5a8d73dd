//! Shapes shared by the GKE halves: "this `Cluster` field must hold this value", on the cluster
//! or on every node pool. Proto3 JSON drops plain fields at their zero value, so an absent plain
//! field is judged as false / 0 / `*_UNSPECIFIED`; a proto `optional` field (`explicit`) must be
//! present, because absence there means "GKE's default", which differs by version.

use serde_json::Value;

use super::common::Want;
use super::params::Params;
use super::types::{Check, GkeRule};
use crate::gke::view::{at, pools_mut, set};
use crate::gke::{ClusterView, GkeCtx};

/// One field a GKE control owns.
#[derive(Debug, Clone, Copy)]
pub struct GkeField {
    pub path: &'static [&'static str],
    pub want: Want,
    /// A proto `optional` field: absent is not the same as its zero value.
    pub explicit: bool,
}

impl GkeField {
    pub const fn new(path: &'static [&'static str], want: Want) -> Self {
        GkeField {
            path,
            want,
            explicit: false,
        }
    }
    pub const fn explicit(path: &'static [&'static str], want: Want) -> Self {
        GkeField {
            path,
            want,
            explicit: true,
        }
    }
}

pub fn json(want: Want) -> Value {
    match want {
        Want::Bool(b) => Value::from(b),
        Want::Int(i) => Value::from(i),
        Want::Str(s) => Value::from(s),
    }
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The value a reader sees for an absent plain field.
fn zero(want: Want) -> Value {
    match want {
        Want::Bool(_) => Value::from(false),
        Want::Int(_) => Value::from(0),
        Want::Str(_) => Value::from("unset"),
    }
}

/// Judges one field of one JSON object (the cluster, or a node pool).
pub fn check_field(doc: &Value, object: &str, field: &GkeField) -> Check {
    let path = field.path.join(".");
    let want = json(field.want);
    match at(doc, field.path) {
        Some(v) if same(v, &want) => Check::pass(object, &path, format!("{path} is {}", show(v))),
        Some(v) => Check::fail(
            object,
            &path,
            format!("{path} is {}; expected {}", show(v), show(&want)),
        ),
        None if field.explicit => Check::fail(
            object,
            &path,
            format!(
                "{path} is not set, so GKE's version-dependent default applies; expected {}",
                show(&want)
            ),
        ),
        None if zero(field.want) == want => Check::pass(
            object,
            &path,
            format!("{path} is not set, which means {}", show(&want)),
        ),
        None => Check::fail(
            object,
            &path,
            format!("{path} is not set; expected {}", show(&want)),
        ),
    }
}

/// Enum names compare without regard to case (gcloud prints image types in either case).
fn same(have: &Value, want: &Value) -> bool {
    match (have, want) {
        (Value::String(a), Value::String(b)) => a.eq_ignore_ascii_case(b),
        _ => have == want,
    }
}

/// A control made of cluster fields with fixed values.
pub struct ClusterFields {
    pub fields: &'static [GkeField],
    pub doc: &'static [&'static str],
}

impl GkeRule for ClusterFields {
    fn fields(&self) -> &'static [&'static str] {
        self.doc
    }

    fn check(&self, cluster: &ClusterView<'_>, _: &Params) -> Vec<Check> {
        let object = cluster.object();
        self.fields
            .iter()
            .map(|f| check_field(cluster.json, &object, f))
            .collect()
    }

    fn apply(&self, cluster: &mut Value, _: &Params, _: &GkeCtx) -> Result<(), String> {
        for f in self.fields {
            set(cluster, f.path, json(f.want));
        }
        Ok(())
    }
}

/// Cluster fields that Autopilot sets itself and a request for an Autopilot cluster may not
/// carry: set on Standard clusters only. On an Autopilot cluster a field the API shows is
/// judged as shown; one it does not show gets `absent` with `says`.
pub struct UnlessAutopilot {
    pub fields: ClusterFields,
    pub absent: super::Verdict,
    pub says: &'static str,
}

impl GkeRule for UnlessAutopilot {
    fn fields(&self) -> &'static [&'static str] {
        self.fields.doc
    }

    fn check(&self, cluster: &ClusterView<'_>, params: &Params) -> Vec<Check> {
        if !cluster.autopilot() {
            return self.fields.check(cluster, params);
        }
        let object = cluster.object();
        self.fields
            .fields
            .iter()
            .map(|f| match at(cluster.json, f.path) {
                Some(_) => check_field(cluster.json, &object, f),
                None => Check::new(self.absent, &object, &f.path.join("."), self.says),
            })
            .collect()
    }

    fn apply(&self, cluster: &mut Value, params: &Params, ctx: &GkeCtx) -> Result<(), String> {
        if ctx.autopilot() {
            return Ok(());
        }
        self.fields.apply(cluster, params, ctx)
    }
}

/// A control made of node-pool fields with fixed values, judged on every pool.
pub struct PoolFields {
    pub fields: &'static [GkeField],
    pub doc: &'static [&'static str],
}

/// One check per pool from `judge`, and for the nodes no pool describes (Autopilot's, node
/// auto-provisioning's), judged in a pool's shape with findings naming the cluster fields that
/// govern them; a cluster with neither has nothing to judge.
pub fn each_pool(
    cluster: &ClusterView<'_>,
    judge: impl Fn(&crate::gke::view::PoolView<'_>) -> Vec<Check>,
) -> Vec<Check> {
    let pools = cluster.pools();
    let auto = crate::gke::autopilot::auto_pool(cluster.json);
    if pools.is_empty() && auto.is_none() {
        return vec![Check::new(
            super::Verdict::NotApplicable,
            &cluster.object(),
            "nodePools",
            "the cluster has no node pools to judge",
        )];
    }
    let mut out = each_real_pool(cluster, &judge);
    if let Some(auto) = &auto {
        let view = crate::gke::view::PoolView::auto(cluster.name(), &auto.json);
        for mut c in judge(&view) {
            let real = auto.real_path(&c.path);
            match auto.fixed(&c.path) {
                Some(what) if c.verdict == super::Verdict::Pass => {
                    c.message =
                        format!("{what} (Autopilot manages {real}; the API does not show it)");
                }
                _ => c.message = c.message.replace(&c.path, &real),
            }
            c.path = real;
            out.push(c);
        }
    }
    out
}

/// One check per node pool the cluster lists. The pools of an Autopilot cluster are GKE's own:
/// what Autopilot fixes is filled in where such a pool does not show it, and said so.
pub fn each_real_pool(
    cluster: &ClusterView<'_>,
    judge: impl Fn(&crate::gke::view::PoolView<'_>) -> Vec<Check>,
) -> Vec<Check> {
    let mut out: Vec<Check> = Vec::new();
    for pool in &cluster.pools() {
        if !cluster.autopilot() {
            out.extend(judge(pool));
            continue;
        }
        let (json, fixed) = crate::gke::autopilot::autopilot_pool(pool.json);
        let view = crate::gke::view::PoolView::of(cluster.name(), &json);
        for mut c in judge(&view) {
            if let Some((_, what)) = fixed.iter().find(|(p, _)| *p == c.path) {
                if c.verdict == super::Verdict::Pass {
                    c.message = format!("{what} (Autopilot manages it; the pool does not show it)");
                }
            }
            out.push(c);
        }
    }
    out
}

impl GkeRule for PoolFields {
    fn fields(&self) -> &'static [&'static str] {
        self.doc
    }

    fn check(&self, cluster: &ClusterView<'_>, _: &Params) -> Vec<Check> {
        each_pool(cluster, |pool| {
            let object = pool.object();
            self.fields
                .iter()
                .map(|f| check_field(pool.json, &object, f))
                .collect()
        })
    }

    fn apply(&self, cluster: &mut Value, _: &Params, _: &GkeCtx) -> Result<(), String> {
        for pool in pools_mut(cluster) {
            for f in self.fields {
                set(pool, f.path, json(f.want));
            }
        }
        Ok(())
    }
}
