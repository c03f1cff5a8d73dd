#!/usr/bin/env python3
"""Writes tests/fixtures/gke-clusters/*.json: GKE Clusters in the shape
`gcloud container clusters describe --format=json` prints (camelCase, enum names, int64 as
strings, output-only fields present), hand-specified as a hardened base plus the changes that
make each case. No real project data. The verdicts a reviewer expects for each file are written
by hand in EXPECTED.json, not computed here.

Usage: make-gke-fixtures.py [--check]
"""
import copy, json, sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "gke-clusters"
V = "1.33.5-gke.1201000"


def pool(name, project, **over):
    p = {
        "name": name,
        "config": {
            "machineType": "e2-standard-4", "diskSizeGb": 100, "diskType": "pd-balanced",
            "oauthScopes": ["https://www.googleapis.com/auth/cloud-platform"],
            "metadata": {"disable-legacy-endpoints": "true"},
            "imageType": "COS_CONTAINERD",
            "serviceAccount": f"gke-nodes@{project}.iam.gserviceaccount.com",
            "workloadMetadataConfig": {"mode": "GKE_METADATA"},
            "shieldedInstanceConfig": {"enableSecureBoot": True, "enableIntegrityMonitoring": True},
            "kubeletConfig": {"insecureKubeletReadonlyPortEnabled": False},
        },
        "initialNodeCount": 1,
        "autoscaling": {"enabled": True, "minNodeCount": 1, "maxNodeCount": 3, "locationPolicy": "BALANCED"},
        "management": {"autoUpgrade": True, "autoRepair": True},
        "upgradeSettings": {"maxSurge": 1, "strategy": "SURGE"},
        "networkConfig": {"podRange": "pods", "podIpv4CidrBlock": "10.8.0.0/14"},
        "selfLink": f"https://container.googleapis.com/v1/projects/{project}/locations/europe-west1/clusters/CLUSTER/nodePools/{name}",
        "version": V,
        "instanceGroupUrls": [f"https://www.googleapis.com/compute/v1/projects/{project}/zones/europe-west1-b/instanceGroupManagers/gke-{name}-grp"],
        "status": "RUNNING",
        "podIpv4CidrSize": 24,
        "locations": ["europe-west1-b", "europe-west1-c", "europe-west1-d"],
        "etag": "a1b2c3",
    }
    for k, v in over.items():
        p[k] = v
    return p


def hardened(name, project):
    c = {
        "name": name,
        "description": "hardened",
        "nodePools": [pool("system", project)],
        "network": "prod-vpc",
        "subnetwork": "gke-europe-west1",
        "clusterIpv4Cidr": "10.8.0.0/14",
        "servicesIpv4Cidr": "10.12.0.0/20",
        "addonsConfig": {
            "httpLoadBalancing": {}, "horizontalPodAutoscaling": {},
            "networkPolicyConfig": {"disabled": True},
            "gcePersistentDiskCsiDriverConfig": {"enabled": True},
        },
        "legacyAbac": {},
        "masterAuth": {"clusterCaCertificate": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMuLi4KLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo="},
        "ipAllocationPolicy": {
            "useIpAliases": True, "clusterSecondaryRangeName": "pods", "servicesSecondaryRangeName": "services",
            "clusterIpv4Cidr": "10.8.0.0/14", "servicesIpv4Cidr": "10.12.0.0/20",
            "clusterIpv4CidrBlock": "10.8.0.0/14", "servicesIpv4CidrBlock": "10.12.0.0/20", "stackType": "IPV4",
        },
        "networkConfig": {
            "network": f"projects/{project}/global/networks/prod-vpc",
            "subnetwork": f"projects/{project}/regions/europe-west1/subnetworks/gke-europe-west1",
            "datapathProvider": "ADVANCED_DATAPATH",
            "defaultEnablePrivateNodes": True,
            "enableIntraNodeVisibility": True,
            "serviceExternalIpsConfig": {},
            "defaultSnatStatus": {},
        },
        "controlPlaneEndpointsConfig": {
            "dnsEndpointConfig": {"endpoint": f"gke-0123456789abcdef-{project}.europe-west1.gke.goog", "allowExternalTraffic": True},
            "ipEndpointsConfig": {
                "enabled": True, "enablePublicEndpoint": False, "globalAccess": False,
                "authorizedNetworksConfig": {
                    "enabled": True, "cidrBlocks": [{"displayName": "admin-vpn", "cidrBlock": "10.200.0.0/24"}],
                    "gcpPublicCidrsAccessEnabled": False, "privateEndpointEnforcementEnabled": True,
                },
                "publicEndpoint": "34.76.1.2", "privateEndpoint": "10.0.0.2",
            },
        },
        # GKE mirrors the endpoint model into the deprecated fields in its responses
        "privateClusterConfig": {"enablePrivateNodes": True, "enablePrivateEndpoint": True, "privateEndpoint": "10.0.0.2", "publicEndpoint": "34.76.1.2"},
        "masterAuthorizedNetworksConfig": {"enabled": True, "cidrBlocks": [{"displayName": "admin-vpn", "cidrBlock": "10.200.0.0/24"}], "gcpPublicCidrsAccessEnabled": False, "privateEndpointEnforcementEnabled": True},
        "anonymousAuthenticationConfig": {"mode": "LIMITED"},
        "rbacBindingConfig": {"enableInsecureBindingSystemUnauthenticated": False, "enableInsecureBindingSystemAuthenticated": False},
        "shieldedNodes": {"enabled": True},
        "workloadIdentityConfig": {"workloadPool": f"{project}.svc.id.goog"},
        "databaseEncryption": {"state": "ENCRYPTED", "keyName": f"projects/{project}/locations/europe-west1/keyRings/gke/cryptoKeys/secrets", "currentState": "CURRENT_STATE_ENCRYPTED"},
        "binaryAuthorization": {"evaluationMode": "PROJECT_SINGLETON_POLICY_ENFORCE"},
        "securityPostureConfig": {"mode": "BASIC", "vulnerabilityMode": "VULNERABILITY_DISABLED"},
        "releaseChannel": {"channel": "REGULAR"},
        "loggingConfig": {"componentConfig": {"enableComponents": ["SYSTEM_COMPONENTS", "WORKLOADS", "APISERVER", "SCHEDULER", "CONTROLLER_MANAGER"]}},
        "monitoringConfig": {"componentConfig": {"enableComponents": ["SYSTEM_COMPONENTS"]}, "managedPrometheusConfig": {"enabled": True}},
        "nodePoolDefaults": {"nodeConfigDefaults": {"nodeKubeletConfig": {"insecureKubeletReadonlyPortEnabled": False}}},
        "loggingService": "logging.googleapis.com/kubernetes",
        "monitoringService": "monitoring.googleapis.com/kubernetes",
        "locations": ["europe-west1-b", "europe-west1-c", "europe-west1-d"],
        "selfLink": f"https://container.googleapis.com/v1/projects/{project}/locations/europe-west1/clusters/{name}",
        "zone": "europe-west1",
        "endpoint": "10.0.0.2",
        "initialClusterVersion": "1.31.4-gke.1000000",
        "currentMasterVersion": V,
        "currentNodeVersion": V,
        "createTime": "2025-03-04T10:11:12+00:00",
        "status": "RUNNING",
        "location": "europe-west1",
        "id": "0123456789abcdef0123456789abcdef",
        "etag": "f00dfeed",
    }
    for p in c["nodePools"]:
        p["selfLink"] = p["selfLink"].replace("CLUSTER", name)
    return c


def setp(c, path, value):
    node = c
    keys = path.split(".")
    for k in keys[:-1]:
        node = node.setdefault(k, {})
    if value is None:
        node.pop(keys[-1], None)
    else:
        node[keys[-1]] = value


def case(name, project, changes=(), pools=None):
    c = hardened(name, project)
    for path, value in changes:
        setp(c, path, value)
    if pools is not None:
        c["nodePools"] = pools
    return c


def weak_pool(name, project):
    p = pool(name, project)
    p["config"].update({
        "imageType": "UBUNTU_CONTAINERD",
        "serviceAccount": "default",
        "workloadMetadataConfig": {"mode": "GCE_METADATA"},
        "shieldedInstanceConfig": {"enableIntegrityMonitoring": True},
        "kubeletConfig": {"insecureKubeletReadonlyPortEnabled": True},
        "oauthScopes": ["https://www.googleapis.com/auth/devstorage.read_only", "https://www.googleapis.com/auth/logging.write",
                        "https://www.googleapis.com/auth/monitoring", "https://www.googleapis.com/auth/servicecontrol",
                        "https://www.googleapis.com/auth/service.management.readonly", "https://www.googleapis.com/auth/trace.append"],
    })
    p["management"] = {"autoUpgrade": True}
    p["networkConfig"]["enablePrivateNodes"] = False
    return p


def weak_defaults():
    """A 2023 `gcloud container clusters create` with its defaults."""
    project = "acme-legacy-apps"
    p = pool("default-pool", project)
    p["config"].update({
        "machineType": "e2-medium", "imageType": "COS_CONTAINERD", "serviceAccount": "default",
        "workloadMetadataConfig": {"mode": "GCE_METADATA"},
        "shieldedInstanceConfig": {"enableIntegrityMonitoring": True},
        "oauthScopes": weak_pool("x", project)["config"]["oauthScopes"],
    })
    del p["config"]["kubeletConfig"]
    p["initialNodeCount"] = 3
    p["autoscaling"] = {}
    p["selfLink"] = p["selfLink"].replace("CLUSTER", "apps-2023")
    c = hardened("apps-2023", project)
    c.update({
        "nodePools": [p],
        "addonsConfig": {"httpLoadBalancing": {}, "horizontalPodAutoscaling": {}, "networkPolicyConfig": {"disabled": True},
                         "gcePersistentDiskCsiDriverConfig": {"enabled": True}},
        "networkConfig": {"network": f"projects/{project}/global/networks/default",
                          "subnetwork": f"projects/{project}/regions/europe-west1/subnetworks/default",
                          "defaultSnatStatus": {}, "serviceExternalIpsConfig": {}},
        "controlPlaneEndpointsConfig": {
            "dnsEndpointConfig": {"endpoint": f"gke-fedcba9876543210-{project}.europe-west1.gke.goog"},
            "ipEndpointsConfig": {"enabled": True, "enablePublicEndpoint": True, "globalAccess": True,
                                  "authorizedNetworksConfig": {}, "publicEndpoint": "35.195.1.2", "privateEndpoint": "10.132.0.2"},
        },
        "privateClusterConfig": {"privateEndpoint": "10.132.0.2", "publicEndpoint": "35.195.1.2"},
        "shieldedNodes": {"enabled": True},
        "databaseEncryption": {"state": "DECRYPTED", "currentState": "CURRENT_STATE_DECRYPTED"},
        "releaseChannel": {"channel": "REGULAR"},
        "loggingConfig": {"componentConfig": {"enableComponents": ["SYSTEM_COMPONENTS", "WORKLOADS"]}},
        "securityPostureConfig": {"mode": "BASIC", "vulnerabilityMode": "VULNERABILITY_MODE_UNSPECIFIED"},
        "endpoint": "35.195.1.2",
    })
    for k in ("masterAuthorizedNetworksConfig", "anonymousAuthenticationConfig", "rbacBindingConfig", "workloadIdentityConfig",
              "binaryAuthorization", "nodePoolDefaults"):
        c.pop(k, None)
    c["network"], c["subnetwork"] = "default", "default"
    return c


def legacy_old():
    """A 1.27 cluster from before the endpoint model: only deprecated fields, routes-based."""
    project = "acme-old-platform"
    p = pool("pool-1", project)
    p["config"].update({"imageType": "COS_CONTAINERD", "serviceAccount": "123456789012-compute@developer.gserviceaccount.com",
                        "workloadMetadataConfig": {"mode": "GCE_METADATA"}, "shieldedInstanceConfig": {"enableIntegrityMonitoring": True}})
    del p["config"]["kubeletConfig"]
    p["management"] = {"autoUpgrade": True, "autoRepair": True}
    p["version"] = "1.27.16-gke.1000"
    p["networkConfig"] = {}
    p["selfLink"] = p["selfLink"].replace("CLUSTER", "old-platform")
    c = {
        "name": "old-platform",
        "nodePools": [p],
        "network": "default", "subnetwork": "default",
        "clusterIpv4Cidr": "10.52.0.0/14", "servicesIpv4Cidr": "10.56.0.0/20",
        "addonsConfig": {"httpLoadBalancing": {}, "horizontalPodAutoscaling": {}, "kubernetesDashboard": {"disabled": True},
                         "networkPolicyConfig": {"disabled": True}},
        "legacyAbac": {"enabled": True},
        "masterAuth": {"username": "admin", "password": "not-a-real-password-0000",
                       "clientCertificateConfig": {"issueClientCertificate": True},
                       "clusterCaCertificate": "LS0tLS1CRUdJTi4uLgo=", "clientCertificate": "LS0tLS1CRUdJTi4uLgo=", "clientKey": "LS0tLS1CRUdJTi4uLgo="},
        "ipAllocationPolicy": {"useRoutes": True},
        "networkConfig": {"network": f"projects/{project}/global/networks/default",
                          "subnetwork": f"projects/{project}/regions/us-central1/subnetworks/default"},
        "masterAuthorizedNetworksConfig": {"enabled": True, "cidrBlocks": [{"displayName": "office", "cidrBlock": "198.51.100.0/24"}]},
        "privateClusterConfig": {"enablePrivateNodes": True, "enablePrivateEndpoint": False, "masterIpv4CidrBlock": "172.16.0.0/28",
                                 "privateEndpoint": "172.16.0.2", "publicEndpoint": "34.68.1.2"},
        "binaryAuthorization": {"enabled": True},
        "loggingService": "logging.googleapis.com/kubernetes",
        "monitoringService": "monitoring.googleapis.com/kubernetes",
        "locations": ["us-central1-a"],
        "selfLink": f"https://container.googleapis.com/v1/projects/{project}/zones/us-central1-a/clusters/old-platform",
        "zone": "us-central1-a", "endpoint": "34.68.1.2",
        "initialClusterVersion": "1.14.10-gke.27", "currentMasterVersion": "1.27.16-gke.1000", "currentNodeVersion": "1.27.16-gke.1000",
        "createTime": "2019-11-02T08:00:00+00:00", "status": "RUNNING", "location": "us-central1-a",
    }
    return c


def calico(c):
    setp(c, "networkConfig.datapathProvider", None)
    c["networkPolicy"] = {"enabled": True, "provider": "CALICO"}
    c["addonsConfig"]["networkPolicyConfig"] = {}
    return c


def build():
    P = "acme-fixtures"
    out = {
        "hardened-dpv2": hardened("hardened-dpv2", P),
        "hardened-calico": calico(hardened("hardened-calico", P)),
        "weak-defaults": weak_defaults(),
        "legacy-old": legacy_old(),
        "an-disabled": case("an-disabled", P, [
            ("controlPlaneEndpointsConfig.ipEndpointsConfig.enablePublicEndpoint", True),
            ("controlPlaneEndpointsConfig.ipEndpointsConfig.authorizedNetworksConfig.enabled", None),
            ("privateClusterConfig.enablePrivateEndpoint", None),
            ("masterAuthorizedNetworksConfig.enabled", None)]),
        "an-open": case("an-open", P, [
            ("controlPlaneEndpointsConfig.ipEndpointsConfig.enablePublicEndpoint", True),
            ("controlPlaneEndpointsConfig.ipEndpointsConfig.authorizedNetworksConfig.cidrBlocks",
             [{"displayName": "office", "cidrBlock": "198.51.100.0/24"}, {"displayName": "anywhere", "cidrBlock": "0.0.0.0/0"}]),
            ("privateClusterConfig.enablePrivateEndpoint", None)]),
        "an-gcp-public": case("an-gcp-public", P, [
            ("controlPlaneEndpointsConfig.ipEndpointsConfig.enablePublicEndpoint", True),
            ("controlPlaneEndpointsConfig.ipEndpointsConfig.authorizedNetworksConfig.gcpPublicCidrsAccessEnabled", True),
            ("privateClusterConfig.enablePrivateEndpoint", None)]),
        "an-public-narrow": case("an-public-narrow", P, [
            ("controlPlaneEndpointsConfig.ipEndpointsConfig.enablePublicEndpoint", True),
            ("privateClusterConfig.enablePrivateEndpoint", None)]),
        "private-endpoint-only": case("private-endpoint-only", P, [
            ("controlPlaneEndpointsConfig.ipEndpointsConfig.authorizedNetworksConfig", {}),
            ("masterAuthorizedNetworksConfig", {})]),
        "dns-endpoint-only": case("dns-endpoint-only", P, [
            ("controlPlaneEndpointsConfig.ipEndpointsConfig", {"enabled": False})]),
        "mixed-pools": case("mixed-pools", P, pools=[pool("system", P), weak_pool("batch", P)]),
        "calico-addon-off": calico(case("calico-addon-off", P, [])),
        "addon-on-no-policy": case("addon-on-no-policy", P, [
            ("networkConfig.datapathProvider", "LEGACY_DATAPATH"),
            ("addonsConfig.networkPolicyConfig", {})]),
        "no-release-channel": case("no-release-channel", P, [("releaseChannel", {})],
                                   pools=[pool("system", P, management={"autoRepair": True})]),
        "kubelet-default-unset": case("kubelet-default-unset", P, [("nodePoolDefaults", None)],
                                      pools=[pool("system", P)]),
    }
    out["calico-addon-off"]["addonsConfig"]["networkPolicyConfig"] = {"disabled": True}
    del out["kubelet-default-unset"]["nodePools"][0]["config"]["kubeletConfig"]
    for name, c in out.items():
        for p in c.get("nodePools", []):
            p["selfLink"] = p["selfLink"].replace("/clusters/CLUSTER/", f"/clusters/{c['name']}/")
    return out


def main():
    check = "--check" in sys.argv
    stale = []
    for name, c in build().items():
        text = json.dumps(c, indent=2) + "\n"
        f = OUT / f"{name}.json"
        if check:
            if not f.exists() or f.read_text() != text:
                stale.append(f.name)
        else:
            f.write_text(text)
    if stale:
        sys.exit(f"stale fixtures: {', '.join(stale)}; run scripts/make-gke-fixtures.py")


if __name__ == "__main__":
    main()
