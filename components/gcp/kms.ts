// Customer-managed Cloud KMS keys for the GCP components: one key ring and one key per purpose (cluster
// secrets, database, cache, backups), each rotating every 90 days, usable only by the service agents named.
// Cloud KMS never deletes a key ring, and destroying a key destroys what it encrypts: both are protected
// wherever the data they guard is.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { serviceAgentMember } from "./service-agents";

/** How often a key gets a new primary version: 90 days, as written to the API. */
export const KEY_ROTATION_PERIOD = "7776000s";

export interface EncryptionKeyArgs {
  /** Region of the key ring; Cloud SQL, Memorystore, GKE and regional buckets need their key in their own region. */
  location: string;
  /** Identities (`serviceAccount:...`) that encrypt and decrypt with the key: the Google service agents of the services using it. */
  users: pulumi.Input<string>[];
  /**
   * What the grants wait for besides the key: what makes the users exist (a service agent's ServiceIdentity),
   * since IAM refuses a grant to an account that does not exist yet. @default none
   */
  usersAfter?: pulumi.Resource[];
  /** Pulumi `protect` on the key ring and the key. Destroying a key destroys every backup and secret encrypted with it. */
  protect: boolean;
  /** The provider the resources are created with. @default - the parent's */
  provider?: gcp.Provider;
}

/** A key and the grants that let its users encrypt and decrypt with it. */
export interface GrantedEncryptionKey {
  key: gcp.kms.CryptoKey;
  /**
   * One per user, in the order of `users`. A service checks its agent's access to the key when a resource
   * is created with it (a bucket's default key, a CMEK instance): that resource must depend on these.
   */
  grants: gcp.kms.CryptoKeyIAMMember[];
}

/**
 * A key ring `<project>-<stack>-<name>-<8 random hex>` in `location` with one ENCRYPT_DECRYPT key, rotating every 90 days, and
 * the role `roles/cloudkms.cryptoKeyEncrypterDecrypter` on it for each of `users`.
 */
export function encryptionKey(name: string, args: EncryptionKeyArgs, parent: pulumi.Resource): gcp.kms.CryptoKey {
  return grantedEncryptionKey(name, args, parent).key;
}

/** What `encryptionKey` creates, with the grants, for a resource that must be created after them. */
export function grantedEncryptionKey(name: string, args: EncryptionKeyArgs, parent: pulumi.Resource): GrantedEncryptionKey {
  const options = { parent, ...(args.provider && { provider: args.provider }) };
  // Cloud KMS never deletes a key ring, so a name used once is taken for good: the random suffix lets a
  // stack that was destroyed (a dev stack, say) be brought up again.
  const suffix = new random.RandomId(`${name}-ring-suffix`, { byteLength: 4 }, { parent });
  const ring = new gcp.kms.KeyRing(
    `${name}-ring`,
    { name: pulumi.interpolate`${pulumi.getProject()}-${pulumi.getStack()}-${name}-${suffix.hex}`, location: args.location },
    { ...options, protect: args.protect },
  );
  const key = new gcp.kms.CryptoKey(
    name,
    { name, keyRing: ring.id, purpose: "ENCRYPT_DECRYPT", rotationPeriod: KEY_ROTATION_PERIOD },
    { ...options, protect: args.protect },
  );
  const grants = args.users.map(
    (member, i) =>
      new gcp.kms.CryptoKeyIAMMember(
        `${name}-user-${i}`,
        { cryptoKeyId: key.id, role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member },
        { ...options, ...(args.usersAfter && { dependsOn: args.usersAfter }) },
      ),
  );
  return { key, grants };
}

export interface ServiceAgentKeyArgs extends Pick<EncryptionKeyArgs, "location" | "protect"> {
  /** The API whose service agent uses the key, e.g. sqladmin.googleapis.com (components/gcp/service-agents.ts lists it). */
  api: string;
  /** The Pulumi name of the agent's ServiceIdentity. */
  agentName: string;
  /** The project's number, which the agent's address is made of. */
  projectNumber: pulumi.Input<string>;
}

/**
 * A key for one API's Google service agent. Google makes the agent at some point after the API is enabled, so it
 * is requested first (a ServiceIdentity, services.generateServiceIdentity, as cloud-foundation-fabric's project
 * module does) and the grant waits for it. The address follows from the project number, since the provider does
 * not return it for every service, and is known before the agent is made, so a preview never shows it unknown.
 */
export function serviceAgentKey(name: string, args: ServiceAgentKeyArgs, parent: pulumi.Resource): GrantedEncryptionKey {
  const agent = new gcp.projects.ServiceIdentity(args.agentName, { service: args.api }, { parent });
  const member = pulumi.output(args.projectNumber).apply((n) => serviceAgentMember(n, args.api));
  return grantedEncryptionKey(name, { location: args.location, users: [member], usersAfter: [agent], protect: args.protect }, parent);
}
