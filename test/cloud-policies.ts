// The pack's policies over one cloud's resources alone, in the pack's order: on the other cloud's stacks
// they have nothing to evaluate, and the reports leave them out there. test/policies/declared-types.test.ts
// shows these are the policies whose declared types are that cloud's.
export const AWS_ONLY_POLICIES = [
  "imdsv2",
  "eks-endpoint-private",
  "eks-secrets-kms",
  "eks-control-plane-logs",
  "eks-version",
  "rds-not-public",
  "rds-backups",
  "rds-ha",
  "rds-deletion-protection",
  "rds-observability",
  "redis-encryption",
  "redis-auth",
  "redis-ha",
  "iam-no-star",
  "iam-trust-scoped",
];

export const GCP_ONLY_POLICIES = [
  "gke-private",
  "gke-workload-identity",
  "gke-network-policy",
  "gke-node-hardening",
  "gke-legacy-auth-off",
  "gke-binary-authorization",
  "sql-private-tls",
  "sql-cmek",
  "sql-backups-ha",
  "memorystore-secure",
  "gcs-no-public",
  "gcs-backup-posture",
  "gcp-no-basic-roles",
];
