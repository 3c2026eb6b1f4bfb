// GIVEN ProjectApis for the storage and compute APIs, and a component given its waitForApis transformation
// WHEN they are recorded under the offline engine
// THEN each API is exactly one gcp.projects.Service that destroying the stack never disables; the Cloud Storage
//      service agent is what the storage lookup returns, looked up once the storage API is on, so a grant to it
//      waits for that API; every GCP resource of the component waits for every API, its own dependencies kept,
//      while the component and resources of other packages do not; and bad API lists are refused.
import { describe, expect, test } from "@jest/globals";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ProjectApis } from "../../components/gcp/project-apis";
import { gcpProvider, type Recorded, recordProgram, valueOf } from "../harness";

const SERVICE = "gcp:projects/service:Service";

/** A stand-in for a platform component: a GCP resource after another, and a resource of another package. */
class Consumer extends pulumi.ComponentResource {
  constructor(name: string, agent: pulumi.Output<string>, opts: pulumi.ComponentResourceOptions) {
    super("platform:test:Consumer", name, {}, opts);
    const ring = new gcp.kms.KeyRing(`${name}-ring`, { name: "ring", location: "europe-west1" }, { parent: this });
    new gcp.kms.CryptoKeyIAMMember(
      `${name}-grant`,
      {
        cryptoKeyId: "projects/p/locations/europe-west1/keyRings/ring/cryptoKeys/k",
        role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
        member: agent,
      },
      { parent: this, dependsOn: [ring] },
    );
    new random.RandomId(`${name}-suffix`, { byteLength: 4 }, { parent: this });
    this.registerOutputs({});
  }
}

interface Run {
  r: Recorded;
  agent: string;
}

let recorded: Promise<Run> | undefined;
/** Records the APIs and a consumer once, in a project numbered 987654321098. */
function run(): Promise<Run> {
  recorded ??= (async () => {
    let agent = "";
    const r = await recordProgram(
      async () => {
        const provider = gcpProvider();
        const apis = new ProjectApis("apis", { apis: ["storage.googleapis.com", "compute.googleapis.com"] }, { providers: [provider] });
        new Consumer("consumer", apis.storageServiceAgent(), { providers: [provider], transformations: [apis.waitForApis] });
        agent = await valueOf(apis.storageServiceAgent());
      },
      { facts: { projectNumber: "987654321098" } },
    );
    return { r, agent };
  })();
  return recorded;
}

describe("ProjectApis", () => {
  test("each API is one Service, left enabled when the stack or the Service goes", async () => {
    const { r } = await run();
    expect(r.ofType(SERVICE).map((s) => [s.name, s.inputs, s.parent])).toEqual([
      [
        "apis-storage",
        { service: "storage.googleapis.com", disableOnDestroy: false, disableDependentServices: false },
        r.one("platform:gcp:ProjectApis").urn,
      ],
      [
        "apis-compute",
        { service: "compute.googleapis.com", disableOnDestroy: false, disableDependentServices: false },
        r.one("platform:gcp:ProjectApis").urn,
      ],
    ]);
  });

  test("the Cloud Storage agent is what the lookup returns, and a grant to it waits for the storage API", async () => {
    const { r, agent } = await run();
    // The project number of the run's facts, which only the lookup knows here.
    expect(agent).toBe("serviceAccount:service-987654321098@gs-project-accounts.iam.gserviceaccount.com");
    const grant = r.one("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember");
    expect(grant.inputs.member).toBe(agent);
    expect(grant.propertyDependencies.member).toEqual([r.one(SERVICE, "apis-storage").urn]);
  });

  test("every GCP resource of a component given waitForApis waits for every API, keeping its own dependencies", async () => {
    const { r } = await run();
    const services = r.ofType(SERVICE).map((s) => s.urn);
    expect([...r.one("gcp:kms/keyRing:KeyRing").dependencies].sort()).toEqual([...services].sort());
    expect([...r.one("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember").dependencies].sort()).toEqual(
      [r.one("gcp:kms/keyRing:KeyRing").urn, ...services].sort(),
    );
    // Neither the component nor another package's resource calls a Google API.
    expect(r.one("platform:test:Consumer").dependencies).toEqual([]);
    expect(r.one("random:index/randomId:RandomId").dependencies).toEqual([]);
  });

  test.each<[string, string[], string]>([
    ["a name that is no API", ["compute"], 'must hold API names such as compute.googleapis.com (got "compute")'],
    [
      "an API that must be on before the stack runs",
      ["serviceusage.googleapis.com"],
      'must not hold serviceusage.googleapis.com: it must be on before the stack runs, so the stack cannot enable it (got ["serviceusage.googleapis.com"])',
    ],
    [
      "an API twice",
      ["compute.googleapis.com", "compute.googleapis.com"],
      'must not repeat an API (got ["compute.googleapis.com","compute.googleapis.com"])',
    ],
  ])("refuses %s, naming the argument", async (_label, apis, message) => {
    await expect(recordProgram(() => new ProjectApis("apis", { apis }, { providers: [gcpProvider()] }))).rejects.toThrow(
      new Error(`ProjectApis apis: args.apis ${message}`),
    );
  });

  test("the storage agent is refused where the storage API is not enabled", async () => {
    await expect(
      recordProgram(() =>
        new ProjectApis("apis", { apis: ["compute.googleapis.com"] }, { providers: [gcpProvider()] }).storageServiceAgent(),
      ),
    ).rejects.toThrow(new Error("ProjectApis apis: storageServiceAgent needs storage.googleapis.com in args.apis"));
  });
});
