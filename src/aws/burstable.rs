//! Burstable instance types: CPU credits run out under steady load, and a throttled control
//! plane or node is an outage that looks like anything but CPU.

/// The built-in answer when EC2 cannot be asked: the T families.
pub fn is_burstable_family(machine_type: &str) -> bool {
    let family = machine_type.split('.').next().unwrap_or("");
    matches!(family, "t1" | "t2" | "t3" | "t3a" | "t4g")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_families() {
        for t in ["t2.micro", "t3.large", "t3a.small", "t4g.medium"] {
            assert!(is_burstable_family(t), "{t}");
        }
        for t in ["m6i.large", "c7g.large", "r5.xlarge"] {
            assert!(!is_burstable_family(t), "{t}");
        }
    }
}
