// GIVEN the GCP key helper called under a component, once with two users and protection, once with one
//       user, its own provider and no protection
// WHEN it is recorded under the offline engine
// THEN the engine receives exactly a key ring `<project>-<stack>-<name>-<random hex>` in the region asked, one
//      ENCRYPT_DECRYPT key on it rotating every 90 days, and one encrypter/decrypter grant on that key per
//      user, in order; ring and key carry protect as asked, grants never do; everything is the
//      component's child and uses the provider given (else the component's); the grants are handed back so
//      a resource using the key can wait for them; and the pack's kms-rotation policy passes on the key.
import { describe, expect, test } from "@jest/globals";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { encryptionKey, grantedEncryptionKey, KEY_ROTATION_PERIOD } from "../../components/gcp/kms";
import production from "../../policies/config/production.json";
import { gcpProvider, idOf, recordProgram, stateOf } from "../harness";
import { check } from "../policies/harness";

const T = {
  ring: "gcp:kms/keyRing:KeyRing",
  suffix: "random:index/randomId:RandomId",
  key: "gcp:kms/cryptoKey:CryptoKey",
  member: "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
};
const SQL_AGENT = "serviceAccount:service-123456789012@gcp-sa-cloud-sql.iam.gserviceaccount.com";
const GCS_AGENT = "serviceAccount:service-123456789012@gs-project-accounts.iam.gserviceaccount.com";

/** Records on first use: one recording at a time, as the engine requires. */
function lazy<R>(fn: () => Promise<R>): () => Promise<R> {
  let result: Promise<R> | undefined;
  return () => (result ??= fn());
}

class Owner extends pulumi.ComponentResource {
  constructor(opts: pulumi.ComponentResourceOptions, build: (self: Owner) => void) {
    super("test:index:Owner", "owner", {}, opts);
    build(this);
    this.registerOutputs({});
  }
}

describe("encryptionKey, two users, protected, the component's provider", () => {
  let grantCount = -1;
  const recorded = lazy(() =>
    recordProgram(
      () =>
        new Owner({ providers: [gcpProvider()] }, (self) => {
          const { key, grants } = grantedEncryptionKey(
            "database-key",
            { location: "europe-west1", users: [SQL_AGENT, pulumi.output(GCS_AGENT)], protect: true },
            self,
          );
          expect(key).toBeInstanceOf(gcp.kms.CryptoKey);
          grantCount = grants.length;
        }),
    ),
  );

  test("exactly a ring, a key and a grant per user, all the component's children on its provider", async () => {
    const r = await recorded();
    const owner = r.one("test:index:Owner");
    const provider = r.one("pulumi:providers:gcp");
    const children = r.resources.filter((c) => c.parent === owner.urn);
    expect(children.map((c) => `${c.type} ${c.name}`).sort()).toEqual(
      [
        `${T.key} database-key`,
        `${T.member} database-key-user-0`,
        `${T.member} database-key-user-1`,
        `${T.ring} database-key-ring`,
        `${T.suffix} database-key-ring-suffix`,
      ].sort(),
    );
    for (const c of children.filter((c) => c.type !== T.suffix))
      expect({ name: c.name, provider: c.provider }).toEqual({ name: c.name, provider: provider.urn });
    expect(grantCount).toBe(2);
  });

  test("the ring and the key: exact inputs, protected", async () => {
    const r = await recorded();
    const ring = r.one(T.ring);
    const key = r.one(T.key);
    expect(r.one(T.suffix).inputs).toEqual({ byteLength: 4 });
    expect(ring.inputs).toEqual({ name: `platform-test-database-key-${String(stateOf(r.one(T.suffix)).hex)}`, location: "europe-west1" });
    expect(ring.propertyDependencies.name).toEqual([r.one(T.suffix).urn]);
    expect(key.inputs).toEqual({ name: "database-key", keyRing: idOf(ring), purpose: "ENCRYPT_DECRYPT", rotationPeriod: "7776000s" });
    expect(KEY_ROTATION_PERIOD).toBe(`${90 * 86400}s`);
    expect(key.propertyDependencies.keyRing).toEqual([ring.urn]);
    expect([ring.protect, key.protect]).toEqual([true, true]);
  });

  test("one encrypter/decrypter grant on the key per user, in order, unprotected", async () => {
    const r = await recorded();
    const key = r.one(T.key);
    expect([0, 1].map((i) => r.named(`database-key-user-${i}`).inputs)).toEqual([
      { cryptoKeyId: idOf(key), role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member: SQL_AGENT },
      { cryptoKeyId: idOf(key), role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member: GCS_AGENT },
    ]);
    for (const m of r.ofType(T.member)) expect(m.protect).toBe(false);
  });

  test("the production kms-rotation policy passes on the key", async () => {
    const r = await recorded();
    expect((await check("kms-rotation", r.resources, production["kms-rotation"])).messages).toEqual([]);
    // It does read the key: without the rotation it reports.
    const unrotated = r.resources.map((c) => (c.type === T.key ? { ...c, inputs: { ...c.inputs, rotationPeriod: undefined } } : c));
    expect((await check("kms-rotation", unrotated, production["kms-rotation"])).messages).toEqual([
      'rotationPeriod is unset: set it to at most "31536000s" (a year)',
    ]);
  });
});

describe("encryptionKey, one user, unprotected, a provider of its own", () => {
  const recorded = lazy(() =>
    recordProgram(() => {
      const own = new gcp.Provider("gcp-other", { project: "other-project", region: "us-central1" });
      return new Owner({ providers: [gcpProvider()] }, (self) => {
        encryptionKey("cache-key", { location: "us-central1", users: [GCS_AGENT], protect: false, provider: own }, self);
      });
    }),
  );

  test("exact inputs, nothing protected, every resource on the provider given", async () => {
    const r = await recorded();
    const own = r.named("gcp-other");
    const ring = r.one(T.ring);
    const key = r.one(T.key);
    expect(ring.inputs).toEqual({ name: `platform-test-cache-key-${String(stateOf(r.one(T.suffix)).hex)}`, location: "us-central1" });
    expect(key.inputs).toEqual({ name: "cache-key", keyRing: idOf(ring), purpose: "ENCRYPT_DECRYPT", rotationPeriod: "7776000s" });
    expect(r.one(T.member).inputs).toEqual({
      cryptoKeyId: idOf(key),
      role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
      member: GCS_AGENT,
    });
    for (const c of [ring, key, r.one(T.member)])
      expect({ name: c.name, protect: c.protect, provider: c.provider }).toEqual({ name: c.name, protect: false, provider: own.urn });
  });
});
