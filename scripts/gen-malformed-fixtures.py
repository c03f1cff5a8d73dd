import re, pathlib
BASE = """apiVersion: palisade.dev/v1alpha1
kind: Cluster
name: bad.example.com
profile: baseline
kops:
  cloud: aws
  region: eu-west-1
  zones: [eu-west-1a]
  kubernetesVersion: 1.34.1
  controlPlane:
    machineType: m6i.large
  nodeGroups:
  - name: nodes
    machineType: m6i.large
    minSize: 1
    maxSize: 2
access:
  apiCidrs: [203.0.113.0/24]
"""
GKE = """apiVersion: palisade.dev/v1alpha1
kind: Cluster
name: bad-gke
profile: baseline
gke:
  project: acme-bad-1234
  location: europe-west1
  network: prod
  subnetwork: gke
  secretsKmsKey: projects/acme-bad-1234/locations/europe-west1/keyRings/r/cryptoKeys/k
  nodeServiceAccount: nodes@acme-bad-1234.iam.gserviceaccount.com
  nodePools:
  - name: system
    machineType: e2-standard-4
    minNodes: 1
    maxNodes: 3
access:
  apiCidrs: [203.0.113.0/24]
"""
def sub(old, new, base=BASE):
    assert old in base, old
    return base.replace(old, new, 1)
cases = {
 "bad-yaml-unclosed-flow": (sub("zones: [eu-west-1a]", "zones: [eu-west-1a"), "invalid YAML|did not find expected|while parsing"),
 "bad-yaml-indentation": (sub("  region: eu-west-1\n", "  region: eu-west-1: west #<<\n"), "mapping values are not allowed"),
 "wrong-type-min-size": (sub("minSize: 1", "minSize: one #<<"), "expected u32"),
 "wrong-type-zones": (sub("zones: [eu-west-1a]", "zones: eu-west-1a #<<"), "expected a sequence"),
 "unknown-top-level-key": (BASE + "acess: {} #<<\n", "unknown field `acess`"),
 "unknown-kops-key": (sub("  zones: [eu-west-1a]", "  zones: [eu-west-1a]\n  zonez: [eu-west-1b] #<<"), "unknown field `zonez`"),
 "unknown-node-group-key": (sub("    machineType: m6i.large\n    minSize", "    machinetype: m6i.large #<<\n    minSize"), "unknown field `machinetype`"),
 "cidr-host-bits": (sub("apiCidrs: [203.0.113.0/24]", "apiCidrs: [10.0.0.1/16] #<<"), "Did you mean 10.0.0.0/16"),
 "cidr-not-a-cidr": (sub("apiCidrs: [203.0.113.0/24]", "apiCidrs: [everyone] #<<"), "is not a CIDR"),
 "api-open-without-waiver": (sub("  apiCidrs: [203.0.113.0/24]", "  apiCidrs: [0.0.0.0/0] #<<"), "control `api-access-restricted`"),
 "ssh-open-without-waiver": (BASE + "  sshCidrs: [\"::/0\"] #<<\n", "control `ssh-access-restricted`"),
 "api-access-missing": (sub("access:\n  apiCidrs: [203.0.113.0/24]\n", ""), "kubernetesApiAccess is not set"),
 "waiver-without-reason": (BASE + "waivers:\n- control: private-topology #<<\n", "has no reason"),
 "waiver-expired": (BASE + "waivers:\n- control: private-topology\n  reason: public subnets until the NAT budget lands\n  expires: 2020-01-01 #<<\n", "expired on 2020-01-01"),
 "waiver-bad-date": (BASE + "waivers:\n- control: private-topology\n  reason: testing\n  expires: next week #<<\n", "expected YYYY-MM-DD"),
 "waiver-unknown-control": (BASE + "waivers:\n- control: no-such-control #<<\n  reason: testing\n", "unknown control `no-such-control`"),
 "waiver-forbidden-by-profile": (BASE + "waivers:\n- control: rbac #<<\n  reason: legacy tooling\n", "forbids waivers for `rbac`"),
 "unknown-profile": (sub("profile: baseline", "profile: hardened-ish #<<"), "unknown profile `hardened-ish`"),
 "duplicate-node-groups": (sub("    maxSize: 2\n", "    maxSize: 2\n  - name: nodes #<<\n    machineType: m6i.large\n    minSize: 1\n    maxSize: 2\n"), "duplicate node group name"),
 "invalid-cluster-name": (sub("name: bad.example.com", "name: My_Cluster.example.com #<<"), "not a valid DNS name"),
 "gossip-cluster-name": (sub("name: bad.example.com", "name: bad.k8s.local #<<"), "gossip DNS"),
 "zone-not-in-region": (sub("zones: [eu-west-1a]", "zones: [us-east-1a] #<<"), "not a zone of region"),
 "kubernetes-too-old": (sub("kubernetesVersion: 1.34.1", "kubernetesVersion: 1.28.0 #<<"), "older than kops supports"),
 "control-plane-count-two": (sub("  controlPlane:\n", "  controlPlane:\n    count: 2 #<<\n"), "control-plane count 2"),
 "control-plane-three-one-zone": (sub("  controlPlane:\n", "  controlPlane:\n    count: 3 #<<\n"), "spread over 3 zones"),
 "min-above-max": (sub("minSize: 1", "minSize: 5 #<<"), "larger than maxSize"),
 "override-unknown-kops-field": (BASE + "overrides:\n  cluster:\n    kubelet:\n      anonymousAuht: false #<<\n", "unknown field .kops would silently drop it"),
 "override-weakens-control": (BASE + "overrides:\n  cluster:\n    kubelet:\n      anonymousAuth: true #<<\n", "control `kubelet-anonymous-auth`"),
 "override-unknown-group": (BASE + "overrides:\n  instanceGroups:\n    workers: #<<\n      maxSize: 3\n", "no instance group \"workers\""),
 "network-overlaps-pods": (sub("  kubernetesVersion: 1.34.1\n", "  kubernetesVersion: 1.34.1\n  networkCIDR: 100.64.0.0/16 #<<\n"), "overlaps the pod and service range"),
 "wrong-api-version": (sub("apiVersion: palisade.dev/v1alpha1", "apiVersion: palisade.dev/v2 #<<"), "expected palisade.dev/v1alpha1"),
 "missing-region": (sub("  region: eu-west-1\n", ""), "missing field `region`"),
 "empty-file": ("", "missing field|EOF|empty"),
 "gke-unknown-key": (sub("  network: prod\n", "  network: prod\n  netwrok: prod #<<\n", GKE), "unknown field `netwrok`"),
 "gke-bad-location": (sub("location: europe-west1", "location: Europe #<<", GKE), "is not a region or zone"),
 "gke-default-service-account": (sub("nodeServiceAccount: nodes@acme-bad-1234.iam.gserviceaccount.com", "nodeServiceAccount: 123456789-compute@developer.gserviceaccount.com #<<", GKE), "control `node-service-account`.*Compute Engine default"),
 "gke-bad-kms-key": (sub("secretsKmsKey: projects/acme-bad-1234/locations/europe-west1/keyRings/r/cryptoKeys/k", "secretsKmsKey: my-key #<<", GKE), "not a Cloud KMS key name"),
 "gke-no-kms-key": (sub("  secretsKmsKey: projects/acme-bad-1234/locations/europe-west1/keyRings/r/cryptoKeys/k\n", "", GKE), "control `secrets-encryption-at-rest`.*gke.secretsKmsKey"),
 "gke-no-node-service-account": (sub("  nodeServiceAccount: nodes@acme-bad-1234.iam.gserviceaccount.com\n", "", GKE), "control `node-service-account`"),
 "gke-bad-engine": (sub("  network: prod\n", "  network: prod\n  networkPolicy: cilium #<<\n", GKE), "expected calico or dataplane-v2"),
 "gke-and-kops": (sub("access:\n", "gke: #<<\n  project: acme-bad-1234\n  location: europe-west1\n  network: prod\n  subnetwork: gke\n  nodePools: []\naccess:\n"), "either `kops:` or `gke:`"),
 "gke-pool-min-above-max": (sub("minNodes: 1", "minNodes: 4 #<<", GKE), "minNodes 4 is above maxNodes 3"),
 "gke-bad-cluster-name": (sub("name: bad-gke", "name: Bad_GKE #<<", GKE), "GKE cluster name"),
}
# The stable problem code each file must be refused with (src/cluster_file/code.rs).
CODES = {
 "api-access-missing": "control-refused",
 "api-open-without-waiver": "control-refused",
 "bad-yaml-indentation": "invalid-yaml",
 "bad-yaml-unclosed-flow": "invalid-yaml",
 "cidr-host-bits": "invalid-cidr",
 "cidr-not-a-cidr": "invalid-cidr",
 "control-plane-count-two": "control-plane-count",
 "control-plane-three-one-zone": "control-plane-zones",
 "duplicate-node-groups": "duplicate-node-group",
 "empty-file": "missing-field",
 "gke-and-kops": "two-providers",
 "gke-bad-cluster-name": "invalid-cluster-name",
 "gke-bad-engine": "unknown-network-policy-engine",
 "gke-bad-kms-key": "invalid-kms-key",
 "gke-bad-location": "invalid-gke-location",
 "gke-default-service-account": "control-refused",
 "gke-no-kms-key": "control-refused",
 "gke-no-node-service-account": "control-refused",
 "gke-pool-min-above-max": "min-above-max",
 "gke-unknown-key": "unknown-field",
 "gossip-cluster-name": "invalid-cluster-name",
 "invalid-cluster-name": "invalid-cluster-name",
 "kubernetes-too-old": "kubernetes-too-old",
 "min-above-max": "min-above-max",
 "missing-region": "missing-field",
 "network-overlaps-pods": "network-overlaps-pods",
 "override-unknown-group": "unknown-override-group",
 "override-unknown-kops-field": "invalid-override",
 "override-weakens-control": "control-refused",
 "ssh-open-without-waiver": "control-refused",
 "unknown-kops-key": "unknown-field",
 "unknown-node-group-key": "unknown-field",
 "unknown-profile": "unknown-profile",
 "unknown-top-level-key": "unknown-field",
 "waiver-bad-date": "invalid-date",
 "waiver-expired": "waiver-expired",
 "waiver-forbidden-by-profile": "waiver-forbidden",
 "waiver-unknown-control": "unknown-control",
 "waiver-without-reason": "waiver-without-reason",
 "wrong-api-version": "wrong-api-version",
 "wrong-type-min-size": "wrong-type",
 "wrong-type-zones": "wrong-type",
 "zone-not-in-region": "zone-not-in-region",
}
out = pathlib.Path("tests/fixtures/malformed")
for name, (body, expect) in cases.items():
    header = [f"# expect: {expect}", f"# code: {CODES[name]}"]
    lines = body.split("\n")
    line = None
    for i, l in enumerate(lines):
        if "#<<" in l:
            line = i + 1  # 1-based, before the header
            lines[i] = l.replace(" #<<", "")
    if line:
        # the header lines, the line line included, come first
        header.append(f"# line: {line + len(header) + 1}")
    (out / f"{name}.yaml").write_text("\n".join(header) + "\n" + "\n".join(lines))
print(len(cases))
