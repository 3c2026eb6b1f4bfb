import { describe, expect, test } from "@jest/globals";
import { podMetadataOf, podSpecOf, RESTRICTED_VOLUME_TYPES, restrictedProblems } from "../../review/pod-security";
import { validateObject } from "./schema";

type Spec = Record<string, unknown>;

function hardened(name: string): Spec {
  return {
    name,
    image: "registry.example.com/app:1.4.2",
    ports: [{ name: "http", containerPort: 8080 }],
    livenessProbe: { httpGet: { path: "/healthz", port: "http" } },
    lifecycle: { preStop: { sleep: { seconds: 5 } } },
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
  };
}

/** Every restricted control satisfied, with the pod-level fallbacks for seccomp and runAsNonRoot. */
const restrictedPod: Spec = {
  securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } },
  initContainers: [hardened("migrate")],
  containers: [hardened("app")],
  ephemeralContainers: [hardened("debug")],
  volumes: [
    { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
    { name: "config", configMap: { name: "app" } },
    { name: "creds", secret: { secretName: "db" } },
    { name: "token", projected: { sources: [{ serviceAccountToken: { path: "token", expirationSeconds: 3600 } }] } },
    { name: "info", downwardAPI: { items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }] } },
    { name: "data", persistentVolumeClaim: { claimName: "data" } },
    {
      name: "scratch",
      ephemeral: { volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } } },
    },
    { name: "store", csi: { driver: "secrets-store.csi.k8s.io", readOnly: true } },
    { name: "models", image: { reference: "registry.example.com/models:1", pullPolicy: "IfNotPresent" } },
  ],
};

const REMOVE = Symbol("remove");

/** A deep copy of `base` with the values at dotted paths (`containers.0.name`) set or removed. */
function variant(base: Spec, changes: Record<string, unknown>): Spec {
  const copy = structuredClone(base);
  for (const [path, value] of Object.entries(changes)) {
    const keys = path.split(".");
    const last = keys.pop()!;
    let at: Record<string, unknown> = copy;
    for (const key of keys) at = (at[key] ??= {}) as Record<string, unknown>;
    if (value === REMOVE) delete at[last];
    else at[last] = value;
  }
  return copy;
}

const APP = 'container "app" (containers[0])';
const ALL = ['container "migrate" (initContainers[0])', APP, 'container "debug" (ephemeralContainers[0])'];
const SC = "containers.0.securityContext";

describe("restrictedProblems: allowed pods", () => {
  test("GIVEN the fixture pod WHEN validated against the schema THEN it is a valid Pod, so the PSS cases below test real pods", () => {
    expect(validateObject({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: restrictedPod })).toEqual([]);
  });

  test.each<[string, Record<string, unknown>]>([
    ["the restricted fixture", {}],
    [
      "seccomp set on every container instead of the pod",
      {
        "securityContext.seccompProfile": REMOVE,
        ...allContainers("securityContext.seccompProfile", { type: "Localhost", localhostProfile: "p.json" }),
      },
    ],
    [
      "runAsNonRoot set on every container instead of the pod",
      { "securityContext.runAsNonRoot": REMOVE, ...allContainers("securityContext.runAsNonRoot", true) },
    ],
    ["NET_BIND_SERVICE added", { [`${SC}.capabilities.add`]: ["NET_BIND_SERVICE"] }],
    ["a hostPort of 0", { "containers.0.ports.0.hostPort": 0 }],
    [
      "safe sysctls",
      {
        "securityContext.sysctls": [
          { name: "net.ipv4.ip_unprivileged_port_start", value: "0" },
          { name: "net.ipv4.tcp_rmem", value: "4096 87380 6291456" },
        ],
      },
    ],
    [
      "allowed SELinux types",
      {
        "securityContext.seLinuxOptions": { type: "container_t", level: "s0:c123,c456" },
        [`${SC}.seLinuxOptions`]: { type: "container_engine_t" },
      },
    ],
    [
      "allowed AppArmor profiles",
      {
        "securityContext.appArmorProfile": { type: "RuntimeDefault" },
        [`${SC}.appArmorProfile`]: { type: "Localhost", localhostProfile: "k8s-app" },
      },
    ],
    ["/proc mount Default", { [`${SC}.procMount`]: "Default" }],
    ["an empty probe host", { "containers.0.livenessProbe.httpGet.host": "" }],
    [
      "runAsUser 0 in a user namespace (hostUsers: false)",
      { hostUsers: false, "securityContext.runAsUser": 0, "securityContext.runAsNonRoot": false },
    ],
    [
      "a Windows pod without seccomp, capabilities or allowPrivilegeEscalation",
      { os: { name: "windows" }, "securityContext.seccompProfile": REMOVE, ...allContainers("securityContext", { runAsNonRoot: true }) },
    ],
  ])("GIVEN %s WHEN checked THEN there is no problem", (_case, changes) => {
    expect(restrictedProblems(variant(restrictedPod, changes))).toEqual([]);
  });

  test("GIVEN allowed AppArmor annotations WHEN checked with the pod metadata THEN there is no problem", () => {
    const annotations = {
      "container.apparmor.security.beta.kubernetes.io/app": "runtime/default",
      "container.apparmor.security.beta.kubernetes.io/migrate": "localhost/k8s-app",
    };
    expect(restrictedProblems(restrictedPod, { annotations })).toEqual([]);
  });
});

function allContainers(path: string, value: unknown): Record<string, unknown> {
  return Object.fromEntries(["initContainers", "containers", "ephemeralContainers"].map((field) => [`${field}.0.${path}`, value]));
}

describe("restrictedProblems: one violation per control", () => {
  test.each<[string, Record<string, unknown>, string[]]>([
    [
      "HostProcess on the pod",
      { "securityContext.windowsOptions": { hostProcess: true } },
      ["HostProcess: pod: securityContext.windowsOptions.hostProcess must not be true"],
    ],
    [
      "HostProcess on a container",
      { [`${SC}.windowsOptions`]: { hostProcess: true } },
      [`HostProcess: ${APP}: securityContext.windowsOptions.hostProcess must not be true`],
    ],
    ["hostNetwork", { hostNetwork: true }, ["Host namespaces: pod: hostNetwork must not be true"]],
    ["hostPID", { hostPID: true }, ["Host namespaces: pod: hostPID must not be true"]],
    ["hostIPC", { hostIPC: true }, ["Host namespaces: pod: hostIPC must not be true"]],
    [
      "a privileged container",
      { [`${SC}.privileged`]: true },
      [`Privileged containers: ${APP}: securityContext.privileged must not be true`],
    ],
    [
      "a privileged init container",
      { "initContainers.0.securityContext.privileged": true },
      ['Privileged containers: container "migrate" (initContainers[0]): securityContext.privileged must not be true'],
    ],
    [
      "a privileged ephemeral container",
      { "ephemeralContainers.0.securityContext.privileged": true },
      ['Privileged containers: container "debug" (ephemeralContainers[0]): securityContext.privileged must not be true'],
    ],
    [
      "an added capability",
      { [`${SC}.capabilities.add`]: ["SYS_ADMIN"] },
      [`Capabilities: ${APP}: securityContext.capabilities.add may only add "NET_BIND_SERVICE" (got "SYS_ADMIN")`],
    ],
    [
      "capabilities not dropping ALL",
      { [`${SC}.capabilities.drop`]: ["NET_RAW"] },
      [`Capabilities: ${APP}: securityContext.capabilities.drop must include "ALL" (got ["NET_RAW"])`],
    ],
    [
      "a hostPath volume",
      { "volumes.0": { name: "host", hostPath: { path: "/var/run" } } },
      [
        'HostPath volumes: volume "host" (volumes[0]): hostPath must not be set',
        `Volume types: volume "host" (volumes[0]): hostPath is not an allowed volume type (allowed: ${RESTRICTED_VOLUME_TYPES.join(", ")})`,
      ],
    ],
    ["a host port", { "containers.0.ports.0.hostPort": 8080 }, [`Host ports: ${APP}: ports[0].hostPort must be unset or 0 (got 8080)`]],
    [
      "an unconfined AppArmor pod",
      { "securityContext.appArmorProfile": { type: "Unconfined" } },
      ['AppArmor: pod: securityContext.appArmorProfile.type must be "RuntimeDefault" or "Localhost" (got "Unconfined")'],
    ],
    [
      "an unconfined AppArmor container",
      { [`${SC}.appArmorProfile`]: { type: "Unconfined" } },
      [`AppArmor: ${APP}: securityContext.appArmorProfile.type must be "RuntimeDefault" or "Localhost" (got "Unconfined")`],
    ],
    [
      "a custom SELinux type",
      { [`${SC}.seLinuxOptions`]: { type: "spc_t" } },
      [
        `SELinux: ${APP}: securityContext.seLinuxOptions.type must be one of container_t, container_init_t, container_kvm_t, container_engine_t (got "spc_t")`,
      ],
    ],
    [
      "a custom SELinux user",
      { "securityContext.seLinuxOptions": { user: "system_u" } },
      ['SELinux: pod: securityContext.seLinuxOptions.user must not be set (got "system_u")'],
    ],
    [
      "a custom SELinux role",
      { [`${SC}.seLinuxOptions`]: { role: "system_r" } },
      [`SELinux: ${APP}: securityContext.seLinuxOptions.role must not be set (got "system_r")`],
    ],
    [
      "an unmasked /proc",
      { [`${SC}.procMount`]: "Unmasked" },
      [`/proc mount type: ${APP}: securityContext.procMount must be unset or "Default" (got "Unmasked")`],
    ],
    [
      "an unmasked /proc in a user namespace (baseline allows it, restricted does not)",
      { hostUsers: false, [`${SC}.procMount`]: "Unmasked" },
      [`/proc mount type: ${APP}: securityContext.procMount must be unset or "Default" (got "Unmasked")`],
    ],
    [
      "an unconfined seccomp container",
      { [`${SC}.seccompProfile`]: { type: "Unconfined" } },
      [
        `Seccomp: ${APP}: securityContext.seccompProfile.type must be "RuntimeDefault" or "Localhost", here or on the pod (got "Unconfined")`,
      ],
    ],
    [
      "no seccomp profile on the pod nor the containers",
      { "securityContext.seccompProfile": REMOVE },
      ALL.map(
        (c) => `Seccomp: ${c}: securityContext.seccompProfile.type must be "RuntimeDefault" or "Localhost", here or on the pod (got unset)`,
      ),
    ],
    [
      "an unconfined seccomp pod",
      { "securityContext.seccompProfile": { type: "Unconfined" } },
      [
        'Seccomp: pod: securityContext.seccompProfile.type must be "RuntimeDefault" or "Localhost" (got "Unconfined")',
        ...ALL.map(
          (c) =>
            `Seccomp: ${c}: securityContext.seccompProfile.type must be "RuntimeDefault" or "Localhost", here or on the pod (got unset)`,
        ),
      ],
    ],
    [
      "an unsafe sysctl",
      { "securityContext.sysctls": [{ name: "kernel.msgmax", value: "65536" }] },
      ['Sysctls: pod: securityContext.sysctls[0].name must be a safe sysctl (got "kernel.msgmax")'],
    ],
    [
      "a probe host",
      { "containers.0.livenessProbe.httpGet.host": "10.0.0.1" },
      [`Probes and lifecycle hooks: ${APP}: livenessProbe.httpGet.host must not be set (got "10.0.0.1")`],
    ],
    [
      "a lifecycle hook host",
      { "containers.0.lifecycle.preStop": { tcpSocket: { host: "metadata.internal", port: 80 } } },
      [`Probes and lifecycle hooks: ${APP}: lifecycle.preStop.tcpSocket.host must not be set (got "metadata.internal")`],
    ],
    [
      "a restricted volume type",
      { "volumes.1": { name: "share", nfs: { server: "nfs.example.com", path: "/share" } } },
      [`Volume types: volume "share" (volumes[1]): nfs is not an allowed volume type (allowed: ${RESTRICTED_VOLUME_TYPES.join(", ")})`],
    ],
    [
      "privilege escalation allowed",
      { [`${SC}.allowPrivilegeEscalation`]: true },
      [`Privilege escalation: ${APP}: securityContext.allowPrivilegeEscalation must be false (got true)`],
    ],
    [
      "privilege escalation unset",
      { [`${SC}.allowPrivilegeEscalation`]: REMOVE },
      [`Privilege escalation: ${APP}: securityContext.allowPrivilegeEscalation must be false (got unset)`],
    ],
    [
      "a container with runAsNonRoot false",
      { [`${SC}.runAsNonRoot`]: false },
      [`Running as non-root: ${APP}: securityContext.runAsNonRoot must be true, here or on the pod (got false)`],
    ],
    [
      "runAsNonRoot on neither the pod nor the containers",
      { "securityContext.runAsNonRoot": REMOVE },
      ALL.map((c) => `Running as non-root: ${c}: securityContext.runAsNonRoot must be true, here or on the pod (got unset)`),
    ],
    [
      "runAsUser 0 on the pod",
      { "securityContext.runAsUser": 0 },
      ["Running as non-root user: pod: securityContext.runAsUser must not be 0"],
    ],
    [
      "runAsUser 0 on a container",
      { [`${SC}.runAsUser`]: 0 },
      [`Running as non-root user: ${APP}: securityContext.runAsUser must not be 0`],
    ],
  ])("GIVEN %s WHEN checked THEN the control, container and field are reported", (_case, changes, problems) => {
    expect(restrictedProblems(variant(restrictedPod, changes))).toEqual(problems);
  });

  test("GIVEN an unconfined AppArmor annotation WHEN checked with the pod metadata THEN it is reported", () => {
    const annotations = { "container.apparmor.security.beta.kubernetes.io/app": "unconfined" };
    expect(restrictedProblems(restrictedPod, { annotations })).toEqual([
      'AppArmor: pod: metadata.annotations["container.apparmor.security.beta.kubernetes.io/app"] must be "runtime/default" or "localhost/<profile>" (got "unconfined")',
    ]);
  });

  test("GIVEN no pod spec WHEN checked THEN that is the problem", () => {
    expect(restrictedProblems(undefined)).toEqual(["pod spec is missing"]);
  });
});

describe("podSpecOf and podMetadataOf", () => {
  const template = { metadata: { labels: { app: "a" } }, spec: restrictedPod };
  test.each<[string, Record<string, unknown>]>([
    ["Pod", { apiVersion: "v1", kind: "Pod", ...template }],
    ["Deployment", { spec: { template } }],
    ["StatefulSet", { spec: { template } }],
    ["DaemonSet", { spec: { template } }],
    ["ReplicaSet", { spec: { template } }],
    ["Job", { spec: { template } }],
    ["CronJob", { spec: { jobTemplate: { spec: { template } } } }],
  ])("GIVEN a %s WHEN its pod is read THEN it is the pod template's spec and metadata", (kind, manifest) => {
    expect(podSpecOf(kind, manifest)).toBe(restrictedPod);
    expect(podMetadataOf(kind, manifest)).toBe(template.metadata);
  });

  test.each<[string, unknown]>([
    ["Service", { spec: { template } }],
    ["Deployment", { spec: {} }],
    ["CronJob", { spec: { template } }],
    ["Pod", "not a manifest"],
  ])("GIVEN a %s without a pod template WHEN its pod is read THEN there is none", (kind, manifest) => {
    expect(podSpecOf(kind, manifest)).toBeUndefined();
  });
});
