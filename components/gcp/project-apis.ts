// The Google APIs the platform calls, enabled in its project before anything that calls them, as
// terraform-google-modules/project-factory's project_services and cloud-foundation-fabric's project module do:
// every GCP resource of the components given `waitForApis` waits for them. Destroying the stack never disables
// an API: other workloads of the project may use it. Also the Cloud Storage service agent, looked up once the
// storage API is on (the lookup is what makes Google create it), as fabric's project module does.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { PREREQUISITE_APIS, STORAGE_API } from "./apis";

export interface ProjectApisArgs {
  /**
   * The APIs to enable, `<name>.googleapis.com`, each once. Not Service Usage or Cloud Resource Manager
   * (PREREQUISITE_APIS): the provider needs both on to enable anything, so they are on before the stack runs.
   */
  apis: string[];
}

const API = /^[a-z][a-z0-9-]*\.googleapis\.com$/;

/** Checks the arguments; throws `ProjectApis <name>: args.apis ...` at the first problem. */
export function resolveProjectApisArgs(name: string, args: ProjectApisArgs): string[] {
  const fail = (message: string): never => {
    throw new Error(`ProjectApis ${name}: args.apis ${message}`);
  };
  for (const api of args.apis) {
    if (!API.test(api)) fail(`must hold API names such as compute.googleapis.com (got ${JSON.stringify(api)})`);
    if (PREREQUISITE_APIS.includes(api))
      fail(`must not hold ${api}: it must be on before the stack runs, so the stack cannot enable it (got ${JSON.stringify(args.apis)})`);
  }
  if (new Set(args.apis).size !== args.apis.length) fail(`must not repeat an API (got ${JSON.stringify(args.apis)})`);
  return [...args.apis];
}

/** `storage` for `storage.googleapis.com`: the resource name's stable part. */
const shortName = (api: string): string => api.replace(/\.googleapis\.com$/, "");

export class ProjectApis extends pulumi.ComponentResource {
  /** The enabled APIs by name (`compute.googleapis.com`). */
  readonly services: Readonly<Record<string, gcp.projects.Service>>;
  private storageAgent: pulumi.Output<string> | undefined;
  private readonly componentName: string;

  constructor(name: string, args: ProjectApisArgs, opts?: pulumi.ComponentResourceOptions) {
    const apis = resolveProjectApisArgs(name, args);
    super("platform:gcp:ProjectApis", name, {}, opts);
    this.componentName = name;
    this.services = Object.fromEntries(
      apis.map((api) => [
        api,
        new gcp.projects.Service(
          `${name}-${shortName(api)}`,
          // disableOnDestroy false: removing the stack or an API from the list forgets it, never turns it off.
          { service: api, disableOnDestroy: false, disableDependentServices: false },
          { parent: this },
        ),
      ]),
    );
    this.registerOutputs({ apis });
  }

  /**
   * The project's Cloud Storage service agent as an IAM member, as gcp.storage.getProjectServiceAccount returns
   * it once the storage API is on: Google creates the agent when that lookup is first made, so a name built from
   * the project number may name no account yet. Requires storage.googleapis.com in `apis`.
   */
  storageServiceAgent(): pulumi.Output<string> {
    const storage = this.services[STORAGE_API];
    if (!storage) throw new Error(`ProjectApis ${this.componentName}: storageServiceAgent needs ${STORAGE_API} in args.apis`);
    this.storageAgent ??= gcp.storage
      .getProjectServiceAccountOutput({}, { parent: this, dependsOn: [storage] })
      .apply((account) => account.member);
    return this.storageAgent;
  }

  /**
   * A transformation for a component's options (`transformations: [apis.waitForApis]`): every GCP resource of
   * the component, and of its children, waits for every API here. Enabling an API that is on already changes
   * nothing, so waiting for all of them costs a first deploy about a minute and later ones nothing.
   */
  readonly waitForApis: pulumi.ResourceTransformation = (args) => {
    if (!args.type.startsWith("gcp:")) return undefined;
    return { props: args.props, opts: { ...args.opts, dependsOn: withDependency(args.opts.dependsOn, this) } };
  };
}

/** `dependsOn` with `resource` added: a list or one resource, the forms the components give it in. */
function withDependency(dependsOn: pulumi.ResourceOptions["dependsOn"], resource: pulumi.Resource): pulumi.Input<pulumi.Resource>[] {
  if (dependsOn === undefined) return [resource];
  if (Array.isArray(dependsOn)) return [...dependsOn, resource];
  if (pulumi.Resource.isInstance(dependsOn)) return [dependsOn, resource];
  throw new Error("ProjectApis: a dependsOn given as a promise or an output cannot be extended with the APIs; give a list");
}
