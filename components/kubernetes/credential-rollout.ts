// Restarts the Deployments that read a synced credential once that credential changes. External Secrets
// rewrites a Secret when the cloud's value changes (an RDS rotation, a replaced cache token) and marks it
// with a hash of its data (`reconcile.external-secrets.io/data-hash`), but it restarts nothing, and a pod
// reads its credentials as environment variables once, at start. So in each namespace with such readers a
// CronJob compares, every few minutes, the hashes of the Secrets each Deployment reads with the ones it
// recorded on that Deployment, and on a change records the new ones and restarts the Deployment the way
// `kubectl rollout restart` does (a pod template annotation): a rolling restart, within the Deployment's own
// surge and disruption limits. The first time it sees a Deployment it only records, so a deploy is not
// followed by a restart. It may read only the metadata of those Secrets and patch only those Deployments.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { type Allowance, type Labels } from "./network-policy";
import { restrictedContainerSecurity, restrictedPodSecurity } from "./pod-security";

/** curl on Alpine (a POSIX shell and sed beside it), running as its own unprivileged user. */
export const ROLLOUT_IMAGE = "docker.io/curlimages/curl:8.17.0";
/** `curl_user` of the image: a numeric id, so kubelet can check runAsNonRoot. */
const ROLLOUT_IMAGE_UID = 100;
/** How often the hashes are compared: a rotated credential reaches its readers within this plus the Secret's refresh. */
export const ROLLOUT_SCHEDULE = "*/5 * * * *";
/** The Deployment annotation holding the hashes of the Secrets its pods last started with. */
export const CREDENTIALS_HASH_ANNOTATION = "platform/credentials-hash";
export const ROLLOUT_PODS: Labels = { "app.kubernetes.io/name": "credential-rollout", "app.kubernetes.io/part-of": "platform" };

/**
 * Runs with `sh -c`. TARGETS is a space-separated list of `<deployment>=<secret>[,<secret>...]`. A Secret not
 * synced yet (no data hash) skips its Deployment until the next run; any API error fails the run (an
 * assignment from a failed command substitution stops `set -e`), so the Job's failure shows in
 * `kubectl get jobs` and kube-state-metrics. Only metadata is read: no credential passes through the job.
 */
export const ROLLOUT_SCRIPT = `set -eu
sa=\${SERVICE_ACCOUNT_DIR:-/var/run/secrets/kubernetes.io/serviceaccount}
ns=$(cat "$sa/namespace")
api=\${KUBE_API:-https://\${KUBERNETES_SERVICE_HOST}:\${KUBERNETES_SERVICE_PORT}}
call() { curl -fsS --max-time 20 --cacert "$sa/ca.crt" --oauth2-bearer "$(cat "$sa/token")" "$@"; }
metadata_only='Accept: application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1'
field() { tr -d ' \\n' | sed -n "s|.*\\"$1\\":\\"\\([^\\"]*\\)\\".*|\\1|p"; }
for target in $TARGETS; do
  deployment=\${target%%=*}
  hashes=""
  for secret in $(echo "\${target#*=}" | tr ',' ' '); do
    meta=$(call -H "$metadata_only" "$api/api/v1/namespaces/$ns/secrets/$secret")
    hash=$(printf '%s' "$meta" | field 'reconcile.external-secrets.io/data-hash')
    if [ -z "$hash" ]; then echo "$deployment: Secret $secret has no data hash yet, skipped"; continue 2; fi
    hashes="$hashes$hash"
  done
  meta=$(call -H "$metadata_only" "$api/apis/apps/v1/namespaces/$ns/deployments/$deployment")
  seen=$(printf '%s' "$meta" | field '${CREDENTIALS_HASH_ANNOTATION}')
  if [ "$seen" = "$hashes" ]; then echo "$deployment: credentials unchanged"; continue; fi
  record='"metadata":{"annotations":{"${CREDENTIALS_HASH_ANNOTATION}":"'"$hashes"'"}}'
  if [ -z "$seen" ]; then
    patch="{$record}"
    echo "$deployment: credentials recorded"
  else
    patch="{$record,\\"spec\\":{\\"template\\":{\\"metadata\\":{\\"annotations\\":{\\"kubectl.kubernetes.io/restartedAt\\":\\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\\"}}}}}"
    echo "$deployment: credentials changed, restarting"
  fi
  call -X PATCH -H 'Content-Type: application/strategic-merge-patch+json' --data "$patch" "$api/apis/apps/v1/namespaces/$ns/deployments/$deployment" >/dev/null
done
`;

/** A Deployment of the namespace and the synced Secrets its pods read. */
export interface RolloutTarget {
  deployment: pulumi.Input<string>;
  secrets: string[];
}

export interface CredentialRolloutArgs {
  /** The namespace, as an output of the namespace and its policies (PlatformNamespace.ready). */
  namespace: pulumi.Input<string>;
  targets: RolloutTarget[];
}

/** The rollout pods' one path: the API server, on 443. */
export function rolloutAllowances(apiServerCidrs: pulumi.Input<string[]>): Allowance[] {
  return [
    { name: "rollout-kube-api", direction: "Egress", pods: ROLLOUT_PODS, peers: [{ cidrs: apiServerCidrs }], ports: [{ port: 443 }] },
  ];
}

function checkTargets(name: string, targets: RolloutTarget[]): void {
  if (targets.length === 0) throw new Error(`CredentialRollout ${name}: args.targets must name at least one Deployment`);
  for (const t of targets)
    if (t.secrets.length === 0) throw new Error(`CredentialRollout ${name}: every target must name at least one Secret`);
}

export class CredentialRollout extends pulumi.ComponentResource {
  readonly cronJob: k8s.batch.v1.CronJob;

  constructor(name: string, args: CredentialRolloutArgs, opts?: pulumi.ComponentResourceOptions) {
    checkTargets(name, args.targets);
    super("platform:kubernetes:CredentialRollout", name, {}, opts);
    const metadata = { name: "credential-rollout", namespace: args.namespace, labels: ROLLOUT_PODS };
    const account = new k8s.core.v1.ServiceAccount(`${name}-sa`, { metadata }, { parent: this });
    const deployments = args.targets.map((t) => t.deployment);
    const role = new k8s.rbac.v1.Role(
      `${name}-role`,
      {
        metadata,
        rules: [
          { apiGroups: [""], resources: ["secrets"], resourceNames: [...new Set(args.targets.flatMap((t) => t.secrets))], verbs: ["get"] },
          { apiGroups: ["apps"], resources: ["deployments"], resourceNames: deployments, verbs: ["get", "patch"] },
        ],
      },
      { parent: this },
    );
    const binding = new k8s.rbac.v1.RoleBinding(
      `${name}-binding`,
      {
        metadata,
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
        subjects: [{ kind: "ServiceAccount", name: account.metadata.name, namespace: args.namespace }],
      },
      { parent: this },
    );
    const targets = pulumi.all(args.targets.map((t) => pulumi.output(t.deployment).apply((d) => `${d}=${t.secrets.join(",")}`)));
    this.cronJob = new k8s.batch.v1.CronJob(
      `${name}-cronjob`,
      {
        metadata,
        spec: {
          schedule: ROLLOUT_SCHEDULE,
          timeZone: "Etc/UTC",
          concurrencyPolicy: "Forbid",
          startingDeadlineSeconds: 300,
          successfulJobsHistoryLimit: 1,
          failedJobsHistoryLimit: 3,
          jobTemplate: {
            metadata: { labels: ROLLOUT_PODS },
            spec: {
              backoffLimit: 1,
              activeDeadlineSeconds: 240,
              ttlSecondsAfterFinished: 3600,
              template: {
                metadata: { labels: ROLLOUT_PODS },
                spec: {
                  restartPolicy: "Never",
                  serviceAccountName: account.metadata.name,
                  securityContext: restrictedPodSecurity(ROLLOUT_IMAGE_UID),
                  containers: [
                    {
                      name: "rollout",
                      image: ROLLOUT_IMAGE,
                      command: ["sh", "-c", ROLLOUT_SCRIPT],
                      env: [{ name: "TARGETS", value: targets.apply((t) => t.join(" ")) }],
                      resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "32Mi" } },
                      securityContext: restrictedContainerSecurity(),
                    },
                  ],
                },
              },
            },
          },
        },
      },
      { parent: this, dependsOn: [binding] },
    );
    this.registerOutputs({});
  }
}
