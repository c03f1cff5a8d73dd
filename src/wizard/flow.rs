//! The questions, in order: the provider first, then its own questions (flow_kops, flow_gke),
//! which share the ones every cluster needs: the networks that reach the API, a waiver with
//! its expiry, the namespaces.

use super::answers::{waivable, Answers, CommonAnswers, WaiverAnswer};
use super::prompter::Prompter;
use crate::cluster_file::{Cidr, Date, Exposure};

/// The zones of a region.
pub type ZoneLookup = Box<dyn Fn(&str) -> Vec<String>>;

/// What the flow knows about the world: built in, or from EC2 when credentials are at hand.
pub struct Facts {
    /// AWS regions offered for a kops cluster.
    pub regions: Vec<String>,
    pub zones: ZoneLookup,
    pub burstable: Box<dyn Fn(&str) -> bool>,
    /// A waiver's expiry must come after it.
    pub today: Date,
}

impl Facts {
    /// Facts from built-in lists and the system clock: no network, no credentials.
    pub fn builtin() -> Self {
        Facts {
            regions: [
                "eu-west-1",
                "eu-central-1",
                "eu-north-1",
                "us-east-1",
                "us-east-2",
                "us-west-2",
                "ap-southeast-2",
                "ap-northeast-1",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            zones: Box::new(|region| {
                ["a", "b", "c"]
                    .iter()
                    .map(|z| format!("{region}{z}"))
                    .collect()
            }),
            burstable: Box::new(crate::aws::is_burstable_family),
            today: Date::today(),
        }
    }
}

/// Asks every question and returns the answers; never writes or applies anything.
pub fn run_flow(p: &mut dyn Prompter, facts: &Facts) -> Result<Answers, String> {
    run_flow_for(p, facts, None)
}

/// As [`run_flow`]; a provider chosen beforehand (`init --provider gke`, `gke` true) is not
/// asked again.
pub fn run_flow_for(
    p: &mut dyn Prompter,
    facts: &Facts,
    gke: Option<bool>,
) -> Result<Answers, String> {
    p.say("Palisade init: a first hardened cluster file. Each question says what it decides; nothing is created until you plan and apply.");
    match gke {
        Some(false) => return super::flow_kops::ask(p, facts),
        Some(true) => return super::flow_gke::ask(p, facts),
        None => {}
    }
    let providers = [
        "kops — a cluster on AWS, run by kops from an S3 state store".to_string(),
        "gke — a Google Kubernetes Engine cluster (Standard or Autopilot), created through the GKE API".to_string(),
    ];
    if p.select("Provider", &providers, 0)? == 0 {
        super::flow_kops::ask(p, facts)
    } else {
        super::flow_gke::ask(p, facts)
    }
}

/// The items of a comma- or space-separated answer.
pub(super) fn list(text: &str) -> Vec<String> {
    text.split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The CIDRs of an answer, each in canonical form (host bits refused with the fix).
pub(super) fn cidrs(text: &str) -> Result<Vec<String>, String> {
    let items = list(text);
    if items.is_empty() {
        return Err("name at least one network in CIDR form, e.g. 203.0.113.0/24".into());
    }
    items
        .iter()
        .map(|c| Cidr::parse(c).map(|c| c.to_string()))
        .collect()
}

pub(super) fn whole_number(s: &str) -> Result<u32, String> {
    s.parse::<u32>()
        .map_err(|_| format!("{s:?} is not a whole number"))
}

/// The networks allowed to reach the API, and the waiver when they open it to everyone.
/// `profile`, when already chosen, may forbid that waiver.
pub(super) fn api_access(
    p: &mut dyn Prompter,
    facts: &Facts,
    prompt: &str,
    profile: Option<&str>,
) -> Result<(Vec<String>, Option<WaiverAnswer>), String> {
    let forbidding = profile.filter(|p| !may_waive(p, waivable::API_ACCESS.id));
    let api_cidrs = cidrs(&p.input(prompt, None, &|s| {
        let c = cidrs(s)?;
        match forbidding {
            Some(profile) if Exposure::of(c.iter().map(String::as_str)).is_open() => Err(format!(
                "the {profile} profile forbids a waiver for api-access-restricted: name your networks"
            )),
            _ => Ok(()),
        }
    })?)?;
    if !Exposure::of(api_cidrs.iter().map(String::as_str)).is_open() {
        return Ok((api_cidrs, None));
    }
    p.say("warning: 0.0.0.0/0 or ::/0 opens the API to the whole internet: one leaked credential or API server bug away from a compromise. The cluster file will carry a waiver for api-access-restricted, and every plan will show it.");
    Ok((api_cidrs, Some(waiver(p, facts)?)))
}

/// Why a weakening is accepted, and until when.
pub(super) fn waiver(p: &mut dyn Prompter, facts: &Facts) -> Result<WaiverAnswer, String> {
    let reason = p.input(
        "Why is that acceptable? (the waiver's reason)",
        None,
        &|s| {
            if s.trim().is_empty() {
                Err("a waiver needs a reason".into())
            } else {
                Ok(())
            }
        },
    )?;
    let today = facts.today;
    let expires = p.input(
        "Waiver expires on (YYYY-MM-DD: from then on every plan refuses the file until the cluster is fixed or the waiver renewed; empty: no expiry)",
        Some(""),
        &move |s| expiry(s, today).map(|_| ()),
    )?;
    Ok(WaiverAnswer {
        reason,
        expires: expiry(&expires, today)?,
    })
}

/// Whether `profile` lets the cluster file waive `control`.
pub fn may_waive(profile: &str, control: &str) -> bool {
    crate::profile::resolve(&[profile.to_string()], std::path::Path::new("."))
        .map_or(true, |p| !p.forbid_waivers.contains(control))
}

/// A waiver's expiry: empty for none, else a valid date after `today`.
pub fn expiry(text: &str, today: Date) -> Result<Option<Date>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let shown: String = text.chars().take(40).collect();
    match Date::parse(text.trim()) {
        None => Err(format!(
            "{shown:?} is not a date: expected YYYY-MM-DD (today is {today})"
        )),
        Some(d) if d <= today => Err(format!(
            "{d} is not in the future (today is {today}): a waiver that has expired refuses the file"
        )),
        Some(d) => Ok(Some(d)),
    }
}

/// The teams' namespaces, and which one (if any) may expose Services.
pub(super) fn namespaces(p: &mut dyn Prompter) -> Result<(Vec<String>, Option<String>), String> {
    p.say("Namespaces for your teams get Pod Security labels, a default-deny network policy and a default service account without an API token; Services of type LoadBalancer or NodePort are allowed only in the ingress namespace.");
    let namespaces = list(&p.input(
        "Namespaces (comma-separated; empty: none yet)",
        Some(""),
        &|s| namespace_list(s).map(|_| ()),
    )?);
    if namespaces.is_empty() {
        return Ok((namespaces, None));
    }
    let mut choices = vec!["none — no Service is exposed outside the cluster".to_string()];
    choices.extend(
        namespaces
            .iter()
            .map(|n| format!("{n} — its Services may be LoadBalancer or NodePort")),
    );
    let ingress = match p.select("Ingress namespace", &choices, 0)? {
        0 => None,
        i => namespaces.get(i - 1).cloned(),
    };
    Ok((namespaces, ingress))
}

/// The answers both providers share, once asked.
pub(super) fn common(
    (api_cidrs, api_waiver): (Vec<String>, Option<WaiverAnswer>),
    strict: bool,
    (namespaces, ingress_namespace): (Vec<String>, Option<String>),
) -> CommonAnswers {
    CommonAnswers {
        api_cidrs,
        api_waiver,
        profile: if strict { "strict" } else { "baseline" }.into(),
        namespaces,
        ingress_namespace,
    }
}

/// The namespaces of a comma-separated answer, each checked as the cluster file checks it.
pub fn namespace_list(text: &str) -> Result<Vec<String>, String> {
    let names = list(text);
    for (i, n) in names.iter().enumerate() {
        if let Some(why) = crate::cluster_file::validate::namespace_problem(n) {
            return Err(why);
        }
        if names[..i].contains(n) {
            return Err(format!("{n} is named twice"));
        }
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expiry_is_a_date_after_today() {
        let today = Date::parse("2026-12-07").expect("date");
        assert_eq!(expiry("", today), Ok(None));
        assert_eq!(expiry("2027-03-07", today), Ok(Date::parse("2027-03-07")));
        let bad = expiry("2027-02-30", today).expect_err("no such day");
        assert!(
            bad.contains("not a date") && bad.contains("2026-12-07"),
            "{bad}"
        );
        assert!(expiry("next year", today).is_err());
        assert!(expiry("2026-12-07", today).is_err_and(|w| w.contains("not in the future")));
        assert!(expiry("2020-01-01", today).is_err());
    }
}
