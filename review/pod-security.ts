/**
 * The Pod Security Standards "restricted" profile (latest: Kubernetes 1.36), every baseline and
 * restricted control, written from the standard's text at
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/, not from the policy pack: the
 * review checks the pod templates the pinned charts render with it (review/chart-checks.ts), and the tests
 * use it as a second opinion on the program's own objects. Where restricted tightens a baseline control (capabilities, seccomp, /proc mount), only the
 * restricted form is checked. Containers means containers, initContainers and ephemeralContainers.
 */

type Obj = Record<string, unknown>;

/** Kinds whose manifests carry a pod template, and where: `podSpecOf` reads them. */
export const WORKLOAD_KINDS = ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"] as const;

/** The pod template of a workload manifest ({ metadata, spec }), or undefined for another kind. */
function podTemplateOf(kind: string, manifest: unknown): Obj | undefined {
  const spec = record(record(manifest)?.spec);
  switch (kind) {
    case "Pod":
      return record(manifest);
    case "Deployment":
    case "StatefulSet":
    case "DaemonSet":
    case "ReplicaSet":
    case "Job":
      return record(spec?.template);
    case "CronJob":
      return record(record(record(spec?.jobTemplate)?.spec)?.template);
    default:
      return undefined;
  }
}

/** The pod spec of a Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or CronJob manifest. */
export function podSpecOf(kind: string, manifest: unknown): Obj | undefined {
  return record(podTemplateOf(kind, manifest)?.spec);
}

/** The pod metadata (labels, annotations) of the same kinds, for the AppArmor annotations. */
export function podMetadataOf(kind: string, manifest: unknown): Obj | undefined {
  return record(podTemplateOf(kind, manifest)?.metadata);
}

/** Safe sysctls (baseline "Sysctls"), as of Kubernetes 1.32 and unchanged through 1.36. */
export const SAFE_SYSCTLS: readonly string[] = [
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
  "net.ipv4.tcp_rmem",
  "net.ipv4.tcp_wmem",
];
/** Inline volume sources the restricted "Volume types" control allows. */
export const RESTRICTED_VOLUME_TYPES: readonly string[] = [
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "image",
  "persistentVolumeClaim",
  "projected",
  "secret",
];
const SELINUX_TYPES = ["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"];
const PROFILE_TYPES = ["RuntimeDefault", "Localhost"]; // seccomp and AppArmor alike
const APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/";

/**
 * Every violation of the restricted profile by one pod spec, each naming the control, the pod or
 * container, and the field; empty when the pod is restricted. `podMetadata` (optional) adds the
 * AppArmor annotation check.
 */
export function restrictedProblems(podSpec: unknown, podMetadata?: unknown): string[] {
  const spec = record(podSpec);
  if (!spec) return ["pod spec is missing"];
  const out: string[] = [];
  const pod: Pod = {
    spec,
    sc: record(spec.securityContext) ?? {},
    metadata: record(podMetadata),
    all: containersOf(spec),
    // `got` (present even when undefined) appends the offending value.
    report: (control, subject, field, rule, ...got) =>
      void out.push(`${control}: ${subject}: ${field} ${rule}${got.length ? ` (got ${shown(got[0])})` : ""}`),
  };
  baselineHostProblems(pod);
  baselineProfileProblems(pod);
  restrictedOnlyProblems(pod);
  return out;
}

/** One pod spec, its containers, and where its problems go. */
interface Pod {
  spec: Obj;
  /** The pod's securityContext. */
  sc: Obj;
  metadata: Obj | undefined;
  all: ContainerRef[];
  report: (control: string, subject: string, field: string, rule: string, ...got: unknown[]) => void;
}

/** Baseline: HostProcess, host namespaces, privileged containers, hostPath volumes, host ports. */
function baselineHostProblems({ spec, sc: pod, all, report }: Pod): void {
  if (record(pod.windowsOptions)?.hostProcess === true)
    report("HostProcess", "pod", "securityContext.windowsOptions.hostProcess", "must not be true");
  for (const c of all)
    if (record(c.sc.windowsOptions)?.hostProcess === true)
      report("HostProcess", c.subject, "securityContext.windowsOptions.hostProcess", "must not be true");

  for (const field of ["hostNetwork", "hostPID", "hostIPC"])
    if (spec[field] === true) report("Host namespaces", "pod", field, "must not be true");

  for (const c of all)
    if (c.sc.privileged === true) report("Privileged containers", c.subject, "securityContext.privileged", "must not be true");

  for (const [i, volume] of list(spec.volumes).entries())
    if (record(volume)?.hostPath !== undefined) report("HostPath volumes", volumeSubject(volume, i), "hostPath", "must not be set");

  for (const c of all) {
    for (const [i, port] of list(c.container.ports).entries()) {
      const hostPort = record(port)?.hostPort;
      if (hostPort !== undefined && hostPort !== 0) report("Host ports", c.subject, `ports[${i}].hostPort`, "must be unset or 0", hostPort);
    }
  }
}

/** Baseline: AppArmor, SELinux, /proc mount, sysctls, probe and lifecycle hosts. */
function baselineProfileProblems({ sc: pod, metadata: podMetadata, all, report }: Pod): void {
  const appArmor = (subject: string, sc: Obj): void => {
    const type = record(sc.appArmorProfile)?.type;
    if (type !== undefined && !PROFILE_TYPES.includes(type as string))
      report("AppArmor", subject, "securityContext.appArmorProfile.type", `must be "RuntimeDefault" or "Localhost"`, type);
  };
  appArmor("pod", pod);
  for (const c of all) appArmor(c.subject, c.sc);
  for (const [key, value] of Object.entries(record(record(podMetadata)?.annotations) ?? {})) {
    if (
      !key.startsWith(APPARMOR_ANNOTATION) ||
      value === "" ||
      value === "runtime/default" ||
      (typeof value === "string" && value.startsWith("localhost/"))
    )
      continue;
    report("AppArmor", "pod", `metadata.annotations["${key}"]`, `must be "runtime/default" or "localhost/<profile>"`, value);
  }

  const seLinux = (subject: string, sc: Obj): void => {
    const options = record(sc.seLinuxOptions);
    if (!options) return;
    if (options.type !== undefined && !SELINUX_TYPES.includes(options.type as string))
      report(
        "SELinux",
        subject,
        "securityContext.seLinuxOptions.type",
        `must be one of ${SELINUX_TYPES.slice(1).join(", ")}`,
        options.type,
      );
    for (const field of ["user", "role"])
      if (options[field] !== undefined && options[field] !== "")
        report("SELinux", subject, `securityContext.seLinuxOptions.${field}`, "must not be set", options[field]);
  };
  seLinux("pod", pod);
  for (const c of all) seLinux(c.subject, c.sc);

  // Baseline allows any /proc mount in a user namespace; restricted never does.
  for (const c of all)
    if (c.sc.procMount !== undefined && c.sc.procMount !== "Default")
      report("/proc mount type", c.subject, "securityContext.procMount", `must be unset or "Default"`, c.sc.procMount);

  for (const [i, sysctl] of list(pod.sysctls).entries()) {
    const name = record(sysctl)?.name;
    if (!SAFE_SYSCTLS.includes(name as string))
      report("Sysctls", "pod", `securityContext.sysctls[${i}].name`, "must be a safe sysctl", name);
  }

  for (const c of all) {
    const handlers: [string, unknown][] = [
      ["livenessProbe", c.container.livenessProbe],
      ["readinessProbe", c.container.readinessProbe],
      ["startupProbe", c.container.startupProbe],
      ["lifecycle.postStart", record(c.container.lifecycle)?.postStart],
      ["lifecycle.preStop", record(c.container.lifecycle)?.preStop],
    ];
    for (const [field, handler] of handlers) {
      for (const action of ["httpGet", "tcpSocket"]) {
        const host = record(record(handler)?.[action])?.host;
        if (host !== undefined && host !== "")
          report("Probes and lifecycle hooks", c.subject, `${field}.${action}.host`, "must not be set", host);
      }
    }
  }
}

/** Restricted: volume types, privilege escalation, seccomp, capabilities, running as non-root. */
function restrictedOnlyProblems({ spec, sc: pod, all, report }: Pod): void {
  const windows = record(spec.os)?.name === "windows";
  // A pod in its own user namespace (hostUsers: false) is not root on the node (KEP-127).
  const userNamespace = spec.hostUsers === false;
  for (const [i, volume] of list(spec.volumes).entries()) {
    for (const type of Object.keys(record(volume) ?? {})) {
      if (type !== "name" && !RESTRICTED_VOLUME_TYPES.includes(type))
        report(
          "Volume types",
          volumeSubject(volume, i),
          type,
          `is not an allowed volume type (allowed: ${RESTRICTED_VOLUME_TYPES.join(", ")})`,
        );
    }
  }

  // Privilege escalation, seccomp and capabilities do not apply to Windows pods.
  if (!windows) {
    for (const c of all)
      if (c.sc.allowPrivilegeEscalation !== false)
        report(
          "Privilege escalation",
          c.subject,
          "securityContext.allowPrivilegeEscalation",
          "must be false",
          c.sc.allowPrivilegeEscalation,
        );

    const podSeccomp = record(pod.seccompProfile)?.type;
    if (podSeccomp !== undefined && !PROFILE_TYPES.includes(podSeccomp as string))
      report("Seccomp", "pod", "securityContext.seccompProfile.type", `must be "RuntimeDefault" or "Localhost"`, podSeccomp);
    const podSeccompValid = PROFILE_TYPES.includes(podSeccomp as string);
    for (const c of all) {
      const type = record(c.sc.seccompProfile)?.type;
      if (type !== undefined ? !PROFILE_TYPES.includes(type as string) : !podSeccompValid) {
        report(
          "Seccomp",
          c.subject,
          "securityContext.seccompProfile.type",
          `must be "RuntimeDefault" or "Localhost", here or on the pod`,
          type,
        );
      }
    }

    for (const c of all) {
      const capabilities = record(c.sc.capabilities);
      if (!list(capabilities?.drop).includes("ALL"))
        report("Capabilities", c.subject, "securityContext.capabilities.drop", `must include "ALL"`, capabilities?.drop);
      for (const added of list(capabilities?.add))
        if (added !== "NET_BIND_SERVICE")
          report("Capabilities", c.subject, "securityContext.capabilities.add", `may only add "NET_BIND_SERVICE"`, added);
    }
  }

  if (!userNamespace) {
    if (pod.runAsNonRoot === false) report("Running as non-root", "pod", "securityContext.runAsNonRoot", "must not be false");
    for (const c of all) {
      const own = c.sc.runAsNonRoot;
      if (own === undefined ? pod.runAsNonRoot !== true : own !== true)
        report("Running as non-root", c.subject, "securityContext.runAsNonRoot", "must be true, here or on the pod", own);
    }

    if (pod.runAsUser === 0) report("Running as non-root user", "pod", "securityContext.runAsUser", "must not be 0");
    for (const c of all)
      if (c.sc.runAsUser === 0) report("Running as non-root user", c.subject, "securityContext.runAsUser", "must not be 0");
  }
}

interface ContainerRef {
  readonly subject: string;
  readonly container: Obj;
  readonly sc: Obj;
}

function containersOf(spec: Obj): ContainerRef[] {
  return ["initContainers", "containers", "ephemeralContainers"].flatMap((field) =>
    list(spec[field]).map((item, i) => {
      const container = record(item) ?? {};
      const name = typeof container.name === "string" ? container.name : "?";
      return { subject: `container "${name}" (${field}[${i}])`, container, sc: record(container.securityContext) ?? {} };
    }),
  );
}

function volumeSubject(volume: unknown, i: number): string {
  const name = record(volume)?.name;
  return `volume "${typeof name === "string" ? name : "?"}" (volumes[${i}])`;
}

function record(value: unknown): Obj | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Obj) : undefined;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function shown(value: unknown): string {
  return value === undefined ? "unset" : JSON.stringify(value);
}
