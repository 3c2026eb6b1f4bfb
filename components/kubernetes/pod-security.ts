// The security context every pod the platform writes runs with: the restricted Pod Security Standard,
// plus a read-only root filesystem. One place, so a Deployment, a CronJob and an exporter cannot drift.
import type * as k8s from "@pulumi/kubernetes";

/** A non-root user id no image ships as root, for images whose USER is a name kubelet cannot check. */
export const DEFAULT_USER_ID = 65532;

export function restrictedPodSecurity(userId: number = DEFAULT_USER_ID): k8s.types.input.core.v1.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: userId,
    runAsGroup: userId,
    // Volumes (emptyDir, PVCs) are group-writable for the pod's user.
    fsGroup: userId,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

export function restrictedContainerSecurity(): k8s.types.input.core.v1.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    privileged: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** Scratch space for a read-only container: an emptyDir in memory or on the node's disk, with a size cap. */
export function scratchVolume(name: string, sizeLimit: string, medium?: "Memory"): k8s.types.input.core.v1.Volume {
  return { name, emptyDir: { sizeLimit, ...(medium && { medium }) } };
}
